"""Validation: raw cells to typed rows, exactly scaled, or a report of every problem."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from silkhub.core.errors import Problem, Report, Severity
from silkhub.stats import validate_lookups
from silkhub.stats.datasets import DATASETS
from silkhub.stats.mapping import Mapping, default_mapping, parse_mapping, shipped_mapping
from silkhub.stats.raw import ROW_COLUMN, RawTable
from silkhub.stats.validate import (
    UNKNOWN_COUNTRY,
    report_to_csv,
    validate,
    validate_raw,
)
from silkhub.stats.validate_values import read_month
from tests.stats.test_mapping import raw_table

TODAY = date(2026, 11, 28)
TRADE_HEADERS = ["月份", "进出口", "国别（地区）", "金额（万元）"]


def run(
    headers: Sequence[str],
    rows: Sequence[Sequence[str | None]],
    mapping: Mapping | str = "trade",
    *,
    max_problems: int = 1000,
    today: date = TODAY,
    sheet: str | None = None,
) -> tuple[Any, Report]:
    """Resolve with the mapping (a dataset name: its default mapping), then validate."""
    if isinstance(mapping, str):
        mapping = default_mapping(mapping)
    raw = raw_table(headers, rows, sheet=sheet)
    return validate_raw(raw, mapping, today=today, max_problems=max_problems)


def ok(
    headers: Sequence[str], rows: Sequence[Sequence[str | None]], mapping: Mapping | str = "trade"
) -> Any:
    table, report = run(headers, rows, mapping)
    assert report.errors == [], [p.describe("en") for p in report.errors]
    assert table is not None
    return table


def errors(
    headers: Sequence[str],
    rows: Sequence[Sequence[str | None]],
    mapping: Mapping | str = "trade",
    **kw: Any,
) -> list[Problem]:
    table, report = run(headers, rows, mapping, **kw)
    assert table is None
    assert report.errors
    return report.errors


def codes(problems: Report | Sequence[Problem]) -> list[str]:
    return [p.code for p in problems]


def trade(value: str, unit_header: str = "金额（万元）") -> Any:
    return ok(["月份", "进出口", "国别", unit_header], [["2020-05", "出口", "德国", value]])


def mapping_from(text: str) -> Mapping:
    mapping, report = parse_mapping(text, source="m.toml")
    assert mapping is not None, [p.describe("en") for p in report]
    return mapping


# --- the typed table ------------------------------------------------------------------------


def test_clean_file_gives_the_stored_schema_and_no_problem() -> None:
    table, report = run(
        ["月份", "进出口", "国别（地区）", "商品编码", "地市", "金额（万元）", "金额（千美元）"],
        [
            ["2020-05", "出口", "德国", "8517.12", "杭州", "3909.12", "550.3"],
            ["2020-05", "进口", "Kazakhstan", "27", "宁波", "0.01", ""],
        ],
    )
    assert list(report) == []
    expected = pa.schema([f for f in DATASETS["trade"].arrow_schema() if f.name != "vintage"])
    assert table.schema == expected
    assert table.to_pylist() == [
        {
            "month": date(2020, 5, 1),
            "flow": "export",
            "partner": "DE",
            "hs_code": "851712",
            "region": "杭州",
            "trade_mode": None,
            "value_cny": 39091200,
            "value_usd": 550300,
            "quantity": None,
            "quantity_unit": None,
        },
        {
            "month": date(2020, 5, 1),
            "flow": "import",
            "partner": "KZ",
            "hs_code": "27",
            "region": "宁波",
            "trade_mode": None,
            "value_cny": 100,
            "value_usd": None,
            "quantity": None,
            "quantity_unit": None,
        },
    ]


def test_rows_keep_the_file_order() -> None:
    rows = [["2020-05", "出口", c, "1"] for c in ("法国", "德国", "奥地利", "意大利")]
    table = ok(TRADE_HEADERS, rows)
    assert table.column("partner").to_pylist() == ["FR", "DE", "AT", "IT"]


# --- exact scaling --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "text", "stored", "field"),
    [
        ("金额（万元）", "3909.12", 39091200, "value_cny"),
        ("金额（万元）", "0.01", 100, "value_cny"),
        ("金额（万元）", "0.00005", 1, "value_cny"),  # half a yuan rounds up
        ("金额（万元）", "0.00004", 0, "value_cny"),
        ("金额（万元）", "123456789.123456", 1234567891235, "value_cny"),
        ("金额（亿元）", "1.23456789", 123456789, "value_cny"),
        ("金额（亿元）", "0.01", 1000000, "value_cny"),
        ("金额（亿元）", "49000.5", 4900050000000, "value_cny"),
        ("金额（元）", "2.5", 3, "value_cny"),
        ("金额（千美元）", "0.01", 10, "value_usd"),
        ("金额（千美元）", "1234.5675", 1234568, "value_usd"),
        ("金额（美元）", "1", 1, "value_usd"),
        ("金额（亿美元）", "3.14159265", 314159265, "value_usd"),
        ("金额（亿美元）", "90000000000.01", 9000000000001000000, "value_usd"),  # past 10^12
    ],
)
def test_money_is_scaled_exactly_to_whole_units(
    header: str, text: str, stored: int, field: str
) -> None:
    assert trade(text, header).column(field).to_pylist() == [stored]


def test_tonnes_and_teu_are_scaled_from_ten_thousands() -> None:
    table = ok(
        ["月份", "港口", "货物吞吐量（万吨）", "集装箱吞吐量（万标箱）", "外贸货物吞吐量（千克）"],
        [
            ["2020-05", "宁波舟山港", "1.2345", "2.4466", "1500"],
            ["2020-06", "宁波舟山港", "0.0001", "0.00005", ""],
        ],
        "port",
    )
    assert table.column("cargo_tonnes").to_pylist() == [12345.0, 1.0]
    assert table.column("containers_teu").to_pylist() == [24466, 1]
    assert table.column("foreign_trade_tonnes").to_pylist() == [1.5, None]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("1,234.5", 12345000),
        ("1，234", 12340000),
        ("１２３", 1230000),
        ("１，２３４．５", 12345000),
        ("  42 ", 420000),
        ("\u300042\u3000", 420000),
        ("1 234", 12340000),
        ("+7", 70000),
        ("1.5E3", 15000000),
    ],
)
def test_numbers_as_people_write_them(text: str, stored: int) -> None:
    assert trade(text).column("value_cny").to_pylist() == [stored]


@pytest.mark.parametrize("text", ["-", "—", "…", "", "  ", "--", "——", None])
def test_placeholders_are_empty(text: str | None) -> None:
    table = ok(
        ["月份", "进出口", "国别", "金额（万元）", "金额（千美元）"],
        [["2020-05", "出口", "德国", text, "1"]],
    )
    assert table.column("value_cny").to_pylist() == [None]
    assert table.column("value_usd").to_pylist() == [1000]


# --- number problems ------------------------------------------------------------------------


def test_text_in_a_number_column() -> None:
    (problem,) = errors(
        TRADE_HEADERS, [["2020-05", "出口", "德国", "1"], ["2020-05", "进口", "德国", "12a"]]
    )
    assert problem.code == "not_a_number"
    assert problem.value == "12a"
    assert problem.location.row == 3
    assert problem.location.column == "金额（万元）"
    assert problem.location.file == "x.csv"
    assert "12a" in problem.message.zh
    assert "12a" in problem.message.en


def test_negative_values() -> None:
    (problem,) = errors(TRADE_HEADERS, [["2020-05", "出口", "德国", "-3.5"]])
    assert (problem.code, problem.value, problem.location.row) == ("negative_value", "-3.5", 2)
    (full_width,) = errors(TRADE_HEADERS, [["2020-05", "出口", "德国", "－３"]])
    assert full_width.code == "negative_value"


def test_values_too_large_to_store() -> None:
    (problem,) = errors(TRADE_HEADERS, [["2020-05", "出口", "德国", "9" * 16]])
    assert problem.code == "value_out_of_range"
    (huge,) = errors(TRADE_HEADERS, [["2020-05", "出口", "德国", "1" * 30]])
    assert huge.code == "value_out_of_range"


def test_counts_must_be_whole() -> None:
    problems = errors(
        ["月份", "线路", "方向", "开行列数", "标箱"],
        [
            ["2020-05", "义新欧", "去程", "12.5", "100"],
            ["2020-06", "义新欧", "去程", "12.0", "100"],
        ],
        "rail",
    )
    assert [(p.code, p.location.row) for p in problems] == [("not_a_whole_number", 2)]


# --- months and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2020-05",
        "2020-5",
        "2020/5",
        "2020/05",
        "2020.05",
        "202005",
        "2020年5月",
        "2020年05月",
        "2020 年 5 月",
        "2020年5月份",
        "２０２０年５月",
        "2020-05-01",
        "2020/5/1",
        "2020-05-01 00:00:00",
        "2020-05-31T00:00:00",
        "20200501",
        "May 2020",  # parse_period, on the distinct value
        "2020M05".replace("M", "-"),
    ],
)
def test_months_as_people_write_them(text: str) -> None:
    table = ok(TRADE_HEADERS, [[text, "出口", "德国", "1"]])
    assert table.column("month").to_pylist() == [date(2020, 5, 1)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2020年13月", "invalid_period"),
        ("202013", "invalid_period"),
        ("五月", "invalid_period"),
        ("2020-02-30", "invalid_period"),
        ("1850-05", "invalid_period"),
        ("2020年1-5月", "not_a_month"),
        ("2020Q2", "not_a_month"),
        ("2020", "not_a_month"),
    ],
)
def test_months_that_are_not_months(text: str, code: str) -> None:
    (problem,) = errors(TRADE_HEADERS, [[text, "出口", "德国", "1"]])
    assert (problem.code, problem.value, problem.location.column) == (code, text, "月份")


def test_months_after_today_are_refused() -> None:
    rows = [
        ["2026-11", "出口", "德国", "1"],
        ["2026-12", "出口", "德国", "1"],
        ["2027-01", "出口", "法国", "1"],
    ]
    problems = errors(TRADE_HEADERS, rows)
    assert [(p.code, p.value, p.location.row) for p in problems] == [
        ("future_period", "2026-12", 3),
        ("future_period", "2027-01", 4),
    ]
    assert "2026-11-28" in problems[0].message.en


def test_the_slow_path_reads_each_distinct_month_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(text: str) -> Any:
        calls.append(text)
        return read_month(text)

    monkeypatch.setattr(validate_lookups, "read_month", counting)
    # 300 rows of one month SQL does not read (parse_period does), 1 of one it reads.
    rows = [["May 2020", "出口", "德国", "1"] for _ in range(300)]
    headers = [*TRADE_HEADERS, "商品编码"]
    rows = [[*r, str(10 + i)] for i, r in enumerate(rows)]
    _, report = run(headers, [*rows, ["2020-06", "出口", "德国", "1", "10"]])
    assert report.errors == []
    assert calls == ["May 2020"]


def test_odi_dates() -> None:
    headers = ["备案日期", "企业名称", "投资目的国（地区）", "项目名称", "中方投资额（万美元）"]
    rows = [
        ["2020-05-13", "甲公司", "Hungary", "一", "12.5"],
        ["2020/5/14", "甲公司", "匈牙利", "二", "1"],
        ["2020年5月15日", "乙公司", "HU", "三", "1"],
        ["20200516", "乙公司", "HUN", "四", "1"],
        ["2020-05-17 00:00:00", "乙公司", "348", "五", "1"],
    ]
    table = ok(headers, rows, "odi")
    assert table.column("filing_date").to_pylist() == [date(2020, 5, d) for d in range(13, 18)]
    assert table.column("destination").to_pylist() == ["HU"] * 5
    assert table.column("amount_usd").to_pylist() == [125000, 10000, 10000, 10000, 10000]
    problems = errors(
        headers,
        [
            ["2020-02-30", "甲", "匈牙利", "一", "1"],
            ["2020-05", "甲", "匈牙利", "二", "1"],
            ["2026-11-29", "甲", "匈牙利", "三", "1"],
        ],
        "odi",
    )
    assert [(p.code, p.location.row) for p in problems] == [
        ("invalid_date", 2),
        ("invalid_date", 3),
        ("future_period", 4),
    ]


# --- countries ------------------------------------------------------------------------------


def test_countries_resolve_to_alpha2() -> None:
    names = ["德国", "Germany", "DE", "DEU", "276", "捷克", "Czech Rep.", "俄罗斯联邦", "  法国 "]
    rows = [["2020-05", "出口", n, "1"] for n in names]
    for i, row in enumerate(rows):
        row[0] = f"2020-{i + 1:02d}"
    table = ok(TRADE_HEADERS, rows)
    assert table.column("partner").to_pylist() == ["DE"] * 5 + ["CZ", "CZ", "RU", "FR"]


def test_unknown_country_is_reported_once_per_name_with_its_rows_and_suggestions() -> None:
    rows = [[f"2019-{m:02d}", "出口", "Germny", "1"] for m in range(1, 13)]
    rows += [[f"2018-{m:02d}", "出口", "Germny", "1"] for m in range(1, 4)]
    rows += [["2020-01", "出口", "德国", "1"], ["2020-02", "出口", "亚特兰蒂斯", "1"]]
    problems = errors(TRADE_HEADERS, rows)
    assert codes(problems) == ["unknown_country", "unknown_country"]
    germny, atlantis = problems
    assert germny.value == "Germny"
    assert germny.location.row == 2
    assert germny.location.column == "国别（地区）"
    assert "Germany" in germny.message.en
    assert "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...; 15 in all" in germny.message.en
    assert "共15行" in germny.message.zh
    assert "12," not in germny.message.en  # ten rows listed, not more
    assert atlantis.value == "亚特兰蒂斯"
    assert atlantis.location.row == 18
    assert "(row 18)" in atlantis.message.en


@pytest.mark.parametrize(
    "bucket", ["其他", "其它国家", "Other", "others", "未知", "Rest of World", "ZZ"]
)
def test_other_partners_are_kept_as_zz(bucket: str) -> None:
    rows = [["2020-05", "出口", "德国", "100"], ["2020-05", "出口", bucket, "5"]]
    table, report = run(TRADE_HEADERS, rows)
    assert table is not None
    assert table.column("partner").to_pylist() == ["DE", UNKNOWN_COUNTRY]
    assert codes(report) == []  # 5 of 105: under 5%


def test_a_large_share_of_other_partners_is_warned_about() -> None:
    rows = [["2020-05", "出口", "德国", "90"], ["2020-05", "出口", "其他", "10"]]
    table, report = run(TRADE_HEADERS, rows)
    assert table is not None  # a warning does not block
    (warning,) = report.problems
    assert warning.code == "unknown_partner_share"
    assert warning.severity is Severity.WARNING
    assert warning.value == 0.1
    assert "10.0%" in warning.message.en
    assert warning.location.column == "国别（地区）"


# --- choices, HS codes, required fields -----------------------------------------------------


def test_choices_accept_value_labels_and_aliases_in_any_case() -> None:
    spellings = [
        "export",
        "EXPORT",
        "出口",
        "Exports",
        "x",
        "出",
        "import",
        "进口",
        "Imports",
        " M ",
    ]
    rows = [
        [f"2020-{i + 1:02d}" if i < 12 else "2020-01", s, "德国", "1"]
        for i, s in enumerate(spellings)
    ]
    table = ok(TRADE_HEADERS, rows)
    assert table.column("flow").to_pylist() == ["export"] * 6 + ["import"] * 4


def test_an_unknown_choice_is_reported_once_per_value() -> None:
    rows = [
        ["2020-05", "转口", "德国", "1"],
        ["2020-06", "转口", "德国", "1"],
        ["2020-07", "出口", "德国", "1"],
    ]
    (problem,) = errors(TRADE_HEADERS, rows)
    assert (problem.code, problem.value, problem.location.row) == ("invalid_choice", "转口", 2)
    assert "出口" in problem.message.zh
    assert "export" in problem.message.en
    assert "rows 2, 3; 2 in all" in problem.message.en


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("8517.12", "851712"),
        ("85 17", "8517"),
        ("85", "85"),
        ("8517120090", "8517120090"),
        ("８５１７", "8517"),
    ],
)
def test_hs_codes(text: str, stored: str) -> None:
    table = ok(
        ["月份", "进出口", "国别", "HS编码", "金额（万元）"],
        [["2020-05", "出口", "德国", text, "1"]],
    )
    assert table.column("hs_code").to_pylist() == [stored]


@pytest.mark.parametrize("text", ["8", "85A", "85171200901", "85-17"])
def test_bad_hs_codes(text: str) -> None:
    (problem,) = errors(
        ["月份", "进出口", "国别", "HS编码", "金额（万元）"],
        [["2020-05", "出口", "德国", text, "1"]],
    )
    assert (problem.code, problem.value, problem.location.column) == (
        "invalid_hs_code",
        text,
        "HS编码",
    )


def test_required_field_empty() -> None:
    problems = errors(TRADE_HEADERS, [["2020-05", "出口", "", "1"], ["2020-05", "出口", "-", "2"]])
    assert [(p.code, p.location.row, p.location.column) for p in problems] == [
        ("missing_value", 2, "国别（地区）"),
        ("missing_value", 3, "国别（地区）"),
    ]


def test_a_row_without_any_measure() -> None:
    headers = ["月份", "进出口", "国别", "金额（万元）", "金额（千美元）"]
    problems = errors(
        headers, [["2020-05", "出口", "德国", "", "—"], ["2020-05", "进口", "德国", "1", ""]]
    )
    assert [(p.code, p.location.row) for p in problems] == [("no_measure", 2)]


def test_duplicated_rows_name_both_rows() -> None:
    rows = [
        ["2020-05", "出口", "德国", "1"],
        ["2020-05", "出口", "法国", "1"],
        ["2020年5月", "export", "Germany", "2"],  # the same key, written otherwise
        ["2020-05", "进口", "德国", "1"],
    ]
    (problem,) = errors(TRADE_HEADERS, rows)
    assert (problem.code, problem.location.row) == ("duplicate_row", 4)
    assert "Row 4 duplicates row 2" in problem.message.en
    assert "第4行与第2行重复" in problem.message.zh
    assert "month=2020-05" in problem.value


def test_rows_differing_in_an_optional_key_are_not_duplicates() -> None:
    headers = ["月份", "进出口", "国别", "HS编码", "金额（万元）"]
    rows = [
        ["2020-05", "出口", "德国", "85", "1"],
        ["2020-05", "出口", "德国", "84", "1"],
        ["2020-05", "出口", "德国", "", "1"],
    ]
    assert ok(headers, rows).num_rows == 3


def test_problems_carry_file_sheet_row_column_and_value() -> None:
    raw = raw_table(
        TRADE_HEADERS,
        [["2020-05", "出口", "德国", "x"]],
        source="五月.xlsx",
        sheet="表1",
        first_row=7,
    )
    table, report = validate_raw(raw, default_mapping("trade"), today=TODAY)
    assert table is None
    (problem,) = report.problems
    loc = problem.location
    assert (loc.file, loc.sheet, loc.row, loc.column, problem.value) == (
        "五月.xlsx",
        "表1",
        7,
        "金额（万元）",
        "x",
    )
    assert problem.message.zh
    assert problem.message.en


def test_clean_data_has_no_problem_of_any_kind() -> None:
    rows = [
        [f"2020-{m:02d}", f, c, str(m)]
        for m in range(1, 13)
        for f in ("出口", "进口")
        for c in ("德国", "法国")
    ]
    table, report = run(TRADE_HEADERS, rows)
    assert list(report) == []
    assert table.num_rows == 48


# --- layouts and shipped mappings -----------------------------------------------------------

HANGZHOU = ["月份", "国别（地区）", "进出口 金额（万元）", "出口 金额（万元）", "进口 金额（万元）"]


def test_wide_layout_gives_one_row_per_group() -> None:
    mapping = shipped_mapping("hangzhou_customs_trade")
    rows = [
        ["2020年5月", "德国", "30", "10.5", "19.5"],
        ["2020年5月", "法国", "8", "8", ""],  # no imports: one row
        ["2020年5月", "意大利", "", "", "-"],  # nothing at all
    ]
    table, report = run(HANGZHOU, rows, mapping)
    assert table is None
    assert [(p.code, p.location.row) for p in report.errors] == [("no_measure", 4)]
    table = ok(HANGZHOU, rows[:2], mapping)
    assert table.select(["flow", "partner", "value_cny"]).to_pylist() == [
        {"flow": "export", "partner": "DE", "value_cny": 105000},
        {"flow": "import", "partner": "DE", "value_cny": 195000},
        {"flow": "export", "partner": "FR", "value_cny": 80000},
    ]


def test_wide_layout_reports_a_group_cell_under_its_own_header() -> None:
    mapping = shipped_mapping("hangzhou_customs_trade")
    rows = [["2020年5月", "德国", "30", "10.5", "x"], ["2020年5月", "Germny", "1", "1", "1"]]
    problems = errors(HANGZHOU, rows, mapping)
    assert [(p.code, p.location.row, p.location.column) for p in problems] == [
        ("not_a_number", 2, "进口 金额（万元）"),
        ("unknown_country", 3, "国别（地区）"),  # once, though the row gives two rows
    ]
    assert problems[1].message.en.endswith("(row 3)")


def test_constants_fill_every_row() -> None:
    mapping = mapping_from('dataset = "trade"\n[constants]\nflow = "出口"\nmonth = "2020年5月"\n')
    table = ok(["国别", "金额（万元）"], [["德国", "1"], ["法国", "2"]], mapping)
    assert table.column("flow").to_pylist() == ["export", "export"]
    assert table.column("month").to_pylist() == [date(2020, 5, 1)] * 2


def test_english_file_in_usd_thousand() -> None:
    mapping = shipped_mapping("trade_by_country_usd_en")
    headers = ["Period", "Partner country", "Trade flow", "HS chapter", "Trade value"]
    rows = [
        ["2020-05", "Kazakhstan", "Exports", "85", "1,234.5"],
        ["May 2020", "Czechia", "Imports", "84", "0.01"],
    ]
    table = ok(headers, rows, mapping)
    assert table.select(["partner", "flow", "hs_code", "value_usd", "value_cny"]).to_pylist() == [
        {
            "partner": "KZ",
            "flow": "export",
            "hs_code": "85",
            "value_usd": 1234500,
            "value_cny": None,
        },
        {"partner": "CZ", "flow": "import", "hs_code": "84", "value_usd": 10, "value_cny": None},
    ]


def test_rail_file() -> None:
    mapping = shipped_mapping("yiwu_rail")
    headers = ["日期", "班列线路", "去回程", "目的国", "开行列数", "发运标箱"]
    rows = [
        ["2020-05", "义乌—马德里", "去程", "西班牙", "12", "1,034"],
        ["2020-05", "义乌—马德里", "回程", "西班牙", "3", "250"],
    ]
    table = ok(headers, rows, mapping)
    assert table.to_pylist() == [
        {
            "month": date(2020, 5, 1),
            "line": "义乌—马德里",
            "direction": "outbound",
            "destination": "ES",
            "trains": 12,
            "teu": 1034,
        },
        {
            "month": date(2020, 5, 1),
            "line": "义乌—马德里",
            "direction": "inbound",
            "destination": "ES",
            "trains": 3,
            "teu": 250,
        },
    ]


def test_a_plan_with_errors_writes_nothing() -> None:
    table, report = run(["月份", "进出口", "国别", "金额"], [["2020-05", "出口", "德国", "1"]])
    assert table is None
    assert codes(report) == ["unit_not_declared"]


def test_validate_alone_reports_only_its_own_problems() -> None:
    raw = raw_table([*TRADE_HEADERS, "备注"], [["2020-05", "出口", "德国", "1", "x"]])
    from silkhub.stats.mapping import resolve_columns

    plan, plan_report = resolve_columns(raw, default_mapping("trade"))
    assert codes(plan_report) == ["unmapped_column"]
    table, report = validate(raw, plan, DATASETS["trade"], today=TODAY)
    assert list(report) == []
    assert table is not None


# --- scale, cap, CSV ------------------------------------------------------------------------


def many_rows(n: int) -> list[list[str | None]]:
    """n rows of distinct keys: 240 months x 2 flows x 10 partners, then another HS code."""
    countries = [
        "德国",
        "法国",
        "意大利",
        "西班牙",
        "波兰",
        "捷克",
        "匈牙利",
        "希腊",
        "葡萄牙",
        "荷兰",
    ]
    rows: list[list[str | None]] = []
    for i in range(n):
        month = f"{2000 + i // 240 % 20}-{i // 20 % 12 + 1:02d}"
        flow = ("出口", "进口")[i // 10 % 2]
        rows.append([month, flow, countries[i % 10], str(10 + i // 4800), f"{i}.{i % 100:02d}"])
    return rows


def test_one_bad_row_among_ten_thousand() -> None:
    headers = [*TRADE_HEADERS, "商品编码"]
    headers[3:5] = ["商品编码", "金额（万元）"]
    rows = many_rows(10_000)
    table = ok(headers, rows)
    assert table.num_rows == 10_000
    assert table.column("value_cny")[9999].as_py() == 99999900
    rows[7321][4] = "12,3x"
    (problem,) = errors(headers, rows)
    assert (problem.code, problem.location.row, problem.value) == ("not_a_number", 7323, "12,3x")


def test_problems_are_capped() -> None:
    rows = [
        [f"2020-{m:02d}", "出口", c, "bad"]
        for m in range(1, 11)
        for c in ("德国", "法国", "意大利", "西班牙", "波兰")
    ]
    table, report = run(TRADE_HEADERS, rows, max_problems=10)
    assert table is None
    assert len(report.problems) == 11
    assert codes(report)[:10] == ["not_a_number"] * 10
    assert [p.location.row for p in report.problems[:10]] == list(range(2, 12))
    last = report.problems[-1]
    assert (last.code, last.value, last.severity) == ("too_many_problems", 40, Severity.ERROR)
    assert "40" in last.message.zh
    assert "40 more" in last.message.en


def test_report_to_csv_opens_with_a_bom_and_round_trips() -> None:
    _, report = run(
        TRADE_HEADERS,
        [["2020-05", "出口", "Germny", "1"], ["2020-05", "进口", "德国", "-1"]],
        sheet="表1",
    )
    text = report_to_csv(report)
    assert text.startswith("\ufeff")
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "severity",
        "code",
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "message_zh",
        "message_en",
    ]
    assert [
        (r["severity"], r["code"], r["file"], r["sheet"], r["row"], r["column"], r["value"])
        for r in rows
    ] == [
        ("error", "unknown_country", "x.csv", "表1", "2", "国别（地区）", "Germny"),
        ("error", "negative_value", "x.csv", "表1", "3", "金额（万元）", "-1"),
    ]
    assert rows[0]["message_zh"] == report.problems[0].message.zh
    assert rows[0]["message_en"] == report.problems[0].message.en
    assert report_to_csv(Report()).splitlines() == [
        "\ufeffseverity,code,file,sheet,row,column,value,message_zh,message_en"
    ]


def big_raw(n: int) -> RawTable:
    """n rows of a trade file, built column-wise (no Python loop over rows)."""
    import pyarrow.compute as pc

    index = pa.array(range(n), pa.int64())
    months = pa.array([f"2020-{m:02d}" for m in range(1, 13)])
    countries = pa.array(
        ["德国", "法国", "Kazakhstan", "俄罗斯", "捷克", "US", "日本", "越南", "Poland", "意大利"]
    )
    flows = pa.array(["出口", "进口"])
    cells = {
        "c0": pc.take(months, pc.remainder(index, 12)),
        "c1": pc.take(flows, pc.remainder(pc.divide(index, 12), 2)),
        "c2": pc.take(countries, pc.remainder(pc.divide(index, 24), 10)),
        "c3": pc.cast(pc.add(index, 10**7), pa.string()),  # an 8-digit HS code per row: unique keys
        "c4": pc.binary_join_element_wise(pc.cast(index, pa.string()), pa.scalar("25"), "."),
        ROW_COLUMN: pc.add(index, 2),
    }
    return RawTable(
        "big.csv", None, ["月份", "进出口", "国别", "商品编码", "金额（万元）"], pa.table(cells)
    )


@pytest.mark.slow
def test_validation_is_vectorised() -> None:
    """A million rows when that is quick here (it takes a few seconds), else 200,000."""
    started = time.perf_counter()
    small, _ = validate_raw(big_raw(100_000), default_mapping("trade"), today=TODAY)
    n = 1_000_000 if time.perf_counter() - started < 1.0 else 200_000
    assert small is not None
    table, report = validate_raw(big_raw(n), default_mapping("trade"), today=TODAY)
    assert list(report) == []
    assert table.num_rows == n
    assert table.column("value_cny")[n - 1].as_py() == (n - 1) * 10000 + 2500
