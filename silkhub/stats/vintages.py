"""Revisions: which vintage of each period a figure is computed from.

A statistical office publishes a month, then may publish it again with other numbers (a
revision). Each import into the analytical store is a *vintage*: an integer id, increasing
with every import, stamped on every row it wrote (the ``vintage`` column of each dataset) and
published at a moment in time. The ingest keeps a record per (dataset, vintage, period,
published_at) in the operational store and hands it to queries as a small Arrow table,
``vintage_periods``::

    dataset       string                 "trade"
    period        date32                 first day of the month the vintage covers
    vintage       int64                  the import's id
    published_at  timestamp[us, UTC]     when it became visible

The figure for a period, *as of* a moment, uses the rows of the latest vintage (the highest
id) of that period published at or before that moment; ``as_of=None`` means now, and uses every
vintage listed. A row's period is its dataset's ``period_field`` truncated to the month (an ODI
filing of 2020-05-17 belongs to 2020-05). Rows of a vintage that is not listed (an import that
wrote its files but never committed its record) are never used.

``current_rows`` is the Ibis form of this rule (it runs on DuckDB and on Spark), and
``vintages_used`` the plain-Python answer to "which vintage did this figure use", for the
briefing that states it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import Month
from silkhub.stats.datasets import Dataset, Kind
from silkhub.stores.analytical_expr import unbound

# ibis ships no type information (mypy sees ``Any``); these aliases say what is meant.
IbisTable: TypeAlias = Any  # ibis.expr.types.Table
IbisColumn: TypeAlias = Any  # ibis.expr.types.Column (a column or a derived value)

__all__ = [
    "VINTAGE_PERIODS_ARROW_SCHEMA",
    "VINTAGE_PERIODS_SCHEMA",
    "VINTAGE_PERIODS_TABLE",
    "as_of_literal",
    "check_as_of",
    "conform_vintage_periods",
    "current_rows",
    "latest_vintages",
    "row_month",
    "vintage_periods_table",
    "vintages_used",
]

#: The name the ``vintage_periods`` table has in expressions (an extra table of ``execute``).
VINTAGE_PERIODS_TABLE = "vintage_periods"

_PUBLISHED_AT = dt.Timestamp(timezone="UTC", scale=6)

#: The Ibis schema of ``vintage_periods`` (for ``ibis.table(VINTAGE_PERIODS_SCHEMA, ...)``).
VINTAGE_PERIODS_SCHEMA = ibis.schema(
    {"dataset": "string", "period": "date", "vintage": "int64", "published_at": _PUBLISHED_AT}
)

#: The same as Arrow: what ``conform_vintage_periods`` returns.
VINTAGE_PERIODS_ARROW_SCHEMA = pa.schema(
    [
        pa.field("dataset", pa.string()),
        pa.field("period", pa.date32()),
        pa.field("vintage", pa.int64()),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
    ]
)


def vintage_periods_table() -> IbisTable:
    """The unbound ``vintage_periods`` table to write expressions against."""
    return unbound(VINTAGE_PERIODS_TABLE, VINTAGE_PERIODS_SCHEMA)


def conform_vintage_periods(table: pa.Table) -> pa.Table:
    """``table`` with exactly ``VINTAGE_PERIODS_ARROW_SCHEMA``'s columns and types.

    Extra columns are dropped; ``published_at`` may come in any unit and any time zone (it is
    converted to UTC microseconds), ``period`` as a date or a timestamp. A missing column, or
    a timestamp without a time zone, is ``InvalidInput``.
    """
    missing = [n for n in VINTAGE_PERIODS_ARROW_SCHEMA.names if n not in table.column_names]
    if missing:
        names = ", ".join(missing)
        raise InvalidInput.single(
            "vintage_periods_columns",
            Message(
                f"版本记录表缺少列：{names}。",
                f"The vintage_periods table lacks the column(s): {names}.",
            ),
            value=missing,
        )
    published = table.schema.field("published_at").type
    if not pa.types.is_timestamp(published) or published.tz is None:
        raise InvalidInput.single(
            "vintage_periods_timezone",
            Message(
                "版本记录表的 published_at 必须是带时区的时间戳。",
                "published_at of the vintage_periods table must be a timestamp with a time zone.",
            ),
            value=str(published),
        )
    selected = table.select(VINTAGE_PERIODS_ARROW_SCHEMA.names)
    try:
        return selected.cast(VINTAGE_PERIODS_ARROW_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput.single(
            "vintage_periods_types",
            Message(
                "版本记录表的列类型不对：应为 dataset 文本、period 日期、vintage 整数、"
                "published_at 时间戳。",
                "The vintage_periods table has wrong column types: dataset must be text, "
                "period a date, vintage an integer, published_at a timestamp.",
            ),
            value=str(exc),
        ) from exc


def check_as_of(as_of: datetime | None) -> datetime | None:
    """``as_of`` in UTC; ``InvalidInput`` for a datetime without a time zone."""
    if as_of is None:
        return None
    if not isinstance(as_of, datetime) or as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidInput.single(
            "naive_as_of",
            Message(
                f"截至时间“{as_of}”必须带时区（例如 2020-06-20T00:00:00+08:00）。",
                f"as_of {as_of!r} must be a datetime with a time zone "
                "(e.g. 2020-06-20T00:00:00+08:00).",
            ),
            location=Location(field="as_of"),
            value=str(as_of),
        )
    return as_of.astimezone(UTC)


def as_of_literal(as_of: datetime) -> IbisColumn:
    """``as_of`` as an Ibis UTC timestamp literal, microseconds (the published_at type)."""
    checked = check_as_of(as_of)
    assert checked is not None
    return ibis.literal(checked, type=_PUBLISHED_AT)


def row_month(table: IbisTable, dataset: Dataset) -> IbisColumn:
    """The month (its first day, a date) each row of ``table`` belongs to.

    Month fields are stored as the month's first day already; a date field (ODI's
    ``filing_date``) is truncated with ``make_date`` (DuckDB's ``date_trunc`` returns a
    timestamp, Spark's too, and a timestamp would not equal ``period``'s date).
    """
    column = table[dataset.period_field]
    if dataset.field(dataset.period_field).kind is Kind.MONTH:
        return column
    return ibis.date(column.year(), column.month(), 1)


def latest_vintages(
    vintage_periods: IbisTable, dataset: Dataset, as_of: datetime | None
) -> IbisTable:
    """For each period of ``dataset``: the latest vintage published by ``as_of``.

    Columns ``period`` (date) and ``vintage`` (int64), one row per period: joining on both
    therefore never duplicates a row.
    """
    vp = vintage_periods
    listed = vp.filter(vp.dataset == dataset.name)
    if as_of is not None:
        listed = listed.filter(listed.published_at <= as_of_literal(as_of))
    return listed.group_by("period").aggregate(vintage=listed.vintage.max())


def current_rows(
    data: IbisTable, vintage_periods: IbisTable, dataset: Dataset, as_of: datetime | None
) -> IbisTable:
    """The rows of ``data`` that are current as of ``as_of`` (every column of ``data``).

    ``data`` is the dataset's table (or any table with its period field and ``vintage``);
    ``vintage_periods`` the unbound table of ``vintage_periods_table()``. A row is kept when
    its vintage is, for its month, the latest one published by ``as_of`` (None: all listed).

    Measures (``silkhub.stats.measures``) apply the same rule after aggregating by month and
    vintage, which gives the same sums with far less to join; this is the row-level form, for
    listings and for the tests that hold the two to each other.
    """
    latest = latest_vintages(vintage_periods, dataset, as_of)
    latest = latest.select(_vp_period=latest.period, _vp_vintage=latest.vintage)
    joined = data.join(
        latest,
        [row_month(data, dataset) == latest._vp_period, data.vintage == latest._vp_vintage],
    )
    return joined.select(*data.columns)


def vintages_used(
    vintage_periods: pa.Table,
    dataset: Dataset,
    months: Iterable[Month],
    as_of: datetime | None,
) -> pa.Table:
    """Which vintage each of ``months`` of ``dataset`` is read from, as of ``as_of``.

    One row per distinct month, in order: ``dataset`` (string), ``period`` (date32, the
    month's first day), ``vintage`` (int64) and ``published_at`` (timestamp[us, UTC]) of the
    vintage used, both null when nothing of that month was published by then. The same rule
    as ``current_rows``, computed in Python on the small table (no engine needed).
    """
    cutoff = check_as_of(as_of)
    table = conform_vintage_periods(vintage_periods)
    latest: dict[date, tuple[int, datetime | None]] = {}
    for record in table.to_pylist():
        if record["dataset"] != dataset.name:
            continue
        if record["vintage"] is None or record["period"] is None:
            continue
        published: datetime | None = record["published_at"]
        if cutoff is not None and (published is None or published > cutoff):
            continue
        seen = latest.get(record["period"])
        if seen is None or record["vintage"] > seen[0]:
            latest[record["period"]] = (record["vintage"], published)
    periods = sorted({m.start for m in months})
    used = [latest.get(p) for p in periods]
    return pa.Table.from_arrays(
        [
            pa.array([dataset.name] * len(periods), pa.string()),
            pa.array(periods, pa.date32()),
            pa.array([u[0] if u else None for u in used], pa.int64()),
            pa.array([u[1] if u else None for u in used], pa.timestamp("us", tz="UTC")),
        ],
        schema=VINTAGE_PERIODS_ARROW_SCHEMA,
    )
