"""A briefing as a PDF (A4), laid out with ReportLab's platypus: title, demonstration label,
sections, tables, the charts drawn by ``briefing_drawing`` with their figures, the data
versions, and on every page a footer with the page number (and the demonstration label).

Chinese text is set in the built-in CID font STSong-Light: nothing is embedded, the reader's
PDF viewer supplies the glyphs (every mainstream viewer does), and the file stays small.
``invariant`` output: the same briefing gives the same bytes.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from silkhub.stats.briefing_drawing import chart_drawing, text_font
from silkhub.stats.briefing_model import Briefing, Chart, Table

__all__ = ["to_pdf"]

_RED = colors.HexColor("#b00000")
_GRID = colors.HexColor("#bbbbbb")
_HEAD = colors.HexColor("#eeeeee")


class _Styles:
    """The paragraph styles of one language (Chinese wraps between any two characters)."""

    def __init__(self, lang: str) -> None:
        font = text_font(lang)
        bold = "Helvetica-Bold" if lang == "en" else font
        wrap = None if lang == "en" else "CJK"
        base: dict[str, Any] = {"fontName": font, "wordWrap": wrap, "alignment": TA_LEFT}
        self.title = ParagraphStyle("title", **{**base, "fontName": bold}, fontSize=16, leading=22)
        self.demo = ParagraphStyle(
            "demo",
            **base,
            fontSize=10,
            leading=14,
            textColor=_RED,
            borderColor=_RED,
            borderWidth=1.2,
            borderPadding=4,
            spaceBefore=6,
            spaceAfter=10,
        )
        self.heading = ParagraphStyle(
            "heading", **{**base, "fontName": bold}, fontSize=12.5, leading=18, spaceBefore=12
        )
        self.body = ParagraphStyle("body", **base, fontSize=10, leading=16, spaceAfter=4)
        self.caption = ParagraphStyle(
            "caption", **{**base, "fontName": bold}, fontSize=9.5, leading=13, spaceBefore=8
        )
        self.cell = ParagraphStyle("cell", **base, fontSize=8.5, leading=11)
        self.note = ParagraphStyle("note", **base, fontSize=8.5, leading=12, spaceAfter=2)
        self.font = font


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(table: Table, styles: _Styles) -> list[Flowable]:
    caption = _p(table.caption, styles.caption)
    if not table.rows:
        return [caption, _p(table.empty, styles.note)]
    header = [_p(c, styles.cell) for c in table.columns]
    body = [
        [_p(c, styles.cell) if i == table.row_header else c for i, c in enumerate(row)]
        for row in table.rows
    ]
    grid = PdfTable([header, *body], repeatRows=1, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), styles.font, 8.5),
                ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
                ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 1), (-1, -1), "RIGHT"),
                ("ALIGN", (table.row_header, 1), (table.row_header, -1), "LEFT"),
            ]
        )
    )
    out: list[Flowable] = [caption, grid]
    out += [_p(n, styles.note) for n in table.notes]
    return out


def _chart(chart: Chart, lang: str, styles: _Styles, *, own_table: bool) -> list[Flowable]:
    parts: list[Flowable] = [_p(chart.caption, styles.caption), chart_drawing(chart, lang)]
    out: list[Flowable] = [KeepTogether(parts)]
    if own_table:
        out += _table(chart.table, styles)
    return out


def _story(b: Briefing, styles: _Styles) -> list[Flowable]:
    story: list[Flowable] = [_p(b.title, styles.title)]
    if b.demo_label:
        story.append(_p(b.demo_label, styles.demo))
    for section in b.sections:
        story.append(_p(section.heading, styles.heading))
        story += [_p(s, styles.body) for s in section.sentences]
        for table in section.tables:
            story += _table(table, styles)
        for chart in section.charts:
            story += _chart(chart, b.lang, styles, own_table=chart.table not in section.tables)
    if b.vintage_note:
        story.append(_p("Data versions" if b.lang == "en" else "数据说明", styles.heading))
        story += [_p("· " + n, styles.note) for n in b.vintage_note]
    story += [Spacer(1, 12), _p(b.footer, styles.note)]
    return story


def _footer(b: Briefing, font: str) -> Any:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        number = f"{doc.page}" if b.lang == "en" else f"第{doc.page}页"
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, number)
        canvas.drawString(2 * cm, 1.2 * cm, "silkhub")
        if b.demo_label:
            # On every page: a printed page can travel alone.
            canvas.setFillColor(_RED)
            canvas.drawCentredString(A4[0] / 2, 1.2 * cm, b.demo_label)
        canvas.restoreState()

    return draw


def to_pdf(b: Briefing) -> bytes:
    """The briefing as PDF bytes (A4, 2 cm margins, tagged with its language and title)."""
    styles = _Styles(b.lang)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=b.title,
        author="silkhub",
        creator="silkhub",
        subject=b.demo_label or "",
        lang="en" if b.lang == "en" else "zh-CN",
        displayDocTitle=True,
        invariant=True,
    )
    footer = _footer(b, styles.font)
    doc.build(_story(b, styles), onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
