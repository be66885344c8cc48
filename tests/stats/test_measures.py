"""The measures, against real Parquet files: hand-checked figures, dated group membership,
errors, and the same answers on DuckDB, on Spark and in plain Python.

The hand-checked tests use small tables whose figures can be worked out on paper; the
arithmetic is in the comments. The last part runs every measure on a few thousand seeded
random rows (with revisions, an uncommitted vintage and membership changes) and compares
DuckDB, Spark and an independent plain-Python computation.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest

from silkhub.core import groups
from silkhub.core.errors import InvalidInput, UnknownCountry
from silkhub.core.periods import IsoWeek, Month, Period, Quarter, Year, YearToDate
from silkhub.stats.datasets import DATASETS, Dataset
from silkhub.stats.measures import (
    MEMBERSHIP_ARROW_SCHEMA,
    Measure,
    MeasureQuery,
    contribution,
    measure_result,
    membership_table,
    monthly_series,
    run,
    share,
    summary,
    target_progress,
    top_n,
    total,
    year_on_year,
    year_on_year_by_group,
)
from silkhub.stats.vintages import (
    VINTAGE_PERIODS_ARROW_SCHEMA,
    VINTAGE_PERIODS_TABLE,
    current_rows,
    vintage_periods_table,
)
from silkhub.stores.analytical import AnalyticalStore, unbound

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TRADE = DATASETS["trade"]
PUBLISHED = datetime(2021, 1, 15, tzinfo=UTC)


def table_of(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Rows of ``dataset`` as stored (fields not given are null)."""
    return pa.Table.from_pylist(list(rows), schema=dataset.arrow_schema())


def vintage_periods(records: Iterable[tuple[str, date, int, datetime]]) -> pa.Table:
    columns = list(zip(*records, strict=True))
    return pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, VINTAGE_PERIODS_ARROW_SCHEMA, strict=True)],
        schema=VINTAGE_PERIODS_ARROW_SCHEMA,
    )


def all_published(dataset: str, months: Iterable[date]) -> pa.Table:
    """Every month in vintage 1, published on ``PUBLISHED``."""
    return vintage_periods((dataset, m, 1, PUBLISHED) for m in sorted(set(months)))


def trade(
    month: date, partner: str, flow: str, value: int, hs: str | None = None
) -> dict[str, Any]:
    return {
        "month": month,
        "partner": partner,
        "flow": flow,
        "hs_code": hs,
        "value_cny": value,
        "vintage": 1,
    }


def rows_of(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def one(table: pa.Table) -> dict[str, Any]:
    rows = table.to_pylist()
    assert len(rows) == 1
    return rows[0]


def close(value: float) -> Any:
    return pytest.approx(value, rel=1e-12, abs=0)


# -- January to May, 2019 and 2020 --------------------------------------------------------------
#
# Every month from January to May of both years:
#   VN export  100 (2019)  120 (2020)   HS 8501     along the route
#   VN import   50          40          HS 8501     along the route
#   PL export   30          45          HS 6110     along the route, China-CEEC
#   DE export 1000         900          HS 8501     neither
# and in March 2020 only: TH export 45, no HS code (along the route; nothing a year earlier).
#
# Jan-May 2020: VN 5*120 + 5*40 = 800, PL 5*45 = 225, DE 5*900 = 4500, TH 45  -> 5570
#   along the route: 800 + 225 + 45 = 1070
# Jan-May 2019: VN 5*100 + 5*50 = 750, PL 5*30 = 150, DE 5*1000 = 5000         -> 5900
#   along the route: 750 + 150 = 900

YTD = YearToDate(2020, 5)
AROUND = "along_route_64"
MONTHS_1_5 = [date(y, m, 1) for y in (2019, 2020) for m in range(1, 6)]


def ytd_rows() -> list[dict[str, Any]]:
    rows = []
    for d in MONTHS_1_5:
        new = d.year == 2020
        rows += [
            trade(d, "VN", "export", 120 if new else 100, "8501"),
            trade(d, "VN", "import", 40 if new else 50, "8501"),
            trade(d, "PL", "export", 45 if new else 30, "6110"),
            trade(d, "DE", "export", 900 if new else 1000, "8501"),
        ]
    rows.append(trade(date(2020, 3, 1), "TH", "export", 45))
    return rows


@pytest.fixture
def ytd_store(analytical: AnalyticalStore) -> AnalyticalStore:
    rows = ytd_rows()
    for year in (2019, 2020):  # one file per year: the dataset is more than one file
        analytical.write("trade", table_of(TRADE, (r for r in rows if r["month"].year == year)))
    return analytical


YTD_VINTAGES = all_published("trade", MONTHS_1_5)


def measure(store: AnalyticalStore, m: Measure) -> pa.Table:
    return run(store, m, vintage_periods=YTD_VINTAGES)


def test_total_over_the_year_to_date(ytd_store: AnalyticalStore) -> None:
    everything = MeasureQuery("trade", "value_cny", YTD)
    assert rows_of(measure(ytd_store, total(everything))) == [{"value": 5570}]
    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND)
    assert rows_of(measure(ytd_store, total(along))) == [{"value": 1070}]
    # One month, a quarter: March 2020 along the route is 120 + 40 + 45 + 45 = 250.
    march = MeasureQuery("trade", "value_cny", Month(2020, 3), group=AROUND)
    assert rows_of(measure(ytd_store, total(march))) == [{"value": 250}]
    schema = measure(ytd_store, total(along)).schema
    assert schema.field("value").type == pa.int64()


def test_year_on_year_over_jan_to_may(ytd_store: AnalyticalStore) -> None:
    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND)
    assert one(measure(ytd_store, year_on_year(along))) == {
        "current": 1070,
        "previous": 900,
        "growth_pct": close(18.888888888888889),  # (1070 / 900 - 1) * 100
        "times": close(1.1888888888888889),  # 1070 / 900
    }
    everything = MeasureQuery("trade", "value_cny", YTD)
    assert one(measure(ytd_store, year_on_year(everything))) == {
        "current": 5570,
        "previous": 5900,
        "growth_pct": close(-5.593220338983051),  # (5570 / 5900 - 1) * 100
        "times": close(0.9440677966101695),  # 5570 / 5900
    }


def test_year_on_year_by_a_field(ytd_store: AnalyticalStore) -> None:
    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND, by="flow")
    assert rows_of(measure(ytd_store, year_on_year(along))) == [
        # exports: 2020 600 + 225 + 45 = 870; 2019 500 + 150 = 650
        {
            "flow": "export",
            "current": 870,
            "previous": 650,
            "growth_pct": close(33.84615384615384),  # (870 / 650 - 1) * 100
            "times": close(1.3384615384615384),
        },
        # imports: VN only, 200 against 250
        {
            "flow": "import",
            "current": 200,
            "previous": 250,
            "growth_pct": close(-20.0),  # (200 / 250 - 1) * 100
            "times": close(0.8),
        },
    ]


def test_year_on_year_for_several_groups_at_once(ytd_store: AnalyticalStore) -> None:
    query = MeasureQuery("trade", "value_cny", YTD)
    m = year_on_year_by_group(query, ["china_ceec", AROUND, "gcc"])
    assert rows_of(measure(ytd_store, m)) == [
        {
            "group": AROUND,
            "current": 1070,
            "previous": 900,
            "growth_pct": close(18.888888888888889),  # as year_on_year with the group
            "times": close(1.1888888888888889),
        },
        {  # PL only
            "group": "china_ceec",
            "current": 225,
            "previous": 150,
            "growth_pct": close(50.0),  # (225 / 150 - 1) * 100
            "times": close(1.5),
        },
        # No Gulf partner: 0 in both published periods, no growth.
        {"group": "gcc", "current": 0, "previous": 0, "growth_pct": None, "times": None},
    ]


def test_zero_or_missing_previous_gives_null_growth(ytd_store: AnalyticalStore) -> None:
    # TH traded in March 2020 only: March 2019 is published, so its previous is 0, not null.
    march = MeasureQuery("trade", "value_cny", Month(2020, 3), by="partner")
    by_partner = {r["partner"]: r for r in rows_of(measure(ytd_store, year_on_year(march)))}
    assert by_partner["TH"] == {
        "partner": "TH",
        "current": 45,
        "previous": 0,
        "growth_pct": None,
        "times": None,
    }
    # March 2019 against March 2018, which was never published: previous is unknown.
    before = MeasureQuery("trade", "value_cny", Month(2019, 3))
    assert one(measure(ytd_store, year_on_year(before))) == {
        "current": 1180,  # 100 + 50 + 30 + 1000
        "previous": None,
        "growth_pct": None,
        "times": None,
    }


def test_a_period_with_a_month_unpublished_has_no_figure(ytd_store: AnalyticalStore) -> None:
    # Jan-Jun 2020: June is not published, so there is no 1-6月 figure (never 1-5月's sum).
    h1 = MeasureQuery("trade", "value_cny", YearToDate(2020, 6))
    assert one(measure(ytd_store, total(h1))) == {"value": None}
    # A filter nothing matches in a published period is 0.
    nothing = MeasureQuery("trade", "value_cny", YTD, filters={"partner": "US"})
    assert one(measure(ytd_store, total(nothing))) == {"value": 0}


def test_filters(ytd_store: AnalyticalStore) -> None:
    # Chinese spellings are accepted and stored normalised.
    exports = MeasureQuery("trade", "value_cny", YTD, filters={"flow": "出口"})
    assert exports.filters == {"flow": ("export",)}
    # 600 + 225 + 4500 + 45
    assert one(measure(ytd_store, total(exports))) == {"value": 5370}
    two = MeasureQuery("trade", "value_cny", YTD, filters={"partner": ("越南", "PL")})
    assert two.filters == {"partner": ("VN", "PL")}
    assert one(measure(ytd_store, total(two))) == {"value": 1025}  # 800 + 225
    both = MeasureQuery(
        "trade", "value_cny", YTD, filters={"flow": "export", "hs_code": "8501"}, group=AROUND
    )
    assert one(measure(ytd_store, total(both))) == {"value": 600}  # VN exports only


def test_share(ytd_store: AnalyticalStore) -> None:
    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND)
    assert one(measure(ytd_store, share(along))) == {
        "part_current": 1070,
        "whole_current": 5570,
        "share_pct": close(19.210053859964095),  # 1070 / 5570 * 100
        "part_previous": 900,
        "whole_previous": 5900,
        "previous_share_pct": close(15.254237288135593),  # 900 / 5900 * 100
        "change_pp": close(3.9558165718285014),  # 19.2100... - 15.2542...
    }


def test_share_of_an_explicit_whole_and_by_item(ytd_store: AnalyticalStore) -> None:
    # Exports along the route, as a share of all exports (the whole has its own filter).
    part = MeasureQuery("trade", "value_cny", YTD, filters={"flow": "export"}, group=AROUND)
    whole = MeasureQuery("trade", "value_cny", YTD, filters={"flow": "export"})
    row = one(measure(ytd_store, share(part, whole)))
    assert (row["part_current"], row["whole_current"]) == (870, 5370)  # 600+225+45; +4500
    assert row["share_pct"] == close(16.201117318435752)  # 870 / 5370 * 100
    assert (row["part_previous"], row["whole_previous"]) == (650, 5650)  # 500+150; +5000
    assert row["previous_share_pct"] == close(11.504424778761061)  # 650 / 5650 * 100

    # Each partner's share of all trade: the whole is the query without `by`.
    by_partner = MeasureQuery("trade", "value_cny", YTD, by="partner")
    shares = {r["partner"]: r for r in rows_of(measure(ytd_store, share(by_partner)))}
    assert list(shares) == ["DE", "PL", "TH", "VN"]  # ordered by the key
    assert shares["VN"]["share_pct"] == close(14.362657091561939)  # 800 / 5570 * 100
    assert shares["TH"]["part_previous"] == 0
    assert shares["TH"]["previous_share_pct"] == 0.0


def test_contribution(ytd_store: AnalyticalStore) -> None:
    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND)
    assert one(measure(ytd_store, contribution(along))) == {
        "part_current": 1070,
        "part_previous": 900,
        "part_growth_pct": close(18.888888888888889),  # (1070 / 900 - 1) * 100
        "whole_current": 5570,
        "whole_previous": 5900,
        "whole_growth_pct": close(-5.593220338983051),  # (5570 / 5900 - 1) * 100
        "contribution_pp": close(2.8813559322033897),  # (1070 - 900) / 5900 * 100
    }
    by_partner = MeasureQuery("trade", "value_cny", YTD, by="partner")
    points = {
        r["partner"]: r["contribution_pp"]
        for r in rows_of(measure(ytd_store, contribution(by_partner)))
    }
    assert points["DE"] == close(-8.47457627118644)  # (4500 - 5000) / 5900 * 100
    assert points["TH"] == close(0.7627118644067797)  # (45 - 0) / 5900 * 100
    # The parts' contributions add up to the whole's growth.
    assert sum(points.values()) == close(-5.593220338983051)


def test_summary_and_measure_result(ytd_store: AnalyticalStore) -> None:
    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND)
    row = one(measure(ytd_store, summary(along)))
    assert row["value"] == 1070
    assert row["whole"] == 5570
    assert row["share_change_pp"] == close(3.9558165718285014)

    result = measure_result(ytd_store, along, vintage_periods=YTD_VINTAGES)
    assert (result.value, result.previous, result.whole, result.whole_previous) == (
        1070,
        900,
        5570,
        5900,
    )
    assert result.growth_pct == close(18.888888888888889)
    assert result.share_pct == close(19.210053859964095)
    assert result.contribution_pp == close(2.8813559322033897)
    assert result.complete
    assert [v.month for v in result.vintages] == [Month.from_date(d) for d in MONTHS_1_5]
    assert {(v.dataset, v.vintage, v.published_at) for v in result.vintages} == {
        ("trade", 1, PUBLISHED)
    }

    plain = measure_result(
        ytd_store, MeasureQuery("trade", "value_cny", YTD), vintage_periods=YTD_VINTAGES
    )
    assert (plain.value, plain.previous, plain.share_pct, plain.whole) == (5570, 5900, None, None)

    h1 = MeasureQuery("trade", "value_cny", YearToDate(2020, 6), group=AROUND)
    partial = measure_result(ytd_store, h1, vintage_periods=YTD_VINTAGES)
    assert partial.value is None
    assert not partial.complete
    assert [v.month for v in partial.missing_months] == [Month(2019, 6), Month(2020, 6)]


def test_top_n(ytd_store: AnalyticalStore) -> None:
    by_partner = MeasureQuery("trade", "value_cny", YTD, by="partner")
    assert rows_of(measure(ytd_store, top_n(by_partner, 3))) == [
        {
            "rank": 1,
            "partner": "DE",
            "value": 4500,
            "previous": 5000,
            "growth_pct": close(-10.0),  # (4500 / 5000 - 1) * 100
            "share_pct": close(80.78994614003591),  # 4500 / 5570 * 100
            "total": 5570,
        },
        {
            "rank": 2,
            "partner": "VN",
            "value": 800,
            "previous": 750,
            "growth_pct": close(6.666666666666665),  # (800 / 750 - 1) * 100
            "share_pct": close(14.362657091561939),  # 800 / 5570 * 100
            "total": 5570,
        },
        {
            "rank": 3,
            "partner": "PL",
            "value": 225,
            "previous": 150,
            "growth_pct": close(50.0),  # (225 / 150 - 1) * 100
            "share_pct": close(4.039497307001795),  # 225 / 5570 * 100
            "total": 5570,
        },
    ]


def test_top_n_ties_null_keys_and_groups(ytd_store: AnalyticalStore) -> None:
    # March 2020 exports to PL and TH are both 45: the tie goes to the smaller key.
    march = MeasureQuery(
        "trade", "value_cny", Month(2020, 3), filters={"flow": "export"}, by="partner"
    )
    ranked = rows_of(measure(ytd_store, top_n(march, 10)))
    assert [(r["rank"], r["partner"], r["value"]) for r in ranked] == [
        (1, "DE", 900),
        (2, "VN", 120),
        (3, "PL", 45),
        (4, "TH", 45),
    ]
    assert ranked[3]["previous"] == 0
    assert ranked[3]["growth_pct"] is None  # nothing a year earlier

    # TH's row has no HS code: not ranked, but part of the total.
    by_hs = MeasureQuery("trade", "value_cny", YTD, by="hs_code")
    assert [
        (r["hs_code"], r["value"], r["total"]) for r in rows_of(measure(ytd_store, top_n(by_hs)))
    ] == [("8501", 5300, 5570), ("6110", 225, 5570)]  # 800 + 4500; PL; TH's 45 in the total

    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND, by="partner")
    ranked = rows_of(measure(ytd_store, top_n(along, 2)))
    assert [(r["partner"], r["value"], r["total"]) for r in ranked] == [
        ("VN", 800, 1070),
        ("PL", 225, 1070),
    ]
    assert ranked[0]["share_pct"] == close(74.76635514018692)  # 800 / 1070 * 100


def test_monthly_series(ytd_store: AnalyticalStore) -> None:
    along = MeasureQuery("trade", "value_cny", YTD, group=AROUND)
    series = rows_of(measure(ytd_store, monthly_series(along, Month(2020, 3), Month(2020, 6))))
    # Along the route, every month: 2020 120 + 40 + 45 = 205, 2019 100 + 50 + 30 = 180;
    # March 2020 has TH's 45 besides: 250.
    assert series == [
        {
            "month": date(2020, 3, 1),
            "value": 250,
            "previous": 180,
            "growth_pct": close(38.888888888888886),  # (250 / 180 - 1) * 100
            "ytd_value": 660,  # 205 + 205 + 250
            "ytd_previous": 540,  # 3 * 180
            "ytd_growth_pct": close(22.222222222222232),  # (660 / 540 - 1) * 100
        },
        {
            "month": date(2020, 4, 1),
            "value": 205,
            "previous": 180,
            "growth_pct": close(13.888888888888889),  # (205 / 180 - 1) * 100
            "ytd_value": 865,
            "ytd_previous": 720,
            "ytd_growth_pct": close(20.138888888888886),  # (865 / 720 - 1) * 100
        },
        {
            "month": date(2020, 5, 1),
            "value": 205,
            "previous": 180,
            "growth_pct": close(13.888888888888889),
            "ytd_value": 1070,
            "ytd_previous": 900,
            "ytd_growth_pct": close(18.888888888888889),  # the year to date of year_on_year
        },
        {  # June is not published in either year
            "month": date(2020, 6, 1),
            "value": None,
            "previous": None,
            "growth_pct": None,
            "ytd_value": None,
            "ytd_previous": None,
            "ytd_growth_pct": None,
        },
    ]
    # Without a range: the months of the period.
    default = rows_of(measure(ytd_store, monthly_series(along)))
    assert [r["month"] for r in default] == [date(2020, m, 1) for m in range(1, 6)]
    assert default[0]["ytd_value"] == default[0]["value"] == 205


# -- Dated membership: 2019 to 2022 -------------------------------------------------------------
#
# Every month of 2019-2022, exports: PL 100, LT 10, GR 1, GB 1000, DE 10000, VN 100000,
# MY 1000000.
# China-CEEC: PL throughout; Greece from 2019-04-12 (counted from May 2019, the first month
# whose first day it was a member); Lithuania until 2021-05-22 (counted to May 2021).
# EU: PL, LT, GR, DE and GB, except GB from February 2020.
# RCEP: in force for VN from 2022-01-01 (so from January 2022), for MY from 2022-03-18 (April).

MEMBERSHIP_MONTHS = [date(y, m, 1) for y in range(2019, 2023) for m in range(1, 13)]
MEMBERSHIP_VALUES = {
    "PL": 100,
    "LT": 10,
    "GR": 1,
    "GB": 1000,
    "DE": 10000,
    "VN": 100_000,
    "MY": 1_000_000,
}


@pytest.fixture
def members_store(analytical: AnalyticalStore) -> AnalyticalStore:
    analytical.write(
        "trade",
        table_of(
            TRADE,
            (
                trade(d, p, "export", v)
                for d in MEMBERSHIP_MONTHS
                for p, v in MEMBERSHIP_VALUES.items()
            ),
        ),
    )
    return analytical


MEMBERSHIP_VINTAGES = all_published("trade", MEMBERSHIP_MONTHS)


def group_total(store: AnalyticalStore, group: str, period: Period) -> Any:
    query = MeasureQuery("trade", "value_cny", period, group=group)
    return one(run(store, total(query), vintage_periods=MEMBERSHIP_VINTAGES))["value"]


def test_groups_count_the_members_of_each_month(members_store: AnalyticalStore) -> None:
    # 12 * 100 + 12 * 10 + 8 * 1 (GR, May-Dec)
    assert group_total(members_store, "china_ceec", Year(2019)) == 1328
    assert group_total(members_store, "china_ceec", Month(2019, 4)) == 110  # GR not yet
    assert group_total(members_store, "china_ceec", Month(2019, 5)) == 111
    assert group_total(members_store, "china_ceec", Year(2020)) == 1332  # 1200 + 120 + 12
    assert group_total(members_store, "china_ceec", Year(2021)) == 1262  # 1200 + 5*10 + 12
    assert group_total(members_store, "china_ceec", Year(2022)) == 1212  # LT gone: 1200 + 12
    assert group_total(members_store, "china_ceec", Quarter(2021, 2)) == 323  # 300 + 20 + 3
    # GB was in the EU in January 2020, not in February.
    assert group_total(members_store, "eu", Month(2020, 1)) == 11111
    assert group_total(members_store, "eu", Month(2020, 2)) == 10111
    # A membership that starts on the first of a month counts in that month.
    assert group_total(members_store, "rcep", Month(2021, 12)) == 0  # published, no member
    assert group_total(members_store, "rcep", Month(2022, 1)) == 100_000
    assert group_total(members_store, "rcep", Month(2022, 3)) == 100_000
    assert group_total(members_store, "rcep", Month(2022, 4)) == 1_100_000


def test_a_country_counts_in_each_of_its_groups(members_store: AnalyticalStore) -> None:
    # PL, LT and GR are in both China-CEEC and the EU; in 2021 LT counts in CEEC to May only.
    query = MeasureQuery("trade", "value_cny", Year(2021))
    m = year_on_year_by_group(query, ["eu", "china_ceec"])
    rows = rows_of(run(members_store, m, vintage_periods=MEMBERSHIP_VINTAGES))
    assert [(r["group"], r["current"], r["previous"]) for r in rows] == [
        ("china_ceec", 1262, 1332),  # 1200 + 5 * 10 + 12; 1200 + 120 + 12
        ("eu", 121332, 122332),  # (100 + 10 + 1 + 10000) * 12; 2020 with GB's January
    ]


def test_year_on_year_across_a_membership_change(members_store: AnalyticalStore) -> None:
    query = MeasureQuery("trade", "value_cny", Year(2022), group="china_ceec")
    row = one(run(members_store, year_on_year(query), vintage_periods=MEMBERSHIP_VINTAGES))
    assert (row["current"], row["previous"]) == (1212, 1262)
    assert row["growth_pct"] == close(-3.961965134706813)  # (1212 / 1262 - 1) * 100


def test_membership_table() -> None:
    table = membership_table(["china_ceec", "eu", "china_ceec"])
    assert table.schema == MEMBERSHIP_ARROW_SCHEMA
    rows = table.to_pylist()
    assert {r["group"] for r in rows} == {"china_ceec", "eu"}
    assert len([r for r in rows if r["group"] == "china_ceec"]) == 17  # listed once

    def members(group: str, day: date) -> set[str]:
        return {
            r["country"]
            for r in rows
            if r["group"] == group
            and (r["start"] is None or r["start"] <= day)
            and (r["end"] is None or day < r["end"])
        }

    assert len(members("china_ceec", date(2020, 6, 1))) == 17  # 17+1
    assert len(members("china_ceec", date(2022, 1, 1))) == 16  # Lithuania left
    assert len(members("china_ceec", date(2022, 9, 1))) == 14  # Estonia and Latvia too
    assert "GB" in members("eu", date(2020, 1, 31))
    assert "GB" not in members("eu", date(2020, 2, 1))
    lt = next(r for r in rows if r["group"] == "china_ceec" and r["country"] == "LT")
    assert lt["end"] == date(2021, 5, 22)
    along = membership_table([AROUND]).to_pylist()
    assert len(along) == 64
    assert all(r["start"] is None and r["end"] is None for r in along)


# -- Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "code", "field"),
    [
        (
            lambda: MeasureQuery("port", "containers_teu", YTD, group=AROUND),
            "group_without_country",
            "group",
        ),
        (lambda: MeasureQuery("trade", "value_eur", YTD), "unknown_field", "value"),
        (lambda: MeasureQuery("trade", "quantity", YTD), "not_a_measure", "value"),
        (lambda: MeasureQuery("trade", "flow", YTD), "not_a_measure", "value"),
        (
            lambda: MeasureQuery("trade", "value_cny", IsoWeek(2020, 23)),
            "weekly_period_not_supported",
            "period",
        ),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, filters={"colour": "red"}),
            "unknown_field",
            "filters.colour",
        ),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, filters={"month": "2020-01"}),
            "period_field_not_allowed",
            "filters.month",
        ),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, filters={"flow": "transit"}),
            "invalid_filter_value",
            "filters.flow",
        ),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, filters={"flow": ()}),
            "empty_filter",
            "filters.flow",
        ),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, filters={"value_usd": "1"}),
            "not_a_dimension",
            "filters.value_usd",
        ),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, filters={"partner": 7}),
            "invalid_filter_value",
            "filters.partner",
        ),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, filters={"partner": "Atlantis"}),
            "unknown_country",
            "filters.partner",
        ),
        (lambda: MeasureQuery("trade", "value_cny", YTD, by="value_usd"), "not_a_dimension", "by"),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, by="month"),
            "period_field_not_allowed",
            "by",
        ),
        (lambda: MeasureQuery("trade", "value_cny", YTD, group="nato"), "unknown_group", "group"),
        (lambda: MeasureQuery("tarde", "value_cny", YTD), "unknown_dataset", "dataset"),
        (
            lambda: MeasureQuery("trade", "value_cny", YTD, as_of=datetime(2020, 7, 1)),
            "naive_as_of",
            "as_of",
        ),
        (lambda: MeasureQuery("trade", "value_cny", "2020-05"), "invalid_period", "period"),  # type: ignore[arg-type]
        (lambda: top_n(MeasureQuery("trade", "value_cny", YTD)), "top_n_needs_by", "by"),
        (
            lambda: top_n(MeasureQuery("trade", "value_cny", YTD, by="partner"), 0),
            "invalid_top_n",
            "n",
        ),
        (
            lambda: monthly_series(MeasureQuery("trade", "value_cny", YTD, by="partner")),
            "series_by_not_allowed",
            "by",
        ),
        (
            lambda: monthly_series(
                MeasureQuery("trade", "value_cny", YTD), Month(2020, 5), Month(2020, 1)
            ),
            "invalid_month_range",
            "last",
        ),
        (
            lambda: summary(MeasureQuery("trade", "value_cny", YTD, by="partner")),
            "summary_by_not_allowed",
            "by",
        ),
        (
            lambda: share(
                MeasureQuery("trade", "value_cny", YTD),
                MeasureQuery("trade", "value_cny", Year(2020)),
            ),
            "whole_period_differs",
            "whole.period",
        ),
        (
            lambda: share(
                MeasureQuery("trade", "value_cny", YTD),
                MeasureQuery("trade", "value_cny", YTD, by="flow"),
            ),
            "whole_by_not_allowed",
            "whole.by",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_queries_are_invalid_input_in_both_languages(
    make: Callable[[], Any], code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        make()
    error = caught.value
    assert error.code == code
    assert error.message.zh and error.message.en and error.message.zh != error.message.en
    assert any("\u4e00" <= c <= "\u9fff" for c in error.message.zh)  # Chinese
    assert not any("\u4e00" <= c <= "\u9fff" for c in error.message.en)  # English only
    assert error.problems[0].location.field == field


def test_group_error_names_the_dataset_and_the_datasets_with_countries() -> None:
    with pytest.raises(InvalidInput) as caught:
        MeasureQuery("port", "cargo_tonnes", YTD, group="china_ceec")
    assert "港口吞吐量" in caught.value.message.zh
    assert "'port' has no country field" in caught.value.message.en
    assert "trade, odi, fdi, rail" in caught.value.message.en


def test_unknown_country_suggests() -> None:
    with pytest.raises(UnknownCountry) as caught:
        MeasureQuery("trade", "value_cny", YTD, filters={"partner": "Vietnum"})
    assert caught.value.suggestions[0] == "Vietnam"
    assert caught.value.problems[0].location.field == "filters.partner"


def test_target_progress() -> None:
    # Wenzhou market procurement: exports of 30亿美元 targeted; say 24亿 so far.
    progress = target_progress(2_400_000_000, 3_000_000_000)
    assert progress.percent_of_target == 80.0  # 2.4 / 3.0 * 100
    assert progress.remaining == 600_000_000
    assert not progress.met
    done = target_progress(3.3e9, 3e9)
    assert done.met
    assert done.remaining == 0
    assert done.percent_of_target == close(110.00000000000001)  # 3.3e9 / 3e9 * 100
    with pytest.raises(InvalidInput):
        target_progress(1, 0)
    with pytest.raises(InvalidInput):
        target_progress(True, 3)


# -- The same figures on DuckDB, on Spark and in plain Python -----------------------------------

PARTNERS = ["PL", "LT", "GR", "EE", "HU", "GB", "DE", "VN", "TH", "KZ", "RU", "US"]
FLOWS = ["export", "import"]
HS = ["8501", "6110", None]
V1, V2 = datetime(2023, 1, 15, tzinfo=UTC), datetime(2023, 3, 1, tzinfo=UTC)
BETWEEN = datetime(2023, 2, 1, tzinfo=UTC)
ALL_MONTHS = [date(y, m, 1) for y in range(2019, 2023) for m in range(1, 13)]
REVISED = [date(2020, 4, 1), date(2019, 5, 1), date(2022, 8, 1)]  # republished in vintage 2
UNCOMMITTED = date(2020, 5, 1)  # vintage 3 wrote rows of May 2020, and never committed


def imports_of(month: date, *, uncommitted: bool) -> tuple[int, ...]:
    """The vintages that wrote rows of ``month``."""
    if month in REVISED:
        return (1, 2)
    if uncommitted and month == UNCOMMITTED:
        return (1, 3)
    return (1,)


@dataclass
class World:
    """Seeded random data with revisions: rows by dataset, and the vintage records."""

    rows: dict[str, list[dict[str, Any]]]
    records: list[tuple[str, date, int, datetime]]

    @property
    def vintage_periods(self) -> pa.Table:
        return vintage_periods(self.records)


def make_world(seed: int = 20200531) -> World:
    rng = random.Random(seed)
    trade_rows: list[dict[str, Any]] = []
    for d in ALL_MONTHS:
        for vintage in imports_of(d, uncommitted=True):
            for partner in PARTNERS:
                for flow in FLOWS:
                    for hs in HS:
                        if rng.random() < 0.15:
                            continue
                        row = trade(d, partner, flow, rng.randint(1, 2_000_000_000), hs)
                        row["vintage"] = vintage
                        trade_rows.append(row)
    odi_rows = []
    for d in ALL_MONTHS:
        for vintage in imports_of(d, uncommitted=False):
            for k in range(rng.randint(0, 4)):
                odi_rows.append(
                    {
                        "filing_date": date(d.year, d.month, rng.randint(1, 28)),
                        "enterprise": f"E{k}",
                        "destination": rng.choice(PARTNERS),
                        "project": f"P{vintage}-{k}",
                        "amount_usd": rng.randint(1, 500_000_000),
                        "kind": rng.choice(["new", "additional"]),
                        "vintage": vintage,
                    }
                )
    records = [(ds, d, 1, V1) for ds in ("trade", "odi") for d in ALL_MONTHS]
    records += [(ds, d, 2, V2) for ds in ("trade", "odi") for d in REVISED]
    # Vintage 3 (trade, May 2020) is in the files but was never committed: not listed.
    return World({"trade": trade_rows, "odi": odi_rows}, records)


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


@pytest.fixture
def world_store(analytical: AnalyticalStore, world: World) -> AnalyticalStore:
    for name, rows in world.rows.items():
        dataset = DATASETS[name]
        for vintage in (1, 2, 3):  # one write per import
            part = [r for r in rows if r["vintage"] == vintage]
            if part:
                analytical.write(name, table_of(dataset, part))
    return analytical


@dataclass(frozen=True)
class Case:
    """A measure and its arguments, so that the reference can compute the same thing."""

    name: str
    kind: str
    query: MeasureQuery
    whole: MeasureQuery | None = None
    n: int = 10
    first: Month | None = None
    last: Month | None = None
    groups: tuple[str, ...] = ()

    def measure(self) -> Measure:
        if self.kind == "year_on_year_by_group":
            return year_on_year_by_group(self.query, self.groups)
        if self.kind == "top_n":
            return top_n(self.query, self.n)
        if self.kind == "monthly_series":
            return monthly_series(self.query, self.first, self.last)
        if self.kind in ("share", "contribution", "summary"):
            return PART_WHOLE[self.kind](self.query, self.whole)
        return SIMPLE[self.kind](self.query)

    def expected(self, reference: Reference) -> list[dict[str, Any]]:
        if self.kind == "year_on_year_by_group":
            return reference.year_on_year_by_group(self.query, self.groups)
        if self.kind == "top_n":
            return reference.top_n(self.query, self.n)
        if self.kind == "monthly_series":
            months = self.query.months
            return reference.monthly_series(
                self.query, self.first or months[0], self.last or months[-1]
            )
        if self.kind in ("share", "contribution", "summary"):
            return getattr(reference, self.kind)(self.query, self.whole)
        return getattr(reference, self.kind)(self.query)


SIMPLE: dict[str, Callable[[MeasureQuery], Measure]] = {
    "total": total,
    "year_on_year": year_on_year,
}
PART_WHOLE: dict[str, Callable[[MeasureQuery, MeasureQuery | None], Measure]] = {
    "share": share,
    "contribution": contribution,
    "summary": summary,
}


def q(dataset: str, value: str, period: Period, **kwargs: Any) -> MeasureQuery:
    return MeasureQuery(dataset, value, period, **kwargs)


# Every measure, over queries that exercise groups, membership changes, filters, breakdowns,
# revisions (as_of between the vintages), an uncommitted vintage, null keys, ODI's dates,
# and periods with unpublished months.
CASES = [
    Case("total-ytd-along", "total", q("trade", "value_cny", YTD, group=AROUND)),
    Case("total-ytd-before-revision", "total", q("trade", "value_cny", YTD, as_of=BETWEEN)),
    Case(
        "total-2022-ceec-by-partner",
        "total",
        q("trade", "value_cny", Year(2022), group="china_ceec", by="partner"),
    ),
    Case("total-h1-2023-unpublished", "total", q("trade", "value_cny", YearToDate(2023, 6))),
    Case("yoy-ytd-along", "year_on_year", q("trade", "value_cny", YTD, group=AROUND)),
    Case(
        "yoy-ytd-along-before-revision",
        "year_on_year",
        q("trade", "value_cny", YTD, group=AROUND, as_of=BETWEEN),
    ),
    Case(
        "yoy-q2-2021-ceec-by-flow",
        "year_on_year",
        q(
            "trade",
            "value_cny",
            Quarter(2021, 2),
            group="china_ceec",
            by="flow",
            filters={"hs_code": ("8501", "6110")},
        ),
    ),
    Case("yoy-2019-unpublished-previous", "year_on_year", q("trade", "value_cny", Year(2019))),
    Case(
        "yoy-by-group",
        "year_on_year_by_group",
        q("trade", "value_cny", YearToDate(2022, 8), filters={"flow": "export"}),
        groups=("eu", "china_ceec", AROUND, "gcc"),
    ),
    Case(
        "yoy-by-group-before-revision",
        "year_on_year_by_group",
        q("trade", "value_cny", YTD, as_of=BETWEEN),
        groups=(AROUND, "china_ceec"),
    ),
    Case("yoy-by-hs-code", "year_on_year", q("trade", "value_cny", Month(2020, 4), by="hs_code")),
    Case("share-ytd-ceec", "share", q("trade", "value_cny", YTD, group="china_ceec")),
    Case(
        "share-2021-along-by-partner",
        "share",
        q("trade", "value_cny", Year(2021), group=AROUND, by="partner"),
    ),
    Case(
        "share-exports-eu-of-all",
        "share",
        q("trade", "value_cny", YearToDate(2022, 8), group="eu", filters={"flow": "export"}),
        q("trade", "value_cny", YearToDate(2022, 8)),
    ),
    Case(
        "contribution-2022-ceec",
        "contribution",
        q("trade", "value_cny", YearToDate(2022, 8), group="china_ceec"),
    ),
    Case(
        "contribution-by-partner",
        "contribution",
        q("trade", "value_cny", Year(2020), by="partner", filters={"flow": "import"}),
    ),
    Case("top-5-partners-2020", "top_n", q("trade", "value_cny", Year(2020), by="partner"), n=5),
    Case(
        "top-hs-along-before-revision",
        "top_n",
        q("trade", "value_cny", YTD, group=AROUND, by="hs_code", as_of=BETWEEN),
        n=3,
    ),
    Case(
        "series-ceec-2021-2023",
        "monthly_series",
        q("trade", "value_cny", Year(2021), group="china_ceec"),
        first=Month(2021, 1),
        last=Month(2023, 1),
    ),
    Case(
        "series-ytd-before-revision", "monthly_series", q("trade", "value_cny", YTD, as_of=BETWEEN)
    ),
    Case("summary-ytd-along", "summary", q("trade", "value_cny", YTD, group=AROUND)),
    Case(
        "summary-explicit-whole",
        "summary",
        q("trade", "value_cny", Quarter(2022, 3), group="eu", filters={"flow": "import"}),
        q("trade", "value_cny", Quarter(2022, 3), filters={"flow": "import"}),
    ),
    Case("odi-total-month", "total", q("odi", "amount_usd", Month(2020, 4))),
    Case("odi-yoy-ytd-along", "year_on_year", q("odi", "amount_usd", YTD, group=AROUND)),
    Case(
        "odi-top-destinations",
        "top_n",
        q("odi", "amount_usd", Year(2022), by="destination", filters={"kind": "新设"}),
        n=4,
    ),
    Case("odi-share-ceec", "share", q("odi", "amount_usd", Year(2021), group="china_ceec")),
]


class Reference:
    """The measures computed in plain Python from the rows, the membership intervals of
    ``silkhub.core.groups`` and the vintage records: no Ibis, no SQL."""

    def __init__(self, world: World) -> None:
        self.world = world

    def _latest(self, dataset: str, as_of: datetime | None) -> dict[date, int]:
        latest: dict[date, int] = {}
        for ds, period, vintage, published in self.world.records:
            if ds == dataset and (as_of is None or published <= as_of):
                latest[period] = max(vintage, latest.get(period, vintage))
        return latest

    @staticmethod
    def _month(dataset: Dataset, row: dict[str, Any]) -> date:
        day: date = row[dataset.period_field]
        return date(day.year, day.month, 1)

    def current_rows(self, dataset: str, as_of: datetime | None) -> list[dict[str, Any]]:
        ds, latest = DATASETS[dataset], self._latest(dataset, as_of)
        return [
            r for r in self.world.rows[dataset] if latest.get(self._month(ds, r)) == r["vintage"]
        ]

    @staticmethod
    def _member(group: str, country: str | None, month: date) -> bool:
        return any(m.alpha2 == country and m.active_on(month) for m in groups.memberships(group))

    def _sums(
        self, query: MeasureQuery, period: Period, *, group: bool = True, by: bool = True
    ) -> dict[Any, int]:
        """Raw sums per key (None without ``by``) of the current rows: only keys with rows."""
        ds = query.ds
        months = {m.start for m in period.months()}
        country = query.country_field
        sums: dict[Any, int] = defaultdict(int)
        for row in self.current_rows(query.dataset, query.as_of):
            month = self._month(ds, row)
            if month not in months:
                continue
            if any(row[f] not in values for f, values in query.filter_values.items()):
                continue
            if group and query.group and not self._member(query.group, row[country], month):
                continue
            if row[query.value] is None:
                continue
            sums[row[query.by] if by and query.by else None] += row[query.value]
        return dict(sums)

    def _complete(self, query: MeasureQuery, months: Iterable[Month]) -> bool:
        latest = self._latest(query.dataset, query.as_of)
        return all(m.start in latest for m in months)

    def _settle(self, query: MeasureQuery, period: Period, raw: int | None) -> int | None:
        return (raw or 0) if self._complete(query, period.months()) else None

    def _both(self, query: MeasureQuery, **kw: bool) -> tuple[dict[Any, int], dict[Any, int]]:
        return self._sums(query, query.period, **kw), self._sums(
            query, query.period.previous_year(), **kw
        )

    def _keys(self, *sums: dict[Any, int]) -> list[Any]:
        return sorted({k for s in sums for k in s}, key=lambda k: (k is not None, k or ""))

    def _cp(
        self, query: MeasureQuery, cur: dict[Any, int], prev: dict[Any, int], key: Any
    ) -> tuple[Any, Any]:
        return (
            self._settle(query, query.period, cur.get(key)),
            self._settle(query, query.period.previous_year(), prev.get(key)),
        )

    def total(self, query: MeasureQuery) -> list[dict[str, Any]]:
        sums = self._sums(query, query.period)
        keys = self._keys(sums) if query.by else [None]
        return [
            {**self._by(query, k), "value": self._settle(query, query.period, sums.get(k))}
            for k in keys
        ]

    @staticmethod
    def _by(query: MeasureQuery, key: Any) -> dict[str, Any]:
        return {query.by: key} if query.by else {}

    def year_on_year(self, query: MeasureQuery) -> list[dict[str, Any]]:
        cur, prev = self._both(query)
        keys = self._keys(cur, prev) if query.by else [None]
        out = []
        for k in keys:
            c, p = self._cp(query, cur, prev, k)
            out.append(
                {
                    **self._by(query, k),
                    "current": c,
                    "previous": p,
                    "growth_pct": growth(c, p),
                    "times": ratio(c, p),
                }
            )
        return out

    def year_on_year_by_group(
        self, query: MeasureQuery, codes: Iterable[str]
    ) -> list[dict[str, Any]]:
        out = []
        for code in sorted(set(codes)):
            [row] = self.year_on_year(replace(query, group=code))
            out.append({"group": code, **row})
        return out

    def _part_whole(
        self, query: MeasureQuery, whole: MeasureQuery | None
    ) -> list[tuple[Any, Any, Any, Any, Any]]:
        cur, prev = self._both(query)
        wq = whole or query
        wcur, wprev = self._both(wq, group=whole is not None, by=False)
        wc, wp = self._cp(wq, wcur, wprev, None)
        keys = self._keys(cur, prev) if query.by else [None]
        return [(k, *self._cp(query, cur, prev, k), wc, wp) for k in keys]

    def share(self, query: MeasureQuery, whole: MeasureQuery | None = None) -> list[dict[str, Any]]:
        out = []
        for k, pc, pp, wc, wp in self._part_whole(query, whole):
            now, before = pct(pc, wc), pct(pp, wp)
            out.append(
                {
                    **self._by(query, k),
                    "part_current": pc,
                    "whole_current": wc,
                    "share_pct": now,
                    "part_previous": pp,
                    "whole_previous": wp,
                    "previous_share_pct": before,
                    "change_pp": minus(now, before),
                }
            )
        return out

    def contribution(
        self, query: MeasureQuery, whole: MeasureQuery | None = None
    ) -> list[dict[str, Any]]:
        return [
            {
                **self._by(query, k),
                "part_current": pc,
                "part_previous": pp,
                "part_growth_pct": growth(pc, pp),
                "whole_current": wc,
                "whole_previous": wp,
                "whole_growth_pct": growth(wc, wp),
                "contribution_pp": pct(minus(pc, pp), wp),
            }
            for k, pc, pp, wc, wp in self._part_whole(query, whole)
        ]

    def summary(
        self, query: MeasureQuery, whole: MeasureQuery | None = None
    ) -> list[dict[str, Any]]:
        [(_, pc, pp, wc, wp)] = self._part_whole(query, whole)
        now, before = pct(pc, wc), pct(pp, wp)
        return [
            {
                "value": pc,
                "previous": pp,
                "growth_pct": growth(pc, pp),
                "times": ratio(pc, pp),
                "whole": wc,
                "whole_previous": wp,
                "whole_growth_pct": growth(wc, wp),
                "share_pct": now,
                "previous_share_pct": before,
                "share_change_pp": minus(now, before),
                "contribution_pp": pct(minus(pc, pp), wp),
            }
        ]

    def top_n(self, query: MeasureQuery, n: int) -> list[dict[str, Any]]:
        cur, prev = self._both(query)
        all_keys_total = self._settle(query, query.period, sum(cur.values()) if cur else None)
        items = []
        for k in cur:
            if k is None:
                continue
            c, p = self._cp(query, cur, prev, k)
            if c is not None:
                items.append((k, c, p))
        items.sort(key=lambda item: (-item[1], item[0]))
        return [
            {
                "rank": i,
                query.by: k,
                "value": c,
                "previous": p,
                "growth_pct": growth(c, p),
                "share_pct": pct(c, all_keys_total),
                "total": all_keys_total,
            }
            for i, (k, c, p) in enumerate(items[:n], start=1)
        ]

    def monthly_series(
        self, query: MeasureQuery, first: Month, last: Month
    ) -> list[dict[str, Any]]:
        out, m = [], first
        while m <= last:

            def figure(months: list[Month]) -> int | None:
                if not self._complete(query, months):
                    return None
                return sum(self._sums(query, k).get(None, 0) for k in months)

            earlier = m.previous_year()
            value, previous = figure([m]), figure([earlier])
            ytd = figure([Month(m.year, k) for k in range(1, m.month + 1)])
            ytd_prev = figure([Month(earlier.year, k) for k in range(1, m.month + 1)])
            out.append(
                {
                    "month": m.start,
                    "value": value,
                    "previous": previous,
                    "growth_pct": growth(value, previous),
                    "ytd_value": ytd,
                    "ytd_previous": ytd_prev,
                    "ytd_growth_pct": growth(ytd, ytd_prev),
                }
            )
            m = m.shift(1)
        return out


def ratio(a: Any, b: Any) -> float | None:
    return None if a is None or not b else a / b


def growth(a: Any, b: Any) -> float | None:
    r = ratio(a, b)
    return None if r is None else (r - 1) * 100


def pct(a: Any, b: Any) -> float | None:
    r = ratio(a, b)
    return None if r is None else r * 100


def minus(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a - b


def ordered_rows(names: list[str], rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as tuples of ``names``' values, sorted (nulls first)."""
    return sorted(tuple((r.get(n) is not None, r.get(n)) for n in names) for r in rows)


def assert_same_figures(
    actual: list[dict[str, Any]], wanted: list[dict[str, Any]], where: str
) -> None:
    """Integers and dates exactly; floats to 1e-12 relative; nulls as nulls."""
    assert len(actual) == len(wanted), (where, actual, wanted)
    for got, want in zip(actual, wanted, strict=True):
        assert list(got) == list(want), where
        for column, value in want.items():
            if isinstance(value, float):
                assert got[column] is not None, (where, column, want)
                assert math.isclose(got[column], value, rel_tol=1e-12, abs_tol=1e-12), (
                    where,
                    column,
                    got[column],
                    value,
                )
            else:
                assert got[column] == value, (where, column, got[column], value)


def test_duckdb_matches_plain_python(world_store: AnalyticalStore, world: World) -> None:
    reference = Reference(world)
    vp = world.vintage_periods
    nonempty = 0
    for case in CASES:
        result = run(world_store, case.measure(), vintage_periods=vp)
        wanted = case.expected(reference)
        assert_same_figures(result.to_pylist(), wanted, case.name)
        nonempty += any(v is not None for row in wanted for v in row.values())
    assert nonempty == len(CASES) - 1  # only the unpublished first half of 2023 is empty
    # The data really exercise the revisions and the uncommitted vintage.
    assert any(r["vintage"] == 3 for r in world.rows["trade"])
    assert len(reference.current_rows("trade", BETWEEN)) != len(
        reference.current_rows("trade", None)
    )


@pytest.mark.spark
def test_duckdb_and_spark_agree(
    world_store: AnalyticalStore, world: World, spark: SparkSession
) -> None:
    """Every measure, and the row-level vintage rule, on both engines and in plain Python."""
    from silkhub.stores.analytical_spark import SparkStore

    on_spark = SparkStore(world_store, spark)
    reference = Reference(world)
    vp = world.vintage_periods
    for case in CASES:
        m = case.measure()
        duck = run(world_store, m, vintage_periods=vp)
        sparks = run(on_spark, m, vintage_periods=vp)
        assert sparks.schema == duck.schema, case.name
        exact = [
            f.name for f in duck.schema if not pa.types.is_floating(f.type)
        ]  # integers, dates, text
        assert sparks.select(exact).equals(duck.select(exact)), case.name
        assert_same_figures(sparks.to_pylist(), duck.to_pylist(), case.name)
        assert_same_figures(sparks.to_pylist(), case.expected(reference), case.name)
        for name in m.tables:  # the extra tables were views for that one query only
            assert not spark.catalog.tableExists(name)

    for dataset, as_of in [("trade", BETWEEN), ("trade", None), ("odi", BETWEEN)]:
        ds = DATASETS[dataset]
        expr = current_rows(unbound(dataset, ds.arrow_schema()), vintage_periods_table(), ds, as_of)
        extra = {VINTAGE_PERIODS_TABLE: vp}
        keys = [(n, "ascending") for n in ds.arrow_schema().names]
        duck = world_store.execute(expr, extra=extra).sort_by(keys)
        sparks = on_spark.execute(expr, extra=extra).sort_by(keys)
        assert sparks.equals(duck), (dataset, as_of)
        names = ds.arrow_schema().names
        wanted = ordered_rows(names, reference.current_rows(dataset, as_of))
        assert ordered_rows(names, duck.to_pylist()) == wanted, (dataset, as_of)
    for view in ("trade", "odi"):
        spark.catalog.dropTempView(view)
