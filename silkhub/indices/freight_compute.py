"""The container freight index, week by week, from the panel's quotes and the methodology.

For each week, with the basket in force (``Methodology.basket_for``):

1. every cell (route × container type) is cleaned (``freight_clean``); a cell below the minimum
   number of members carries the previous week's average forward and is flagged;
2. a route's raw value is Σ mix_c · average_c / base_c over its container types, where mix is
   the basket's container weights and base_c the cell's base-period average;
3. route index = link factor × raw value × 1000;
4. composite = link factor × Σ weight_r · route index_r.

The first basket's base is the mean of the cleaned averages over its base weeks, so the route
indices and the composite average 1000 there. A later basket is chain-linked in its **link
week**, the last week of the basket before it, which is computed with both: a cell new in the
basket takes its link-week average as its base (so a new route starts at 1000), and each link
factor is the old index over the new raw value in that week, so every series runs on without a
jump. The links are returned with the history for the methodology page.

Everything is computed in floating point from the stored quotes in a fixed order, so the same
quotes and configuration give the same figures, bit for bit; published values are rounded to
two decimals half up (``published``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import IsoWeek
from silkhub.indices.freight_clean import CellOutcome, Quote, clean_cell
from silkhub.indices.freight_config import Basket, Methodology

__all__ = [
    "CellWeek",
    "History",
    "Link",
    "RouteWeek",
    "WeekQuote",
    "WeekResult",
    "compute_history",
    "next_week",
    "published",
]

Cell = tuple[str, str]


@dataclass(frozen=True)
class WeekQuote:
    week: IsoWeek
    route: str
    container: str
    quote: Quote


@dataclass(frozen=True)
class CellWeek:
    route: str
    container: str
    #: The average used: this week's, or the last one carried forward.
    average: float | None
    carried_forward: bool
    outcome: CellOutcome


@dataclass(frozen=True)
class RouteWeek:
    route: str
    index: float | None
    #: A cell of the route had too few members and its average was carried forward.
    carried_forward: bool


@dataclass(frozen=True)
class WeekResult:
    week: IsoWeek
    basket: int
    composite: float | None
    routes: Mapping[str, RouteWeek]
    cells: Mapping[Cell, CellWeek]

    @property
    def missing(self) -> list[str]:
        """Routes of the basket without an index (no quotes yet, nothing to carry forward)."""
        return sorted(r for r, rw in self.routes.items() if rw.index is None)


@dataclass(frozen=True)
class Link:
    """A basket change: computed with both baskets in ``week``, the old basket's last."""

    basket: int
    week: IsoWeek
    composite_factor: float
    route_factors: Mapping[str, float]
    added: tuple[str, ...]
    dropped: tuple[str, ...]


@dataclass(frozen=True)
class History:
    weeks: tuple[WeekResult, ...]
    links: tuple[Link, ...]
    bases: Mapping[Cell, float]
    fingerprint: str
    by_week: Mapping[IsoWeek, WeekResult] = field(default_factory=dict)


def published(value: float | None) -> Decimal | None:
    """A value as released: two decimals, rounded half up."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def next_week(week: IsoWeek) -> IsoWeek:
    return IsoWeek.from_date(week.start + timedelta(days=7))


def _cells(basket: Basket) -> list[Cell]:
    return [(r, c) for r in basket.weights for c in basket.containers]


class _Run:
    """The state carried from week to week: last averages, bases and link factors."""

    def __init__(self, methodology: Methodology, member_weights: Mapping[str, float]) -> None:
        self.m = methodology
        self.weights = member_weights
        self.last: dict[Cell, float] = {}
        self.bases: dict[Cell, float] = {}
        self.route_factor: dict[str, float] = {}
        self.composite_factor = 1.0

    def cell_week(self, week: IsoWeek, cell: Cell, quotes: list[Quote]) -> CellWeek:
        outcome = clean_cell(quotes, self.m.cleaning, self.weights)
        if outcome.average is not None:
            self.last[cell] = outcome.average
            return CellWeek(*cell, outcome.average, False, outcome)
        return CellWeek(*cell, self.last.get(cell), cell in self.last, outcome)

    def route_raw(self, basket: Basket, route: str, cells: Mapping[Cell, CellWeek]) -> float | None:
        total = 0.0
        for container, mix in basket.containers.items():
            cw = cells.get((route, container))
            base = self.bases.get((route, container))
            if cw is None or cw.average is None or base is None:
                return None
            total += mix * cw.average / base
        return total

    def week(self, week: IsoWeek, basket: Basket, cells: Mapping[Cell, CellWeek]) -> WeekResult:
        routes: dict[str, RouteWeek] = {}
        composite: float | None = 0.0
        for route, weight in basket.weights.items():
            raw = self.route_raw(basket, route, cells)
            index = (
                None if raw is None else self.route_factor.get(route, 1.0) * raw * self.m.base_value
            )
            carried = any(
                cells[(route, c)].carried_forward for c in basket.containers if (route, c) in cells
            )
            routes[route] = RouteWeek(route, index, carried)
            composite = None if index is None or composite is None else composite + weight * index
        if composite is not None:
            composite *= self.composite_factor
        return WeekResult(week, basket.version, composite, routes, dict(cells))


def _by_cell(quotes: Iterable[WeekQuote]) -> dict[IsoWeek, dict[Cell, list[Quote]]]:
    grouped: dict[IsoWeek, dict[Cell, list[Quote]]] = defaultdict(lambda: defaultdict(list))
    for q in quotes:
        grouped[q.week][(q.route, q.container)].append(q.quote)
    return grouped


def _no_base(cell: Cell, where: Message) -> InvalidInput:
    route, container = cell
    return InvalidInput.single(
        "no_base",
        Message(
            f"航线 {route} 的 {container} 在{where.zh}没有可用的报价，无法确定基期。",
            f"Route {route}, {container}, has no usable quotes in {where.en}: it has no base.",
        ),
        location=Location(field="quotes"),
        value=f"{route}/{container}",
    )


def compute_history(
    methodology: Methodology,
    quotes: Iterable[WeekQuote],
    through: IsoWeek,
    *,
    member_weights: Mapping[str, float] | None = None,
) -> History:
    """Every week from the first basket's start through ``through``."""
    m = methodology
    grouped = _by_cell(quotes)
    run = _Run(m, member_weights or {})
    first = m.baskets[0]
    all_cells = sorted({cell for b in m.baskets for cell in _cells(b)})

    # The base of the first basket: the mean of each cell's cleaned averages over the base weeks.
    for cell in _cells(first):
        averages = [
            a
            for w in first.base_weeks
            if (a := clean_cell(grouped.get(w, {}).get(cell, []), m.cleaning, run.weights).average)
            is not None
        ]
        if not averages:
            weeks = "、".join(w.code for w in first.base_weeks)
            raise _no_base(cell, Message(f"基期（{weeks}）", f"the base weeks ({weeks})"))
        run.bases[cell] = sum(averages) / len(averages)

    results: list[WeekResult] = []
    links: list[Link] = []
    week = min(first.effective, *first.base_weeks)
    upcoming = list(m.baskets[1:])
    while week <= through:
        basket = m.basket_for(week) if week >= first.effective else first
        week_quotes = grouped.get(week, {})
        cells = {cell: run.cell_week(week, cell, week_quotes.get(cell, [])) for cell in all_cells}
        result = run.week(week, basket, cells)
        results.append(result)
        if upcoming and next_week(week) == upcoming[0].effective:
            links.append(_link(run, week, basket, upcoming.pop(0), result, cells))
        week = next_week(week)
    return History(
        tuple(results),
        tuple(links),
        dict(run.bases),
        m.fingerprint,
        {r.week: r for r in results},
    )


def _link(
    run: _Run,
    week: IsoWeek,
    old: Basket,
    new: Basket,
    result: WeekResult,
    cells: Mapping[Cell, CellWeek],
) -> Link:
    """Chain the new basket onto the old in ``week`` (the old basket's last)."""
    if result.composite is None:
        raise InvalidInput.single(
            "link_week_incomplete",
            Message(
                f"衔接周 {week.code} 的综合指数缺少航线：{'、'.join(result.missing)}。",
                f"The composite of the link week {week.code} lacks routes: "
                f"{', '.join(result.missing)}.",
            ),
            value=week.code,
        )
    for cell in _cells(new):
        if cell not in run.bases:
            average = cells[cell].average
            if average is None:
                raise _no_base(cell, Message(f"衔接周 {week.code}", f"the link week {week.code}"))
            run.bases[cell] = average
    route_factors: dict[str, float] = {}
    for route in new.weights:
        raw = run.route_raw(new, route, cells)
        assert raw is not None  # every cell of the new basket has a base and an average now
        before = result.routes.get(route)
        target = before.index if before is not None and before.index is not None else None
        # An existing route continues its own series; a new one starts at the base value.
        route_factors[route] = (target / (raw * run.m.base_value)) if target else 1.0 / raw
    run.route_factor = route_factors
    raw_composite = sum(
        w * route_factors[r] * (run.route_raw(new, r, cells) or 0.0) * run.m.base_value
        for r, w in new.weights.items()
    )
    run.composite_factor = result.composite / raw_composite
    return Link(
        basket=new.version,
        week=week,
        composite_factor=run.composite_factor,
        route_factors=route_factors,
        added=tuple(sorted(set(new.weights) - set(old.weights))),
        dropped=tuple(sorted(set(old.weights) - set(new.weights))),
    )
