"""The four index-number formulas, fixed base and chained: the artificial data set of the ILO
*Consumer Price Index Manual* (2004), chapter 19, against the four-decimal rows of its tables
19.3 and 19.4 and against a plain reference computed here from the definitions (exact
fractions for Laspeyres and Paasche); a small example worked by hand; and the axioms, as
properties over random panels (hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silkhub.indices.formulas import Formula, NoMatchedItems, Panel, index_series

# ILO CPI Manual (2004), chapter 19, tables 19.1 and 19.2: six goods, five periods.
ILO_PRICES = (
    (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    (1.2, 3.0, 1.3, 0.7, 1.4, 0.8),
    (1.0, 1.0, 1.5, 0.5, 1.7, 0.6),
    (0.8, 0.5, 1.6, 0.3, 1.9, 0.4),
    (1.0, 1.0, 1.6, 0.1, 2.0, 0.2),
)
ILO_QUANTITIES = (
    (1.0, 1.0, 2.0, 1.0, 4.5, 0.5),
    (0.8, 0.9, 1.9, 1.3, 4.7, 0.6),
    (1.0, 1.1, 1.8, 3.0, 5.0, 0.8),
    (1.2, 1.2, 1.9, 6.0, 5.6, 1.3),
    (0.9, 1.2, 2.0, 12.0, 6.5, 2.5),
)
# Tables 19.3 (fixed base) and 19.4 (chained), to four decimals. The rows were transcribed from
# memory of the manual, not from a copy at hand, so each is also checked against the reference
# computation below, which depends on nothing but the definitions.
ILO_FIXED = {
    Formula.LASPEYRES: (1.0000, 1.4200, 1.3450, 1.3550, 1.4400),
    Formula.PAASCHE: (1.0000, 1.3823, 1.2031, 1.0209, 0.7968),
    Formula.FISHER: (1.0000, 1.4011, 1.2721, 1.1762, 1.0712),
    Formula.TORNQVIST: (1.0000, 1.4052, 1.2890, 1.2268, 1.2477),
}
ILO_CHAINED = {
    Formula.LASPEYRES: (1.0000, 1.4200, 1.3646, 1.3351, 1.3306),
    Formula.PAASCHE: (1.0000, 1.3823, 1.2740, 1.2060, 1.1234),
    Formula.FISHER: (1.0000, 1.4011, 1.3185, 1.2689, 1.2226),
    Formula.TORNQVIST: (1.0000, 1.4052, 1.3112, 1.2624, 1.2224),
}


def _ilo() -> Panel:
    items, periods, prices, quantities = [], [], [], []
    for t, (ps, qs) in enumerate(zip(ILO_PRICES, ILO_QUANTITIES, strict=True)):
        for i, (p, q) in enumerate(zip(ps, qs, strict=True)):
            items.append(f"good {i + 1}")
            periods.append(str(t + 1))
            prices.append(p)
            quantities.append(q)
    return Panel.from_rows(items, periods, prices, quantities)


def _reference(formula: Formula, a: int, b: int) -> float:
    """Period ``b`` against period ``a`` from the definitions, item by item, no NumPy."""
    p0 = [Fraction(str(x)) for x in ILO_PRICES[a]]
    p1 = [Fraction(str(x)) for x in ILO_PRICES[b]]
    q0 = [Fraction(str(x)) for x in ILO_QUANTITIES[a]]
    q1 = [Fraction(str(x)) for x in ILO_QUANTITIES[b]]

    def dot(x: list[Fraction], y: list[Fraction]) -> Fraction:
        return sum((i * j for i, j in zip(x, y, strict=True)), Fraction(0))

    laspeyres, paasche = dot(p1, q0) / dot(p0, q0), dot(p1, q1) / dot(p0, q1)
    if formula is Formula.LASPEYRES:
        return float(laspeyres)
    if formula is Formula.PAASCHE:
        return float(paasche)
    if formula is Formula.FISHER:
        return math.sqrt(laspeyres * paasche)
    v0, v1 = dot(p0, q0), dot(p1, q1)
    log = sum(
        0.5 * float(p0[i] * q0[i] / v0 + p1[i] * q1[i] / v1) * math.log(p1[i] / p0[i])
        for i in range(len(p0))
    )
    return math.exp(log)


@pytest.mark.parametrize("formula", list(Formula))
def test_the_reference_agrees_with_the_printed_rows(formula: Formula) -> None:
    fixed = [_reference(formula, 0, t) for t in range(5)]
    links = [_reference(formula, t - 1, t) for t in range(1, 5)]
    chained = [1.0, *np.cumprod(links)]
    assert fixed == pytest.approx(ILO_FIXED[formula], abs=1.1e-4)
    assert chained == pytest.approx(ILO_CHAINED[formula], abs=1.1e-4)


@pytest.mark.parametrize("formula", list(Formula))
def test_silkhub_agrees_with_the_reference(formula: Formula) -> None:
    fixed = index_series(_ilo(), formula) / 100
    chained = index_series(_ilo(), formula, chained=True) / 100
    links = [_reference(formula, t - 1, t) for t in range(1, 5)]
    assert fixed == pytest.approx([_reference(formula, 0, t) for t in range(5)], rel=1e-12)
    assert chained == pytest.approx([1.0, *np.cumprod(links)], rel=1e-12)


@pytest.mark.parametrize("formula", list(Formula))
def test_the_ilo_manual_tables_fixed_base(formula: Formula) -> None:
    got = index_series(_ilo(), formula) / 100
    # Half a unit of the fourth decimal, and the manual's own rounding (1.3824 printed .3823).
    assert got == pytest.approx(ILO_FIXED[formula], abs=1.1e-4)


@pytest.mark.parametrize("formula", list(Formula))
def test_the_ilo_manual_tables_chained(formula: Formula) -> None:
    got = index_series(_ilo(), formula, chained=True) / 100
    assert got == pytest.approx(ILO_CHAINED[formula], abs=1.1e-4)


def test_a_small_example_worked_by_hand() -> None:
    # Two goods; period 2 against period 1:
    #   Laspeyres (2·10 + 3·5) / (1·10 + 2·5) = 35/20
    #   Paasche   (2·8 + 3·6) / (1·8 + 2·6)   = 34/20
    #   Törnqvist: shares (1/2, 1/2) and (16/34, 18/34); ln P = Σ ½(s0+s1) ln(p1/p0)
    # Period 3 adds good c (new: no part in any comparison) and changes a to 2.5:
    #   chained Laspeyres link 2→3 = (2.5·8 + 3·6) / (2·8 + 3·6) = 38/34
    panel = Panel.from_rows(
        ["a", "b", "a", "b", "a", "b", "c"],
        ["1", "1", "2", "2", "3", "3", "3"],
        [1, 2, 2, 3, 2.5, 3, 4],
        [10, 5, 8, 6, 7, 6, 2],
    )
    laspeyres, paasche = Fraction(35, 20), Fraction(34, 20)
    tornqvist = math.exp(
        0.5 * (0.5 + 16 / 34) * math.log(2) + 0.5 * (0.5 + 18 / 34) * math.log(1.5)
    )
    fixed = {f: index_series(panel, f)[1] / 100 for f in Formula}
    assert fixed[Formula.LASPEYRES] == pytest.approx(float(laspeyres), rel=1e-12)
    assert fixed[Formula.PAASCHE] == pytest.approx(float(paasche), rel=1e-12)
    assert fixed[Formula.FISHER] == pytest.approx(math.sqrt(laspeyres * paasche), rel=1e-12)
    assert fixed[Formula.TORNQVIST] == pytest.approx(tornqvist, rel=1e-12)
    chained = index_series(panel, Formula.LASPEYRES, chained=True)
    assert chained[2] == pytest.approx(100 * float(laspeyres * Fraction(38, 34)), rel=1e-12)
    # Fixed base, period 3 against 1 over a and b: (2.5·10 + 3·5) / 20 = 2.
    assert index_series(panel, Formula.LASPEYRES)[2] == pytest.approx(200.0, rel=1e-12)
    # The quantity index swaps the roles: Laspeyres Q = (8·1 + 6·2) / (10·1 + 5·2) = 1.
    assert index_series(panel, Formula.LASPEYRES, quantity=True)[1] == pytest.approx(100.0)


def test_a_base_period_other_than_the_first_is_100() -> None:
    for chained in (False, True):
        series = index_series(_ilo(), Formula.FISHER, base=2, chained=chained)
        assert series[2] == pytest.approx(100.0)
        whole = index_series(_ilo(), Formula.FISHER, chained=chained)
        if chained:  # a chained series is only rescaled
            assert series == pytest.approx(whole / whole[2] * 100)


def test_periods_without_a_common_item_cannot_be_compared() -> None:
    panel = Panel.from_rows(["a", "b"], ["1", "2"], [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(NoMatchedItems) as caught:
        index_series(panel, Formula.FISHER)
    assert caught.value.code == "no_matched_items"
    assert "1" in caught.value.message.en and "2" in caught.value.message.en
    with pytest.raises(NoMatchedItems):
        index_series(panel, Formula.FISHER, chained=True)


def test_unknown_formulas_are_refused_by_name() -> None:
    assert Formula.parse("Törnqvist") is Formula.TORNQVIST
    with pytest.raises(Exception, match="laspeyres, paasche, fisher, tornqvist"):
        Formula.parse("jevons")


# --- the axioms, as properties ------------------------------------------------------------------

positive = st.floats(min_value=0.01, max_value=1000.0, allow_nan=False, allow_infinity=False)


@st.composite
def two_periods(draw: st.DrawFn) -> tuple[list[float], list[float], list[float], list[float]]:
    n = draw(st.integers(min_value=1, max_value=8))
    vector = st.lists(positive, min_size=n, max_size=n)
    return draw(vector), draw(vector), draw(vector), draw(vector)


def _panel(p0: list[float], q0: list[float], p1: list[float], q1: list[float]) -> Panel:
    n = len(p0)
    names = [f"i{k}" for k in range(n)]
    return Panel(
        ("0", "1"),
        tuple(sorted(names)),
        np.array([p0, p1], dtype=np.float64).T[np.argsort(names)],
        np.array([q0, q1], dtype=np.float64).T[np.argsort(names)],
    )


@settings(max_examples=200, deadline=None)
@given(two_periods())
def test_identity(data: tuple[list[float], list[float], list[float], list[float]]) -> None:
    p0, q0, _, q1 = data
    for formula in Formula:
        assert index_series(_panel(p0, q0, p0, q1), formula)[1] == pytest.approx(100.0)


@settings(max_examples=200, deadline=None)
@given(two_periods(), st.floats(min_value=0.05, max_value=20.0))
def test_proportionality(
    data: tuple[list[float], list[float], list[float], list[float]], factor: float
) -> None:
    p0, q0, _, q1 = data
    p1 = [factor * p for p in p0]
    for formula in Formula:
        got = index_series(_panel(p0, q0, p1, q1), formula)[1]
        assert got == pytest.approx(100.0 * factor, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(two_periods())
def test_time_reversal_of_fisher_and_tornqvist(
    data: tuple[list[float], list[float], list[float], list[float]],
) -> None:
    panel = _panel(*data)
    for formula in (Formula.FISHER, Formula.TORNQVIST):
        forward = index_series(panel, formula, base=0)[1] / 100  # period 1 against 0
        backward = index_series(panel, formula, base=1)[0] / 100  # period 0 against 1
        assert forward * backward == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(two_periods())
def test_fisher_price_times_quantity_is_value(
    data: tuple[list[float], list[float], list[float], list[float]],
) -> None:
    p0, q0, p1, q1 = data
    panel = _panel(p0, q0, p1, q1)
    price = index_series(panel, Formula.FISHER)[1] / 100
    volume = index_series(panel, Formula.FISHER, quantity=True)[1] / 100
    value = sum(p * q for p, q in zip(p1, q1, strict=True)) / sum(
        p * q for p, q in zip(p0, q0, strict=True)
    )
    assert price * volume == pytest.approx(value, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(two_periods(), st.sampled_from(list(Formula)), st.booleans())
def test_chained_equals_fixed_base_with_one_link(
    data: tuple[list[float], list[float], list[float], list[float]],
    formula: Formula,
    quantity: bool,
) -> None:
    panel = _panel(*data)
    fixed = index_series(panel, formula, quantity=quantity)
    chained = index_series(panel, formula, chained=True, quantity=quantity)
    assert chained == pytest.approx(fixed, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(two_periods(), positive, positive)
def test_an_item_in_one_period_only_takes_no_part(
    data: tuple[list[float], list[float], list[float], list[float]], price: float, qty: float
) -> None:
    p0, q0, p1, q1 = data
    base = _panel(p0, q0, p1, q1)
    n = len(p0)
    items = [f"i{k}" for k in range(n)] * 2 + ["new"]
    periods = ["0"] * n + ["1"] * n + ["1"]
    widened = Panel.from_rows(items, periods, [*p0, *p1, price], [*q0, *q1, qty])
    for formula in Formula:
        assert index_series(widened, formula)[1] == pytest.approx(
            index_series(base, formula)[1], rel=1e-12
        )
