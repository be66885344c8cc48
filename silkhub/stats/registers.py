"""The flagship-project register: the hub's ten flagship projects, their indicators and
targets, values entered by hand, and progress towards each target.

An indicator is either *measured* — a ``MeasureQuery`` over an imported dataset (dataset,
value field, country group, filters), run through ``silkhub.stats.service.measure`` — or
*entered*, its values typed in with a source (``enter_value``), the latest entry for a period
counting. ``progress`` puts either against the indicator's target for a period with
``measures.target_progress``. Values and targets are kept in base units; ``unit`` is how the
indicator is shown (亿元, 万吨...).

The ten projects and the article's figures ship in ``data/flagship_projects.toml``
(``load_register``). The footprint abroad is in ``silkhub.stats.registers_footprint``.
Services take a ``Session`` (the caller's unit of work, audited); nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.errors import InvalidInput, Location, Message, NotFound, Problem, Report
from silkhub.core.periods import Period, parse_period
from silkhub.core.units import try_parse_unit
from silkhub.stats import service
from silkhub.stats.measures import MeasureQuery, target_progress
from silkhub.stats.registers_common import (
    LoadSummary,
    check_number,
    data_file,
    period_kind,
    to_base,
)
from silkhub.stats.registers_load import read_register
from silkhub.stats.registers_models import StatsEntry, StatsIndicator, StatsProject, StatsTarget
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

__all__ = [
    "REGISTER_FILE",
    "Progress",
    "enter_value",
    "entries",
    "get_indicator",
    "get_project",
    "list_projects",
    "load_register",
    "measure_query",
    "progress",
    "project_progress",
    "set_target",
]

#: The shipped register of the ten flagship projects.
REGISTER_FILE = "flagship_projects.toml"


def load_register(session: Session, path: Path | None = None) -> LoadSummary:
    """Load or refresh projects, indicators, targets and entries from a register file
    (default: the shipped ``flagship_projects.toml``).

    Rows are matched by code (projects, indicators), by indicator and period (targets), and
    by indicator, period and file (entries loaded from a file): loading the same file twice
    changes nothing. Rows the file no longer names are left alone. Every problem in the file
    is reported at once (``InvalidInput``, located by file and field) and nothing is written.
    """
    path = path or data_file(REGISTER_FILE)
    return read_register(session, path)


def list_projects(session: Session) -> Sequence[StatsProject]:
    """Every project in the article's order, with its indicators."""
    query = select(StatsProject).order_by(StatsProject.ordinal, StatsProject.code)
    return session.scalars(query).all()


def get_project(session: Session, code: str) -> StatsProject:
    project = session.scalar(select(StatsProject).where(StatsProject.code == code))
    if project is None:
        raise NotFound(Message(f"没有代码为“{code}”的项目。", f"No project {code!r}."))
    return project


def get_indicator(session: Session, code: str) -> StatsIndicator:
    indicator = _indicator(session, code)
    if indicator is None:
        raise NotFound(Message(f"没有代码为“{code}”的指标。", f"No indicator {code!r}."))
    return indicator


def _indicator(session: Session, code: object) -> StatsIndicator | None:
    if not isinstance(code, str):
        return None
    return session.scalar(select(StatsIndicator).where(StatsIndicator.code == code))


# --- targets and entries -----------------------------------------------------------------------


def _problem(report: Report, code: str, zh: str, en: str, where: str, value: Any = None) -> None:
    report.add(Problem(code, Message(zh, en), Location(field=where), value))


def _checked(
    session: Session,
    report: Report,
    indicator_code: str,
    period: str,
    value: float | int,
    unit: str,
    source: str,
) -> tuple[StatsIndicator | None, Period | None, float | None]:
    """The indicator, period and value in base units, each None when wrong (with a problem)."""
    indicator = _indicator(session, indicator_code)
    if indicator is None:
        _problem(
            report,
            "unknown_indicator",
            f"没有代码为“{indicator_code}”的指标。",
            f"No indicator {indicator_code!r}.",
            "indicator",
            indicator_code,
        )
    parsed: Period | None = None
    try:
        parsed = parse_period(period) if isinstance(period, str) else parse_period(str(period))
    except InvalidInput as exc:
        report.extend(
            Problem(p.code, p.message, Location(field="period"), p.value) for p in exc.problems
        )
    if parsed is not None and indicator is not None and indicator.period_kind is not None:
        kind = period_kind(parsed)
        if kind != indicator.period_kind:
            _problem(
                report,
                "wrong_period_kind",
                f"指标“{indicator.code}”按{_KIND_ZH[indicator.period_kind]}填报，"
                f"而“{period}”是{_KIND_ZH.get(kind, kind)}。",
                f"Indicator {indicator.code!r} is given by {indicator.period_kind}; "
                f"{period!r} is a {kind}.",
                "period",
                period,
            )
    number = check_number(value, "value")
    if number is not None:
        _problem(report, number[0], number[1], number[2], "value", str(value))
    given = try_parse_unit(unit) if isinstance(unit, str) else None
    if given is None:
        _problem(
            report,
            "unknown_unit",
            f"无法识别的单位“{unit}”。",
            f"Unknown unit {unit!r}.",
            "unit",
            str(unit),
        )
    elif indicator is not None:
        own = try_parse_unit(indicator.unit)
        if own is not None and own.dimension != given.dimension:
            _problem(
                report,
                "unit_mismatch",
                f"单位“{given.symbol_zh}”与指标的单位“{own.symbol_zh}”不是同一量纲。",
                f"Unit {given.symbol_en!r} is not of the indicator's dimension ({own.symbol_en}).",
                "unit",
                unit,
            )
    if not isinstance(source, str) or not source.strip():
        _problem(
            report, "missing_source", "请注明数据来源。", "Give the source of the figure.", "source"
        )
    base = to_base(value, given) if number is None and given is not None else None
    return indicator, parsed, base


_KIND_ZH = {"year": "年度", "ytd": "年初至今累计", "quarter": "季度", "month": "月度", "week": "周"}


def enter_value(
    session: Session,
    indicator: str,
    period: str,
    value: float | int,
    *,
    unit: str,
    source: str,
    entered_by: str,
    at_least: bool = False,
) -> StatsEntry:
    """Record a value of an entered indicator for a period.

    ``value`` is in ``unit`` (any spelling ``silkhub.core.units`` reads, of the indicator's
    dimension) and stored in base units; ``at_least`` marks a lower bound ("over 300").
    Every problem is reported at once as ``InvalidInput``, each located by field: an unknown
    or measured ``indicator``, a ``period`` that does not parse or is of the wrong kind, a
    negative or non-numeric ``value``, a ``unit`` unknown or of another dimension, no
    ``source``.
    """
    report = Report()
    found, parsed, base = _checked(session, report, indicator, period, value, unit, source)
    if found is not None and found.method != "entered":
        _problem(
            report,
            "indicator_is_measured",
            f"指标“{found.code}”由数据集“{found.dataset}”计算，不能手工填报。",
            f"Indicator {found.code!r} is computed from dataset {found.dataset!r}; its values "
            "cannot be entered.",
            "indicator",
            indicator,
        )
    report.raise_if_invalid()
    assert found is not None
    assert parsed is not None
    assert base is not None
    entry = StatsEntry(
        indicator_id=found.id,
        period=parsed.code,
        value=base,
        at_least=bool(at_least),
        source=source.strip(),
        entered_by=entered_by,
    )
    session.add(entry)
    session.flush()
    return entry


def set_target(
    session: Session, indicator: str, period: str, value: float | int, *, unit: str, source: str
) -> StatsTarget:
    """Set (or replace) an indicator's target for a period; checks as ``enter_value``, and a
    target must be above 0."""
    report = Report()
    found, parsed, base = _checked(session, report, indicator, period, value, unit, source)
    if base is not None and base <= 0:
        _problem(
            report,
            "invalid_target",
            "目标值应大于0。",
            "The target must be above 0.",
            "value",
            str(value),
        )
    report.raise_if_invalid()
    assert found is not None
    assert parsed is not None
    assert base is not None
    target = session.scalar(
        select(StatsTarget).where(
            StatsTarget.indicator_id == found.id, StatsTarget.period == parsed.code
        )
    )
    if target is None:
        target = StatsTarget(indicator_id=found.id, period=parsed.code, value=base, source="")
        session.add(target)
    target.value, target.source = base, source.strip()
    session.flush()
    return target


def entries(session: Session, indicator: str, period: str | None = None) -> Sequence[StatsEntry]:
    """An indicator's entries, latest first (of one period, when given)."""
    found = get_indicator(session, indicator)
    query = select(StatsEntry).where(StatsEntry.indicator_id == found.id)
    if period is not None:
        query = query.where(StatsEntry.period == parse_period(period).code)
    return session.scalars(query.order_by(StatsEntry.entered_at.desc(), StatsEntry.id.desc())).all()


# --- progress ------------------------------------------------------------------------------------

Number = int | float


@dataclass(frozen=True)
class Progress:
    """An indicator's value for a period against its target.

    ``period`` is the target's period; ``through`` the period the value covers (the same, or
    part of it: "2020-YTD05" towards a 2020 target). Values in base units; ``unit`` is the
    display unit. Without a target, ``target``, ``percent_of_target``, ``remaining`` and
    ``met`` are None; without a value, so are the last three. ``at_least``: the value is a
    lower bound. ``complete``: every month of ``through`` was published (for a measured value).
    """

    indicator: str
    project: str
    name_zh: str
    name_en: str
    unit: str
    method: str
    period: str
    through: str | None
    value: Number | None
    target: Number | None
    percent_of_target: float | None
    remaining: Number | None
    met: bool | None
    at_least: bool
    complete: bool
    value_source: str | None
    target_source: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _number(value: float) -> Number:
    return int(value) if float(value).is_integer() else value


def _filters(raw: Mapping[str, Any]) -> dict[str, str | tuple[str, ...]]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def measure_query(indicator: StatsIndicator, period: Period) -> MeasureQuery:
    """The ``MeasureQuery`` of a measured indicator over ``period``."""
    assert indicator.dataset is not None
    assert indicator.value_field is not None
    return MeasureQuery(
        dataset=indicator.dataset,
        value=indicator.value_field,
        period=period,
        filters=_filters(indicator.filters or {}),
        group=indicator.group_code,
    )


def progress(
    session: Session,
    indicator: str,
    period: str,
    *,
    db: Database | None = None,
    store: AnalyticalStore | None = None,
    through: str | None = None,
) -> Progress:
    """How far ``indicator`` has come towards its target for ``period``.

    A measured indicator is computed over ``through`` (default: ``period``) by
    ``silkhub.stats.service.measure`` on ``db`` and ``store``, which it then needs. An
    entered one takes the latest entry for ``through``; without ``through``, the latest entry
    of a period within ``period`` (the one ending last). ``through`` must lie within
    ``period`` (``InvalidInput`` on field "through").
    """
    found = get_indicator(session, indicator)
    target_period = _parse(period, "period")
    span = _parse(through, "through") if through is not None else None
    if span is not None and not (
        target_period.start <= span.start and span.end <= target_period.end
    ):
        raise InvalidInput.single(
            "through_outside_period",
            Message(
                f"“{through}”不在目标期间“{period}”之内。",
                f"{through!r} does not lie within the target's period {period!r}.",
            ),
            location=Location(field="through"),
            value=through,
        )
    target = session.scalar(
        select(StatsTarget).where(
            StatsTarget.indicator_id == found.id, StatsTarget.period == target_period.code
        )
    )
    value: Number | None = None
    at_least, complete = False, True
    value_source: str | None = None
    covered: str | None = (span or target_period).code
    if found.method == "measure":
        if db is None or store is None:
            raise ValueError(f"indicator {found.code!r} is measured: progress needs db and store")
        measured = span or target_period
        result = service.measure(db, store, measure_query(found, measured))
        own = set(measured.months())  # the months a year earlier do not matter here
        value = result.value
        complete = all(v.vintage is not None for v in result.vintages if v.month in own)
        value_source = f"dataset:{found.dataset}"
    else:
        entry = _latest_entry(session, found, span, target_period)
        if entry is not None:
            value, at_least, value_source = _number(entry.value), entry.at_least, entry.source
            covered = entry.period
    target_value = _number(target.value) if target is not None else None
    percent = remaining = met = None
    if target_value is not None and value is not None:
        reached = target_progress(value, target_value)
        percent, remaining, met = reached.percent_of_target, reached.remaining, reached.met
    return Progress(
        indicator=found.code,
        project=found.project.code,
        name_zh=found.name_zh,
        name_en=found.name_en,
        unit=found.unit,
        method=found.method,
        period=target_period.code,
        through=covered,
        value=value,
        target=target_value,
        percent_of_target=percent,
        remaining=remaining,
        met=met,
        at_least=at_least,
        complete=complete,
        value_source=value_source,
        target_source=target.source if target is not None else None,
    )


def project_progress(
    session: Session,
    project: str,
    period: str,
    *,
    db: Database | None = None,
    store: AnalyticalStore | None = None,
) -> list[Progress]:
    """``progress`` of every indicator of a project for ``period`` (measured ones only when
    ``db`` and ``store`` are given)."""
    found = get_project(session, project)
    return [
        progress(session, i.code, period, db=db, store=store)
        for i in found.indicators
        if i.method == "entered" or (db is not None and store is not None)
    ]


def _parse(text: str, where: str) -> Period:
    try:
        return parse_period(text)
    except InvalidInput as exc:
        problems = [
            Problem(p.code, p.message, Location(field=where), p.value) for p in exc.problems
        ]
        raise InvalidInput(exc.message, problems=problems, code=exc.code) from None


def _latest_entry(
    session: Session, indicator: StatsIndicator, span: Period | None, within: Period
) -> StatsEntry | None:
    rows = session.scalars(
        select(StatsEntry)
        .where(StatsEntry.indicator_id == indicator.id)
        .order_by(StatsEntry.entered_at, StatsEntry.id)
    ).all()
    best: tuple[Any, ...] | None = None
    chosen: StatsEntry | None = None
    for row in rows:
        p = parse_period(row.period)
        if span is not None:
            if p.code != span.code:
                continue
        elif not (within.start <= p.start and p.end <= within.end):
            continue
        # The one ending last; of those, the longest; of those, the one entered last.
        key = (p.end, -p.start.toordinal(), row.entered_at, row.id)
        if best is None or key > best:
            best, chosen = key, row
    return chosen
