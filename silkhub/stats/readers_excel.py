"""Reading an Excel workbook (.xlsx) into a ``RawTable``.

Statistical offices lay their tables out for print: a title merged across the top, group
headers ("出口", "2020年1-5月") merged over the columns they govern, a label merged down over
two header rows, totals, and notes underneath. The workbook is therefore opened in openpyxl's
normal mode, not ``read_only``: only that mode knows the merged ranges. Its memory cost is
bounded by the caller's ``max_bytes`` (checked before loading) and by the check on the
unpacked size below.

Cells are taken as text, faithfully to what Excel shows: 3909.0 is "3909", a date is
"2020-05-01", a value formatted as a percentage is "12.5%". Typing is the validator's job.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Hashable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from silkhub.core.errors import Severity
from silkhub.stats.raw import ROW_COLUMN, RawTable, SkippedRow
from silkhub.stats.readers_common import (
    HEADER_SCAN_ROWS,
    MAX_PROBLEMS_PER_CODE,
    Ctx,
    HintMatcher,
    ScanRow,
    classify_rows,
    drop_blank_trailing_columns,
    find_header,
    header_not_found,
    header_text,
    looks_numeric,
    match_key,
    more_problems,
    no_rows_warning,
    row_text,
    string_table,
)

# openpyxl ships no type stubs: its workbook, sheet, cell and range objects are typed Any
# here, under these names, rather than silenced line by line.
Workbook = Any
Sheet = Any
CellRange = Any

#: An .xlsx unpacking to more than this many times its size is refused (a "zip bomb"; real
#: workbooks unpack to 5-20 times their size).
MAX_UNPACK_RATIO = 100

# What openpyxl raises on a damaged or foreign package: zip and deflate errors, missing
# parts (KeyError), malformed XML (ParseError is a SyntaxError), and values its
# descriptors refuse (ValueError, TypeError).
_LOAD_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    SyntaxError,
    InvalidFileException,
)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_QUOTED = re.compile(r'"[^"]*"|\\.')
_UNIT_NOTE = re.compile(r"^\s*(?:计量)?(?:单位|units?)\s*[:：]", re.IGNORECASE)


def read_excel(
    ctx: Ctx,
    data: bytes,
    *,
    sheet: str | None,
    matcher: HintMatcher,
    sha256: str,
    max_bytes: int,
) -> RawTable | None:
    package = _check_package(ctx, data, max_bytes)
    if package is None:
        return None
    wb = _load(ctx, data, data_only=True)
    if wb is None:
        return None
    ws = _choose_sheet(ctx, wb, sheet)
    if ws is None:
        return None
    ctx.sheet = ws.title
    formulas = _load(ctx, data, data_only=False) if package["formulas"] else None
    table = _read_sheet(ctx, ws, matcher=matcher, sha256=sha256)
    if table is not None and formulas is not None:
        rows = set(table.cells[ROW_COLUMN].to_pylist())
        _formulas_without_values(ctx, ws, formulas[ws.title], table.headers, rows)
    return table


def _check_package(ctx: Ctx, data: bytes, max_bytes: int) -> dict[str, bool] | None:
    """Is it an OOXML package, of a sane unpacked size, and does any sheet hold formulas?"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            unpacked = sum(info.file_size for info in zf.infolist())
            if "[Content_Types].xml" not in names:
                _not_a_workbook(ctx, names)
                return None
            if unpacked > MAX_UNPACK_RATIO * max(max_bytes, len(data)):
                ctx.add(
                    "file_too_large",
                    f"该工作簿解压后有 {unpacked} 字节，超过允许的 "
                    f"{MAX_UNPACK_RATIO * max_bytes} 字节。",
                    f"The workbook unpacks to {unpacked} bytes, more than the "
                    f"{MAX_UNPACK_RATIO * max_bytes} allowed.",
                    value=unpacked,
                )
                return None
            sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            formulas = any(_FORMULA.search(zf.read(n)) for n in sheets)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        _corrupt(ctx, exc)
        return None
    return {"formulas": formulas}


def _not_a_workbook(ctx: Ctx, names: Sequence[str]) -> None:
    if "content.xml" in names and "mimetype" in names:
        zh, en = "OpenDocument 表格（.ods）", "an OpenDocument spreadsheet (.ods)"
    else:
        listed = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        zh, en = f"一个 zip 压缩包（内含：{listed}）", f"a zip archive (holding: {listed})"
    ctx.add(
        "unsupported_format",
        f"这不是 Excel 工作簿，而是{zh}：请导入 .xlsx 或 .csv 文件。",
        f"This is not an Excel workbook but {en}: import an .xlsx or .csv file.",
    )


def _corrupt(ctx: Ctx, exc: BaseException) -> None:
    ctx.add(
        "corrupt_workbook",
        f"无法打开该工作簿，文件可能已损坏或不完整（{type(exc).__name__}：{exc}）。"
        "请在 Excel 中打开并重新保存为 .xlsx。",
        f"The workbook cannot be opened: the file may be damaged or incomplete "
        f"({type(exc).__name__}: {exc}). Open it in Excel and save it again as .xlsx.",
    )


def _load(ctx: Ctx, data: bytes, *, data_only: bool) -> Workbook | None:
    try:
        with warnings.catch_warnings():
            # openpyxl warns (UserWarning) about parts it drops on reading: data-validation
            # and conditional-formatting extensions, a missing default style. They change
            # nothing in the cells, and pytest runs with filterwarnings=error.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
    except _LOAD_ERRORS as exc:
        _corrupt(ctx, exc)
        return None


def _has_values(ws: Sheet) -> bool:
    return any(cell.value is not None for cell in _cells(ws).values())


def _cells(ws: Sheet) -> dict[tuple[int, int], Any]:
    """The cells that exist. ``ws.iter_rows`` would create every cell of the used range, which
    a sheet formatted down to row 1048576 makes millions; the private ``_cells`` dict (stable
    since openpyxl 2) holds only the cells the file has."""
    cells: dict[tuple[int, int], Any] = ws._cells
    return cells


def _choose_sheet(ctx: Ctx, wb: Workbook, wanted: str | None) -> Sheet | None:
    sheets: list[Sheet] = list(wb.worksheets)
    names = [ws.title for ws in sheets]
    if wanted is not None:
        for ws in sheets:
            if ws.title == wanted:
                return ws
        for ws in sheets:
            if match_key(ws.title) == match_key(wanted):
                return ws
        ctx.add(
            "unknown_sheet",
            f"工作簿中没有名为“{wanted}”的工作表。现有工作表：{'、'.join(names)}",
            f"The workbook has no sheet named {wanted!r}. Its sheets: {', '.join(names)}",
            value=wanted,
        )
        return None
    if len(sheets) == 1:
        return sheets[0]
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    used = [ws for ws in visible if _has_values(ws)]
    if len(used) == 1:
        others = [n for n in names if n != used[0].title]
        ctx.sheet = used[0].title
        ctx.add(
            "sheet_chosen",
            f"已读取唯一有数据的可见工作表“{used[0].title}”（其余工作表为空或隐藏："
            f"{'、'.join(others)}）。",
            f"Read sheet {used[0].title!r}, the only visible sheet with data (the others are "
            f"empty or hidden: {', '.join(others)}).",
            value=used[0].title,
            severity=Severity.WARNING,
        )
        return used[0]
    if not used:
        _empty(ctx)
        return None
    listed = [ws.title for ws in used]
    ctx.add(
        "several_sheets",
        f"工作簿有多个工作表：{'、'.join(listed)}。请指定要导入的工作表。",
        f"The workbook has several sheets: {', '.join(listed)}. Say which one to import.",
        value=listed,
    )
    return None


def _empty(ctx: Ctx) -> None:
    ctx.add("empty_file", "工作表中没有任何内容。", "The sheet holds nothing.")


def cell_text(value: Any, number_format: str = "General") -> str | None:
    """A cell's value as the text Excel shows, without float noise or exponents."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float):
        number = Decimal(value) if isinstance(value, int) else Decimal(str(value))
        if "%" in _QUOTED.sub("", number_format or ""):
            return _plain(number * 100) + "%"
        return _plain(number)
    return str(value).strip() or None


def _plain(number: Decimal) -> str:
    """3909.0 → "3909", 1e-07 → "0.0000001", 12.500 → "12.5"."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _read_sheet(ctx: Ctx, ws: Sheet, *, matcher: HintMatcher, sha256: str) -> RawTable | None:
    values: dict[int, dict[int, str]] = {}
    for (r, c), cell in _cells(ws).items():
        text = cell_text(cell.value, cell.number_format)
        if text is not None:
            values.setdefault(r, {})[c] = text
    if not values:
        _empty(ctx)
        return None
    last_row = max(values)
    width = max(c for row in values.values() for c in row)
    ranges: list[CellRange] = list(ws.merged_cells.ranges)
    grid = _Grid(values, ranges, width)

    scan = [grid.scan_row(r) for r in range(1, min(last_row, HEADER_SCAN_ROWS) + 1)]
    index = find_header(scan, matcher)
    if index is None:
        header_not_found(ctx, scan, matcher)
        return None
    top, bottom = grid.header_band(scan[index].number)

    ncols = 0
    header_parts: list[list[str]] = []
    for c in range(1, width + 1):
        parts: list[str] = []
        for r in range(top, bottom + 1):
            text = grid.filled(r, c)
            if text and (not parts or parts[-1] != header_text(text)):
                parts.append(header_text(text))
        header_parts.append(parts)
        if parts:
            ncols = c
    for r in range(bottom + 1, last_row + 1):
        ncols = max(ncols, max(values.get(r, {0: ""})))
    headers = [" ".join(p) for p in header_parts[:ncols]]
    headers += [""] * (ncols - len(headers))

    down = grid.vertical_fill(bottom + 1)
    numbers = list(range(bottom + 1, last_row + 1))
    columns: list[list[str | None]] = [[] for _ in range(ncols)]
    for r in numbers:
        row = values.get(r, {})
        for c in range(ncols):
            columns[c].append(row.get(c + 1) or down.get((r, c + 1)))

    skipped = [
        SkippedRow(r, "title", row_text(values[r][c] for c in sorted(values[r])))
        for r in range(1, top)
        if r in values
    ]
    first_col = next((i for i, h in enumerate(headers) if h), 0)
    result = classify_rows(ctx, string_table(columns, numbers), first_col=first_col)
    headers, cells = drop_blank_trailing_columns(headers, result.table)
    if cells.num_rows == 0:
        no_rows_warning(ctx, bottom)
    return RawTable(
        source=ctx.source,
        sheet=ws.title,
        headers=headers,
        cells=cells,
        skipped=sorted(skipped + result.skipped, key=lambda s: s.row),
        notes=result.notes,
        encoding=None,
        sha256=sha256,
    )


class _Grid:
    """The sheet's values with its merged ranges: what each cell *shows*."""

    def __init__(self, values: dict[int, dict[int, str]], ranges: list[CellRange], width: int):
        self.values = values
        self.ranges = ranges
        self.width = width
        self._merged: dict[tuple[int, int], CellRange] = {}
        limit = HEADER_SCAN_ROWS + 10  # header rows only: the band never reaches further
        for rng in ranges:
            for r in range(rng.min_row, min(rng.max_row, limit) + 1):
                for c in range(rng.min_col, min(rng.max_col, width) + 1):
                    self._merged[(r, c)] = rng

    def filled(self, r: int, c: int) -> str | None:
        rng = self._merged.get((r, c))
        if rng is not None:
            r, c = rng.min_row, rng.min_col
        return self.values.get(r, {}).get(c)

    def scan_row(self, r: int) -> ScanRow:
        cells = [self.filled(r, c) for c in range(1, self.width + 1)]
        units: list[Hashable] = []
        for c in range(1, self.width + 1):
            rng = self._merged.get((r, c))
            units.append(rng.coord if rng is not None else c)
        return ScanRow(r, cells, units)

    def header_band(self, h: int) -> tuple[int, int]:
        """The rows the header spans: the detected row, widened down over a label merged down
        over the next row(s) or a group header with labels under it, and up over group
        headers merged across columns (a title merged across the whole table excepted)."""
        top = bottom = h
        grown = True
        while grown:
            grown = False
            for rng in self.ranges:
                if top <= rng.min_row <= bottom < rng.max_row:
                    bottom, grown = rng.max_row, True
            if not grown and self._labels_under_groups(bottom):
                bottom, grown = bottom + 1, True
        first, last = self._span(top, bottom)
        while top > 1:
            r = top - 1
            crossing = [g for g in self.ranges if g.min_row <= r and g.max_row >= top]
            if crossing:
                top = min(g.min_row for g in crossing)
                continue
            groups = [
                g
                for g in self.ranges
                if g.min_row <= r <= g.max_row and g.max_col > g.min_col and g.max_col >= first
            ]
            above = self.scan_row(r)
            units = {u for c, u in zip(above.cells, above.units, strict=True) if c}
            if not groups or not units:
                break
            if all(_UNIT_NOTE.match(t) for t in above.distinct()):
                break  # "单位：万元" over the last columns: a note on units, not a group
            if len(units) == 1 and len(groups) == 1:
                g = groups[0]
                if g.min_col <= first and g.max_col >= last:
                    break  # a title over the whole table, not a group header
            top = r
        return top, bottom

    def _labels_under_groups(self, r: int) -> bool:
        """Row ``r`` holds a range merged across columns with a label under each of them in
        the next row, and that next row holds no number: it is the header's lower row."""
        below = self.values.get(r + 1, {})
        if not below or any(looks_numeric(v) for v in below.values()):
            return False
        for rng in self.ranges:
            if rng.max_row == r and rng.max_col > rng.min_col:
                cols = range(rng.min_col, rng.max_col + 1)
                if all(below.get(c) for c in cols):
                    return True
        return False

    def _span(self, top: int, bottom: int) -> tuple[int, int]:
        cols = [
            c for c in range(1, self.width + 1) for r in range(top, bottom + 1) if self.filled(r, c)
        ]
        return (min(cols), max(cols)) if cols else (1, self.width)

    def vertical_fill(self, first_row: int) -> dict[tuple[int, int], str]:
        """Data cells under a one-column range merged down ("2020年1月" over its countries):
        every row shows the value, so every row gets it."""
        filled: dict[tuple[int, int], str] = {}
        for rng in self.ranges:
            if rng.min_col == rng.max_col and rng.max_row > rng.min_row:
                value = self.values.get(rng.min_row, {}).get(rng.min_col)
                if value is None:
                    continue
                for r in range(max(rng.min_row + 1, first_row), rng.max_row + 1):
                    filled[(r, rng.min_col)] = value
        return filled


def _formulas_without_values(
    ctx: Ctx, ws: Sheet, formulas: Sheet, headers: Sequence[str], rows: set[int]
) -> None:
    """Formula cells with no cached result (a file written by a program and never opened and
    saved in Excel): the value the user expects there is missing. Only cells of the rows
    imported (``rows``) matter: a total row left out may compute what it likes."""
    missing: list[tuple[int, int]] = []
    shown = _cells(ws)
    for (r, c), cell in sorted(_cells(formulas).items()):
        if cell.data_type == "f" and c <= len(headers) and r in rows:
            current = shown.get((r, c))
            if current is None or current.value is None:
                missing.append((r, c))
    for r, c in missing[:MAX_PROBLEMS_PER_CODE]:
        column = headers[c - 1] or get_column_letter(c)
        ctx.add(
            "formula_without_value",
            f"公式单元格 {get_column_letter(c)}{r} 没有计算结果（文件未经 Excel 保存）；"
            "请在 Excel 中打开并保存后重新导入。",
            f"Formula cell {get_column_letter(c)}{r} has no computed value (the file was never "
            "saved by Excel): open and save it in Excel, then import it again.",
            row=r,
            column=column,
            severity=Severity.WARNING,
        )
    more_problems(
        ctx,
        "formula_without_value",
        len(missing) - MAX_PROBLEMS_PER_CODE,
        severity=Severity.WARNING,
    )
