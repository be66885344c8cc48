"""A corpus of the files analysts drop in, built at test time (nothing binary is committed).

Each function writes one file into ``directory`` and returns its path. The files are laid out
the way Zhejiang's commerce department and Hangzhou customs publish them: title rows, merged
group headers over two header rows, units in the headers, totals, "其中" rows, footnotes,
GBK-encoded CSV. The figures are invented but plausible. Reused by the readers' tests and by
the import tests (mapping, validation, service): keep each layout stable, add new functions
rather than changing one.

Row numbers the tests rely on are given in each docstring, as Excel or an editor shows them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

CUSTOMS_TITLE = "2020年1-5月浙江省对“一带一路”沿线国家进出口情况"

#: The customs table's country rows: (country, exports 万元, growth %, imports 万元, growth %).
CUSTOMS_ROWS = [
    ("俄罗斯", 3909.0, 12.5, 2561.25, -3.4),
    ("越南", 1520, 8.0, 980.5, 15.2),
    ("泰国", 1288.75, -2.1, 760, 0.0),
    ("马来西亚", 1016, 5.5, 1203.4, -7.75),
    ("印度尼西亚", 998.1, 21.3, 455, 3.0),
    ("捷克", 310.6, -15.0, 95.2, 44.4),
]


def customs_xlsx(directory: Path, name: str = "customs_2020_05.xlsx") -> Path:
    """The customs table as Hangzhou customs publishes it, one sheet "表1".

    Row 1: the title, merged A1:E1. Row 2: blank. Rows 3-4: the header, "国别（地区）" merged
    down A3:A4, "出口" merged over B3:C3 and "进口" over D3:E3, with "金额（万元）" and
    "同比（%）" under each. Country rows 5, 6, 7, then row 8 blank, then 9, 10, 11
    (``CUSTOMS_ROWS`` in order). Row 12: "合计". Row 13: "其中：东盟". Row 14: blank.
    Row 15: "注：同比为与上年同期相比的增减百分比。" (merged A15:E15).
    Row 16: "资料来源：杭州海关".
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    ws["A1"] = CUSTOMS_TITLE
    ws.merge_cells("A1:E1")
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A3"] = "国别（地区）"
    ws.merge_cells("A3:A4")
    ws["B3"] = "出口"
    ws.merge_cells("B3:C3")
    ws["D3"] = "进口"
    ws.merge_cells("D3:E3")
    for col, label in zip("BCDE", ["金额（万元）", "同比（%）"] * 2, strict=True):
        ws[f"{col}4"] = label
    rows = [5, 6, 7, 9, 10, 11]
    for r, values in zip(rows, CUSTOMS_ROWS, strict=True):
        for col, value in zip("ABCDE", values, strict=True):
            ws[f"{col}{r}"] = value
    exports, imports = (round(sum(float(v[i]) for v in CUSTOMS_ROWS), 2) for i in (1, 3))
    _put_row(ws, 12, ["合计", exports, 6.1, imports, 2.2])
    _put_row(ws, 13, ["其中：东盟", 4822.85, 7.9, 3399.3, 1.5])
    ws["A15"] = "注：同比为与上年同期相比的增减百分比。"
    ws.merge_cells("A15:E15")
    ws["A16"] = "资料来源：杭州海关"
    path = directory / name
    wb.save(path)
    return path


def _put_row(ws: Worksheet, row: int, values: list[object]) -> None:
    for col, value in enumerate(values, start=1):
        ws.cell(row=row, column=col, value=value)


def customs_xlsx_header_below_groups(directory: Path, name: str = "customs_b.xlsx") -> Path:
    """A variant: no merge down; "国别（地区）" stands in row 4 under an empty A3, the group
    headers "出口"/"进口" are merged over B3:C3 and D3:E3; data from row 5 (three countries)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["B3"], ws["D3"] = "出口", "进口"
    ws.merge_cells("B3:C3")
    ws.merge_cells("D3:E3")
    for col, label in zip(
        "ABCDE", ["国别（地区）"] + ["金额（万元）", "同比（%）"] * 2, strict=True
    ):
        ws[f"{col}4"] = label
    for r, values in enumerate(CUSTOMS_ROWS[:3], start=5):
        for col, value in zip("ABCDE", values, strict=True):
            ws[f"{col}{r}"] = value
    path = directory / name
    wb.save(path)
    return path


def period_group_xlsx(directory: Path, name: str = "ytd.xlsx") -> Path:
    """A period group header: "2020年1-5月" merged over B2:D2 above the header row 3
    ("国别", "出口", "进口", "进出口"), title in row 1 merged A1:D1 directly above (no blank
    row). Data rows 4-5; row 6 is "总计"."""
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "浙江省对部分国家进出口（万元）"
    ws.merge_cells("A1:D1")
    ws["B2"] = "2020年1-5月"
    ws.merge_cells("B2:D2")
    for col, label in zip("ABCD", ["国别", "出口", "进口", "进出口"], strict=True):
        ws[f"{col}3"] = label
    ws.append(["波兰", 100, 50, 150])
    ws.append(["匈牙利", 80.5, 20, 100.5])
    ws.append(["总 计", 180.5, 70, 250.5])
    path = directory / name
    wb.save(path)
    return path


def english_xlsx(directory: Path, name: str = "trade_usd.xlsx") -> Path:
    """An English workbook, sheet "Trade". Row 1: title. Row 2: blank. Row 3: header
    "Month", "Partner", "Flow", "Value (USD thousand)", "Share". Data rows 4-6: months as dates
    formatted "yyyy-mm", values 3909.0 / 1234.5 / 0.1 + 0.2, shares formatted as percentages
    (0.125 → "12.5%"). Row 7: "Total". Row 8: "Source: Hangzhou Customs".
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Trade"
    ws["A1"] = "Zhejiang trade with Belt and Road countries, 2020 (USD thousand)"
    ws.append([])
    ws.append(["Month", "Partner", "Flow", "Value (USD thousand)", "Share"])
    rows = [
        (datetime(2020, 5, 1), "Russian Federation", "Exports", 3909.0, 0.125),
        (datetime(2020, 5, 1), "Viet Nam", "Imports", 1234.5, 0.5),
        (datetime(2020, 4, 1), "Czechia", "Exports", 0.1 + 0.2, 0.375),
    ]
    for row in rows:
        ws.append(list(row))
    for r in range(4, 7):
        ws[f"A{r}"].number_format = "yyyy-mm"
        ws[f"E{r}"].number_format = "0.0%"
    ws.append(["Total", None, None, 5143.8, 1])
    ws.append(["Source: Hangzhou Customs"])
    path = directory / name
    wb.save(path)
    return path


def formula_xlsx(directory: Path, name: str = "formulas.xlsx") -> Path:
    """Written by a program, never opened in Excel: D3 holds "=B3+C3" with no cached value.
    Header row 1 ("国别", "出口", "进口", "进出口"), data rows 2-3."""
    wb = Workbook()
    ws = wb.active
    ws.append(["国别", "出口", "进口", "进出口"])
    ws.append(["越南", 10, 5, 15])
    ws.append(["泰国", 7, 3, "=B3+C3"])
    path = directory / name
    wb.save(path)
    return path


def two_sheet_xlsx(directory: Path, name: str = "two_sheets.xlsx") -> Path:
    """Two sheets with data, "出口" and "进口", each: header row 1 ("国别", "金额（万元）"),
    rows 2-3; plus a hidden sheet "说明" that holds a note."""
    wb = Workbook()
    first = wb.active
    first.title = "出口"
    second = wb.create_sheet("进口")
    for ws, values in ((first, (100, 200)), (second, (30, 40))):
        ws.append(["国别", "金额（万元）"])
        ws.append(["越南", values[0]])
        ws.append(["泰国", values[1]])
    hidden = wb.create_sheet("说明")
    hidden["A1"] = "内部说明"
    hidden.sheet_state = "hidden"
    path = directory / name
    wb.save(path)
    return path


def one_used_sheet_xlsx(directory: Path, name: str = "one_used.xlsx") -> Path:
    """Sheet "数据" with a table (header row 1, rows 2-3), an empty sheet "Sheet2", and a hidden
    sheet "底稿" with values: only "数据" is visible and has data."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["国别", "金额（万元）"])
    ws.append(["越南", 1])
    ws.append(["泰国", 2])
    wb.create_sheet("Sheet2")
    hidden = wb.create_sheet("底稿")
    hidden.append(["国别", "金额（万元）"])
    hidden.sheet_state = "hidden"
    path = directory / name
    wb.save(path)
    return path


def truncated_xlsx(directory: Path, name: str = "truncated.xlsx") -> Path:
    """The customs workbook cut in half, as a failed upload leaves it: a zip with no central
    directory."""
    whole = customs_xlsx(directory, "whole_for_truncation.xlsx").read_bytes()
    path = directory / name
    path.write_bytes(whole[: len(whole) // 2])
    return path


def fake_encrypted_xlsx(directory: Path, name: str = "protected.xlsx") -> Path:
    """Starts with the OLE/CFB signature and names an "EncryptionInfo" stream, as Office's
    password-protected .xlsx files do (not a full CFB file: the reader looks no further)."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    body += "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    body += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    path = directory / name
    path.write_bytes(body)
    return path


def legacy_xls(directory: Path, name: str = "old.xls") -> Path:
    """Starts with the CFB signature and names a "Workbook" stream, like an Excel 97-2003 file."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    body += "Workbook".encode("utf-16-le") + b"\x00" * 64
    path = directory / name
    path.write_bytes(body)
    return path


def zip_not_workbook(directory: Path, name: str = "data.xlsx") -> Path:
    """A zip archive holding a CSV, named .xlsx."""
    import zipfile

    path = directory / name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data.csv", "国别,金额\n越南,1\n")
    return path


def empty_file(directory: Path, name: str = "empty.csv") -> Path:
    """Zero bytes."""
    path = directory / name
    path.write_bytes(b"")
    return path


# --- text files -----------------------------------------------------------------------------

TRADE_HEADER = "月份,国别（地区）,出口金额（万元）,同比（%）"
TRADE_LINES = [
    "2020-05,俄罗斯,3909,12.5",
    "2020-05,越南,1520.5,8",
    "2020-05,捷克,310.6,-15",
]


def write_text(directory: Path, name: str, text: str, encoding: str) -> Path:
    path = directory / name
    path.write_bytes(text.encode(encoding))
    return path


def utf8_csv(directory: Path, name: str = "trade_utf8.csv") -> Path:
    """UTF-8, no BOM, Unix line ends: header on line 1, data lines 2-4."""
    return write_text(directory, name, "\n".join([TRADE_HEADER, *TRADE_LINES]) + "\n", "utf-8")


def utf8_bom_csv(directory: Path, name: str = "trade_bom.csv") -> Path:
    """UTF-8 with a BOM and Windows line ends (what Excel's "CSV UTF-8" writes): header on
    line 1, data lines 2-4."""
    text = "\r\n".join([TRADE_HEADER, *TRADE_LINES]) + "\r\n"
    return write_text(directory, name, text, "utf-8-sig")


def gbk_csv(directory: Path, name: str = "trade_gbk.csv") -> Path:
    """GBK with Windows line ends, as Excel on a Chinese Windows saves "CSV (逗号分隔)".

    Line 1: title (no delimiter). Line 2: header. Lines 3-5: data (``TRADE_LINES``).
    Line 6: "合计,,5740.1,". Line 7: "注：本表数据为初步统计数。" (one field: ragged, but a
    footnote). Line 8: "资料来源：杭州海关,,,".
    """
    lines = [
        "2020年5月浙江省对部分“一带一路”国家出口",
        TRADE_HEADER,
        *TRADE_LINES,
        "合计,,5740.1,",
        "注：本表数据为初步统计数。",
        "资料来源：杭州海关,,,",
    ]
    return write_text(directory, name, "\r\n".join(lines) + "\r\n", "gbk")


def gb18030_csv(directory: Path, name: str = "companies_gb18030.csv") -> Path:
    """GB18030 with a character GBK lacks ("𠮷", four bytes in GB18030): header line 1
    ("企业名称,国别,金额（万元）"), data lines 2-3."""
    text = (
        "企业名称,国别,金额（万元）\n"
        "𠮷野家（杭州）餐饮有限公司,日本,12\n"
        "浙江丝路贸易有限公司,哈萨克斯坦,7\n"
    )
    return write_text(directory, name, text, "gb18030")


def thousands_csv(directory: Path, name: str = "thousands.csv") -> Path:
    """Numbers as people type them: quoted "1,234,567.8", full-width "１２３４", "-5.5%",
    " 42 " with spaces. Header line 1 ("国别,金额（元）,同比"), data lines 2-5."""
    text = (
        "国别,金额（元）,同比\n"
        '俄罗斯,"1,234,567.8",-5.5%\n'
        "越南,１２３４,３．５\n"
        "泰国, 42 ,0\n"
        '捷克,"12,000",\n'
    )
    return write_text(directory, name, text, "utf-8")


def undecodable_csv(directory: Path, name: str = "broken.csv") -> Path:
    """Valid GBK up to line 3, where byte 0xFF (invalid in UTF-8 and in GB18030) follows
    "越南," at byte offset ``UNDECODABLE_OFFSET``."""
    head = "国别,金额\n俄罗斯,1\n越南,".encode("gbk")
    path = directory / name
    path.write_bytes(head + b"\xff2\n")
    return path


UNDECODABLE_OFFSET = len("国别,金额\n俄罗斯,1\n越南,".encode("gbk"))


def unmatched_header_csv(directory: Path, name: str = "other.csv") -> Path:
    """A table about something else: "姓名,年龄,城市"."""
    return write_text(directory, name, "姓名,年龄,城市\n张三,30,杭州\n李四,41,宁波\n", "utf-8")


def ragged_csv(directory: Path, name: str = "ragged.csv") -> Path:
    """Header line 1 (three columns); line 2 fine; line 3 has two fields; line 4 fine; line 5 has
    four; line 6 is empty; line 7 fine."""
    text = "国别,出口,进口\n越南,1,2\n泰国,3\n捷克,4,5\n波兰,6,7,8\n\n匈牙利,9,10\n"
    return write_text(directory, name, text, "utf-8")


def semicolon_csv(directory: Path, name: str = "semicolon.csv") -> Path:
    """Semicolons, decimal commas left as they are: header line 1, data lines 2-3."""
    text = "Partner;Flow;Value (USD thousand)\nPoland;Exports;1234,5\nHungary;Imports;99\n"
    return write_text(directory, name, text, "utf-8")


def tab_tsv(directory: Path, name: str = "trade.tsv") -> Path:
    """Tab-separated with a thousands comma in each value: header line 1, data lines 2-3."""
    text = "国别\t出口\t进口\n越南\t1,234\t5,678\n泰国\t2,000\t3,000\n"
    return write_text(directory, name, text, "utf-8")


def multiline_csv(directory: Path, name: str = "multiline.csv") -> Path:
    """A quoted value with a line break: header line 1, "越南" on line 2 (its note spans lines
    2-3), "泰国" on line 4, an empty line 5, "捷克" on line 6."""
    text = '国别,金额,备注\n越南,1,"第一行\n第二行"\n泰国,2,\n\n捷克,3,无\n'
    return write_text(directory, name, text, "utf-8")


def merged_month_xlsx(directory: Path, name: str = "by_month.xlsx") -> Path:
    """Months merged down over their countries, and a unit note merged above the last columns.

    Row 1: title (A1). Row 2: "单位：万元" merged D2:E2. Row 3: header "月份", "国别",
    "出口", "进口", "进出口". Rows 4-5: "2020年4月" merged A4:A5, countries 越南, 泰国.
    Rows 6-7: "2020年5月" merged A6:A7, same countries. Row 8: "合计" with formulas
    (no cached values, as a program writes them).
    """
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "2020年4-5月浙江省对东盟部分国家进出口"
    ws["D2"] = "单位：万元"
    ws.merge_cells("D2:E2")
    _put_row(ws, 3, ["月份", "国别", "出口", "进口", "进出口"])
    _put_row(ws, 4, ["2020年4月", "越南", 10, 5, 15])
    _put_row(ws, 5, [None, "泰国", 7, 3, 10])
    _put_row(ws, 6, ["2020年5月", "越南", 12, 6, 18])
    _put_row(ws, 7, [None, "泰国", 8, 2, 10])
    ws.merge_cells("A4:A5")
    ws.merge_cells("A6:A7")
    _put_row(ws, 8, ["合计", None, "=SUM(C4:C7)", "=SUM(D4:D7)", "=SUM(E4:E7)"])
    path = directory / name
    wb.save(path)
    return path


def zip_bomb_xlsx(directory: Path, name: str = "bomb.xlsx") -> Path:
    """A valid small workbook carrying an extra part of 20 MB of zeros (a few KB packed)."""
    import zipfile

    path = formula_xlsx(directory, name)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\x00" * 20_000_000)
    return path


def wrapped_header_csv(directory: Path, name: str = "wrapped.csv") -> Path:
    """A header cell with a line break inside quotes, as Excel writes a wrapped header:
    the header spans lines 1-2, data on lines 3-4."""
    text = '国别,"出口金额\n（万元）"\n越南,1\n泰国,2\n'
    return write_text(directory, name, text, "utf-8")
