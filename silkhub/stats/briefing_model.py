"""What a briefing is, apart from how it is computed or drawn: sections of sentences, tables
and charts, the data versions it used and its demonstration label.

Every renderer (Markdown, HTML, PDF, Excel, the portal page) reads these plain values only, so
a number appears in every format exactly as computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from silkhub.core.periods import Month, YearToDate

__all__ = ["Briefing", "Cell", "Chart", "ChartSeries", "Section", "Table"]

#: A table cell as a number (for a spreadsheet) or text; None where the figure is missing.
Cell = str | int | float | Decimal | None


@dataclass(frozen=True)
class Table:
    """A table as a release prints it: the first column names the row (a row header)."""

    caption: str
    columns: tuple[str, ...]
    #: The cells as printed (rounded, in the briefing's language).
    rows: tuple[tuple[str, ...], ...]
    #: Said instead of the table when it has no rows.
    empty: str = ""
    #: The column that names the row (``<th scope="row">``).
    row_header: int = 0
    #: Said under the table.
    notes: tuple[str, ...] = ()
    #: The same cells as values for a spreadsheet: numbers at the precision printed (so a
    #: reader's sum matches the page), text as text. Empty: use ``rows``.
    values: tuple[tuple[Cell, ...], ...] = ()

    def cells(self) -> tuple[tuple[Cell, ...], ...]:
        return self.values or self.rows


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: tuple[float | None, ...]
    #: Each value as the table prints it, written on its bar.
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    """A chart and the table of the numbers it draws (shown with it, for readers who cannot
    see the chart and for formats that cannot draw one, such as Markdown)."""

    caption: str
    #: "columns": vertical bars per category, one per series (months of two years);
    #: "bars": horizontal bars, one series, the first category on top (a ranking).
    kind: Literal["columns", "bars"]
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    #: The unit of the value axis, as printed on it.
    unit: str
    #: What the chart shows, in one sentence (alternative text).
    description: str
    table: Table


@dataclass(frozen=True)
class Section:
    heading: str
    sentences: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Briefing:
    lang: str
    month: Month
    period: YearToDate
    title: str
    #: The demonstration label, shown right under the title; None for real data.
    demo_label: str | None
    sections: tuple[Section, ...]
    #: One sentence per dataset used: which months, imports and publication dates.
    vintage_note: tuple[str, ...]
    footer: str
    generated_at: datetime
    #: Whether any figure at all was found for the period.
    has_data: bool = field(default=True)
    #: The datasets its figures were read from, in the order first read (their source pages
    #: are linked from the briefing's page).
    datasets: tuple[str, ...] = ()

    @property
    def charts(self) -> tuple[Chart, ...]:
        return tuple(c for s in self.sections for c in s.charts)
