"""What a reader makes of a file before anything is interpreted: text cells with their
place in the file, so that every later problem can name the file, sheet, row and column.

Readers (``silkhub.stats.readers``) produce a ``RawTable``; the mapping and validation
(``silkhub.stats.mapping``, ``silkhub.stats.validate``) turn it into typed rows of a dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

#: Name of the column holding each row's number as the user sees it (Excel's row number, or the
#: line number in a text editor), 1-based.
ROW_COLUMN = "_row"


@dataclass(frozen=True)
class SkippedRow:
    row: int
    reason: str  # "title", "total", "subtotal", "footnote", "blank"
    text: str  # the row's first non-empty cells, for the report


@dataclass
class RawTable:
    """The cells of one table found in a file, all as text (None for empty cells)."""

    source: str  # the file's name as the user gave it
    sheet: str | None  # Excel sheet name; None for CSV
    #: One header per column, as the file labels it. Multi-row headers are joined top to
    #: bottom with a space ("出口 金额（万元）"); empty header cells are "" .
    headers: list[str]
    #: One string column per header, named "c0", "c1", ..., plus ROW_COLUMN (int64).
    cells: pa.Table
    #: Rows dropped by the reader (title rows above the header, total and subtotal rows,
    #: footnotes below the data), reported so that the user sees nothing vanished silently.
    skipped: list[SkippedRow] = field(default_factory=list)
    #: Footnotes found below the table (kept for the import's record).
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None  # for text files: the encoding used to read it
    sha256: str = ""  # of the file's bytes
    #: No cell starts or ends with white space and none is "" (the readers make them so);
    #: validation then skips trimming them again.
    trimmed: bool = False

    @staticmethod
    def column_name(index: int) -> str:
        return f"c{index}"

    @property
    def row_count(self) -> int:
        return int(self.cells.num_rows)
