"""Mapping files and header resolution: which column feeds which field, in which unit."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from silkhub.core.errors import InvalidInput, Problem, Report, Severity
from silkhub.core.units import UNITS
from silkhub.stats.datasets import DATASETS
from silkhub.stats.mapping import (
    SOURCES_DIR,
    ColumnPlan,
    Mapping,
    default_mapping,
    load_mapping,
    normalize_header,
    parse_mapping,
    resolve_columns,
    shipped_mapping,
    shipped_mappings,
)
from silkhub.stats.raw import ROW_COLUMN, RawTable

TRADE = DATASETS["trade"]


def raw_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str | None]],
    source: str = "x.csv",
    first_row: int = 2,
    sheet: str | None = None,
) -> RawTable:
    """A RawTable as a reader makes it: one string column per header, plus the row numbers."""
    columns = {
        RawTable.column_name(i): pa.array([r[i] for r in rows], pa.string())
        for i in range(len(headers))
    }
    columns[ROW_COLUMN] = pa.array(range(first_row, first_row + len(rows)), pa.int64())
    return RawTable(source=source, sheet=sheet, headers=list(headers), cells=pa.table(columns))


def codes(report: Report | Sequence[Problem]) -> list[str]:
    return [p.code for p in report]


def resolve(headers: Sequence[str], mapping: Mapping | None = None) -> tuple[ColumnPlan, Report]:
    raw = raw_table(headers, [["x"] * len(headers)])
    return resolve_columns(raw, mapping or default_mapping(TRADE))


def columns_of(plan: ColumnPlan, block: int = 0) -> dict[str, str | None]:
    return {name: s.header for name, s in plan.blocks[block].sources.items()}


def mapping_from(text: str, name: str = "m.toml") -> Mapping:
    mapping, report = parse_mapping(text, source=name)
    assert mapping is not None, [p.describe("en") for p in report]
    return mapping


# --- default mapping ------------------------------------------------------------------------


def test_default_mapping_knows_ordinary_chinese_headers() -> None:
    plan, report = resolve(["月份", "进出口", "国别（地区）", "商品编码", "金额（万元）"])
    assert codes(report) == []
    assert plan.valid
    assert columns_of(plan) == {
        "month": "月份",
        "flow": "进出口",
        "partner": "国别（地区）",
        "hs_code": "商品编码",
        "value_cny": "金额（万元）",
    }
    value = plan.source("value_cny")
    assert value is not None
    assert value.column == "c4"
    assert value.unit == UNITS["CNY_10K"]
    assert plan.source("month") is not None
    assert plan.source("month").unit is None  # type: ignore[union-attr]


def test_default_mapping_knows_field_names_and_english_labels() -> None:
    plan, report = resolve(["Month", "flow", "Partner", "Value (USD thousand)"])
    assert codes(report) == []
    assert columns_of(plan) == {
        "month": "Month",
        "flow": "flow",
        "partner": "Partner",
        "value_usd": "Value (USD thousand)",
    }
    assert plan.source("value_usd").unit == UNITS["USD_1K"]  # type: ignore[union-attr]


def test_default_mapping_of_an_unknown_dataset_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        default_mapping("tradez")
    assert caught.value.code == "unknown_dataset"


def test_header_hints_list_mapping_headers_then_defaults() -> None:
    mapping = mapping_from('dataset = "trade"\n[columns]\npartner = ["Land"]\n')
    hints = mapping.header_hints()
    assert hints[0] == "Land"
    assert "国别（地区）" in hints
    assert "月份" in hints
    wide = shipped_mapping("hangzhou_customs_trade")
    assert "出口 金额（万元）" in wide.header_hints()
    assert "金额" not in wide.header_hints()  # value_cny comes from the wide groups only


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("国别（地区）", "国别(地区)"),
        ("国别(地区)", "国别(地区)"),
        ("国别【地区】", "国别(地区)"),
        ("国别 ( 地区 )", "国别(地区)"),
        ("国　　别", "国别"),
        ("出口 金额（万元）", "出口金额(万元)"),
        ("  Trade   Value ", "trade value"),
        ("ＭＯＮＴＨ", "month"),
        ("Value ( USD thousand )", "value(usd thousand)"),
    ],
)
def test_normalize_header(header: str, key: str) -> None:
    assert normalize_header(header) == key


def test_headers_match_across_width_brackets_spaces_and_case() -> None:
    plan, report = resolve(["ＭＯＮＴＨ", "进 出 口", "国别【地区】", "金额 (万元)"])
    assert codes(report) == []
    assert set(columns_of(plan)) == {"month", "flow", "partner", "value_cny"}
    assert plan.source("value_cny").unit == UNITS["CNY_10K"]  # type: ignore[union-attr]


def test_unit_suffix_is_ignored_for_matching_and_used_for_the_unit() -> None:
    mapping = mapping_from(
        'dataset = "trade"\n[columns]\nvalue_cny = ["进出口额（万元）"]\npartner = ["国家"]\n'
        'month = ["月"]\nflow = ["方向"]\n'
    )
    plan, report = resolve(["月", "方向", "国家", "进出口额（亿元）"], mapping)
    assert codes(report) == []
    assert plan.source("value_cny").unit == UNITS["CNY_100M"]  # type: ignore[union-attr]


def test_a_header_fitting_two_fields_goes_to_the_one_its_unit_fits() -> None:
    # "金额" is a label of value_cny and (as 金额（美元）) of value_usd.
    plan, report = resolve(["月份", "进出口", "国别", "金额（千美元）", "金额（亿元）"])
    assert codes(report) == []
    assert columns_of(plan)["value_usd"] == "金额（千美元）"
    assert columns_of(plan)["value_cny"] == "金额（亿元）"
    exact, _ = resolve(["月份", "进出口", "国别", "金额（美元）"])
    assert columns_of(exact)["value_usd"] == "金额（美元）"
    assert exact.source("value_usd").unit == UNITS["USD"]  # type: ignore[union-attr]


# --- units ----------------------------------------------------------------------------------


def test_explicit_units_win_over_the_header_with_a_warning() -> None:
    mapping = mapping_from('dataset = "trade"\n[units]\nvalue_cny = "亿元"\n')
    plan, report = resolve(["月份", "进出口", "国别", "金额（万元）"], mapping)
    assert codes(report) == ["unit_overridden"]
    assert report.problems[0].severity is Severity.WARNING
    assert report.problems[0].location.column == "金额（万元）"
    assert plan.source("value_cny").unit == UNITS["CNY_100M"]  # type: ignore[union-attr]


def test_explicit_unit_for_a_header_without_one() -> None:
    mapping = mapping_from('dataset = "trade"\n[units]\nvalue_cny = "万元"\n')
    plan, report = resolve(["月份", "进出口", "国别", "金额"], mapping)
    assert codes(report) == []
    assert plan.source("value_cny").unit == UNITS["CNY_10K"]  # type: ignore[union-attr]


def test_a_unit_nobody_declared_is_not_guessed() -> None:
    plan, report = resolve(["月份", "进出口", "国别", "金额"])
    assert codes(report) == ["unit_not_declared"]
    problem = report.problems[0]
    assert problem.severity is Severity.ERROR
    assert problem.location.column == "金额"
    assert problem.location.file == "x.csv"
    assert "金额" in problem.message.zh
    assert "[units]" in problem.message.en
    assert not plan.valid


def test_assume_base_units_only_when_the_mapping_says_so() -> None:
    mapping = mapping_from('dataset = "trade"\nassume_base_units = true\n')
    plan, report = resolve(["月份", "进出口", "国别", "金额"], mapping)
    assert codes(report) == []
    assert plan.source("value_cny").unit == UNITS["CNY"]  # type: ignore[union-attr]
    # A unit in the header still counts.
    plan, _ = resolve(["月份", "进出口", "国别", "金额（万元）"], mapping)
    assert plan.source("value_cny").unit == UNITS["CNY_10K"]  # type: ignore[union-attr]


def test_a_header_that_is_itself_a_unit_and_counts_need_no_declaration() -> None:
    raw = raw_table(
        ["月份", "线路", "方向", "开行列数", "标箱"], [["2020-05", "义新欧", "去程", "1", "2"]]
    )
    plan, report = resolve_columns(raw, default_mapping("rail"))
    assert codes(report) == []
    assert plan.source("teu").unit == UNITS["TEU"]  # type: ignore[union-attr]
    assert plan.source("trains").unit == UNITS["COUNT"]  # type: ignore[union-attr]


def test_a_header_unit_that_does_not_fit_the_field() -> None:
    plan, report = resolve(["月份", "进出口", "国别", "金额（吨）"])
    assert codes(report) == ["unit_mismatch"]
    assert report.problems[0].location.column == "金额（吨）"
    assert not plan.valid


# --- missing, unmapped, ambiguous -----------------------------------------------------------


def test_missing_required_column_lists_expected_and_present_headers() -> None:
    plan, report = resolve(["月份", "进出口", "金额（万元）"])
    assert codes(report) == ["missing_column"]
    problem = report.problems[0]
    assert problem.severity is Severity.ERROR
    assert problem.value == "partner"
    assert "国别（地区）" in problem.message.zh  # what was expected
    assert "“月份”" in problem.message.zh  # what the file has
    assert "'进出口'" in problem.message.en
    assert not plan.valid


def test_missing_one_of_columns() -> None:
    _, report = resolve(["月份", "进出口", "国别"])
    assert codes(report) == ["missing_column"]
    assert report.problems[0].value == "value_cny,value_usd"
    assert "At least one" in report.problems[0].message.en


def test_unmapped_column_is_a_warning_and_blank_spacers_are_ignored() -> None:
    raw = raw_table(
        ["月份", "进出口", "国别", "金额（万元）", "同比%", "", ""],
        [
            ["2020-05", "出口", "德国", "1", "3.2", None, "note"],
            ["2020-05", "进口", "德国", "1", "", " ", None],
        ],
    )
    plan, report = resolve_columns(raw, default_mapping(TRADE))
    assert codes(report) == ["unmapped_column", "unmapped_column"]
    assert all(p.severity is Severity.WARNING for p in report)
    assert [p.location.column for p in report] == ["同比%", ""]  # the second "" has data
    assert plan.valid
    assert plan.ignored == ("同比%", "", "")


def test_two_columns_for_one_field_are_ambiguous() -> None:
    plan, report = resolve(["月份", "进出口", "国别", "国家", "金额（万元）"])
    assert codes(report) == ["ambiguous_column"]
    assert "国别" in report.problems[0].message.zh
    assert "国家" in report.problems[0].message.zh
    assert not plan.valid


def test_a_header_two_fields_claim_equally() -> None:
    mapping = mapping_from('dataset = "trade"\n[columns]\nregion = "地区"\ntrade_mode = "地区"\n')
    _, report = resolve(["月份", "进出口", "国别", "金额（万元）", "地区"], mapping)
    assert codes(report) == ["ambiguous_header"]
    assert report.problems[0].location.column == "地区"


def test_mapping_headers_that_match_nothing_are_fine() -> None:
    mapping = mapping_from(
        'dataset = "trade"\n[columns]\npartner = ["Land", "国别"]\nregion = ["Stadt"]\n'
    )
    plan, report = resolve(["月份", "进出口", "国别", "金额（万元）"], mapping)
    assert codes(report) == []
    assert "region" not in plan.blocks[0].sources


def test_mapping_headers_come_before_the_defaults() -> None:
    mapping = mapping_from('dataset = "trade"\n[columns]\npartner = ["Land"]\n')
    plan, report = resolve(["月份", "进出口", "Land", "国家", "金额（万元）"], mapping)
    assert columns_of(plan)["partner"] == "Land"
    assert codes(report) == ["unmapped_column"]  # "国家" is not a second partner column
    assert report.problems[0].location.column == "国家"
    # ... and the defaults still serve a field whose own headers are not in the file.
    plan, report = resolve(["月份", "进出口", "国家", "金额（万元）"], mapping)
    assert codes(report) == []
    assert columns_of(plan)["partner"] == "国家"


def test_default_headers_can_be_switched_off() -> None:
    mapping = mapping_from(
        'dataset = "trade"\ndefault_headers = false\n[columns]\nmonth = "月份"\n'
        'flow = "进出口"\nvalue_cny = "金额（万元）"\n'
    )
    _, report = resolve(["月份", "进出口", "国别", "金额（万元）"], mapping)
    assert codes(report) == ["unmapped_column", "missing_column"]


def test_constants_fill_fields_the_file_lacks() -> None:
    mapping = mapping_from('dataset = "trade"\n[constants]\nflow = "出口"\n')
    plan, report = resolve(["月份", "国别", "金额（万元）"], mapping)
    assert codes(report) == []
    flow = plan.source("flow")
    assert flow is not None
    assert flow.constant == "出口"
    assert flow.column is None
    # A column of the constant's field is not used.
    _, report = resolve(["月份", "进出口", "国别", "金额（万元）"], mapping)
    assert codes(report) == ["unmapped_column"]


def test_with_constants_adds_what_one_file_lacks() -> None:
    mapping = default_mapping(TRADE).with_constants(month="2020年5月", flow="export")
    plan, report = resolve(["国别", "金额（万元）"], mapping)
    assert codes(report) == []
    assert plan.source("month").constant == "2020年5月"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput) as caught:
        mapping.with_constants(flow="sideways")
    assert caught.value.code == "invalid_constant"


# --- wide layouts ---------------------------------------------------------------------------

HANGZHOU = ["月份", "国别（地区）", "进出口 金额（万元）", "出口 金额（万元）", "进口 金额（万元）"]


def test_wide_layout_gives_one_block_per_group() -> None:
    mapping = shipped_mapping("hangzhou_customs_trade")
    plan, report = resolve(HANGZHOU, mapping)
    assert codes(report) == ["unmapped_column"]  # the 进出口 total
    assert plan.wide
    assert len(plan.blocks) == 2
    export, import_ = plan.blocks
    assert export.set == {"flow": "export"}
    assert columns_of(plan, 0)["value_cny"] == "出口 金额（万元）"
    assert columns_of(plan, 1)["value_cny"] == "进口 金额（万元）"
    assert export.sources["partner"].shared
    assert not export.sources["value_cny"].shared
    assert import_.sources["flow"].constant == "import"
    assert import_.sources["value_cny"].unit == UNITS["CNY_10K"]


def test_wide_group_absent_from_the_file_is_left_out() -> None:
    mapping = shipped_mapping("hangzhou_customs_trade")
    plan, report = resolve(["月份", "国别（地区）", "出口金额（万元）"], mapping)
    assert codes(report) == []
    assert [b.set for b in plan.blocks] == [{"flow": "export"}]


def test_wide_layout_with_no_group_in_the_file() -> None:
    mapping = shipped_mapping("hangzhou_customs_trade")
    plan, report = resolve(["月份", "国别（地区）", "金额（万元）"], mapping)
    assert codes(report) == ["unmapped_column", "missing_column"]  # 金额 is no group's
    missing = report.problems[1]
    assert missing.value == "value_cny"
    assert "出口 金额（万元）" in missing.message.zh
    assert "'进口 金额（万元）'" in missing.message.en
    assert not plan.valid
    assert plan.blocks == ()


def test_wide_groups_may_carry_several_measures_in_their_own_units() -> None:
    mapping = mapping_from(
        """dataset = "trade"
[[wide]]
set = { flow = "export" }
columns = { value_cny = "出口 金额（万元）", value_usd = "出口 金额（千美元）" }
[[wide]]
set = { flow = "进口" }
columns = { value_cny = "进口 金额（亿元）" }
"""
    )
    plan, report = resolve(
        ["月份", "国别", "出口 金额（万元）", "出口 金额（千美元）", "进口 金额（亿元）"], mapping
    )
    assert codes(report) == []
    assert plan.blocks[0].sources["value_usd"].unit == UNITS["USD_1K"]
    assert plan.blocks[1].sources["value_cny"].unit == UNITS["CNY_100M"]
    assert "value_usd" not in plan.blocks[1].sources


# --- mapping files --------------------------------------------------------------------------


def test_shipped_mappings_load() -> None:
    names = set(shipped_mappings())
    assert names == {"hangzhou_customs_trade", "trade_by_country_usd_en", "yiwu_rail"}
    for name in names:
        mapping = shipped_mapping(name)
        assert mapping.name
        assert mapping.source is not None
        assert Path(mapping.source).parent == SOURCES_DIR
    usd = shipped_mapping("trade_by_country_usd_en")
    assert usd.units == {"value_usd": UNITS["USD_1K"]}
    assert shipped_mapping("yiwu_rail").dataset == "rail"
    with pytest.raises(InvalidInput):
        shipped_mapping("nope")


def test_load_mapping_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('dataset = "port"\n[units]\ncargo_tonnes = "万吨"\n', encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping.dataset == "port"
    assert mapping.units["cargo_tonnes"].factor == Decimal(10000)
    assert mapping.source == str(path)


def bad(text: str) -> list[Problem]:
    mapping, report = parse_mapping(text, source="bad.toml")
    assert mapping is None
    assert report.problems
    assert all(p.location.file == "bad.toml" for p in report)
    return report.problems


def test_mapping_file_errors_cite_the_file_and_the_key() -> None:
    problems = bad('dataset = "trade"\n[units]\nvalue_cny = "吨"\n')
    assert [(p.code, p.location.field, p.value) for p in problems] == [
        ("unit_mismatch", "units.value_cny", "吨")
    ]
    assert "吨" in problems[0].message.zh


@pytest.mark.parametrize(
    ("text", "code", "key"),
    [
        ('dataset = "tradez"\n', "unknown_dataset", "dataset"),
        ("name = 'x'\n", "unknown_dataset", "dataset"),
        ('dataset = "trade"\n[columns]\npartnr = "国别"\n', "unknown_field", "columns.partnr"),
        ('dataset = "trade"\n[units]\nvalue = "万元"\n', "unknown_field", "units.value"),
        ('dataset = "trade"\n[constants]\nflw = "出口"\n', "unknown_field", "constants.flw"),
        ('dataset = "trade"\n[units]\nvalue_cny = "furlongs"\n', "invalid_unit", "units.value_cny"),
        ('dataset = "trade"\n[units]\nmonth = "万元"\n', "unit_mismatch", "units.month"),
        ('dataset = "trade"\n[units]\nvalue_usd = "万元"\n', "unit_mismatch", "units.value_usd"),
        (
            'dataset = "trade"\n[constants]\nflow = "sideways"\n',
            "invalid_constant",
            "constants.flow",
        ),
        (
            'dataset = "trade"\n[constants]\npartner = "Atlantis"\n',
            "invalid_constant",
            "constants.partner",
        ),
        (
            'dataset = "trade"\n[constants]\nmonth = "2020年1-5月"\n',
            "invalid_constant",
            "constants.month",
        ),
        (
            'dataset = "trade"\n[constants]\nvalue_cny = "5"\n',
            "invalid_constant",
            "constants.value_cny",
        ),
        ('dataset = "trade"\n[columns]\npartner = 5\n', "invalid_mapping", "columns.partner"),
        ('dataset = "trade"\n[columns]\npartner = []\n', "invalid_mapping", "columns.partner"),
        ('dataset = "trade"\ncolumns = "x"\n', "invalid_mapping", "columns"),
        ('dataset = "trade"\nassume_base_units = "yes"\n', "invalid_mapping", "assume_base_units"),
        ('dataset = "trade"\ncolumn = {}\n', "unknown_key", "column"),
        ('dataset = "trade"\n[columns\n', "invalid_mapping", ""),
        (
            'dataset = "trade"\n[columns]\nflow = "方向"\n[constants]\nflow = "出口"\n',
            "invalid_mapping",
            "flow",
        ),
        (
            'dataset = "trade"\n[[wide]]\nset = { flow = "export" }\n',
            "invalid_mapping",
            "wide[1].columns",
        ),
        (
            'dataset = "trade"\n[[wide]]\nset = { flow = "export" }\n'
            'columns = { value_cny = "a" }\n[[wide]]\nset = { flow = "出口" }\n'
            'columns = { value_usd = "b" }\n',
            "invalid_mapping",
            "wide[2].set",
        ),
        (
            'dataset = "trade"\n[[wide]]\nset = { flow = "export" }\n'
            'columns = { value_cny = "a" }\nextra = 1\n',
            "unknown_key",
            "wide[1].extra",
        ),
    ],
)
def test_mapping_file_problems(text: str, code: str, key: str) -> None:
    problems = bad(text)
    assert (problems[0].code, problems[0].location.field) == (code, key)
    assert problems[0].severity is Severity.ERROR
    assert problems[0].message.zh
    assert problems[0].message.en


def test_load_mapping_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        'dataset = "trade"\n[units]\nvalue_cny = "吨"\nvalue_usd = "万元"\n', encoding="utf-8"
    )
    with pytest.raises(InvalidInput) as caught:
        load_mapping(path)
    assert caught.value.code == "invalid_mapping"
    assert [p.location.field for p in caught.value.problems] == [
        "units.value_cny",
        "units.value_usd",
    ]
    assert all(p.location.file == str(path) for p in caught.value.problems)


def test_constants_accept_any_spelling_and_toml_dates() -> None:
    mapping = mapping_from(
        'dataset = "trade"\n[constants]\nflow = "Exports"\nmonth = 2020-05-01\npartner = "德国"\n'
        "hs_code = 8517\n"
    )
    assert mapping.constants == {
        "flow": "Exports",
        "month": "2020-05-01",
        "partner": "德国",
        "hs_code": "8517",
    }
