"""Reading a delimited text file (CSV, TSV, ...) into a ``RawTable``.

Built for size: a customs extract can have millions of lines, in GBK. Only the top of the
file is looked at in Python (to choose the delimiter and find the header line); the rest is
parsed by ``pyarrow.csv`` with every column read as text. A GB18030 (GBK) file is parsed from
its own bytes, and only its non-ASCII cells are decoded, once per distinct value
(``silkhub.stats.readers_bytes``); when that cannot be done exactly (a line of the wrong
length, say), and for other encodings, the bytes are decoded in one call (C speed) and
re-encoded as UTF-8 for Arrow. Cells are trimmed only where their end bytes show white space.
Typing the values is the validator's job.

Row numbers are the line numbers an editor shows. Arrow counts *records* and skips empty
lines, so the line of each record is worked out afterwards: directly when the data has no
empty lines and no record spans lines (the usual case), from the positions of the newlines
when it has empty lines, and, when a quoted value holds a line break (a record then spans
several lines), by re-reading the data with Python's csv module, which tracks lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from silkhub.core.errors import Severity
from silkhub.stats.raw import ROW_COLUMN, RawTable, SkippedRow
from silkhub.stats.readers_bytes import (
    BYTE_SAFE_DELIMITERS,
    NotByteReadable,
    decoded_column,
    decoded_head,
    line_end,
    may_need_tidying,
)
from silkhub.stats.readers_common import (
    MAX_PROBLEMS_PER_CODE,
    Ctx,
    HintMatcher,
    LooseRow,
    ScanRow,
    classify_rows,
    drop_blank_trailing_columns,
    find_header,
    header_not_found,
    header_text,
    is_footnote_start,
    more_problems,
    no_rows_warning,
    row_text,
    shorten,
)

#: Lines read with the csv module to choose the delimiter and find the header.
SAMPLE_LINES = 60
#: Characters at the top of the file looked at for signs of a web page or binary data.
HEAD_CHARS = 65536
GB18030 = "gb18030"
DELIMITERS = (",", "\t", ";", "|")
_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Codecs read as GB18030: it is a superset of GBK and GB2312 and decodes every valid GBK file
# the same way, and files labelled "GBK" often hold a character or two only GB18030 has.
_GB_FAMILY = {"gbk", "gb2312", "cp936", "ms936", "euc-cn", "euc_cn"}
_NON_SPACE = re.compile(rb"\S")
_MARKUP = re.compile(r"<\s*(?:table|html|!doctype|\?xml)", re.IGNORECASE)


def decode(
    ctx: Ctx, data: bytes, encoding: str | None, *, defer_gb18030: bool = False
) -> tuple[str | None, str] | None:
    """(text, codec used), or None with an error in ``ctx``. With ``defer_gb18030`` a file
    that is to be read as GB18030 is not decoded yet: (None, "gb18030")."""
    if encoding is not None:
        codec = _codec_name(ctx, encoding)
        if codec is None:
            return None
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        if defer_gb18030 and codec == GB18030:
            return None, codec
        return _decode_with(ctx, data, codec, tried=[codec])
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_with(ctx, data, codec, tried=[codec])
    try:
        # The top first: a GBK file fails there, without a scan of all its bytes.
        codecs.utf_8_decode(data[:HEAD_CHARS], "strict", False)
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if defer_gb18030:
        return None, GB18030
    return _decode_with(ctx, data, GB18030, tried=["utf-8", GB18030])


def _codec_name(ctx: Ctx, name: str) -> str | None:
    try:
        # LookupError also for bytes-to-bytes codecs such as "base64" (not on empty input).
        b"aa".decode(name, "ignore")
        canonical = codecs.lookup(name).name
    except LookupError:
        ctx.add(
            "unknown_encoding",
            f"未知的文字编码“{name}”。常用的有：utf-8、gb18030（含 GBK、GB2312）。",
            f"Unknown text encoding {name!r}. Common ones: utf-8, gb18030 (covers GBK, GB2312).",
            value=name,
        )
        return None
    return GB18030 if canonical in _GB_FAMILY else canonical


def _decode_with(ctx: Ctx, data: bytes, codec: str, *, tried: list[str]) -> tuple[str, str] | None:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        _bad_encoding(ctx, data, exc, tried)
        return None
    return text.removeprefix("\ufeff"), codec


def _bad_encoding(ctx: Ctx, data: bytes, exc: UnicodeDecodeError, tried: list[str]) -> None:
    offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    byte = data[offset : offset + 1].hex().upper()
    names = " / ".join(_label(t) for t in tried)
    likely = next(
        (c for c in ("utf-8", "gb18030", "big5") if c not in tried and _fits(data, c)), None
    )
    if likely is not None:
        hint_zh = f"它看来是 {_label(likely)} 编码，请按该编码重新导入（encoding={likely}）。"
        hint_en = f"It looks like {_label(likely)}: import it again with encoding={likely}."
    else:
        hint_zh = "它可能不是文本文件，或使用了其他编码；请在 Excel 或编辑器中另存为 UTF-8。"
        hint_en = (
            "It may not be a text file, or be in another encoding: "
            "save it as UTF-8 from Excel or an editor."
        )
    ctx.add(
        "bad_encoding",
        f"文件无法按 {names} 解码：第{line}行（字节位置 {offset}）的字节 0x{byte} 无效。{hint_zh}",
        f"The file cannot be decoded as {names}: byte 0x{byte} at line {line} "
        f"(byte offset {offset}) is invalid. {hint_en}",
        row=line,
        value=f"0x{byte}",
    )


def _fits(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _label(codec: str) -> str:
    return {"gb18030": "GB18030（GBK）", "utf-8-sig": "UTF-8", "big5": "Big5"}.get(
        codec, codec.upper()
    )


def read_csv(
    ctx: Ctx, data: bytes, *, encoding: str | None, matcher: HintMatcher, sha256: str
) -> RawTable | None:
    decoded = decode(ctx, data, encoding, defer_gb18030=True)
    if decoded is None:
        return None
    text, codec = decoded
    del decoded  # the text is large: keep one reference to it, dropped below
    if text is None:
        table = _read_gb18030_bytes(ctx, data, matcher=matcher, sha256=sha256)
        if table is not None:
            return table
        decoded = decode(ctx, data, encoding)
        if decoded is None:
            return None
        text, codec = decoded
        del decoded
    assert text is not None
    head = text[:HEAD_CHARS]
    if _not_delimited_text(ctx, head):
        return None
    same_bytes = codec in ("utf-8", "utf-8-sig")  # the file is its own UTF-8 body
    if "\n" not in head and "\r" in head:
        text = text.replace("\r", "\n")  # classic Mac line ends: make lines countable
        same_bytes = False
    header = _locate_header(ctx, text, matcher)
    if header is None:
        return None
    start = len(text[: header.end].encode("utf-8"))
    if same_bytes:
        body = data  # already UTF-8: no re-encoding needed
        start += len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    else:
        body = text.encode("utf-8")
    del text
    dialect = _Dialect(header.delimiter)
    table, loose, blank_lines = _parse_body(ctx, body, start, header.ncols, dialect, header.line)
    if table is None:
        return None
    return _finish(ctx, header, table, loose, blank_lines, codec=codec, sha256=sha256)


def _read_gb18030_bytes(
    ctx: Ctx, data: bytes, *, matcher: HintMatcher, sha256: str
) -> RawTable | None:
    """The table of a GB18030 file read from its bytes (``silkhub.stats.readers_bytes``), or
    None when the file must be decoded whole and read as text; the problems of an attempt
    that gives up are dropped (the text path finds them again, or better ones)."""
    trial = Ctx(ctx.source, ctx.sheet)
    try:
        head = decoded_head(data, lines=SAMPLE_LINES)
        if head.startswith("\ufeff") or ("\n" not in head[:HEAD_CHARS] and "\r" in head):
            return None  # a byte-order mark or classic Mac line ends: the text path's cases
        if _not_delimited_text(trial, head[:HEAD_CHARS]):
            return None
        header = _locate_header(trial, head, matcher)
        if header is None or header.delimiter not in BYTE_SAFE_DELIMITERS:
            return None
        dialect = _Dialect(header.delimiter)
        start = line_end(data, header.line)
        table, loose, blank_lines = _parse_body(
            trial, data, start, header.ncols, dialect, header.line, byte_codec=GB18030
        )
    except NotByteReadable:
        return None
    if table is None or loose:
        return None  # a parse error or a line of the wrong length: reported from the text
    table = _finish(trial, header, table, loose, blank_lines, codec=GB18030, sha256=sha256)
    ctx.problems.extend(trial.problems)
    return table


def _not_delimited_text(ctx: Ctx, head: str) -> bool:
    """Whether the top of the file shows a web page or binary data (said in ``ctx``)."""
    if "\x00" not in head and not _MARKUP.match(head.lstrip()):
        return False
    what_zh, what_en = (
        ("网页（HTML/XML）", "a web page (HTML/XML)")
        if "\x00" not in head
        else ("二进制文件", "binary")
    )
    ctx.add(
        "unsupported_format",
        f"这不是 CSV 或 Excel 文件，而是{what_zh}：请在 Excel 中打开并另存为 .xlsx 或 .csv。",
        f"This is not a CSV or Excel file but {what_en}: "
        "open it in Excel and save it as .xlsx or .csv.",
    )
    return True


@dataclass(frozen=True)
class _Header:
    """Where the table starts, as found in the first lines of the file."""

    delimiter: str
    line: int  # the header's last line: the data start on the next
    end: int  # offset in the text just after that line
    headers: list[str]
    ncols: int
    skipped: list[SkippedRow]  # title rows above the header


def _locate_header(ctx: Ctx, text: str, matcher: HintMatcher) -> _Header | None:
    lines, ends = _first_lines(text, SAMPLE_LINES)
    found = _find_header(lines, matcher)
    if found is None:
        header_not_found(ctx, _scan(lines, _delimiter_order(lines)[0])[0], matcher)
        return None
    delimiter, rows, index, last_header_line = found
    header_cells = list(rows[index].cells)
    ncols = _column_count(header_cells, rows[index + 1 :])
    headers = [header_text(c or "") for c in header_cells[:ncols]]
    headers += [""] * (ncols - len(headers))
    skipped = [
        SkippedRow(r.number, "title", row_text(r.cells)) for r in rows[:index] if any(r.cells)
    ]
    end = ends[last_header_line - 1]
    return _Header(delimiter, last_header_line, end, headers, ncols, skipped)


def _finish(
    ctx: Ctx,
    header: _Header,
    table: pa.Table,
    loose: list[LooseRow],
    blank_lines: list[int],
    *,
    codec: str,
    sha256: str,
) -> RawTable:
    """The ``RawTable`` of the parsed data lines: rows sorted, ragged lines reported."""
    headers, ncols = header.headers, header.ncols
    dialect = _Dialect(header.delimiter)
    first_col = next((i for i, h in enumerate(headers) if h), 0)
    result = classify_rows(ctx, table, first_col=first_col, loose=loose, blank_rows=blank_lines)
    ragged = [lr for lr in loose if lr.number not in result.absorbed]
    for lr in ragged[:MAX_PROBLEMS_PER_CODE]:
        count = len(next(csv.reader([lr.text], dialect)) if lr.text else [])
        ctx.add(
            "ragged_row",
            f"第{lr.number}行有{count}个字段，而表头有{ncols}列；该行未导入：{shorten(lr.text)}",
            f"Line {lr.number} has {count} field(s) but the header has {ncols} column(s); "
            f"the line was not imported: {shorten(lr.text)}",
            row=lr.number,
            value=shorten(lr.text, 200),
        )
    more_problems(ctx, "ragged_row", len(ragged) - MAX_PROBLEMS_PER_CODE, severity=Severity.ERROR)

    headers, cells = drop_blank_trailing_columns(headers, result.table)
    if cells.num_rows == 0:
        no_rows_warning(ctx, header.line)
    return RawTable(
        source=ctx.source,
        sheet=None,
        headers=headers,
        cells=cells,
        skipped=sorted(header.skipped + result.skipped, key=lambda s: s.row),
        notes=result.notes,
        encoding=codec,
        sha256=sha256,
        trimmed=True,  # _tidy
    )


class _Dialect(csv.Dialect):
    """The csv module's view of the file: the same quoting rules Arrow applies."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.quotechar = '"'
        self.doublequote = True
        self.skipinitialspace = False
        self.lineterminator = "\n"
        self.quoting = csv.QUOTE_MINIMAL
        self.strict = False
        super().__init__()


def _first_lines(text: str, count: int) -> tuple[list[str], list[int]]:
    """The first ``count`` lines (with their line ends) and the offset just after each."""
    lines: list[str] = []
    ends: list[int] = []
    pos = 0
    while len(lines) < count and pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl + 1
        lines.append(text[pos:end])
        ends.append(end)
        pos = end
    return lines, ends


def _delimiter_order(lines: Sequence[str]) -> list[str]:
    """Delimiters by how regularly they split the sample: the count found on most lines wins,
    then the larger count (a tab file with one "1,234" per line still splits best on tabs)."""
    scores: list[tuple[int, int, int, str]] = []
    for rank, d in enumerate(DELIMITERS):
        counts = [line.count(d) for line in lines if line.strip()]
        common = Counter(c for c in counts if c > 0).most_common(1)
        if common:
            fields, lines_with = common[0]
            scores.append((lines_with, fields, -rank, d))
    scores.sort(reverse=True)
    return [d for *_, d in scores] or [","]


def _scan(lines: Sequence[str], delimiter: str) -> tuple[list[ScanRow], list[int]]:
    """The sample's records as ``ScanRow`` (numbered by their first line), and the last line
    of each."""
    reader = csv.reader(iter(lines), _Dialect(delimiter))
    rows: list[ScanRow] = []
    last_lines: list[int] = []
    first = 1
    try:
        for record in reader:
            cells = [c.strip() or None for c in record]
            rows.append(ScanRow(first, cells, list(range(len(cells)))))
            last_lines.append(reader.line_num)
            first = reader.line_num + 1
    except csv.Error:
        pass  # a quote left open in the sample: what was read before it is enough to judge
    return rows, last_lines


def _find_header(
    lines: Sequence[str], matcher: HintMatcher
) -> tuple[str, list[ScanRow], int, int] | None:
    """(delimiter, sample rows, index of the header among them, its last line number)."""
    for delimiter in _delimiter_order(lines):
        rows, last_lines = _scan(lines, delimiter)
        index = find_header(rows, matcher)
        if index is not None:
            return delimiter, rows, index, last_lines[index]
    return None


def _column_count(header: Sequence[str | None], after: Sequence[ScanRow]) -> int:
    """Columns of the table: the header's, widened to what the data lines hold, or narrowed
    when the header only has empty fields beyond them ("a,b,c,," over "1,2,3")."""
    counts = Counter(len(r.cells) for r in after if any(r.cells))
    ncols = len(header)
    if not counts:
        return ncols
    usual = counts.most_common(1)[0][0]
    if usual > ncols or (usual < ncols and not any(header[usual:])):
        return usual
    return ncols


# --- the body, with Arrow -------------------------------------------------------------------

# pyarrow ships no type stubs; its handles are typed Any here rather than ignored line by line.
_InvalidRow = Any


def _arrow_read(
    body: pa.Buffer, ncols: int, delimiter: str, *, threads: bool, as_bytes: bool = False
) -> tuple[pa.Table, list[_InvalidRow]]:
    """The body's records, every column as text (as bytes with ``as_bytes``: a line with the
    wrong number of fields is then an error, for its text may not be UTF-8)."""
    invalid: list[_InvalidRow] = []

    def handler(row: _InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    names = [RawTable.column_name(i) for i in range(ncols)]
    table = pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=threads),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            newlines_in_values=True,
            ignore_empty_lines=True,
            invalid_row_handler=None if as_bytes else handler,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.binary() if as_bytes else pa.string() for n in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return table, invalid


def _parse_body(
    ctx: Ctx,
    data: bytes,
    start: int,
    ncols: int,
    dialect: _Dialect,
    header_line: int,
    *,
    byte_codec: str | None = None,
) -> tuple[pa.Table | None, list[LooseRow], list[int]]:
    """The data lines as a table with ROW_COLUMN, the lines with the wrong number of fields,
    and the empty lines inside the data. ``data`` is UTF-8, or GB18030 with ``byte_codec``
    (``silkhub.stats.readers_bytes``: the cells are then decoded after parsing, and a line with
    the wrong number of fields is a parse error)."""
    names = [RawTable.column_name(i) for i in range(ncols)]
    body = pa.py_buffer(data).slice(start)
    if not _NON_SPACE.search(data, start):
        empty = pa.table(
            [pa.array([], pa.string()) for _ in names] + [pa.array([], pa.int64())],
            names=[*names, ROW_COLUMN],
        )
        return empty, [], []
    delimiter = str(dialect.delimiter)
    as_bytes = byte_codec is not None
    try:
        table, invalid = _arrow_read(body, ncols, delimiter, threads=True, as_bytes=as_bytes)
        if invalid and any(r.number is None for r in invalid):
            # Arrow numbers bad records only when it parses on one thread: parse again so.
            table, invalid = _arrow_read(body, ncols, delimiter, threads=False)
    except pa.ArrowInvalid as exc:
        ctx.add(
            "csv_parse_error",
            f"无法解析该 CSV 文件：{exc}",
            f"The CSV file cannot be parsed: {exc}",
        )
        return None, [], []

    if byte_codec is not None:
        decoded = [decoded_column(table[n], len(data)) for n in names]
        table = pa.table(decoded, names=names)
    records = table.num_rows + len(invalid)
    lines, blank_lines = _record_lines(ctx, data, start, records, dialect, byte_codec or "utf-8")
    bad = np.array(sorted(int(r.number) for r in invalid), dtype=np.int64)
    if lines is None and not len(bad):  # every record a line: one array, made once
        rows = np.arange(header_line + 1, header_line + records + 1, dtype=np.int64)
    else:
        numbers = np.arange(1, records + 1, dtype=np.int64)
        if len(bad):
            numbers = numbers[~np.isin(numbers, bad)]
        # Line offsets from the header line: the record number itself when every record is a line.
        rows = (numbers if lines is None else lines[numbers - 1]) + header_line

    def line_of(number: int) -> int:
        return header_line + (number if lines is None else int(lines[number - 1]))

    loose = [_loose(line_of(int(r.number)), r.text, dialect) for r in invalid]
    columns = [_tidy(table[n]) for n in names]
    out = pa.table([*columns, pa.array(rows, pa.int64())], names=[*names, ROW_COLUMN])
    return out, loose, [b + header_line for b in blank_lines]


def _tidy(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Cells stripped of surrounding spaces (also full-width ones), and blank cells empty; a
    dictionary-encoded column (``decoded_column``) tidied once per distinct value, and decoded."""
    if pa.types.is_dictionary(column.type):
        distinct = column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
        tidied = _tidy_chunk(distinct)
        chunks = [pa.DictionaryArray.from_arrays(c.indices, tidied) for c in column.chunks]
        return pa.chunked_array(chunks, column.type).cast(pa.string())
    chunks = [_tidy_chunk(c) if may_need_tidying(c) else c for c in column.chunks]
    return pa.chunked_array(chunks, column.type)


def _tidy_chunk(chunk: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(chunk)
    empty = pc.equal(pc.binary_length(trimmed), 0)  # lengths come from the offsets: no text read
    if pc.any(empty).as_py():
        trimmed = pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)
    return trimmed


def _loose(number: int, text: str, dialect: _Dialect) -> LooseRow:
    text = text.strip()
    try:
        fields = next(csv.reader([text], dialect)) if text else []
    except csv.Error:
        fields = [text]
    cells = [f.strip() or None for f in fields]
    first = next((c for c in cells if c), None)
    if first is not None and cells[0] == first and is_footnote_start(first):
        # A note that happens to hold the delimiter ("Source: customs, 2020") is one note.
        cells = [text.rstrip(str(dialect.delimiter) + " ").strip('"')]
    return LooseRow(number, cells, text)


def _record_lines(
    ctx: Ctx, data: bytes, start: int, records: int, dialect: _Dialect, codec: str
) -> tuple[np.ndarray | None, list[int]]:
    """The line of each of Arrow's records (record k, 1-based from the first data line, is on
    line ``lines[k - 1]`` counted from the header line; None: on line k), and the empty lines
    inside the data (Arrow skips them)."""
    end = len(data)
    # Arrow skips empty lines and a record may span lines: either makes fewer records than
    # lines. As many records as lines means one record on each line, the usual case.
    line_count = data.count(b"\n", start) + (0 if data.endswith(b"\n") else 1)
    if line_count == records:
        return None, []

    raw = np.frombuffer(data, dtype=np.uint8, offset=start, count=end - start)
    newlines = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], newlines + 1))
    stops = np.concatenate((newlines, [len(raw)]))
    if len(raw) and raw[-1] == 10:
        starts, stops = starts[:-1], stops[:-1]
    lengths = stops - starts
    has_cr = np.zeros(len(lengths), dtype=bool)
    nonzero = lengths > 0
    has_cr[nonzero] = raw[stops[nonzero] - 1] == 13
    empty = (lengths - has_cr) == 0
    filled = np.flatnonzero(~empty) + 1  # line offsets of the records, if one record per line
    last = int(filled[-1]) if len(filled) else 0
    blank = [int(i) + 1 for i in np.flatnonzero(empty) if i + 1 < last]
    if len(filled) == records:
        return filled, blank

    # Some record spans lines (a quoted value with a line break): let the csv module, which
    # counts lines, say where each record starts.
    firsts: list[int] = []
    text = data[start:].decode(codec)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    previous = 0
    try:
        for record in reader:
            if record:
                firsts.append(previous + 1)
            previous = reader.line_num
    except csv.Error:
        pass
    if len(firsts) == records:
        return np.array(firsts, dtype=np.int64), blank
    ctx.add(
        "row_numbers_approximate",
        "文件中有跨行的带引号字段，以下问题所报的行号可能略有偏差。",
        "The file has quoted values spanning lines: row numbers reported for it may be off.",
        severity=Severity.WARNING,
    )
    return None, blank
