"""Excel workbooks of a dataset's rows and of measure tables (openpyxl), for people.

A title row, the demonstration label when there is one (row 2, in red, in both languages),
column labels in the reader's language with the unit ("金额（人民币）（元）", "Cargo
throughput (tonnes)") and under them the same in the other language, number formats
(months ``yyyy-mm``, thousands separators, percentages to one decimal), a frozen header and
column widths fitted to the text (CJK characters count double); countries and choices are
shown by name in the reader's language. A second sheet "说明 About" gives the title, the
dataset and its description, the source, the vintages used (each with its months), the as-of
time, the generation time and the demonstration label. (A sheet's title may not contain "/",
so the sheet is "说明 About"; its rows are labelled "中文 / English".)
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from silkhub.core import countries
from silkhub.core.errors import InvalidInput, Message
from silkhub.core.units import UNITS
from silkhub.stats.datasets import Dataset, Field, Kind
from silkhub.stats.datasets import dataset as find_dataset
from silkhub.stats.publish import DEMO_LABEL, PUBLISHER, cell_text, vintages_in

# openpyxl ships no complete type information for its worksheets (mypy sees ``Any``).
Worksheet: TypeAlias = Any  # openpyxl.worksheet.worksheet.Worksheet

__all__ = ["EXCEL_MAX_ROWS", "MEASURE_COLUMNS", "measure_to_xlsx", "to_xlsx", "unit_label"]

_ABOUT_SHEET = "说明 About"  # sheet titles may not contain "/"
_MONTH_FORMAT = "yyyy-mm"
_DATE_FORMAT = "yyyy-mm-dd"
_INTEGER_FORMAT = "#,##0"
_DECIMAL_FORMAT = "#,##0.00"
_PERCENT_FORMAT = "0.0"
_MAX_WIDTH = 60
#: Rows a sheet holds (1,048,576) less the title, label and header rows.
EXCEL_MAX_ROWS = 1_048_576 - 4


def unit_label(f: Field, lang: str) -> str:
    """The field's label with its stored unit: "货物吞吐量（吨）", "Cargo throughput (tonnes)";
    the unit is left out when the label names it already ("Value (CNY)")."""
    label = f.label(lang)
    code = f.base_unit
    if code is None:
        return label
    symbol = UNITS[code].symbol(lang)
    if symbol in label:
        return label
    return f"{label}（{symbol}）" if lang != "en" else f"{label} ({symbol})"


def _other(lang: str) -> str:
    return "zh" if lang == "en" else "en"


def _display_value(f: Field | None, value: object, lang: str) -> object:
    """What a person reads in a cell: a country or choice by name, the rest as stored."""
    if value is None or f is None:
        return value
    if f.kind is Kind.COUNTRY and isinstance(value, str):
        found = countries.try_resolve(value)
        return found.name(lang) if found is not None else value
    if f.kind is Kind.CHOICE:
        for choice in f.choices:
            if choice.value == value:
                return choice.en if lang == "en" else choice.zh
    return value


def _number_format(f: Field | None) -> str | None:
    if f is None:
        return None
    if f.kind is Kind.MONTH:
        return _MONTH_FORMAT
    if f.kind is Kind.DATE:
        return _DATE_FORMAT
    if f.kind in (Kind.MONEY_CNY, Kind.MONEY_USD, Kind.TEU, Kind.COUNT):
        return _INTEGER_FORMAT
    if f.kind in (Kind.TONNES, Kind.NUMBER):
        return _DECIMAL_FORMAT
    return None


def _text_width(value: object) -> int:
    text = cell_text(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _new_sheet(workbook: Workbook, title: str) -> Worksheet:
    sheet: Worksheet = workbook.active
    sheet.title = title
    return sheet


def _title_rows(sheet: Worksheet, title: str, demo: bool, lang: str, width: int) -> int:
    """Row 1 the title, row 2 the demonstration label (or blank); returns the next row."""
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    if demo:
        note = f"{DEMO_LABEL.in_(lang)} / {DEMO_LABEL.in_(_other(lang))}"
        cell = sheet.cell(row=2, column=1, value=note)
        cell.font = Font(bold=True, color="C00000")
        if width > 1:
            sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    return 3


def _write_table(
    sheet: Worksheet,
    table: pa.Table,
    first_row: int,
    headers: Sequence[tuple[str, str]],
    formats: Sequence[str | None],
    display: Sequence[Field | None],
    lang: str,
) -> None:
    """Two header rows (reader's language, then the other), the data, frozen panes, widths."""
    widths = [0] * len(headers)
    for col, (primary, secondary) in enumerate(headers, 1):
        top = sheet.cell(row=first_row, column=col, value=primary)
        top.font = Font(bold=True)
        top.alignment = Alignment(wrap_text=True, vertical="top")
        below = sheet.cell(row=first_row + 1, column=col, value=secondary)
        below.font = Font(italic=True, color="595959")
        widths[col - 1] = max(_text_width(primary), _text_width(secondary))
    row = first_row + 2
    for batch in table.to_batches():
        columns = [c.to_pylist() for c in batch.columns]
        for values in zip(*columns, strict=True):
            for col, value in enumerate(values, 1):
                shown = _display_value(display[col - 1], value, lang)
                if isinstance(shown, float) and shown != shown:
                    shown = None
                cell = sheet.cell(row=row, column=col, value=shown)
                if formats[col - 1] is not None and shown is not None:
                    cell.number_format = formats[col - 1]
                widths[col - 1] = max(widths[col - 1], _text_width(shown) + 2)
            row += 1
    sheet.freeze_panes = sheet.cell(row=first_row + 2, column=1)
    for col, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), _MAX_WIDTH)


def _about_sheet(workbook: Workbook, rows: Sequence[tuple[str, str]]) -> None:
    about = workbook.create_sheet(_ABOUT_SHEET)
    about.cell(row=1, column=1, value="项目 / Item").font = Font(bold=True)
    about.cell(row=1, column=2, value="内容 / Content").font = Font(bold=True)
    for i, (key, value) in enumerate(rows, 2):
        about.cell(row=i, column=1, value=key).font = Font(bold=True)
        cell = about.cell(row=i, column=2, value=value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 100


def _about_rows(
    *,
    title: str,
    subject: tuple[str, str],
    description: tuple[str, str] | None,
    vintages: Sequence[tuple[int, list[str]]],
    as_of: datetime | None,
    generated_at: datetime,
    demo: bool,
) -> list[tuple[str, str]]:
    rows = [
        ("标题 / Title", title),
        ("数据 / Data", f"{subject[0]} / {subject[1]}"),
    ]
    if description is not None:
        rows.append(("说明 / Description", f"{description[0]}\n{description[1]}"))
    rows.append(("来源 / Source", f"{PUBLISHER.zh} / {PUBLISHER.en}"))
    if vintages:
        lines = [f"{v}: {', '.join(months)}" for v, months in vintages]
        rows.append(("所用版本 / Vintages used", "\n".join(lines)))
    as_of_text = as_of.isoformat() if as_of is not None else "最新 / latest"
    rows.append(("数据截至 / As of", as_of_text))
    rows.append(("生成时间 / Generated", generated_at.astimezone(UTC).isoformat()))
    demo_text = f"{DEMO_LABEL.zh}\n{DEMO_LABEL.en}" if demo else "否 / No"
    rows.append(("演示数据 / Demonstration data", demo_text))
    return rows


def _check_excel_rows(table: pa.Table) -> None:
    if table.num_rows > EXCEL_MAX_ROWS:
        raise InvalidInput.single(
            "too_many_rows_for_excel",
            Message(
                f"共 {table.num_rows} 行，超过 Excel 的上限 {EXCEL_MAX_ROWS} 行："
                "请缩小期间，或下载 CSV。",
                f"{table.num_rows} rows are more than Excel takes ({EXCEL_MAX_ROWS}): choose "
                "fewer periods, or download CSV.",
            ),
            value=table.num_rows,
        )


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_xlsx(
    table: pa.Table,
    dataset: Dataset | str,
    *,
    lang: str,
    title: str,
    demo: bool,
    as_of: datetime | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """Rows of a dataset (``dataset_rows``) as an Excel workbook (see the module docstring).

    Columns not of the dataset (``vintage``) keep their name. ``as_of`` and ``generated_at``
    are stated on the About sheet (``generated_at`` defaults to now).
    """
    _check_excel_rows(table)
    ds = dataset if isinstance(dataset, Dataset) else find_dataset(dataset)
    fields: list[Field | None] = [
        ds.field(n) if n in ds.field_names else None for n in table.column_names
    ]
    headers = [
        (unit_label(f, lang), unit_label(f, _other(lang)))
        if f is not None
        else _measure_header(n, lang, None)
        for n, f in zip(table.column_names, fields, strict=True)
    ]
    formats = [
        _number_format(f) if f is not None else ("0" if n == "vintage" else None)
        for n, f in zip(table.column_names, fields, strict=True)
    ]
    workbook = Workbook()
    sheet = _new_sheet(workbook, ds.name_in(lang)[:31])
    first = _title_rows(sheet, title, demo, lang, table.num_columns)
    _write_table(sheet, table, first, headers, formats, fields, lang)
    _about_sheet(
        workbook,
        _about_rows(
            title=title,
            subject=(f"{ds.zh}（{ds.name}）", f"{ds.en} ({ds.name})"),
            description=(ds.description_zh, ds.description_en),
            vintages=vintages_in(table, ds),
            as_of=as_of,
            generated_at=generated_at or datetime.now(UTC),
            demo=demo,
        ),
    )
    return _save(workbook)


#: Labels of the columns measure tables have (``silkhub.stats.measures``), and whether the
#: column is in the value's unit ("value"), a percentage ("pct") or percentage points ("pp").
MEASURE_COLUMNS: Mapping[str, tuple[str, str, str]] = {
    "rank": ("名次", "Rank", ""),
    "month": ("月份", "Month", ""),
    "group": ("国家组", "Country group", ""),
    "value": ("数值", "Value", "value"),
    "current": ("本期", "Current period", "value"),
    "previous": ("上年同期", "Same period last year", "value"),
    "growth_pct": ("同比增长（%）", "Growth (%)", "pct"),
    "times": ("为上年同期的倍数", "Times last year", ""),
    "share_pct": ("占比（%）", "Share (%)", "pct"),
    "total": ("合计", "Total", "value"),
    "ytd_value": ("1月至当月累计", "Year to date", "value"),
    "ytd_previous": ("上年同期累计", "Year to date, last year", "value"),
    "ytd_growth_pct": ("累计同比增长（%）", "Year-to-date growth (%)", "pct"),
    "whole": ("总体", "Whole", "value"),
    "change_pp": ("占比变化（百分点）", "Change in share (pp)", "pp"),
    "contribution_pp": ("拉动增长（百分点）", "Contribution to growth (pp)", "pp"),
    "vintage": ("数据版本", "Vintage", ""),
}


def _measure_header(name: str, lang: str, unit: str | None) -> tuple[str, str]:
    def one(language: str) -> str:
        known = MEASURE_COLUMNS.get(name)
        label = (known[1] if language == "en" else known[0]) if known else name
        if known and known[2] == "value" and unit is not None:
            symbol = UNITS[unit].symbol(language)
            return f"{label} ({symbol})" if language == "en" else f"{label}（{symbol}）"
        return label

    return one(lang), one(_other(lang))


def _measure_format(name: str, column: pa.ChunkedArray) -> str | None:
    known = MEASURE_COLUMNS.get(name)
    if known and known[2] in ("pct", "pp"):
        return _PERCENT_FORMAT
    if name == "month" or pa.types.is_date(column.type):
        return _MONTH_FORMAT if name == "month" else _DATE_FORMAT
    if pa.types.is_integer(column.type):
        return "0" if name in ("rank", "vintage") else _INTEGER_FORMAT
    if pa.types.is_floating(column.type):
        return _DECIMAL_FORMAT
    return None


def measure_to_xlsx(
    table: pa.Table,
    *,
    title: str,
    lang: str,
    demo: bool,
    unit: str | None = None,
    dataset_name: str | None = None,
    as_of: datetime | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """A measure's result table (``top``, ``series``...) as an Excel workbook: title, labels
    in both languages (values with ``unit``, a code of ``silkhub.core.units``, when given),
    percentages to one decimal, an About sheet. A country column (``partner`` and the like of
    ``dataset_name``) is shown by name."""
    _check_excel_rows(table)
    ds = find_dataset(dataset_name) if dataset_name is not None else None
    fields: list[Field | None] = [
        ds.field(n) if ds is not None and n in ds.field_names else None for n in table.column_names
    ]
    headers = [
        (f.label(lang), f.label(_other(lang))) if f is not None else _measure_header(n, lang, unit)
        for n, f in zip(table.column_names, fields, strict=True)
    ]
    formats = [_measure_format(n, table.column(n)) for n in table.column_names]
    workbook = Workbook()
    sheet = _new_sheet(workbook, "数据 Data")
    first = _title_rows(sheet, title, demo, lang, table.num_columns)
    _write_table(sheet, table, first, headers, formats, fields, lang)
    subject = (ds.zh, ds.en) if ds is not None else ("统计指标", "Measure")
    _about_sheet(
        workbook,
        _about_rows(
            title=title,
            subject=subject,
            description=None,
            vintages=[],
            as_of=as_of,
            generated_at=generated_at or datetime.now(UTC),
            demo=demo,
        ),
    )
    return _save(workbook)
