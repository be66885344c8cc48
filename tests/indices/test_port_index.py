"""The port index on a small hand-made dataset, every figure worked out by hand in the
comments: volume indices per port and kind, the composite of a port (base-year tonnage
weights, containers through their TEU), the composite and kinds across ports, month-on-month
and year-on-year changes, missing months, converted container tonnage, no base year."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import Month, Year
from silkhub.indices.monthly_base import base_year
from silkhub.indices.port_index import ALL_PORTS, PortIndex, port_index

BASE = Year(2019)
SHOWN = [Month(2020, 1), Month(2020, 2)]


def _rows(records: list[tuple[Month, str, str | None, float | None, int | None]]) -> pa.Table:
    return pa.table(
        {
            "month": pa.array([date(m.year, m.month, 1) for m, *_ in records], pa.date32()),
            "port": [r[1] for r in records],
            "cargo_kind": pa.array([r[2] for r in records], pa.string()),
            "tonnes": pa.array([r[3] for r in records], pa.float64()),
            "teu": pa.array([r[4] for r in records], pa.int64()),
        }
    )


def small() -> pa.Table:
    """Port A: containers 100 TEU and 1,000 t a month in 2019, dry bulk 3,000 t; port B: dry
    bulk 1,800 and 2,200 t in turn (average 2,000), general cargo only from 2020 (no base);
    port C: totals only (no kind). 2020: A 110 TEU / 1,050 t / 2,700 t in January, 120 TEU /
    1,100 t / 3,300 t in February; B 2,400 t in January, nothing in February."""
    records: list[tuple[Month, str, str | None, float | None, int | None]] = []
    for m in range(1, 13):
        month = Month(2019, m)
        records += [
            (month, "A", "containers", 1000.0, 100),
            (month, "A", "dry_bulk", 3000.0, None),
            (month, "B", "dry_bulk", 1800.0 if m % 2 else 2200.0, None),
            (month, "C", None, 5000.0, 80),
        ]
    jan, feb = SHOWN
    records += [
        (jan, "A", "containers", 1050.0, 110),
        (jan, "A", "dry_bulk", 2700.0, None),
        (jan, "B", "dry_bulk", 2400.0, None),
        (jan, "B", "general_cargo", 50.0, None),
        (feb, "A", "containers", 1100.0, 120),
        (feb, "A", "dry_bulk", 3300.0, None),
        (jan, "C", None, 5200.0, 90),
    ]
    return _rows(records)


def point(result: PortIndex, month: Month, port: str, kind: str) -> tuple[float | None, ...]:
    (found,) = [p for p in result.points if (p.month, p.port, p.kind) == (month, port, kind)]
    return found.volume, found.index, found.mom_pct, found.yoy_pct


def test_the_indices_of_each_port_and_kind() -> None:
    result = port_index(small(), base=BASE, months=SHOWN)
    jan, feb = SHOWN
    # A containers: 110 / 100 x 100; a year before (Jan 2019) 100: +10 %.
    assert point(result, jan, "A", "containers") == pytest.approx((110, 110.0, 10.0, 10.0))
    assert point(result, jan, "A", "containers_tonnes") == pytest.approx((1050, 105.0, 5.0, 5.0))
    # 120 / 110 - 1 = 9.0909 %.
    assert point(result, feb, "A", "containers")[2] == pytest.approx(100 / 11)
    assert point(result, jan, "A", "dry_bulk") == pytest.approx((2700, 90.0, -10.0, -10.0))
    # B dry bulk: 2,400 / 2,000 = 120; January 2019 was 1,800 (90), December 2,200 (110).
    assert point(result, jan, "B", "dry_bulk") == pytest.approx(
        (2400, 120.0, 120 / 110 * 100 - 100, 120 / 90 * 100 - 100)
    )
    assert point(result, feb, "B", "dry_bulk") == (None, None, None, None)
    # General cargo of B has no base year, C no kinds: neither has an index.
    assert result.no_base == [("B", "general_cargo")]
    assert not [p for p in result.points if p.port == "C"]
    assert not [p for p in result.points if p.kind == "general_cargo"]


def test_the_composites_weigh_base_year_tonnage() -> None:
    result = port_index(small(), base=BASE, months=SHOWN)
    jan, feb = SHOWN
    weights = {(w.port, w.kind): w for w in result.weights}
    # A: containers 12,000 t (reported), dry bulk 36,000 t; B: dry bulk 24,000 t; 72,000 t.
    assert weights[("A", "containers")].tonnes == 12_000
    assert weights[("A", "containers")].source == "reported"
    assert weights[("A", "containers")].share_in_port == pytest.approx(0.25)
    assert weights[("A", "dry_bulk")].share_overall == pytest.approx(0.5)
    assert weights[("B", "dry_bulk")].share_in_port == 1.0
    # A: 0.25 x 110 (TEU) + 0.75 x 90 = 95 in January; 0.25 x 120 + 0.75 x 110 = 112.5.
    assert point(result, jan, "A", "composite") == pytest.approx((None, 95.0, -5.0, -5.0))
    assert point(result, feb, "A", "composite")[1:3] == pytest.approx((112.5, 112.5 / 0.95 - 100))
    # Across: (12,000 x 110 + 36,000 x 90 + 24,000 x 120) / 72,000 = 103.333...
    composite = point(result, jan, ALL_PORTS, "composite")
    assert composite[1] == pytest.approx(7_440_000 / 72_000)
    # January 2019: A 100, B 90 -> (12,000 x 100 + 36,000 x 100 + 24,000 x 90) / 72,000 = 96.67.
    assert composite[3] == pytest.approx((7_440_000 / 72_000) / (69_600 / 720) * 100 - 100)
    # Dry bulk across: (2,700 + 2,400) / (3,000 + 2,000) = 102; containers: A alone.
    assert point(result, jan, ALL_PORTS, "dry_bulk")[:2] == pytest.approx((5100, 102.0))
    assert point(result, jan, ALL_PORTS, "containers")[:2] == pytest.approx((110, 110.0))
    # February: B reported nothing, so neither B's composite nor anything across that
    # weighs B exists (never re-weighted over what is there).
    assert point(result, feb, "B", "composite")[1] is None
    assert point(result, feb, ALL_PORTS, "composite")[1] is None
    assert point(result, feb, ALL_PORTS, "dry_bulk")[:2] == (None, None)
    assert point(result, feb, ALL_PORTS, "containers")[1] == pytest.approx(120.0)


def test_container_tonnage_converted_when_not_reported() -> None:
    records: list[tuple[Month, str, str | None, float | None, int | None]] = []
    for m in range(1, 13):
        records += [
            (Month(2019, m), "D", "containers", None, 50),
            (Month(2019, m), "D", "liquid_bulk", 9000.0, None),
        ]
    records += [
        (Month(2020, 1), "D", "containers", None, 60),
        (Month(2020, 1), "D", "liquid_bulk", 9000.0, None),
    ]
    result = port_index(_rows(records), base=BASE, months=[Month(2020, 1)], teu_tonnes=12)
    weights = {w.kind: w for w in result.weights}
    # 50 TEU x 12 months x 12 t = 7,200 t against 108,000 t of liquid bulk.
    assert (weights["containers"].tonnes, weights["containers"].source) == (7200, "converted")
    share = 7200 / 115_200
    assert point(result, Month(2020, 1), "D", "composite")[1] == pytest.approx(
        share * 120 + (1 - share) * 100
    )
    with pytest.raises(InvalidInput) as error:
        port_index(_rows(records), base=BASE, months=[Month(2020, 1)], teu_tonnes=0)
    assert error.value.problems[0].code == "not_positive"


def test_containers_without_teu_count_through_their_tonnes() -> None:
    records: list[tuple[Month, str, str | None, float | None, int | None]] = []
    for m in range(1, 13):
        records += [
            (Month(2019, m), "E", "containers", 1000.0, None),
            (Month(2019, m), "E", "dry_bulk", 3000.0, None),
        ]
    records += [
        (Month(2020, 1), "E", "containers", 1200.0, None),
        (Month(2020, 1), "E", "dry_bulk", 3000.0, None),
    ]
    result = port_index(_rows(records), base=BASE, months=[Month(2020, 1)])
    assert {(w.kind, w.share_in_port) for w in result.weights} == {
        ("containers_tonnes", 0.25),
        ("dry_bulk", 0.75),
    }
    # 0.25 x 120 + 0.75 x 100 = 105.
    assert point(result, Month(2020, 1), "E", "composite")[1] == pytest.approx(105.0)


def test_a_base_year_without_data_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        port_index(small(), base=Year(2018), months=SHOWN)
    (problem,) = error.value.problems
    assert (problem.code, problem.location.field, problem.value) == (
        "incomplete_base_year",
        "base",
        2018,
    )


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (Month(2015, 1), Month(2020, 12), 2019),  # the default, held whole
        (Month(2018, 1), Month(2020, 6), 2019),
        (Month(2019, 2), Month(2021, 3), 2020),  # 2019 incomplete: the first complete year
        (Month(2020, 1), Month(2020, 12), 2020),
        (Month(2020, 2), Month(2021, 11), None),  # no complete year
        (None, None, None),
    ],
)
def test_the_base_year_shown(first: Month | None, last: Month | None, expected: int | None) -> None:
    assert base_year(2019, first, last) == expected
