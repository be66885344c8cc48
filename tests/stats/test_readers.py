"""The readers on the corpus of files analysts drop in (``tests/stats/corpus.py``): what comes
out, with the row numbers Excel or an editor shows, what is skipped, and every problem with a
code, both languages and its place in the file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from silkhub.core.errors import Problem, Report, Severity
from silkhub.stats.raw import ROW_COLUMN, RawTable, SkippedRow
from silkhub.stats.readers import read_data, read_file
from silkhub.stats.readers_common import HintMatcher, match_key, total_kind
from silkhub.stats.readers_excel import cell_text
from tests.stats import corpus

MAX = 10_000_000
TRADE_HINTS = ("月份", "国别（地区）", "出口", "金额（万元）", "Partner", "Value (USD thousand)")


def read(path: Path, **kwargs: Any) -> tuple[RawTable | None, Report]:
    kwargs.setdefault("max_bytes", MAX)
    table, report = read_file(path, **kwargs)
    for problem in report:
        check_problem(problem, path.name)
    return table, report


def check_problem(problem: Problem, source: str) -> None:
    """Every problem names the file, has a stable code and a message in both languages."""
    assert problem.location.file == source
    assert problem.code and problem.code == problem.code.lower()
    assert problem.message.zh and problem.message.en
    assert problem.message.zh != problem.message.en


def rows(table: RawTable) -> list[list[Any]]:
    """The data rows, row number first."""
    data = table.cells.to_pylist()
    names = [RawTable.column_name(i) for i in range(len(table.headers))]
    return [[d[ROW_COLUMN], *(d[n] for n in names)] for d in data]


def codes(report: Report) -> list[str]:
    return [p.code for p in report]


def only_error(report: Report, code: str) -> Problem:
    assert [p.code for p in report.errors] == [code], [p.describe("en") for p in report]
    return report.errors[0]


# --- Excel ----------------------------------------------------------------------------------


def test_customs_workbook(tmp_path: Path) -> None:
    path = corpus.customs_xlsx(tmp_path)
    table, report = read(path, header_hints=TRADE_HINTS)
    assert table is not None and report.valid
    assert table.source == path.name and table.sheet == "表1" and table.encoding is None
    assert table.headers == [
        "国别（地区）",
        "出口 金额（万元）",
        "出口 同比（%）",
        "进口 金额（万元）",
        "进口 同比（%）",
    ]
    assert rows(table) == [
        [5, "俄罗斯", "3909", "12.5", "2561.25", "-3.4"],
        [6, "越南", "1520", "8", "980.5", "15.2"],
        [7, "泰国", "1288.75", "-2.1", "760", "0"],
        [9, "马来西亚", "1016", "5.5", "1203.4", "-7.75"],
        [10, "印度尼西亚", "998.1", "21.3", "455", "3"],
        [11, "捷克", "310.6", "-15", "95.2", "44.4"],
    ]
    assert table.cells.schema.field(ROW_COLUMN).type == pa.int64()
    assert all(table.cells.schema.field(f"c{i}").type == pa.string() for i in range(5))
    assert [(s.row, s.reason) for s in table.skipped] == [
        (1, "title"),
        (8, "blank"),
        (12, "total"),
        (13, "subtotal"),
        (14, "blank"),
        (15, "footnote"),
        (16, "footnote"),
    ]
    assert table.skipped[0].text == corpus.CUSTOMS_TITLE
    assert table.notes == ["注：同比为与上年同期相比的增减百分比。", "资料来源：杭州海关"]
    warnings = report.warnings
    assert [(p.code, p.location.row, p.location.sheet) for p in warnings] == [
        ("total_row_skipped", 12, "表1"),
        ("total_row_skipped", 13, "表1"),
    ]
    assert "合计" in warnings[0].message.zh and "其中：东盟" in warnings[1].message.en
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "hints",
    [
        (),
        ("国别", "金额"),  # matches the lower header row only (國别 through the merge)
        ("国别（地区）", "出口 金额（万元）", "出口 同比（%）"),  # as a mapping file names them
        ("国　　别（地区）", "出口"),  # padded with full-width spaces, as printed tables are
    ],
)
def test_customs_header_found_from_any_hints(tmp_path: Path, hints: tuple[str, ...]) -> None:
    table, report = read(corpus.customs_xlsx(tmp_path), header_hints=hints)
    assert table is not None and report.valid
    assert table.headers[:2] == ["国别（地区）", "出口 金额（万元）"]
    assert rows(table)[0][0] == 5


def test_group_headers_above_a_plain_header_row(tmp_path: Path) -> None:
    table, report = read(
        corpus.customs_xlsx_header_below_groups(tmp_path), header_hints=TRADE_HINTS
    )
    assert table is not None and report.valid
    assert table.headers == [
        "国别（地区）",
        "出口 金额（万元）",
        "出口 同比（%）",
        "进口 金额（万元）",
        "进口 同比（%）",
    ]
    assert [r[0] for r in rows(table)] == [5, 6, 7]
    assert table.skipped == []


def test_period_group_header_under_a_title(tmp_path: Path) -> None:
    table, report = read(corpus.period_group_xlsx(tmp_path))
    assert table is not None
    assert table.headers == ["国别", "2020年1-5月 出口", "2020年1-5月 进口", "2020年1-5月 进出口"]
    assert rows(table) == [[4, "波兰", "100", "50", "150"], [5, "匈牙利", "80.5", "20", "100.5"]]
    assert [(s.row, s.reason) for s in table.skipped] == [(1, "title"), (6, "total")]
    assert [(p.code, p.location.row) for p in report] == [("total_row_skipped", 6)]


def test_english_workbook(tmp_path: Path) -> None:
    table, report = read(corpus.english_xlsx(tmp_path), header_hints=TRADE_HINTS)
    assert table is not None and report.valid
    assert table.headers == ["Month", "Partner", "Flow", "Value (USD thousand)", "Share"]
    assert rows(table) == [
        [4, "2020-05-01", "Russian Federation", "Exports", "3909", "12.5%"],
        [5, "2020-05-01", "Viet Nam", "Imports", "1234.5", "50%"],
        [6, "2020-04-01", "Czechia", "Exports", rows(table)[2][4], "37.5%"],
    ]
    assert rows(table)[2][4] in {"0.3", "0.30000000000000004"}  # as the file stores it
    assert [(s.row, s.reason) for s in table.skipped] == [
        (1, "title"),
        (7, "total"),
        (8, "footnote"),
    ]
    assert table.notes == ["Source: Hangzhou Customs"]
    assert [(p.code, p.location.row, p.location.sheet) for p in report] == [
        ("total_row_skipped", 7, "Trade")
    ]


def test_formula_without_cached_value(tmp_path: Path) -> None:
    table, report = read(corpus.formula_xlsx(tmp_path))
    assert table is not None and report.valid
    assert rows(table) == [[2, "越南", "10", "5", "15"], [3, "泰国", "7", "3", None]]
    [warning] = report.warnings
    assert warning.code == "formula_without_value" and warning.severity is Severity.WARNING
    assert (warning.location.sheet, warning.location.row, warning.location.column) == (
        "Sheet",
        3,
        "进出口",
    )
    assert "D3" in warning.message.en


def test_several_sheets_need_a_choice(tmp_path: Path) -> None:
    path = corpus.two_sheet_xlsx(tmp_path)
    table, report = read(path)
    assert table is None
    error = only_error(report, "several_sheets")
    assert "出口" in error.message.zh and "进口" in error.message.en
    assert "说明" not in error.message.en  # hidden sheets are not offered

    table, report = read(path, sheet="进口")
    assert table is not None and report.valid and len(report) == 0
    assert table.sheet == "进口"
    assert rows(table) == [[2, "越南", "30"], [3, "泰国", "40"]]


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    table, report = read(corpus.two_sheet_xlsx(tmp_path), sheet="出品")
    assert table is None
    error = only_error(report, "unknown_sheet")
    assert "出口" in error.message.en and "进口" in error.message.en and "出品" in error.message.zh


def test_only_visible_sheet_with_data_is_chosen(tmp_path: Path) -> None:
    table, report = read(corpus.one_used_sheet_xlsx(tmp_path))
    assert table is not None and report.valid
    assert table.sheet == "数据"
    [note] = report.problems
    assert note.code == "sheet_chosen" and note.severity is Severity.WARNING
    assert note.location.sheet == "数据"


def test_truncated_workbook_is_corrupt(tmp_path: Path) -> None:
    table, report = read(corpus.truncated_xlsx(tmp_path))
    assert table is None
    only_error(report, "corrupt_workbook")


@pytest.mark.parametrize(
    ("make", "says"),
    [(corpus.fake_encrypted_xlsx, "password"), (corpus.legacy_xls, ".xls")],
)
def test_ole_files_are_refused(tmp_path: Path, make: Any, says: str) -> None:
    table, report = read(make(tmp_path))
    assert table is None
    error = only_error(report, "encrypted_or_legacy_workbook")
    assert says in error.message.en and ".xlsx" in error.message.zh


def test_zip_that_is_no_workbook(tmp_path: Path) -> None:
    table, report = read(corpus.zip_not_workbook(tmp_path))
    assert table is None
    assert "data.csv" in only_error(report, "unsupported_format").message.en


def test_xlsx_name_with_other_content_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"\x01\x02garbage that is no workbook")
    table, report = read(path)
    assert table is None
    only_error(report, "corrupt_workbook")


def test_web_page_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>国别</td></tr></table></body></html>")
    table, report = read(path)
    assert table is None
    assert "HTML" in only_error(report, "unsupported_format").message.en


def test_tab_separated_text_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_bytes("国别\t金额\n越南\t1\n".encode("gbk"))
    table, report = read(path)
    assert table is not None and report.valid
    assert table.encoding == "gb18030" and rows(table) == [[2, "越南", "1"]]


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (3909.0, "General", "3909"),
        (3909.5, "General", "3909.5"),
        (1e-07, "General", "0.0000001"),
        (1.5e16, "General", "15000000000000000"),
        (12, "General", "12"),
        (0.125, "0.0%", "12.5%"),
        (5, '0"%"', "5"),  # a literal percent sign, not a percentage
        ("  越南 ", "General", "越南"),
        ("   ", "General", None),
        (None, "General", None),
        (True, "General", "TRUE"),
    ],
)
def test_cell_text(value: object, number_format: str, text: str | None) -> None:
    assert cell_text(value, number_format) == text


def test_cell_text_dates() -> None:
    from datetime import date, datetime, time

    assert cell_text(datetime(2020, 5, 1)) == "2020-05-01"
    assert cell_text(datetime(2020, 5, 1, 8, 30)) == "2020-05-01 08:30:00"
    assert cell_text(date(2020, 5, 31)) == "2020-05-31"
    assert cell_text(time(8, 30)) == "08:30:00"


# --- CSV ------------------------------------------------------------------------------------

TRADE_ROWS = [
    ["2020-05", "俄罗斯", "3909", "12.5"],
    ["2020-05", "越南", "1520.5", "8"],
    ["2020-05", "捷克", "310.6", "-15"],
]
TRADE_HEADERS = ["月份", "国别（地区）", "出口金额（万元）", "同比（%）"]


@pytest.mark.parametrize(
    ("make", "encoding"),
    [(corpus.utf8_csv, "utf-8"), (corpus.utf8_bom_csv, "utf-8-sig")],
)
def test_utf8_csv(tmp_path: Path, make: Any, encoding: str) -> None:
    table, report = read(make(tmp_path), header_hints=TRADE_HINTS)
    assert table is not None and report.valid and len(report) == 0
    assert table.encoding == encoding and table.sheet is None
    assert table.headers == TRADE_HEADERS  # no BOM left on the first header
    assert rows(table) == [[n, *r] for n, r in zip([2, 3, 4], TRADE_ROWS, strict=True)]
    assert table.skipped == [] and table.notes == []


def test_gbk_csv_with_title_total_and_notes(tmp_path: Path) -> None:
    path = corpus.gbk_csv(tmp_path)
    table, report = read(path, header_hints=TRADE_HINTS)
    assert table is not None and report.valid
    assert table.encoding == "gb18030"
    assert table.headers == TRADE_HEADERS
    assert rows(table) == [[n, *r] for n, r in zip([3, 4, 5], TRADE_ROWS, strict=True)]
    assert [(s.row, s.reason) for s in table.skipped] == [
        (1, "title"),
        (6, "total"),
        (7, "footnote"),
        (8, "footnote"),
    ]
    assert table.notes == ["注：本表数据为初步统计数。", "资料来源：杭州海关"]
    assert [(p.code, p.location.row, p.location.sheet) for p in report] == [
        ("total_row_skipped", 6, None)
    ]
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("encoding", ["gbk", "GB2312", "gb18030", "cp936"])
def test_gbk_csv_with_encoding_given(tmp_path: Path, encoding: str) -> None:
    table, report = read(corpus.gbk_csv(tmp_path), encoding=encoding)
    assert table is not None and report.valid
    assert table.encoding == "gb18030"  # the superset reads every GBK file the same way
    assert rows(table)[0] == [3, *TRADE_ROWS[0]]


def test_gb18030_csv(tmp_path: Path) -> None:
    table, report = read(corpus.gb18030_csv(tmp_path))
    assert table is not None and report.valid
    assert table.encoding == "gb18030"
    assert rows(table) == [
        [2, "𠮷野家（杭州）餐饮有限公司", "日本", "12"],
        [3, "浙江丝路贸易有限公司", "哈萨克斯坦", "7"],
    ]


def test_utf16_csv(tmp_path: Path) -> None:
    path = corpus.write_text(tmp_path, "u16.csv", "国别\t金额\r\n越南\t1\r\n", "utf-16")
    table, report = read(path)
    assert table is not None and report.valid
    assert table.encoding == "utf-16" and rows(table) == [[2, "越南", "1"]]


def test_numbers_arrive_as_written(tmp_path: Path) -> None:
    table, report = read(corpus.thousands_csv(tmp_path))
    assert table is not None and report.valid
    assert rows(table) == [
        [2, "俄罗斯", "1,234,567.8", "-5.5%"],
        [3, "越南", "１２３４", "３．５"],
        [4, "泰国", "42", "0"],  # surrounding spaces stripped, as in Excel cells
        [5, "捷克", "12,000", None],
    ]


def test_undecodable_bytes(tmp_path: Path) -> None:
    table, report = read(corpus.undecodable_csv(tmp_path))
    assert table is None
    error = only_error(report, "bad_encoding")
    assert error.location.row == 3
    assert str(corpus.UNDECODABLE_OFFSET) in error.message.en and "0xFF" in error.message.zh
    assert "UTF-8" in error.message.en and "GB18030" in error.message.en


def test_gbk_forced_as_utf8(tmp_path: Path) -> None:
    table, report = read(corpus.gbk_csv(tmp_path), encoding="utf-8")
    assert table is None
    error = only_error(report, "bad_encoding")
    assert error.location.row == 1
    assert "byte offset 4" in error.message.en
    assert "encoding=gb18030" in error.message.en and "GB18030" in error.message.zh


def test_bad_encoding_line_number(tmp_path: Path) -> None:
    path = corpus.write_text(tmp_path, "late.csv", "国别,金额\n越南,1\n泰国,2\n", "utf-8")
    path.write_bytes(path.read_bytes() + "捷克,3\n".encode("gbk"))
    table, report = read(path, encoding="utf-8")
    assert table is None
    assert only_error(report, "bad_encoding").location.row == 4


@pytest.mark.parametrize("encoding", ["klingon", "base64", "rot13"])
def test_unknown_encoding(tmp_path: Path, encoding: str) -> None:
    table, report = read(corpus.utf8_csv(tmp_path), encoding=encoding)
    assert table is None
    assert encoding in only_error(report, "unknown_encoding").message.en


def test_header_not_found(tmp_path: Path) -> None:
    table, report = read(corpus.unmatched_header_csv(tmp_path), header_hints=TRADE_HINTS)
    assert table is None
    error = only_error(report, "header_not_found")
    assert "国别（地区）" in error.message.zh and "Value (USD thousand)" in error.message.en
    assert "row 1: 姓名 | 年龄 | 城市" in error.message.en
    assert "第3行：李四 | 41 | 宁波" in error.message.zh


def test_header_not_found_in_workbook(tmp_path: Path) -> None:
    table, report = read(corpus.two_sheet_xlsx(tmp_path), sheet="出口", header_hints=["HS编码"])
    assert table is None
    error = only_error(report, "header_not_found")
    assert error.location.sheet == "出口" and "HS编码" in error.message.en


def test_without_hints_the_first_text_row_is_the_header(tmp_path: Path) -> None:
    table, report = read(corpus.unmatched_header_csv(tmp_path))
    assert table is not None and report.valid
    assert table.headers == ["姓名", "年龄", "城市"]


def test_ragged_rows(tmp_path: Path) -> None:
    table, report = read(corpus.ragged_csv(tmp_path))
    assert table is not None  # the rest is readable: every problem is shown at once
    assert [(p.code, p.location.row) for p in report.errors] == [
        ("ragged_row", 3),
        ("ragged_row", 5),
    ]
    assert "2" in report.errors[0].message.en and "泰国,3" in report.errors[0].message.zh
    assert rows(table) == [[2, "越南", "1", "2"], [4, "捷克", "4", "5"], [7, "匈牙利", "9", "10"]]
    assert [(s.row, s.reason) for s in table.skipped] == [(6, "blank")]


def test_many_ragged_rows_are_summed_up(tmp_path: Path) -> None:
    text = "国别,出口,进口\n" + "越南,1\n" * 150 + "泰国,1,2\n"
    table, report = read(corpus.write_text(tmp_path, "many.csv", text, "utf-8"))
    assert table is not None and rows(table) == [[152, "泰国", "1", "2"]]
    ragged = [p for p in report.errors if p.code == "ragged_row"]
    assert len(ragged) == 101
    assert [p.location.row for p in ragged[:3]] == [2, 3, 4]
    assert ragged[-1].location.row is None and ragged[-1].value == 50


def test_quoted_line_breaks_keep_line_numbers(tmp_path: Path) -> None:
    table, report = read(corpus.multiline_csv(tmp_path))
    assert table is not None and report.valid and len(report) == 0
    assert rows(table) == [
        [2, "越南", "1", "第一行\n第二行"],
        [4, "泰国", "2", None],
        [6, "捷克", "3", "无"],
    ]


def test_multiline_and_ragged_together(tmp_path: Path) -> None:
    text = '国别,金额,备注\n越南,1,"a\nb"\n\n泰国,2\n捷克,3,c\n'
    table, report = read(corpus.write_text(tmp_path, "mixed.csv", text, "utf-8"))
    assert table is not None
    assert [(p.code, p.location.row) for p in report.errors] == [("ragged_row", 5)]
    assert [r[0] for r in rows(table)] == [2, 6]


def test_blank_lines_and_windows_line_ends(tmp_path: Path) -> None:
    text = "标题\r\n\r\n国别,金额\r\n越南,1\r\n\r\n,\r\n泰国,2\r\n\r\n"
    table, report = read(corpus.write_text(tmp_path, "blank.csv", text, "utf-8"))
    assert table is not None and report.valid
    assert rows(table) == [[4, "越南", "1"], [7, "泰国", "2"]]
    assert [(s.row, s.reason) for s in table.skipped] == [(1, "title"), (5, "blank"), (6, "blank")]


def test_old_mac_line_ends(tmp_path: Path) -> None:
    text = "国别,金额\r越南,1\r泰国,2\r"
    table, report = read(corpus.write_text(tmp_path, "mac.csv", text, "utf-8"))
    assert table is not None and report.valid
    assert rows(table) == [[2, "越南", "1"], [3, "泰国", "2"]]


@pytest.mark.parametrize(
    ("make", "headers", "first"),
    [
        (
            corpus.semicolon_csv,
            ["Partner", "Flow", "Value (USD thousand)"],
            ["Poland", "Exports", "1234,5"],
        ),
        (corpus.tab_tsv, ["国别", "出口", "进口"], ["越南", "1,234", "5,678"]),
    ],
)
def test_other_delimiters(tmp_path: Path, make: Any, headers: list[str], first: list[str]) -> None:
    table, report = read(make(tmp_path), header_hints=TRADE_HINTS)
    assert table is not None and report.valid
    assert table.headers == headers
    assert rows(table)[0] == [2, *first]


def test_pipe_delimited(tmp_path: Path) -> None:
    text = "国别|金额\n越南|1,5\n"
    table, report = read(corpus.write_text(tmp_path, "pipe.txt", text, "utf-8"))
    assert table is not None and report.valid and rows(table) == [[2, "越南", "1,5"]]


def test_trailing_empty_columns_are_dropped(tmp_path: Path) -> None:
    text = "国别,金额,,\n越南,1,,\n泰国,2,,\n"
    table, report = read(corpus.write_text(tmp_path, "trailing.csv", text, "utf-8"))
    assert table is not None and report.valid
    assert table.headers == ["国别", "金额"]
    assert table.cells.column_names == ["c0", "c1", ROW_COLUMN]


def test_unnamed_column_with_values_is_kept(tmp_path: Path) -> None:
    text = "国别,金额\n越南,1,x\n泰国,2,y\n"
    table, report = read(corpus.write_text(tmp_path, "extra.csv", text, "utf-8"))
    assert table is not None and report.valid
    assert table.headers == ["国别", "金额", ""]
    assert rows(table)[0] == [2, "越南", "1", "x"]


def test_header_only(tmp_path: Path) -> None:
    table, report = read(corpus.write_text(tmp_path, "h.csv", "国别,金额\n", "utf-8"))
    assert table is not None and table.row_count == 0 and table.headers == ["国别", "金额"]
    assert codes(report) == ["no_data_rows"] and report.valid


# --- whole files ----------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    table, report = read(corpus.empty_file(tmp_path))
    assert table is None
    only_error(report, "empty_file")


def test_file_too_large_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = corpus.customs_xlsx(tmp_path)
    size = path.stat().st_size

    def refuse(self: Path) -> bytes:
        raise AssertionError("a file over the limit must not be read")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    table, report = read(path, max_bytes=size - 1)
    assert table is None
    error = only_error(report, "file_too_large")
    assert str(size) in error.message.en and str(size - 1) in error.message.zh


def test_missing_file(tmp_path: Path) -> None:
    table, report = read(tmp_path / "nowhere.csv")
    assert table is None
    only_error(report, "file_unreadable")


def test_source_names_the_file_in_problems(tmp_path: Path) -> None:
    table, report = read_file(corpus.gbk_csv(tmp_path), source="上传：5月出口.csv", max_bytes=MAX)
    assert table is not None and table.source == "上传：5月出口.csv"
    assert all(p.location.file == "上传：5月出口.csv" for p in report)


def test_read_data_for_uploads(tmp_path: Path) -> None:
    data = corpus.customs_xlsx(tmp_path).read_bytes()
    table, report = read_data(data, source="upload.xlsx", max_bytes=MAX)
    assert table is not None and table.headers[1] == "出口 金额（万元）"
    table, report = read_data(data, source="upload.xlsx", max_bytes=10)
    assert table is None and codes(report) == ["file_too_large"]


def test_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"%PDF-1.7\n...")
    table, report = read(path)
    assert table is None
    only_error(report, "unsupported_format")


# --- the pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("合计", "total"),
        ("合　　计", "total"),
        ("总计：", "total"),
        ("全省", "total"),
        ("全省合计", "total"),
        ("总值", "total"),
        ("Total", "total"),
        ("GRAND TOTAL", "total"),
        ("Sum", "total"),
        ("小计", "subtotal"),
        ("Subtotal", "subtotal"),
        ("其中：东盟", "subtotal"),
        ("Of which: ASEAN", "subtotal"),
        ("俄罗斯", None),
        ("阿拉伯联合酋长国", None),
        ("Tonga", None),
        ("其他", None),
    ],
)
def test_total_labels(label: str, kind: str | None) -> None:
    assert total_kind(label) == kind


def test_hint_matching() -> None:
    matcher = HintMatcher(["金额（万元）", "Value (USD thousand)", "国别"])
    assert matcher.matches("金额") == {0}
    assert matcher.matches("金额(万元)") == {0}
    assert matcher.matches("金额（美元）") == {0}  # the unit is the mapping's business
    assert matcher.matches("ＶＡＬＵＥ  (USD thousand)") == {1}
    assert matcher.matches("国　别") == {2}
    assert matcher.matches("金") == set()
    assert match_key(" Ａ  b\n") == "ab"


def test_skipped_rows_are_records() -> None:
    skipped = SkippedRow(3, "total", "合计")
    assert (skipped.row, skipped.reason, skipped.text) == (3, "total", "合计")


def test_merged_months_and_unit_note(tmp_path: Path) -> None:
    table, report = read(corpus.merged_month_xlsx(tmp_path), header_hints=("月份", "国别"))
    assert table is not None and report.valid
    assert table.headers == ["月份", "国别", "出口", "进口", "进出口"]  # no "单位：万元" prefix
    assert rows(table) == [
        [4, "2020年4月", "越南", "10", "5", "15"],
        [5, "2020年4月", "泰国", "7", "3", "10"],  # the merged month, on every row it covers
        [6, "2020年5月", "越南", "12", "6", "18"],
        [7, "2020年5月", "泰国", "8", "2", "10"],
    ]
    assert [(s.row, s.reason, s.text) for s in table.skipped] == [
        (1, "title", "2020年4-5月浙江省对东盟部分国家进出口"),
        (2, "title", "单位：万元"),
        (8, "total", "合计"),
    ]
    # The total row's formulas have no values, but the row is not imported: no warning.
    assert codes(report) == ["total_row_skipped"]


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = corpus.zip_bomb_xlsx(tmp_path)
    table, report = read(path, max_bytes=path.stat().st_size + 1)
    assert table is None
    assert "20" in only_error(report, "file_too_large").message.en


def test_wrapped_header_cell(tmp_path: Path) -> None:
    table, report = read(corpus.wrapped_header_csv(tmp_path), header_hints=("国别", "出口金额"))
    assert table is not None and report.valid
    assert table.headers == ["国别", "出口金额 （万元）"]
    assert rows(table) == [[3, "越南", "1"], [4, "泰国", "2"]]
