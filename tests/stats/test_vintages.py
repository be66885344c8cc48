"""Revisions: which vintage of each month a query reads, against real Parquet files.

The story of every test here: vintage 1 publishes January to May 2020 on 10 June; vintage 2
republishes April on 10 July with other numbers; vintage 3 wrote rows for May but its import
never committed, so it is not listed and must never be read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pytest

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import Month, YearToDate
from silkhub.stats.datasets import DATASETS
from silkhub.stats.measures import MeasureQuery, run, total
from silkhub.stats.vintages import (
    VINTAGE_PERIODS_ARROW_SCHEMA,
    VINTAGE_PERIODS_TABLE,
    check_as_of,
    conform_vintage_periods,
    current_rows,
    vintage_periods_table,
    vintages_used,
)
from silkhub.stores.analytical import AnalyticalStore, unbound

TRADE = DATASETS["trade"]
ODI = DATASETS["odi"]

V1_AT = datetime(2020, 6, 10, 2, 0, tzinfo=UTC)
V2_AT = datetime(2020, 7, 10, 2, 0, tzinfo=UTC)
BETWEEN = datetime(2020, 6, 20, tzinfo=UTC)  # after vintage 1, before vintage 2
AFTER = datetime(2020, 7, 20, tzinfo=UTC)


def trade_table(rows: list[tuple[date, str, int, int]]) -> pa.Table:
    """(month, partner, value_cny, vintage) export rows, every other field null."""
    return pa.Table.from_pylist(
        [
            {"month": m, "flow": "export", "partner": p, "value_cny": v, "vintage": vintage}
            for m, p, v, vintage in rows
        ],
        schema=TRADE.arrow_schema(),
    )


def vintage_periods(records: list[tuple[str, date, int, datetime]]) -> pa.Table:
    """(dataset, period, vintage, published_at) records, as the ingest hands them over."""
    columns = list(zip(*records, strict=True))
    return pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, VINTAGE_PERIODS_ARROW_SCHEMA, strict=True)],
        schema=VINTAGE_PERIODS_ARROW_SCHEMA,
    )


JAN_TO_MAY = [date(2020, m, 1) for m in range(1, 6)]

# Vintage 1: VN exports of 100 × the month's number (January 100 ... May 500): 1500 in all.
V1_ROWS = [(d, "VN", 100 * d.month, 1) for d in JAN_TO_MAY]
# Vintage 2 republishes April: VN 450 instead of 400, and a TH row of 50 (April: 500).
V2_ROWS = [(date(2020, 4, 1), "VN", 450, 2), (date(2020, 4, 1), "TH", 50, 2)]
# Vintage 3 never committed: its May rows are in the files but not listed.
V3_ROWS = [(date(2020, 5, 1), "VN", 99_999, 3)]

RECORDS = [("trade", d, 1, V1_AT) for d in JAN_TO_MAY] + [("trade", date(2020, 4, 1), 2, V2_AT)]


@pytest.fixture
def revised(analytical: AnalyticalStore) -> AnalyticalStore:
    # One write per import, as the ingest does: three files.
    for rows in (V1_ROWS, V2_ROWS, V3_ROWS):
        analytical.write("trade", trade_table(rows))
    return analytical


def current(store: AnalyticalStore, as_of: datetime | None) -> list[tuple[Any, ...]]:
    expr = current_rows(
        unbound("trade", TRADE.arrow_schema()), vintage_periods_table(), TRADE, as_of
    )
    table = store.execute(expr, extra={VINTAGE_PERIODS_TABLE: vintage_periods(RECORDS)})
    assert table.column_names == TRADE.arrow_schema().names  # every column of the data
    return sorted(
        (r["month"], r["partner"], r["value_cny"], r["vintage"]) for r in table.to_pylist()
    )


def test_before_the_revision_the_first_april_is_used(revised: AnalyticalStore) -> None:
    assert current(revised, BETWEEN) == sorted(V1_ROWS)


@pytest.mark.parametrize("as_of", [AFTER, None], ids=["after-revision", "now"])
def test_after_the_revision_the_new_april_replaces_the_old(
    revised: AnalyticalStore, as_of: datetime | None
) -> None:
    expected = sorted([r for r in V1_ROWS if r[0] != date(2020, 4, 1)] + V2_ROWS)
    assert current(revised, as_of) == expected
    assert all(r[3] != 3 for r in expected)  # the uncommitted vintage never shows


def test_nothing_is_current_before_the_first_publication(revised: AnalyticalStore) -> None:
    assert current(revised, V1_AT - timedelta(microseconds=1)) == []


def test_as_of_is_inclusive_and_time_zones_are_honoured(revised: AnalyticalStore) -> None:
    # 10:00 in Beijing on 10 July is 02:00 UTC: the moment vintage 2 was published.
    beijing = timezone(timedelta(hours=8))
    at_publication = datetime(2020, 7, 10, 10, 0, tzinfo=beijing)
    assert (date(2020, 4, 1), "TH", 50, 2) in current(revised, at_publication)
    just_before = at_publication - timedelta(microseconds=1)
    assert (date(2020, 4, 1), "VN", 400, 1) in current(revised, just_before)


def test_measures_follow_the_revision(revised: AnalyticalStore) -> None:
    vp = vintage_periods(RECORDS)

    def ytd(as_of: datetime | None) -> Any:
        query = MeasureQuery("trade", "value_cny", YearToDate(2020, 5), as_of=as_of)
        return run(revised, total(query), vintage_periods=vp).column("value").to_pylist()

    assert ytd(BETWEEN) == [1500]  # 100 + 200 + 300 + 400 + 500
    assert ytd(AFTER) == [1600]  # 100 + 200 + 300 + (450 + 50) + 500
    assert ytd(None) == [1600]
    # Before anything is published the figure is unknown, not 0.
    assert ytd(V1_AT - timedelta(seconds=1)) == [None]


def test_vintages_used_names_each_month_and_the_gaps() -> None:
    vp = vintage_periods(RECORDS)
    months = [Month(2020, m) for m in (6, 4, 1, 2, 3, 5)]  # any order, June never published

    before = vintages_used(vp, TRADE, months, BETWEEN).to_pylist()
    assert [r["period"] for r in before] == [date(2020, m, 1) for m in range(1, 7)]
    assert [r["vintage"] for r in before] == [1, 1, 1, 1, 1, None]
    assert before[3]["published_at"] == V1_AT
    assert before[5]["published_at"] is None
    assert {r["dataset"] for r in before} == {"trade"}

    after = vintages_used(vp, TRADE, months, None).to_pylist()
    assert [r["vintage"] for r in after] == [1, 1, 1, 2, 1, None]
    assert after[3]["published_at"] == V2_AT
    # Other datasets' records are not this dataset's.
    assert [r["vintage"] for r in vintages_used(vp, ODI, months, None).to_pylist()] == [None] * 6


ODI_RECORDS = [
    ("odi", date(2020, 4, 1), 1, V1_AT),
    ("odi", date(2020, 5, 1), 1, V1_AT),
    ("odi", date(2020, 5, 1), 2, V2_AT),
    ("trade", date(2020, 6, 1), 1, V1_AT),  # June is listed for trade, not for ODI
]


def odi_table(rows: list[tuple[date, str, int, int]]) -> pa.Table:
    """(filing_date, project, amount_usd, vintage) filings to Kazakhstan."""
    return pa.Table.from_pylist(
        [
            {
                "filing_date": d,
                "enterprise": "浙江某公司",
                "destination": "KZ",
                "project": project,
                "amount_usd": amount,
                "vintage": vintage,
            }
            for d, project, amount, vintage in rows
        ],
        schema=ODI.arrow_schema(),
    )


def test_odi_periods_are_the_months_of_the_filing_dates(analytical: AnalyticalStore) -> None:
    analytical.write(
        "odi",
        odi_table(
            [
                (date(2020, 4, 30), "a", 80, 1),  # April
                (date(2020, 5, 1), "b", 10, 1),  # May, first day
                (date(2020, 5, 31), "c", 20, 1),  # May, last day
                (date(2020, 6, 1), "d", 40, 1),  # June: no ODI record for June
            ]
        ),
    )
    analytical.write(
        "odi", odi_table([(date(2020, 5, 3), "b", 11, 2), (date(2020, 5, 20), "e", 22, 2)])
    )
    vp = vintage_periods(ODI_RECORDS)

    def rows(as_of: datetime | None) -> list[tuple[Any, ...]]:
        expr = current_rows(unbound("odi", ODI.arrow_schema()), vintage_periods_table(), ODI, as_of)
        table = analytical.execute(expr, extra={VINTAGE_PERIODS_TABLE: vp})
        return sorted((r["filing_date"], r["amount_usd"]) for r in table.to_pylist())

    assert rows(BETWEEN) == [
        (date(2020, 4, 30), 80),
        (date(2020, 5, 1), 10),
        (date(2020, 5, 31), 20),
    ]
    # Vintage 2 replaces the whole of May, whatever the days of its filings.
    assert rows(None) == [(date(2020, 4, 30), 80), (date(2020, 5, 3), 11), (date(2020, 5, 20), 22)]

    def may(as_of: datetime | None) -> Any:
        query = MeasureQuery("odi", "amount_usd", Month(2020, 5), as_of=as_of)
        return run(analytical, total(query), vintage_periods=vp).column("value")[0].as_py()

    assert may(BETWEEN) == 30  # 10 + 20
    assert may(None) == 33  # 11 + 22


def test_vintage_periods_are_conformed() -> None:
    raw = pa.table(
        {
            "published_at": pa.array(
                [datetime(2020, 6, 10, 10, tzinfo=timezone(timedelta(hours=8)))],
                pa.timestamp("ns", tz="Asia/Shanghai"),
            ),
            "vintage": pa.array([1], pa.int32()),
            "period": pa.array([date(2020, 5, 1)], pa.date32()),
            "dataset": ["trade"],
            "note": ["extra columns are dropped"],
        }
    )
    table = conform_vintage_periods(raw)
    assert table.schema == VINTAGE_PERIODS_ARROW_SCHEMA
    # 10:00 in Shanghai is 02:00 UTC; nanoseconds become microseconds, int32 int64.
    assert table.to_pylist() == [
        {"dataset": "trade", "period": date(2020, 5, 1), "vintage": 1, "published_at": V1_AT}
    ]


@pytest.mark.parametrize(
    ("table", "code"),
    [
        (pa.table({"dataset": ["trade"], "period": [date(2020, 1, 1)]}), "vintage_periods_columns"),
        (
            pa.table(
                {
                    "dataset": ["trade"],
                    "period": [date(2020, 1, 1)],
                    "vintage": [1],
                    "published_at": pa.array([datetime(2020, 1, 1)], pa.timestamp("us")),
                }
            ),
            "vintage_periods_timezone",
        ),
        (
            pa.table(
                {
                    "dataset": ["trade"],
                    "period": [date(2020, 1, 1)],
                    "vintage": ["one"],
                    "published_at": pa.array([V1_AT], pa.timestamp("us", tz="UTC")),
                }
            ),
            "vintage_periods_types",
        ),
    ],
    ids=["missing-columns", "naive-timestamps", "wrong-types"],
)
def test_bad_vintage_periods_are_refused(table: pa.Table, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        conform_vintage_periods(table)
    assert caught.value.code == code
    assert caught.value.message.zh and caught.value.message.en
    assert caught.value.message.zh != caught.value.message.en


def test_as_of_must_have_a_time_zone() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_as_of(datetime(2020, 7, 1))
    assert caught.value.code == "naive_as_of"
    assert "时区" in caught.value.message.zh
    assert "time zone" in caught.value.message.en
    assert caught.value.problems[0].location.field == "as_of"
    beijing = datetime(2020, 7, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    assert check_as_of(beijing) == datetime(2020, 7, 1, tzinfo=UTC)
    assert check_as_of(None) is None
