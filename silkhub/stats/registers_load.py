"""Reading a flagship-project register file (``data/flagship_projects.toml``) and writing it
into the register: every row checked first, nothing written unless the whole file is right.

The file: an optional ``article`` (the citation every row's source falls back to), then
``[[projects]]`` with ``[[projects.indicators]]``, each with ``[[...targets]]`` and
``[[...entries]]``. Values are in the indicator's ``unit`` unless a row gives its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import Year
from silkhub.core.units import UNITS, Unit
from silkhub.stats.datasets import BASE_UNITS, DATASETS
from silkhub.stats.measures import MeasureQuery
from silkhub.stats.registers_common import (
    PERIOD_KINDS,
    FileReader,
    LoadSummary,
    join,
    period_kind,
    to_base,
)
from silkhub.stats.registers_models import (
    METHODS,
    StatsEntry,
    StatsIndicator,
    StatsProject,
    StatsTarget,
)

__all__ = ["read_register"]

_SOURCE_MAX = 500
_Row = TypeVar("_Row", StatsProject, StatsIndicator, StatsTarget, StatsEntry)


@dataclass
class _Value:
    period: str
    value: float
    at_least: bool
    source: str


@dataclass
class _Indicator:
    values: dict[str, Any]
    targets: list[_Value] = field(default_factory=list)
    entries: list[_Value] = field(default_factory=list)


@dataclass
class _Project:
    values: dict[str, Any]
    indicators: list[_Indicator] = field(default_factory=list)


def _source(reader: FileReader, custom: str | None, article: str | None, where: str) -> str:
    parts = [p for p in (custom, article) if p]
    text = " —— ".join(parts)
    if not text:
        reader.problem(
            "missing_source",
            "缺少来源：请给出“source”，或在文件开头给出“article”。",
            "No source: give `source`, or `article` at the top of the file.",
            join(where, "source"),
        )
    elif len(text) > _SOURCE_MAX:
        reader.problem(
            "too_long",
            f"来源超过{_SOURCE_MAX}个字符。",
            f"The source is longer than {_SOURCE_MAX} characters.",
            join(where, "source"),
            text[:100],
        )
    return text


def _values(
    reader: FileReader,
    item: Mapping[str, Any],
    key: str,
    where: str,
    unit: Unit | None,
    kind: str | None,
    article: str | None,
) -> list[_Value]:
    out: list[_Value] = []
    seen: set[str] = set()
    for place, row in reader.tables(item, key, where):
        period = reader.period(row, "period", place)
        number = reader.number(row, "value", place)
        own = reader.unit(row, "unit", place) if "unit" in row else unit
        at_least = reader.flag(row, "at_least", place)
        custom = reader.text(row, "source", place, max_length=_SOURCE_MAX, required=False)
        if custom is None and key == "entries" and article:
            custom = "文章原文数字 / figure quoted in the article"
        source = _source(reader, custom, article, place)
        if own is not None and unit is not None and own.dimension != unit.dimension:
            reader.problem(
                "unit_mismatch",
                f"单位“{own.symbol_zh}”与指标的单位“{unit.symbol_zh}”不是同一量纲。",
                f"Unit {own.symbol_en!r} is not of the indicator's dimension ({unit.symbol_en}).",
                join(place, "unit"),
            )
            continue
        if period is None or number is None or own is None:
            continue
        if kind is not None and period_kind(period) != kind:
            reader.problem(
                "wrong_period_kind",
                f"期间“{period.code}”不是指标规定的期间类型（{kind}）。",
                f"Period {period.code!r} is not of the indicator's kind ({kind}).",
                join(place, "period"),
                period.code,
            )
            continue
        if key == "targets" and number <= 0:
            reader.problem(
                "invalid_target",
                "目标值应大于0。",
                "A target must be above 0.",
                join(place, "value"),
                number,
            )
            continue
        if key == "targets" and period.code in seen:
            reader.problem(
                "duplicate_period",
                f"期间“{period.code}”的目标重复。",
                f"Two targets for {period.code!r}.",
                join(place, "period"),
                period.code,
            )
            continue
        seen.add(period.code)
        out.append(_Value(period.code, to_base(number, own), at_least, source))
    return out


def _measure_spec(
    reader: FileReader, item: Mapping[str, Any], where: str, unit: Unit | None
) -> dict[str, Any]:
    dataset = reader.text(item, "dataset", where, max_length=40)
    value_field = reader.text(item, "value", where, max_length=60)
    group = reader.text(item, "group", where, max_length=40, required=False)
    filters = item.get("filters", {})
    if not isinstance(filters, dict) or not all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        for v in filters.values()
    ):
        reader.problem(
            "invalid_filters",
            "“filters”应为 字段 = 值（或值的列表）的表。",
            "`filters` must be a table of field = value (or a list of values).",
            join(where, "filters"),
        )
        filters = {}
    if dataset is not None and value_field is not None:
        try:
            MeasureQuery(
                dataset=dataset,
                value=value_field,
                period=Year(2020),
                filters={k: tuple(v) if isinstance(v, list) else v for k, v in filters.items()},
                group=group,
            )
        except InvalidInput as exc:
            reader.adopt(exc, where)
        else:
            kind = DATASETS[dataset].field(value_field).kind
            base = UNITS[BASE_UNITS[kind]]
            if unit is not None and unit.dimension != base.dimension:
                reader.problem(
                    "unit_mismatch",
                    f"单位“{unit.symbol_zh}”与字段“{value_field}”的单位（{base.symbol_zh}）"
                    "不是同一量纲。",
                    f"Unit {unit.symbol_en!r} is not of the dimension of {value_field!r} "
                    f"({base.symbol_en}).",
                    join(where, "unit"),
                )
    return {"dataset": dataset, "value_field": value_field, "group_code": group, "filters": filters}


def _indicator(
    reader: FileReader, item: Mapping[str, Any], where: str, ordinal: int, article: str | None
) -> _Indicator:
    unit = reader.unit(item, "unit", where)
    method = reader.text(item, "method", where, max_length=20)
    if method is not None and method not in METHODS:
        reader.problem(
            "invalid_method",
            f"“method”应为 {' 或 '.join(METHODS)}。",
            f"`method` must be {' or '.join(METHODS)}.",
            join(where, "method"),
            method,
        )
    kind = reader.text(item, "period_kind", where, max_length=20, required=False)
    if kind is not None and kind not in PERIOD_KINDS:
        reader.problem(
            "invalid_period_kind",
            f"“period_kind”应为 {'、'.join(PERIOD_KINDS)} 之一。",
            f"`period_kind` must be one of {', '.join(PERIOD_KINDS)}.",
            join(where, "period_kind"),
            kind,
        )
        kind = None
    values: dict[str, Any] = {
        "code": reader.text(item, "code", where, max_length=60),
        "ordinal": ordinal,
        "name_zh": reader.text(item, "name_zh", where, max_length=200),
        "name_en": reader.text(item, "name_en", where, max_length=200),
        "unit": unit.code if unit is not None else None,
        "method": method,
        "period_kind": kind,
        "note_zh": reader.text(item, "note_zh", where, max_length=2000, required=False) or "",
        "note_en": reader.text(item, "note_en", where, max_length=2000, required=False) or "",
        "source": _source(
            reader,
            reader.text(item, "source", where, max_length=_SOURCE_MAX, required=False),
            article,
            where,
        ),
        "dataset": None,
        "value_field": None,
        "group_code": None,
        "filters": {},
    }
    if method == "measure":
        values |= _measure_spec(reader, item, where, unit)
        if item.get("entries"):
            reader.problem(
                "entries_for_measured",
                "由数据集计算的指标不能附带填报值。",
                "A measured indicator takes no entries: its values come from the dataset.",
                join(where, "entries"),
            )
    elif method == "entered":
        for key in ("dataset", "value", "group", "filters"):
            if key in item:
                reader.problem(
                    "measure_field_for_entered",
                    f'填报指标不能有“{key}”（只有 method = "measure" 的指标有）。',
                    f'An entered indicator has no {key!r} (only method = "measure" has).',
                    join(where, key),
                )
    spec = _Indicator(values)
    spec.targets = _values(reader, item, "targets", where, unit, kind, article)
    if method == "entered":
        spec.entries = _values(reader, item, "entries", where, unit, kind, article)
    return spec


def _parse(reader: FileReader, data: Mapping[str, Any]) -> list[_Project]:
    article = reader.text(data, "article", "", max_length=300, required=False)
    projects: list[_Project] = []
    codes: dict[str, set[str]] = {"project": set(), "indicator": set()}
    for n, (where, item) in enumerate(reader.tables(data, "projects", ""), start=1):
        values: dict[str, Any] = {
            "code": reader.text(item, "code", where, max_length=40),
            "ordinal": n,
            "name_zh": reader.text(item, "name_zh", where, max_length=200),
            "name_en": reader.text(item, "name_en", where, max_length=200),
            "description_zh": reader.text(
                item, "description_zh", where, max_length=4000, required=False
            )
            or "",
            "description_en": reader.text(
                item, "description_en", where, max_length=4000, required=False
            )
            or "",
            "owner": reader.text(item, "owner", where, max_length=200, required=False),
            "source": _source(
                reader,
                reader.text(item, "source", where, max_length=_SOURCE_MAX, required=False),
                article,
                where,
            ),
        }
        project = _Project(values)
        for k, (place, row) in enumerate(reader.tables(item, "indicators", where), start=1):
            project.indicators.append(_indicator(reader, row, place, k, article))
        for kind, code, place in [("project", values["code"], where)] + [
            ("indicator", i.values["code"], where) for i in project.indicators
        ]:
            if code is not None and code in codes[kind]:
                reader.problem(
                    "duplicate_code",
                    f"代码“{code}”重复。",
                    f"Code {code!r} appears twice.",
                    join(place, "code"),
                    code,
                )
            codes[kind].add(code)
        projects.append(project)
    return projects


def _upsert(
    session: Session,
    summary: LoadSummary,
    row: _Row | None,
    model: type[_Row],
    values: Mapping[str, Any],
) -> _Row:
    table = model.__tablename__
    if row is None:
        row = model(**values)
        session.add(row)
        summary.count(table, "created")
        return row
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    summary.count(table, "updated" if changed else "unchanged")
    return row


def read_register(session: Session, path: Path) -> LoadSummary:
    """Check ``path`` whole, then write it; see ``silkhub.stats.registers.load_register``."""
    reader = FileReader(path)
    projects = _parse(reader, reader.load())
    reader.raise_if_invalid()
    summary = LoadSummary(path.name)
    entered_by = f"register:{path.name}"
    for spec in projects:
        project = session.scalar(
            select(StatsProject).where(StatsProject.code == spec.values["code"])
        )
        project = _upsert(session, summary, project, StatsProject, spec.values)
        session.flush()
        for ispec in spec.indicators:
            indicator = session.scalar(
                select(StatsIndicator).where(StatsIndicator.code == ispec.values["code"])
            )
            values = dict(ispec.values, project_id=project.id)
            indicator = _upsert(session, summary, indicator, StatsIndicator, values)
            session.flush()
            for t in ispec.targets:
                target = session.scalar(
                    select(StatsTarget).where(
                        StatsTarget.indicator_id == indicator.id, StatsTarget.period == t.period
                    )
                )
                _upsert(
                    session,
                    summary,
                    target,
                    StatsTarget,
                    {
                        "indicator_id": indicator.id,
                        "period": t.period,
                        "value": t.value,
                        "source": t.source,
                    },
                )
            for e in ispec.entries:
                entry = session.scalar(
                    select(StatsEntry).where(
                        StatsEntry.indicator_id == indicator.id,
                        StatsEntry.period == e.period,
                        StatsEntry.entered_by == entered_by,
                    )
                )
                _upsert(
                    session,
                    summary,
                    entry,
                    StatsEntry,
                    {
                        "indicator_id": indicator.id,
                        "period": e.period,
                        "value": e.value,
                        "at_least": e.at_least,
                        "source": e.source,
                        "entered_by": entered_by,
                    },
                )
    session.flush()
    return summary
