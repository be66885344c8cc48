"""The freight index from quotes: the base averages 1000, prices that all rise by half give
1500, a thin cell carries its average forward with a flag, a basket change is chain-linked
without a jump and recorded, and the same quotes in any order give the same figures."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import IsoWeek
from silkhub.indices.freight_clean import Quote
from silkhub.indices.freight_compute import (
    WeekQuote,
    compute_history,
    next_week,
    published,
)
from silkhub.indices.freight_config import default_methodology

METHOD = default_methodology()
T0 = datetime(2018, 1, 1, tzinfo=UTC)
MEMBERS = [f"M{i:02d}" for i in range(6)]
ALL_ROUTES = [r.code for r in METHOD.routes]
SIZES = {"20GP": 1.0, "40GP": 1.8, "40HQ": 1.9}

Rate = Callable[[IsoWeek, str, str, str], float | None]


def weeks(first: IsoWeek, last: IsoWeek) -> list[IsoWeek]:
    out = [first]
    while out[-1] < last:
        out.append(next_week(out[-1]))
    return out


def panel(first: IsoWeek, last: IsoWeek, rate: Rate) -> list[WeekQuote]:
    """Quotes of every member for every route and container type; ``rate`` None: no quote."""
    out: list[WeekQuote] = []
    n = 0
    for week in weeks(first, last):
        for route in ALL_ROUTES:
            for container in SIZES:
                for member in MEMBERS:
                    amount = rate(week, route, container, member)
                    if amount is not None:
                        n += 1
                        out.append(WeekQuote(week, route, container, Quote(member, amount, T0, n)))
    return out


def flat(week: IsoWeek, route: str, container: str, member: str) -> float:
    return 1000.0 * SIZES[container] + 10 * (int(member[1:]) - 2.5)  # a spread, mean 1000·size


def test_the_base_period_averages_1000_and_flat_rates_stay_there() -> None:
    history = compute_history(
        METHOD, panel(IsoWeek(2018, 1), IsoWeek(2018, 10), flat), IsoWeek(2018, 10)
    )
    assert len(history.weeks) == 10
    for result in history.weeks:
        assert result.composite == pytest.approx(1000.0, rel=1e-12)
        assert all(rw.index == pytest.approx(1000.0) for rw in result.routes.values())
        assert len(result.routes) == 20 and result.missing == []
    assert published(history.weeks[0].composite) == Decimal("1000.00")


def test_a_rise_of_half_on_every_quote_gives_1500() -> None:
    def rising(week: IsoWeek, route: str, container: str, member: str) -> float:
        return flat(week, route, container, member) * (1.5 if week >= IsoWeek(2018, 8) else 1.0)

    history = compute_history(
        METHOD, panel(IsoWeek(2018, 1), IsoWeek(2018, 9), rising), IsoWeek(2018, 9)
    )
    assert history.by_week[IsoWeek(2018, 7)].composite == pytest.approx(1000.0)
    assert history.by_week[IsoWeek(2018, 8)].composite == pytest.approx(1500.0)
    assert history.by_week[IsoWeek(2018, 9)].routes["EUR"].index == pytest.approx(1500.0)


def test_one_route_moves_the_composite_by_its_weight() -> None:
    def europe_doubles(week: IsoWeek, route: str, container: str, member: str) -> float:
        up = route == "EUR" and week >= IsoWeek(2018, 6)
        return flat(week, route, container, member) * (2.0 if up else 1.0)

    history = compute_history(
        METHOD, panel(IsoWeek(2018, 1), IsoWeek(2018, 6), europe_doubles), IsoWeek(2018, 6)
    )
    week6 = history.by_week[IsoWeek(2018, 6)]
    assert week6.routes["EUR"].index == pytest.approx(2000.0)
    weight = METHOD.baskets[0].weights["EUR"]
    assert week6.composite == pytest.approx(1000.0 * (1 + weight))


def test_a_thin_cell_carries_its_average_forward_with_a_flag() -> None:
    def thin(week: IsoWeek, route: str, container: str, member: str) -> float | None:
        # In week 6 only two members quote Japan 40HQ (the minimum is three), at a high price.
        if week == IsoWeek(2018, 6) and route == "JP" and container == "40HQ":
            return 9999.0 if member in ("M00", "M01") else None
        return flat(week, route, container, member)

    history = compute_history(
        METHOD, panel(IsoWeek(2018, 1), IsoWeek(2018, 7), thin), IsoWeek(2018, 7)
    )
    week6 = history.by_week[IsoWeek(2018, 6)]
    cell = week6.cells[("JP", "40HQ")]
    assert cell.carried_forward and cell.outcome.members == 2
    assert cell.average == pytest.approx(
        history.by_week[IsoWeek(2018, 5)].cells[("JP", "40HQ")].average
    )
    assert week6.routes["JP"].carried_forward and week6.routes["JP"].index == pytest.approx(1000.0)
    assert not history.by_week[IsoWeek(2018, 7)].routes["JP"].carried_forward


def test_the_basket_change_is_chain_linked_without_a_jump() -> None:
    link_week = IsoWeek(2019, 26)

    def before_and_after(week: IsoWeek, route: str, container: str, member: str) -> float:
        # Europe has doubled and the US West Coast halved by the link week, then all is flat:
        # the new weights must not make the composite jump in 2019-W27.
        factor = 1.0
        if week >= IsoWeek(2019, 1):
            factor = {"EUR": 2.0, "USWC": 0.5}.get(route, 1.0)
        return flat(week, route, container, member) * factor

    history = compute_history(
        METHOD, panel(IsoWeek(2018, 1), IsoWeek(2019, 28), before_and_after), IsoWeek(2019, 28)
    )
    (link,) = history.links
    assert link.week == link_week and link.basket == 2
    assert link.added == ("EAF", "RUFE") and link.dropped == ()
    old = history.by_week[link_week]
    new = history.by_week[IsoWeek(2019, 27)]
    assert old.basket == 1 and new.basket == 2
    w1 = METHOD.baskets[0].weights
    assert old.composite == pytest.approx(1000 * (1 + w1["EUR"] - 0.5 * w1["USWC"]))
    assert new.composite == pytest.approx(old.composite, rel=1e-12)
    assert link.composite_factor != pytest.approx(1.0)
    # Existing routes run on; new routes start at 1000 in the link week.
    assert new.routes["EUR"].index == pytest.approx(2000.0)
    assert new.routes["EAF"].index == pytest.approx(1000.0)
    assert history.by_week[IsoWeek(2019, 28)].composite == pytest.approx(old.composite)


def test_the_same_quotes_in_any_order_give_the_same_figures() -> None:
    rng = random.Random(7)

    def noisy(week: IsoWeek, route: str, container: str, member: str) -> float:
        return round(flat(week, route, container, member) * rng.uniform(0.8, 1.3), 2)

    quotes = panel(IsoWeek(2018, 1), IsoWeek(2018, 12), noisy)
    first = compute_history(METHOD, quotes, IsoWeek(2018, 12))
    random.Random(1).shuffle(quotes)
    second = compute_history(METHOD, quotes, IsoWeek(2018, 12))
    assert [w.composite for w in first.weeks] == [w.composite for w in second.weeks]
    assert first.fingerprint == METHOD.fingerprint


def test_a_route_without_base_quotes_is_an_error() -> None:
    def no_korea(week: IsoWeek, route: str, container: str, member: str) -> float | None:
        return None if route == "KR" else flat(week, route, container, member)

    with pytest.raises(InvalidInput) as caught:
        compute_history(
            METHOD, panel(IsoWeek(2018, 1), IsoWeek(2018, 5), no_korea), IsoWeek(2018, 5)
        )
    assert caught.value.code == "no_base"
    assert "KR" in caught.value.message.en


def test_published_values_round_half_up() -> None:
    assert published(1234.565) == Decimal("1234.57")
    assert published(999.994999) == Decimal("999.99")
    assert published(None) is None
