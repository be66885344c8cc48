"""The trade index from item months, worked by hand: unit values against the base year's
annual unit values (fixed base) or month to month (chained), outliers left out and counted, a
new item in the value index only, and value = price × volume."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import Month, Year
from silkhub.indices.formulas import Formula
from silkhub.indices.trade_index import trade_index


def table(rows: list[tuple[date, str, str, float, float]]) -> pa.Table:
    """(month, hs, unit, value, quantity) rows; every row priced."""
    return pa.table(
        {
            "month": pa.array([r[0] for r in rows], pa.date32()),
            "hs_code": [r[1] for r in rows],
            "quantity_unit": [r[2] for r in rows],
            "value": pa.array([int(r[3]) for r in rows], pa.int64()),
            "priced_value": pa.array([int(r[3]) for r in rows], pa.int64()),
            "quantity": [r[4] for r in rows],
        }
    )


def base_year() -> list[tuple[date, str, str, float, float]]:
    # 2018: item A at 10 per kg, 100 kg a month; item B at 2 per piece, 300 pieces a month.
    return [
        row
        for m in range(1, 13)
        for row in (
            (date(2018, m, 1), "A", "kg", 1000, 100),
            (date(2018, m, 1), "B", "pc", 600, 300),
        )
    ]


def test_fixed_base_by_hand() -> None:
    # January 2019: A at 12 (80 kg), B at 2 (400 pieces).
    rows = table(
        [
            *base_year(),
            (date(2019, 1, 1), "A", "kg", 960, 80),
            (date(2019, 1, 1), "B", "pc", 800, 400),
        ]
    )
    points = {p.month: p for p in trade_index(rows, base=Year(2018), formula=Formula.LASPEYRES)}
    jan = points[Month(2019, 1)]
    # Laspeyres with the base year's annual quantities (1200 kg, 3600 pieces):
    # (12·1200 + 2·3600) / (10·1200 + 2·3600) = 21600 / 19200.
    assert jan.price == pytest.approx(100 * 21600 / 19200)
    # Value: 1760 against the base year's monthly average of 1600.
    assert jan.value == pytest.approx(110.0)
    assert jan.volume == pytest.approx(jan.value / jan.price * 100)
    assert (jan.items, jan.matched, jan.outliers) == (2, 2, 0)
    # The base year's months average 100 (prices constant there).
    assert points[Month(2018, 6)].price == pytest.approx(100.0)
    paasche = {p.month: p for p in trade_index(rows, base=Year(2018), formula=Formula.PAASCHE)}
    # Paasche with January's quantities: (12·80 + 2·400) / (10·80 + 2·400) = 1760 / 1600.
    assert paasche[Month(2019, 1)].price == pytest.approx(110.0)


def test_outliers_and_new_items() -> None:
    rows = table(
        [
            *base_year(),
            (date(2019, 1, 1), "A", "kg", 6000, 100),  # 60 per kg: six times the base, left out
            (date(2019, 1, 1), "B", "pc", 660, 300),  # 2.2 per piece: +10 %
            (date(2019, 1, 1), "C", "t", 5000, 1),  # new: value index only
        ]
    )
    (jan,) = [
        p
        for p in trade_index(rows, base=Year(2018), formula=Formula.FISHER)
        if p.month == Month(2019, 1)
    ]
    assert jan.outliers == 1 and jan.matched == 1 and jan.items == 3
    assert jan.price == pytest.approx(110.0)  # B alone
    assert jan.value == pytest.approx(100 * (6000 + 660 + 5000) / 1600)


def test_chained_links_month_to_month() -> None:
    rows = table(
        [
            *base_year(),
            (date(2019, 1, 1), "A", "kg", 1100, 100),  # A +10 %
            (date(2019, 1, 1), "B", "pc", 600, 300),
            (date(2019, 2, 1), "A", "kg", 1100, 100),
            (date(2019, 2, 1), "B", "pc", 660, 300),  # B +10 %
        ]
    )
    points = {
        p.month: p
        for p in trade_index(rows, base=Year(2018), formula=Formula.LASPEYRES, chained=True)
    }
    jan, feb = points[Month(2019, 1)], points[Month(2019, 2)]
    assert jan.price == pytest.approx(100 * 1700 / 1600)
    assert feb.price == pytest.approx(jan.price * 1760 / 1700)


def test_a_base_year_needs_twelve_months() -> None:
    rows = table([r for r in base_year() if r[0].month != 7])
    with pytest.raises(InvalidInput) as caught:
        trade_index(rows, base=Year(2018))
    assert caught.value.code == "incomplete_base_year"
    assert caught.value.problems[0].location.field == "base"
