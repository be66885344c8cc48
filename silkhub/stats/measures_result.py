"""Running measures and their results: ``Measure`` (an expression and the tables it reads),
``run`` on an engine, ``MeasureResult`` for one query's figures as Python values, and
``target_progress`` for a figure against its target (plain arithmetic, no engine)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pyarrow as pa

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import Month
from silkhub.stats.datasets import DATASETS
from silkhub.stats.measures_expr import MEMBERSHIP_TABLE, membership_table
from silkhub.stats.measures_query import MeasureQuery
from silkhub.stats.vintages import (
    VINTAGE_PERIODS_TABLE,
    IbisTable,
    conform_vintage_periods,
    vintages_used,
)

__all__ = [
    "Engine",
    "Measure",
    "MeasureResult",
    "Read",
    "TargetProgress",
    "UsedVintage",
    "make_measure",
    "run",
    "target_progress",
]

Number = int | float


class Engine(Protocol):
    """What runs a measure: ``AnalyticalStore`` (DuckDB) or ``SparkStore`` (Spark)."""

    def execute(self, expr: Any, *, extra: Mapping[str, pa.Table] | None = None) -> pa.Table: ...


@dataclass(frozen=True)
class Read:
    """Months of a dataset a measure reads, and as of when (for ``vintages_used``)."""

    dataset: str
    months: tuple[Month, ...]
    as_of: datetime | None


@dataclass(frozen=True)
class Measure:
    """One Ibis expression (``expr``), the extra tables it reads besides ``vintage_periods``
    (membership, months of a series), and which months of which dataset it reads."""

    kind: str
    query: MeasureQuery
    expr: IbisTable
    tables: Mapping[str, pa.Table] = field(hash=False)
    reads: tuple[Read, ...]

    def vintages_used(self, vintage_periods: pa.Table) -> pa.Table:
        """One row per dataset and month read: the vintage used and when it was published
        (columns of ``silkhub.stats.vintages.vintages_used``)."""
        return pa.concat_tables(
            vintages_used(vintage_periods, DATASETS[r.dataset], r.months, r.as_of)
            for r in self.reads
        )


def make_measure(
    kind: str,
    query: MeasureQuery,
    expr: IbisTable,
    *others: MeasureQuery,
    read_months: Sequence[Month] | None = None,
    tables: Mapping[str, pa.Table] | None = None,
    groups: Sequence[str] = (),
) -> Measure:
    """A ``Measure`` of ``expr`` over ``query`` (and ``others``, e.g. an explicit whole): the
    membership table of their groups and of ``groups``, and ``tables`` besides. Each query
    reads its period and the one a year earlier, unless ``read_months`` says otherwise."""
    queries = (query, *others)
    extra = dict(tables or {})
    codes = [q.group for q in queries if q.group is not None] + list(groups)
    if codes:
        extra[MEMBERSHIP_TABLE] = membership_table(codes)
    reads = tuple(
        Read(
            q.dataset,
            tuple(sorted(set(read_months or q.months + q.previous_months))),
            q.as_of,
        )
        for q in queries
    )
    return Measure(kind, query, expr, extra, reads)


def run(engine: Engine, measure: Measure, *, vintage_periods: pa.Table) -> pa.Table:
    """Execute ``measure`` on ``engine`` with the ingest's ``vintage_periods`` table.

    The result is a pyarrow Table of the measure's columns (see ``silkhub.stats.measures``),
    the same on DuckDB and Spark.
    """
    extra = dict(measure.tables)
    extra[VINTAGE_PERIODS_TABLE] = conform_vintage_periods(vintage_periods)
    return engine.execute(measure.expr, extra=extra)


@dataclass(frozen=True)
class UsedVintage:
    """The vintage a month of a dataset was read from; None when nothing was published."""

    dataset: str
    month: Month
    vintage: int | None
    published_at: datetime | None


@dataclass(frozen=True)
class MeasureResult:
    """One query's figures (``measure_result``), in the value field's base unit.

    ``value`` and ``previous`` are the period and the same period a year earlier;
    ``growth_pct`` is in percent, ``times = value / previous``. The ``whole`` and share fields
    are filled in when the query has a group or a whole was given (``share_change_pp`` and
    ``contribution_pp`` in percentage points). ``vintages`` lists, per dataset and month read,
    the vintage used.
    """

    query: MeasureQuery
    value: Number | None
    previous: Number | None
    growth_pct: float | None
    times: float | None
    whole: Number | None = None
    whole_previous: Number | None = None
    whole_growth_pct: float | None = None
    share_pct: float | None = None
    previous_share_pct: float | None = None
    share_change_pp: float | None = None
    contribution_pp: float | None = None
    whole_query: MeasureQuery | None = None
    vintages: tuple[UsedVintage, ...] = ()

    @property
    def missing_months(self) -> tuple[UsedVintage, ...]:
        """Months read of which nothing was published as of the query's ``as_of``."""
        return tuple(v for v in self.vintages if v.vintage is None)

    @property
    def complete(self) -> bool:
        """Every month read (this period and the one a year earlier) has a vintage."""
        return not self.missing_months


@dataclass(frozen=True)
class TargetProgress:
    """A figure against its target: ``percent_of_target = value / target * 100``,
    ``remaining = max(target - value, 0)``, ``met = value >= target``."""

    value: Number
    target: Number
    percent_of_target: float
    remaining: Number
    met: bool


def target_progress(value: Number, target: Number) -> TargetProgress:
    """How far ``value`` has come towards ``target`` (same unit; target > 0)."""
    for name, number in (("value", value), ("target", target)):
        if isinstance(number, bool) or not isinstance(number, int | float) or number != number:
            raise InvalidInput.single(
                "invalid_number",
                Message(f"{name} 应为数字，而不是“{number}”。", f"{name} must be a number."),
                location=Location(field=name),
                value=str(number),
            )
    if target <= 0:
        raise InvalidInput.single(
            "invalid_target",
            Message(
                f"目标值应大于0，而不是{target}。", f"The target must be above 0, not {target}."
            ),
            location=Location(field="target"),
            value=target,
        )
    return TargetProgress(
        value=value,
        target=target,
        percent_of_target=value / target * 100,
        remaining=max(target - value, 0),
        met=value >= target,
    )
