"""A briefing's charts drawn once with ReportLab's graphics: the same drawing goes into the PDF
and, as inline SVG, into the HTML briefing, so the two cannot disagree.

Chinese text uses ReportLab's built-in CID font STSong-Light (Adobe's Song; PDF readers supply
the glyphs, nothing is embedded or shipped). In SVG the font is named in an inline style, which
the HTML briefing's stylesheet overrides with the reader's own sans-serif CJK fonts.
"""

from __future__ import annotations

import re
from functools import cache
from xml.sax.saxutils import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfmetrics import stringWidth

from silkhub.stats.briefing_model import Chart

__all__ = ["WIDTH", "chart_drawing", "chart_svg", "text_font"]

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
#: Width of a chart in points (the text width of an A4 page with 2 cm margins, nearly).
WIDTH = 470.0

#: Series colours: the latest series in the portal's blue, earlier ones in greys (a reader
#: compares this year against last, so last year recedes); AA contrast against white.
_COLOURS = ("#1f5fa8", "#8a96a3", "#c2c9d1")


@cache
def text_font(lang: str) -> str:
    """The font for text in ``lang``; registers the CID font on first use."""
    if lang == "en":
        return LATIN_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def _colour(index: int, count: int) -> colors.Color:
    # The last series is the latest, and gets the strong colour.
    return colors.HexColor(_COLOURS[(count - 1 - index) % len(_COLOURS)])


#: The widest a ranking's names may be, in points; longer names are shortened with "…".
_NAMES_MAX = 170.0


def _fitted(name: str, font: str, size: float) -> str:
    if stringWidth(name, font, size) <= _NAMES_MAX:
        return name
    while name and stringWidth(name + "…", font, size) > _NAMES_MAX:
        name = name[:-1]
    return name.rstrip() + "…"


def chart_drawing(chart: Chart, lang: str) -> Drawing:
    """The chart as a ReportLab drawing ``WIDTH`` wide: bars, axes, legend, the unit."""
    font = text_font(lang)
    count = len(chart.series)
    labels = [list(s.labels) for s in chart.series]
    if chart.kind == "bars":
        height = 40.0 + 18.0 * max(len(chart.categories), 1)
        names = [_fitted(c, font, 7.5) for c in chart.categories]
        left = 12 + max((stringWidth(n, font, 7.5) for n in names), default=0.0)
        plot: BarChart = HorizontalBarChart()
        plot.x, plot.y = left, 24
        plot.width, plot.height = WIDTH - left - 40, height - 44
        # ReportLab stacks categories upwards; a ranking reads from the top.
        plot.data = [tuple(reversed(s.values)) for s in chart.series]
        plot.categoryAxis.categoryNames = list(reversed(names))
        labels = [list(reversed(row)) for row in labels]
        plot.barLabels.boxAnchor = "w"
        plot.barLabels.dx = 3
    else:
        height = 210.0
        plot = VerticalBarChart()
        plot.x, plot.y = 44, 40
        plot.width, plot.height = WIDTH - 60, height - 80
        plot.data = [tuple(s.values) for s in chart.series]
        plot.categoryAxis.categoryNames = list(chart.categories)
        plot.barLabels.boxAnchor = "s"
        plot.barLabels.dy = 2
    if all(labels):
        plot.barLabelFormat = "values"
        plot.barLabelArray = labels
    plot.barLabels.fontName = font
    plot.barLabels.fontSize = 6.5
    plot.valueAxis.valueMin = 0
    plot.valueAxis.labels.fontName = font
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.visibleGrid = True
    plot.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    plot.categoryAxis.labels.fontName = font
    plot.categoryAxis.labels.fontSize = 7.5
    plot.barSpacing = 1
    plot.groupSpacing = 6
    for i in range(count):
        plot.bars[i].fillColor = _colour(i, count)
        plot.bars[i].strokeColor = None
    drawing = Drawing(WIDTH, height)
    drawing.add(plot)
    drawing.add(String(4, height - 12, chart.unit, fontName=font, fontSize=7.5))
    if count > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 10, height - 6
        legend.alignment = "right"
        legend.boxAnchor = "ne"
        legend.columnMaximum = 1
        legend.deltax = 70
        legend.dx = legend.dy = 7
        legend.fontName = font
        legend.fontSize = 7.5
        legend.colorNamePairs = [(_colour(i, count), s.name) for i, s in enumerate(chart.series)]
        drawing.add(legend)
    return drawing


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_TITLE_DESC = re.compile(r"\s*<title>.*?</title>\s*<desc>.*?</desc>", re.DOTALL)
# ReportLab clips the whole drawing to itself through an element with a fixed id; several
# charts in one page would repeat that id, and nothing is drawn outside anyway.
_CLIP = re.compile(
    r'\s*<clipPath id="clip">.*?</clipPath>|\s*style="clip-path: url\(#clip\)"|\s*id="group"',
    re.DOTALL,
)


def chart_svg(chart: Chart, lang: str) -> str:
    """The chart as an inline ``<svg>`` element for HTML: no XML prologue, scaled to its
    container, announced to screen readers as one image described by ``chart.description``."""
    drawing = chart_drawing(chart, lang)
    svg = _PROLOGUE.sub("", renderSVG.drawToString(drawing))
    svg = _CLIP.sub("", _TITLE_DESC.sub("", svg, count=1))
    width, height = int(drawing.width), int(drawing.height)
    label = escape(chart.description, {'"': "&quot;"})
    opening = (
        f'<svg viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{label}">'
        f"<title>{escape(chart.caption)}</title>"
    )
    return _SVG_OPEN.sub(lambda _: opening, svg, count=1).strip()
