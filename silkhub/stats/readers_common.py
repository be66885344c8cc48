"""What the CSV and Excel readers share: problems, text normalisation, finding the header row,
and sorting the rows under it into data, totals, footnotes and blanks.

Both readers end with a ``pyarrow.Table`` of text cells plus ``ROW_COLUMN``; the row sorting
(``classify_rows``) works on that table with vectorised kernels, so that a five-million-row
CSV is sorted in a fraction of a second: only the few rows that *may* be totals or footnotes
are looked at in Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from silkhub.core.errors import Location, Message, Problem, Severity
from silkhub.stats.raw import ROW_COLUMN, RawTable, SkippedRow

#: How far down a file the header row is looked for.
HEADER_SCAN_ROWS = 30
#: Problems of one kind reported one by one before the rest are summed up in one problem.
MAX_PROBLEMS_PER_CODE = 100
#: Footnotes are looked for among this many rows at the end of the table (a footnote block is a
#: handful of lines; the bound keeps a one-column file of millions of rows out of Python).
FOOTNOTE_SCAN_ROWS = 1000


@dataclass
class Ctx:
    """The file being read, for the locations of the problems found in it."""

    source: str
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        code: str,
        zh: str,
        en: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        location = Location(file=self.source, sheet=self.sheet, row=row, column=column)
        self.problems.append(Problem(code, Message(zh, en), location, value, severity))


# --- text -----------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
# A unit in brackets at the end of a header: "金额（万元）", "Value (USD thousand)", "同比【%】".
# NFKC has already turned full-width round and square brackets into ASCII ones.
_TRAILING_UNIT = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]$")
_NUMBERISH = re.compile(r"^[-+−]?[\d,]*\.?\d+%?$")


def normalise(text: str) -> str:
    """NFKC (full-width digits, letters and brackets to ASCII), casefold, whitespace collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def match_key(text: str) -> str:
    """The key headers are compared by: ``normalise`` with *all* whitespace removed, because
    Chinese tables pad labels with (full-width) spaces to align them: "国　　别" is "国别"."""
    return _SPACES.sub("", normalise(text))


def base_key(text: str) -> str:
    """``match_key`` without a trailing unit in brackets: "金额（万元）" → "金额"."""
    return _TRAILING_UNIT.sub("", match_key(text))


def header_text(text: str) -> str:
    """A header as the file labels it, with line breaks and runs of spaces made one space."""
    return _SPACES.sub(" ", text).strip()


def looks_numeric(text: str) -> bool:
    return bool(_NUMBERISH.match(match_key(text)))


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def row_text(cells: Iterable[str | None], limit: int = 100) -> str:
    """The first non-empty cells of a row, for ``SkippedRow.text`` and for messages."""
    parts = [c for c in cells if c]
    return shorten(" | ".join(parts[:6]), limit)


class HintMatcher:
    """Which of the expected headers a cell names (see ``read_file``'s ``header_hints``).

    A cell matches a hint when both are equal by ``match_key``, or equal once a trailing unit
    is dropped from each (``base_key``), or when the cell is one word of a hint written with a
    group prefix ("出口 金额（万元）" as a mapping file names a column under a merged "出口"):
    group header rows are then recognised as part of the header.
    """

    def __init__(self, hints: Sequence[str]) -> None:
        self.hints = [h for h in dict.fromkeys(hints) if h and h.strip()]
        self._keys: dict[str, set[int]] = {}
        for i, hint in enumerate(self.hints):
            keys = {match_key(hint), base_key(hint)}
            for part in normalise(hint).split(" "):
                if len(part) >= 2:
                    keys.update({match_key(part), base_key(part)})
            for key in keys:
                if key:
                    self._keys.setdefault(key, set()).add(i)

    def __bool__(self) -> bool:
        return bool(self.hints)

    @property
    def needed(self) -> int:
        return min(2, len(self.hints))

    def matches(self, cell: str) -> set[int]:
        return self._keys.get(match_key(cell), set()) | self._keys.get(base_key(cell), set())


# --- the header row -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanRow:
    """One row near the top of a file, for header detection.

    ``cells`` has merged cells filled in (every cell of a merged range shows its value);
    ``units`` says which cells are one merged range, so that a title merged across ten columns
    counts as one cell, not ten.
    """

    number: int  # as the user sees it
    cells: Sequence[str | None]
    units: Sequence[Hashable]

    def distinct(self) -> list[str]:
        seen: set[Hashable] = set()
        out: list[str] = []
        for cell, unit in zip(self.cells, self.units, strict=True):
            if cell and unit not in seen:
                seen.add(unit)
                out.append(cell)
        return out


def is_header(row: ScanRow, matcher: HintMatcher) -> bool:
    """The header test of ``read_file``: enough hints named by distinct cells; without hints,
    at least two cells of text and no majority of numbers."""
    if matcher:
        hints: set[int] = set()
        units: set[Hashable] = set()
        for cell, unit in zip(row.cells, row.units, strict=True):
            if cell:
                found = matcher.matches(cell)
                if found:
                    hints |= found
                    units.add(unit)
        return min(len(hints), len(units)) >= matcher.needed
    texts = row.distinct()
    numeric = sum(1 for t in texts if looks_numeric(t))
    return len(texts) >= 2 and numeric * 2 <= len(texts)


def find_header(rows: Sequence[ScanRow], matcher: HintMatcher) -> int | None:
    """Index in ``rows`` of the header row, or None."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if is_header(row, matcher):
            return i
    return None


def header_not_found(ctx: Ctx, rows: Sequence[ScanRow], matcher: HintMatcher) -> None:
    """The error that shows the user what was expected and what the top of the file holds."""
    seen = [(r.number, row_text(r.distinct(), 80)) for r in rows if r.distinct()][:3]
    seen_zh = "；".join(f"第{n}行：{t}" for n, t in seen) or "（文件开头没有内容）"
    seen_en = "; ".join(f"row {n}: {t}" for n, t in seen) or "(nothing at the top of the file)"
    if matcher:
        wanted = matcher.hints
        zh = (
            f"在前{HEADER_SCAN_ROWS}行中找不到表头：应至少包含以下列名中的{matcher.needed}个："
            f"{'、'.join(wanted)}。文件开头为：{seen_zh}"
        )
        en = (
            f"No header row in the first {HEADER_SCAN_ROWS} rows: expected at least "
            f"{matcher.needed} of these column names: {', '.join(wanted)}. "
            f"The file begins with: {seen_en}"
        )
    else:
        zh = f"在前{HEADER_SCAN_ROWS}行中找不到表头（至少两个非数字的列名）。文件开头为：{seen_zh}"
        en = (
            f"No header row in the first {HEADER_SCAN_ROWS} rows (one with at least two "
            f"column names that are not numbers). The file begins with: {seen_en}"
        )
    ctx.add("header_not_found", zh, en)


# --- rows under the header ------------------------------------------------------------------

_TOTAL_WORDS = {"合计", "总计", "共计", "全省", "全国合计", "全省合计", "总值", "总合计"}
_TOTAL_WORDS_EN = {"total", "grandtotal", "sum", "totals"}
_SUBTOTAL_WORDS = {"小计", "subtotal", "sub-total"}
# A cheap pre-filter (one RE2 pass per column) before the exact test in Python: every total or
# subtotal label contains one of these.
_TOTAL_PREFILTER = r"[计值其全]|total|sum|ｔｏｔａｌ|ｓｕｍ|of\s*which"

_FOOTNOTE_START = re.compile(
    r"^(?:(?:注|备注|说明|notes?|sources?)\s*(?:[:：.．、\d①-⑳(（]|$)"
    r"|资料来源|数据来源|[*※])",
    re.IGNORECASE,
)


def total_kind(text: str) -> str | None:
    """ "total" or "subtotal" when a label names a total row, else None."""
    key = match_key(text).rstrip(":：").replace("_", "").replace("-", "")
    if key.startswith(("其中", "ofwhich")) or key in _SUBTOTAL_WORDS or "小计" in key:
        return "subtotal"
    if key in _TOTAL_WORDS or key in _TOTAL_WORDS_EN:
        return "total"
    if len(key) <= 12 and key.endswith(("合计", "总计", "共计", "总值")):
        return "total"  # "全市合计", "出口总计"
    if key.startswith("total") or key.endswith("total"):
        return "total"  # "Total exports", "ASEAN total"
    return None


def is_footnote_start(text: str) -> bool:
    """A note below the table: "注：…", "资料来源：…", "Source: …", "* …", or a long sentence."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if _FOOTNOTE_START.match(stripped):
        return True
    return len(stripped) >= 40 or (len(stripped) >= 15 and stripped.endswith(("。", ".", "！")))


@dataclass
class LooseRow:
    """A row that is not in the table (a CSV line with the wrong number of fields)."""

    number: int
    cells: list[str | None]
    text: str


@dataclass
class Sorted:
    table: pa.Table
    skipped: list[SkippedRow]
    notes: list[str]
    #: Loose rows that turned out to be footnotes or blank: no longer a problem.
    absorbed: set[int]


def classify_rows(
    ctx: Ctx,
    table: pa.Table,
    *,
    first_col: int = 0,
    loose: Sequence[LooseRow] = (),
    blank_rows: Sequence[int] = (),
) -> Sorted:
    """Drop blank, total, subtotal and footnote rows from ``table`` (data columns "c0"…, plus
    ``ROW_COLUMN``), recording each as a ``SkippedRow``; totals are also warnings.

    ``first_col`` is the first column the header names (a sheet may start in column B);
    totals are looked for in it and the two after it, and footnotes must stand in it.
    ``blank_rows`` are row numbers the reader already dropped as blank (CSV empty lines).
    """
    data_cols = [n for n in table.column_names if n != ROW_COLUMN]
    n = table.num_rows
    filled = _filled(table, data_cols)
    row_numbers = table[ROW_COLUMN].to_numpy()

    # The last row that is certainly data (two cells or more); footnotes come after it.
    full = np.flatnonzero(filled >= 2) if filled is not None else np.array([n - 1] if n else [])
    last_data = int(row_numbers[full[-1]]) if len(full) else 0
    for lr in loose:
        if sum(1 for c in lr.cells if c) >= 2:
            last_data = max(last_data, lr.number)

    drop = np.zeros(n, dtype=bool)
    skipped: list[SkippedRow] = []
    notes: list[str] = []
    absorbed: set[int] = set()

    # Footnotes: the first row after the last data row whose one cell, in the first column,
    # reads like a note; it and every row after it.
    tail_start = int(np.searchsorted(row_numbers, last_data, side="right")) if n else 0
    tail_start = max(tail_start, n - FOOTNOTE_SCAN_ROWS)
    tail: list[tuple[int, int | None, list[str | None]]] = []  # (row, index in table, cells)
    if tail_start < n:
        part = table.slice(tail_start)
        columns = [part[name].to_pylist() for name in data_cols]
        for i in range(part.num_rows):
            tail.append((int(row_numbers[tail_start + i]), tail_start + i, [c[i] for c in columns]))
    tail.extend((lr.number, None, lr.cells) for lr in loose if lr.number > last_data)
    tail.sort(key=lambda t: t[0])
    in_notes = False
    for number, index, cells in tail:
        present = [(j, c) for j, c in enumerate(cells) if c]
        if not in_notes and len(present) == 1:
            j, text = present[0]
            in_notes = j <= first_col and is_footnote_start(text)
        if not in_notes:
            continue
        if index is not None:
            drop[index] = True
        else:
            absorbed.add(number)
        if present:
            note = " ".join(c for _, c in present)
            notes.append(note)
            skipped.append(SkippedRow(number, "footnote", shorten(note, 100)))
        else:
            skipped.append(SkippedRow(number, "blank", ""))

    # Blank rows.
    blank = np.flatnonzero((filled == 0) & ~drop).tolist() if filled is not None else []
    for i in blank:
        skipped.append(SkippedRow(int(row_numbers[i]), "blank", ""))
        drop[i] = True
    for lr in loose:
        if lr.number not in absorbed and not any(c for c in lr.cells):
            absorbed.add(lr.number)
            skipped.append(SkippedRow(lr.number, "blank", ""))
    skipped.extend(SkippedRow(r, "blank", "") for r in blank_rows if r < last_data)

    # Totals and subtotals, in the first three named columns.
    for index, kind in _total_rows(table, data_cols[first_col : first_col + 3], drop):
        drop[index] = True
        number = int(row_numbers[index])
        label = row_text(table.slice(index, 1).select(data_cols).to_pylist()[0].values())
        skipped.append(SkippedRow(number, kind, label))
        ctx.add(
            "total_row_skipped",
            f"{'小计' if kind == 'subtotal' else '合计'}行未导入：{label}",
            f"{kind.capitalize()} row not imported: {label}",
            row=number,
            value=label,
            severity=Severity.WARNING,
        )

    kept = table.filter(pa.array(~drop)) if drop.any() else table
    skipped.sort(key=lambda s: s.row)
    return Sorted(kept, skipped, notes, absorbed)


def _filled(table: pa.Table, data_cols: Sequence[str]) -> np.ndarray | None:
    """How many cells of each row hold a value; None when two columns have no empty cell, so
    that every row has two cells or more (no blank row, every row data): then there is no
    need to look at the rows one by one."""
    gappy = [name for name in data_cols if table[name].null_count]
    full = len(data_cols) - len(gappy)
    if full >= 2:
        return None
    filled = np.full(table.num_rows, full, dtype=np.int64)
    for name in gappy:
        filled += pc.is_valid(table[name]).to_numpy(zero_copy_only=False).astype(np.int64)
    return filled


def _total_rows(table: pa.Table, columns: Sequence[str], drop: np.ndarray) -> list[tuple[int, str]]:
    """(index, "total"|"subtotal") of the rows whose label names a total."""
    kinds: dict[int, str] = {}
    for name in columns:
        col = table[name]
        # Labels repeat (a dozen months, two hundred countries): look at each once. The regex
        # keeps the Python test to the few distinct values that may name a total.
        distinct = pc.unique(col)
        maybe = pc.fill_null(
            pc.match_substring_regex(distinct, _TOTAL_PREFILTER, ignore_case=True), False
        )
        candidates = pc.filter(distinct, maybe).to_pylist()
        labels = {c: k for c in candidates if c is not None and (k := total_kind(c)) is not None}
        if not labels:
            continue
        hit = pc.fill_null(pc.is_in(col, value_set=pa.array(list(labels), pa.string())), False)
        indices = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
        values = pc.take(col, pa.array(indices, pa.int64())).to_pylist()
        for index, value in zip(indices.tolist(), values, strict=True):
            if not drop[index] and index not in kinds:
                kinds[index] = labels[value]
    return sorted(kinds.items())


# --- assembling the result ------------------------------------------------------------------


def drop_blank_trailing_columns(headers: list[str], table: pa.Table) -> tuple[list[str], pa.Table]:
    """Columns at the right with no header and no value anywhere are not part of the table."""
    keep = len(headers)
    while keep > 0:
        name = RawTable.column_name(keep - 1)
        if headers[keep - 1] or table[name].null_count != table.num_rows:
            break
        keep -= 1
    if keep == len(headers):
        return headers, table
    names = [RawTable.column_name(i) for i in range(keep)] + [ROW_COLUMN]
    return headers[:keep], table.select(names)


def string_table(columns: Sequence[Sequence[str | None]], rows: Sequence[int]) -> pa.Table:
    arrays = [pa.array(col, type=pa.string()) for col in columns]
    names = [RawTable.column_name(i) for i in range(len(columns))]
    return pa.table(
        [*arrays, pa.array(rows, type=pa.int64())],
        names=[*names, ROW_COLUMN],
    )


def no_rows_warning(ctx: Ctx, row: int) -> None:
    ctx.add(
        "no_data_rows",
        "表头下方没有数据行。",
        "There are no data rows under the header.",
        row=row,
        severity=Severity.WARNING,
    )


def more_problems(ctx: Ctx, code: str, count: int, *, severity: Severity) -> None:
    """One problem for the rest, when a kind of problem is reported only so many times."""
    if count > 0:
        ctx.add(
            code,
            f"另有{count}处同类问题未逐一列出。",
            f"{count} more problem(s) of this kind are not listed one by one.",
            value=count,
            severity=severity,
        )
