"""The figures of the statistics dashboard, for what its filters ask: the choice read from the
query string (``Selection``), then the measures the page shows, each as the table the service
returns (``pages_dashboard_view`` lays them out in the reader's language).

No business logic: every number comes from ``silkhub.stats.service`` and
``silkhub.stats.measures``; this module only picks the queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from silkhub.core import groups
from silkhub.core.errors import NotFound, SilkhubError
from silkhub.core.periods import Month, Period, Quarter, Year, YearToDate, parse_period
from silkhub.stats import service
from silkhub.stats.datasets import DATASETS, Dataset, Field, Kind
from silkhub.stats.measures import MeasureQuery, MeasureResult
from silkhub.stats.measures_query import SUMMABLE_KINDS, country_field
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

DEFAULT_DATASET = "trade"
DEFAULT_GROUP = "along_route_64"
SPANS = ("ytd", "month")

#: The country groups whose shares the dashboard compares (they overlap: bars, not a pie).
SHARE_GROUPS = (
    "bri_partners",
    "along_route_64",
    "china_ceec",
    "asean",
    "rcep",
    "eu",
    "gcc",
    "central_asia",
)

#: Descriptive fields offered as filters, besides the period and the country group.
FACETS: Mapping[str, tuple[str, ...]] = {
    "trade": ("flow", "trade_mode"),
    "odi": ("kind",),
    "fdi": (),
    "port": ("port", "cargo_kind"),
    "rail": ("line", "direction"),
    "air": ("airport",),
    "ecommerce": ("mode",),
}

#: What the ranking breaks a dataset without a country field down by.
RANKED_BY: Mapping[str, str] = {"port": "port", "air": "airport", "ecommerce": "mode"}

#: Partners the ranking query returns: every one, for the map (the chart shows the top ten).
MAP_ITEMS = 300


# --- what is asked ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The dashboard's filters, checked against the chosen dataset's own fields."""

    dataset: Dataset
    value: Field
    #: The last month of the period; None when the dataset has no published month.
    month: Month | None
    period: Period | None
    span: str
    group: str | None
    filters: dict[str, str]
    #: Published months of the dataset, newest first.
    months: tuple[Month, ...]
    #: Whether ``period`` came from the address and is neither a month nor a year to date.
    custom_period: bool = False
    #: Whether another period than the default was asked for (the headlines follow it then).
    period_asked: bool = False
    #: What was asked and could not be used, in the reader's language.
    notes: tuple[str, ...] = ()

    @property
    def country_field(self) -> str | None:
        return country_field(self.dataset)

    @property
    def ranked_by(self) -> str | None:
        return self.country_field or RANKED_BY.get(self.dataset.name)

    def query(self, *, group: str | None = None, by: str | None = None) -> MeasureQuery:
        """The measure query of the selection (``group`` replaces the chosen group)."""
        assert self.period is not None
        return MeasureQuery(
            dataset=self.dataset.name,
            value=self.value.name,
            period=self.period,
            filters=dict(self.filters),
            group=group,
            by=by,
        )

    def params(self) -> dict[str, str]:
        """The query string that asks for this selection again (for links)."""
        out = {"dataset": self.dataset.name, "value": self.value.name}
        if self.period is not None:
            out["period"] = self.period.code if self.custom_period else _month_code(self)
            out["span"] = self.span
        if self.country_field is not None:
            out["group"] = self.group or ""
        out.update(self.filters)
        return out


def _month_code(selection: Selection) -> str:
    assert selection.month is not None
    return selection.month.code


def _latest_ytd(month: Month) -> YearToDate:
    return YearToDate(month.year, month.month)


def summable_fields(ds: Dataset) -> list[Field]:
    return [f for f in ds.fields if f.kind in SUMMABLE_KINDS]


def published_months(db: Database, ds: Dataset) -> tuple[Month, ...]:
    with db.reading() as session:
        days = service.vintage_periods(session, ds.name).column("period").to_pylist()
    return tuple(sorted({Month.from_date(d) for d in days}, reverse=True))


def select(db: Database, params: Mapping[str, str], lang: str) -> Selection:
    """The selection the query string asks for; what cannot be used falls back to the
    defaults (the latest month, the year to date, the route countries) with a note."""
    notes: list[str] = []
    en = lang == "en"
    name = params.get("dataset") or DEFAULT_DATASET
    if name not in DATASETS:
        notes.append(f"Unknown dataset {name!r}." if en else f"没有数据集“{name}”。")
        name = DEFAULT_DATASET
    ds = DATASETS[name]
    shown = params.get("shown")
    if shown and shown != name:
        # The form was sent with another dataset chosen: its measure, month and filters were
        # that dataset's; start this one from its defaults (the country group carries over).
        params = {k: v for k, v in params.items() if k in ("dataset", "group", "span")}
    values = summable_fields(ds)
    value = next((f for f in values if f.name == params.get("value")), values[0])
    months = published_months(db, ds)
    span = params.get("span") if params.get("span") in SPANS else "ytd"
    assert span is not None

    month: Month | None = months[0] if months else None
    period: Period | None = None
    custom = asked_for = False
    text = (params.get("period") or "").strip()
    if text:
        try:
            asked = parse_period(text)
        except SilkhubError as exc:
            notes.append(exc.in_(lang))
        else:
            asked_for = True
            if isinstance(asked, YearToDate):
                month, period, span = Month(asked.year, asked.month), asked, "ytd"
            elif isinstance(asked, Month):
                month = asked
            elif isinstance(asked, Quarter | Year):
                month, period, custom = asked.months()[-1], asked, True
            else:
                asked_for = False
                notes.append(
                    "The dashboard shows months, years to date, quarters and years."
                    if en
                    else "看板按月、年初至今、季度或年份统计。"
                )
    if period is None and month is not None:
        period = YearToDate(month.year, month.month) if span == "ytd" else month

    group: str | None = None
    if country_field(ds) is not None:
        code = params.get("group")
        group = DEFAULT_GROUP if code is None else (code or None)
        if group is not None:
            try:
                groups.group(group)
            except NotFound as exc:
                notes.append(exc.in_(lang))
                group = None

    filters: dict[str, str] = {}
    for facet in FACETS[ds.name]:
        wanted = (params.get(facet) or "").strip()
        if not wanted:
            continue
        f = ds.field(facet)
        if f.kind is Kind.CHOICE:
            # Any spelling the dataset knows ("出口", "exports"), kept as its stored value.
            spelled = {
                s.casefold(): c.value for c in f.choices for s in (c.value, c.zh, c.en, *c.aliases)
            }
            if wanted.casefold() not in spelled:
                notes.append(
                    f"{f.en}: no value {wanted!r}." if en else f"“{f.zh}”没有取值“{wanted}”。"
                )
                continue
            wanted = spelled[wanted.casefold()]
        filters[facet] = wanted
    return Selection(
        dataset=ds,
        value=value,
        month=month,
        period=period,
        span=span,
        group=group,
        filters=filters,
        months=months,
        custom_period=custom,
        # The form always sends a month: the default one (the latest, year to date) leaves
        # each headline at its own dataset's latest month, as when nothing is asked.
        period_asked=asked_for and not (months and period == _latest_ytd(months[0])),
        notes=tuple(notes),
    )


# --- the measures -------------------------------------------------------------------------------


@dataclass
class Dashboard:
    """Everything the dashboard shows for one selection."""

    selection: Selection
    figure: MeasureResult | None = None
    series: pa.Table | None = None
    ranking: pa.Table | None = None
    groups: pa.Table | None = None
    facet_values: dict[str, list[str]] = field(default_factory=dict)


def series_range(period: Period) -> tuple[Month, Month]:
    """January of the year before the period's end, to its end (e.g. 2019-01..2020-05)."""
    last = period.months()[-1]
    return Month(last.year - 1, 1), last


def series_table(db: Database, store: AnalyticalStore, selection: Selection) -> pa.Table:
    query = selection.query(group=selection.group)
    assert selection.period is not None
    first, last = series_range(selection.period)
    return service.series(db, store, query, first, last)


def ranking_table(db: Database, store: AnalyticalStore, selection: Selection) -> pa.Table | None:
    by = selection.ranked_by
    if by is None:
        return None
    n = MAP_ITEMS if selection.country_field else 50
    return service.top(db, store, selection.query(group=selection.group, by=by), n)


def groups_table(
    db: Database, store: AnalyticalStore, selection: Selection, whole: int | float | None
) -> pa.Table | None:
    """Each of ``SHARE_GROUPS`` that had members in the period: current, previous,
    growth_pct, whole and share_pct of the whole (every partner, the same filters), from one
    scan of the data. (RCEP, say, has no members before 2022: no bar at 0%.)"""
    if selection.country_field is None or not store.exists(selection.dataset.name):
        return None
    assert selection.period is not None
    days = [m.start for m in selection.period.months()]
    codes = [c for c in SHARE_GROUPS if any(groups.members(c, day) for day in days)]
    if not codes:
        return None
    table = service.by_group(db, store, selection.query(group=None), codes)
    by_code = {row["group"]: row for row in table.to_pylist()}
    rows = []
    for code in codes:
        row = by_code.get(code, {"group": code, "current": None, "previous": None})
        current = row.get("current")
        rows.append(
            {
                "group": code,
                "current": current,
                "previous": row.get("previous"),
                "growth_pct": row.get("growth_pct"),
                "whole": whole,
                "share_pct": (current / whole * 100) if current is not None and whole else None,
            }
        )
    return pa.Table.from_pylist(rows)


def facet_values(
    db: Database, store: AnalyticalStore, selection: Selection
) -> dict[str, list[str]]:
    """The values each free-text filter may take: those found in the period."""
    out: dict[str, list[str]] = {}
    for name in FACETS[selection.dataset.name]:
        f = selection.dataset.field(name)
        if f.kind is Kind.CHOICE:
            out[name] = [c.value for c in f.choices]
            continue
        found: list[str] = []
        if selection.period is not None:
            query = MeasureQuery(
                dataset=selection.dataset.name,
                value=selection.value.name,
                period=selection.period,
                by=name,
            )
            found = [str(v) for v in service.top(db, store, query, 50).column(name).to_pylist()]
        chosen = selection.filters.get(name)
        if chosen and chosen not in found:
            found.append(chosen)
        out[name] = sorted(found)
    return out


def dashboard_figure(db: Database, store: AnalyticalStore, selection: Selection) -> MeasureResult:
    """The selection's figure, its growth and (with a group) its share of every partner."""
    return service.measure(db, store, selection.query(group=selection.group))


def dashboard(db: Database, store: AnalyticalStore, selection: Selection) -> Dashboard:
    """Every measure of the selection (nothing when the dataset has no data)."""
    board = Dashboard(selection)
    board.facet_values = facet_values(db, store, selection)
    if selection.period is None:
        return board
    board.figure = dashboard_figure(db, store, selection)
    board.series = series_table(db, store, selection)
    board.ranking = ranking_table(db, store, selection)
    whole = board.figure.whole if selection.group is not None else board.figure.value
    board.groups = groups_table(db, store, selection, whole)
    return board
