"""A briefing as an Excel workbook (openpyxl): the first sheet reads like the briefing (title,
demonstration label, sentences, tables, data versions); each chart gets a sheet of its own with
its figures and a native Excel chart drawn from those cells, so an analyst can restyle it or
copy it into a slide.

Numbers are written as numbers at the precision the briefing prints them (a reader's sum
matches the page), with a number format showing exactly those decimals.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from silkhub.stats.briefing_model import Briefing, Cell, Chart, Table

__all__ = ["to_xlsx"]

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADING = Font(bold=True, size=12)
_DEMO = Font(bold=True, color="B00000")
_NOTE = Font(italic=True, color="555555")
_HEAD_FILL = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="center")


def _number_format(value: Decimal | int | float) -> str:
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return "#,##0" + ("." + "0" * places if places else "")
    return "#,##0" if isinstance(value, int) else "#,##0.0"


def _put(sheet: Worksheet, row: int, col: int, value: Cell) -> None:
    cell = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        cell.number_format = _number_format(value)


def _write_table(sheet: Worksheet, row: int, table: Table) -> int:
    """Writes ``table`` from ``row``; returns the next free row."""
    sheet.cell(row=row, column=1, value=table.caption).font = _BOLD
    row += 1
    if not table.rows:
        sheet.cell(row=row, column=1, value=table.empty).font = _NOTE
        return row + 2
    for col, name in enumerate(table.columns, start=1):
        cell = sheet.cell(row=row, column=col, value=name)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEAD_FILL, _WRAP
    for values in table.cells():
        row += 1
        for col, value in enumerate(values, start=1):
            _put(sheet, row, col, value)
    row += 1
    for note in table.notes:
        sheet.cell(row=row, column=1, value=note).font = _NOTE
        row += 1
    return row + 1


def _chart_sheet(book: Workbook, chart: Chart, number: int, lang: str) -> None:
    title = f"Figure {number}" if lang == "en" else f"图{number}"
    sheet = book.create_sheet(title)
    sheet.cell(row=1, column=1, value=chart.caption).font = _BOLD
    sheet.cell(row=2, column=1, value=chart.unit).font = _NOTE
    header = 3
    sheet.cell(row=header, column=1, value="").fill = _HEAD_FILL
    for col, series in enumerate(chart.series, start=2):
        cell = sheet.cell(row=header, column=col, value=series.name)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    for i, category in enumerate(chart.categories):
        sheet.cell(row=header + 1 + i, column=1, value=category)
        for col, series in enumerate(chart.series, start=2):
            value = series.values[i]
            sheet.cell(row=header + 1 + i, column=col, value=value).number_format = "#,##0.0#"
    last = header + len(chart.categories)
    plot = BarChart()
    plot.type = "bar" if chart.kind == "bars" else "col"
    plot.title = chart.caption
    plot.y_axis.title = chart.unit
    plot.legend = None if len(chart.series) == 1 else plot.legend
    if chart.kind == "bars":
        # Excel draws the first category at the bottom; a ranking reads from the top.
        plot.x_axis.scaling.orientation = "maxMin"
    data = Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=header, max_row=last)
    plot.add_data(data, titles_from_data=True)
    plot.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    plot.width, plot.height = 18, 9 if chart.kind == "columns" else 3 + 0.7 * len(chart.categories)
    sheet.add_chart(plot, f"{get_column_letter(len(chart.series) + 3)}3")
    sheet.column_dimensions["A"].width = 28


def to_xlsx(b: Briefing) -> bytes:
    """The briefing as the bytes of an ``.xlsx`` workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "Briefing" if b.lang == "en" else "简报"
    sheet.cell(row=1, column=1, value=b.title).font = _TITLE
    row = 2
    if b.demo_label:
        sheet.cell(row=row, column=1, value=b.demo_label).font = _DEMO
        row += 1
    row += 1
    number = 0
    for section in b.sections:
        sheet.cell(row=row, column=1, value=section.heading).font = _HEADING
        row += 1
        for sentence in section.sentences:
            sheet.cell(row=row, column=1, value=sentence)
            row += 1
        row += 1
        for table in section.tables:
            row = _write_table(sheet, row, table)
        for chart in section.charts:
            number += 1
            if chart.table not in section.tables:
                row = _write_table(sheet, row, chart.table)
            _chart_sheet(book, chart, number, b.lang)
    if b.vintage_note:
        sheet.cell(row=row, column=1, value="Data versions" if b.lang == "en" else "数据说明")
        sheet.cell(row=row, column=1).font = _HEADING
        row += 1
        for note in b.vintage_note:
            sheet.cell(row=row, column=1, value=note)
            row += 1
    sheet.cell(row=row + 1, column=1, value=b.footer).font = _NOTE
    sheet.column_dimensions["A"].width = 30
    for col in range(2, 7):
        sheet.column_dimensions[get_column_letter(col)].width = 18
    stamp = b.generated_at.replace(tzinfo=None)
    book.properties.title = b.title
    book.properties.creator = "silkhub"
    book.properties.language = "en" if b.lang == "en" else "zh-CN"
    book.properties.created = book.properties.modified = stamp
    if b.demo_label:
        book.properties.subject = b.demo_label
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
