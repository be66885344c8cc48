"""Turning a file an analyst drops in (Excel or CSV) into a ``RawTable`` and a ``Report``.

The files come as statistical offices and customs make them: GBK-encoded CSV, Chinese
country names, a title above the table, group headers merged over two header rows, units in
the headers ("金额（万元）"), total and "of which" rows, notes under the table. The reader finds
the table in all that and hands on text cells with their row numbers as Excel or an editor
shows them; everything it leaves out is listed (``RawTable.skipped``, ``RawTable.notes``), so
that nothing vanishes silently. Mapping headers to fields and typing values come after
(``silkhub.stats.mapping``, ``silkhub.stats.validate``).

Bad input is never an exception: each problem is a ``Problem`` in the returned ``Report``,
with a stable code, a message in Chinese and English, and its place in the file.

Problem codes (E error, W warning):

=============================== == ==============================================
file_unreadable                 E  the file cannot be opened (missing, a folder, no permission)
file_too_large                  E  over ``max_bytes`` (or a workbook unpacking to 100 times it)
empty_file                      E  no bytes, only white space, or a workbook with no values
unsupported_format              E  a web page, a PDF or image, an .ods, a zip that is no workbook
encrypted_or_legacy_workbook    E  an OLE file: a password-protected .xlsx or an old .xls
corrupt_workbook                E  a zip or workbook openpyxl cannot open
several_sheets                  E  several sheets with data and no ``sheet=``
unknown_sheet                   E  ``sheet=`` names no sheet of the workbook
sheet_chosen                    W  several sheets, one visible with data: that one was read
unknown_encoding                E  ``encoding=`` is no text codec Python knows
bad_encoding                    E  the bytes do not decode (line and byte offset named)
csv_parse_error                 E  Arrow's CSV parser gave up
header_not_found                E  no header row in the first 30 rows
ragged_row                      E  a line with the wrong number of fields (100 listed, then a count)
row_numbers_approximate         W  quoted values span lines in a way the line count cannot follow
total_row_skipped               W  a total, subtotal or "其中" row was left out (one per row)
formula_without_value           W  a formula cell with no cached result (never saved by Excel)
no_data_rows                    W  nothing under the header
=============================== == ==============================================

``silkhub.core.errors.Severity`` has no "info" level: what the brief called notes
(``sheet_chosen``) are warnings; title, footnote and blank rows are only ``SkippedRow``s.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from silkhub.core.errors import Report
from silkhub.stats.raw import RawTable
from silkhub.stats.readers_common import Ctx, HintMatcher
from silkhub.stats.readers_csv import read_csv
from silkhub.stats.readers_excel import read_excel

__all__ = ["read_data", "read_file"]

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
#: Compound File Binary (OLE2): old .xls, and also every *encrypted* .xlsx, which Office
#: wraps in such a container.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = {
    b"%PDF": ("PDF 文件", "a PDF file"),
    b"\x89PNG": ("图片", "an image"),
    b"\xff\xd8\xff": ("图片", "an image"),
    b"GIF8": ("图片", "an image"),
    b"\x1f\x8b": ("gzip 压缩文件", "a gzip archive"),
    b"Rar!": ("RAR 压缩文件", "a RAR archive"),
    b"7z\xbc\xaf": ("7z 压缩文件", "a 7z archive"),
}
#: A byte that is neither white space, NUL nor part of a byte-order mark: the file has content.
_CONTENT = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}


def read_file(
    path: Path,
    *,
    source: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    max_bytes: int,
    header_hints: Sequence[str] = (),
    sha256: str | None = None,
) -> tuple[RawTable | None, Report]:
    """Read the table in an Excel or CSV file.

    ``source`` is the name problems cite (the file's name by default). ``encoding`` forces
    a text encoding for CSV ("gbk", "utf-8", any Python codec); by default a BOM decides, then
    UTF-8 if the bytes are valid UTF-8, then GB18030 (which reads GBK and GB2312). ``sheet``
    chooses a workbook's sheet. ``header_hints`` are the column names the caller expects
    (from the dataset and the mapping file): the header is the first row naming at least two
    of them. A file over ``max_bytes`` is refused without being read. ``sha256`` is the file's
    hash when the caller has it already (it is then not computed again).

    Returns ``(None, report)`` when no table can be read; otherwise the table, with the
    report's warnings (and errors such as ragged lines, which make the import stop but still
    let the caller show everything wrong at once).
    """
    name = source if source is not None else path.name
    ctx = Ctx(name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        _unreadable(ctx, exc)
        return None, Report(ctx.problems)
    if size > max_bytes:
        _too_large(ctx, size, max_bytes)
        return None, Report(ctx.problems)
    try:
        data = path.read_bytes()
    except OSError as exc:
        _unreadable(ctx, exc)
        return None, Report(ctx.problems)
    return read_data(
        data,
        source=name,
        suffix=path.suffix,
        encoding=encoding,
        sheet=sheet,
        max_bytes=max_bytes,
        header_hints=header_hints,
        sha256=sha256,
    )


def read_data(
    data: bytes,
    *,
    source: str,
    suffix: str = "",
    encoding: str | None = None,
    sheet: str | None = None,
    max_bytes: int,
    header_hints: Sequence[str] = (),
    sha256: str | None = None,
) -> tuple[RawTable | None, Report]:
    """``read_file`` for bytes already in memory (an upload); ``suffix`` is the file name's
    extension, used only to word errors about files that are not what their name says."""
    ctx = Ctx(source)
    if len(data) > max_bytes:
        _too_large(ctx, len(data), max_bytes)
        return None, Report(ctx.problems)
    if not _CONTENT.search(data):
        ctx.add("empty_file", "文件是空的。", "The file is empty.")
        return None, Report(ctx.problems)
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    matcher = HintMatcher(header_hints)
    table: RawTable | None
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        table = read_excel(
            ctx, data, sheet=sheet, matcher=matcher, sha256=sha256, max_bytes=max_bytes
        )
    elif data.startswith(CFB_MAGIC):
        _ole(ctx, data)
        table = None
    elif (kind := _binary_kind(data)) is not None:
        ctx.add(
            "unsupported_format",
            f"这不是 CSV 或 Excel 文件，而是{kind[0]}。",
            f"This is not a CSV or Excel file but {kind[1]}.",
        )
        table = None
    elif suffix.lower() in _EXCEL_SUFFIXES and not data.lstrip().startswith(b"<"):
        ctx.add(
            "corrupt_workbook",
            "文件名是 Excel 工作簿，但内容不是：文件可能已损坏。请在 Excel 中重新保存为 .xlsx。",
            "The file is named as an Excel workbook but its content is not one: it may be "
            "damaged. Save it again as .xlsx from Excel.",
        )
        table = None
    else:
        # Anything else that decodes as text is read as delimited text (an ".xls" that is
        # really tab-separated text, as some web systems export, included).
        table = read_csv(ctx, data, encoding=encoding, matcher=matcher, sha256=sha256)
    return table, Report(ctx.problems)


def _binary_kind(data: bytes) -> tuple[str, str] | None:
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def _ole(ctx: Ctx, data: bytes) -> None:
    """An OLE container: the stream names in its directory tell an encrypted .xlsx
    ("EncryptionInfo") from an old binary .xls ("Workbook" or "Book")."""
    if "EncryptionInfo".encode("utf-16-le") in data:
        zh, en = "这是设有密码的加密工作簿", "This workbook is encrypted with a password"
    elif "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        zh, en = (
            "这是旧版 Excel 97-2003 工作簿（.xls）",
            "This is an old Excel 97-2003 workbook (.xls)",
        )
    else:
        zh = "这是加密的工作簿或旧版 Excel 文件（.xls）"
        en = "This is a password-protected workbook or an old Excel file (.xls)"
    ctx.add(
        "encrypted_or_legacy_workbook",
        f"{zh}，无法读取。请在 Excel 中打开，另存为不带密码的 .xlsx 文件后重新导入。",
        f"{en} and cannot be read. Open it in Excel and save it as .xlsx without a password, "
        "then import it again.",
    )


def _unreadable(ctx: Ctx, exc: OSError) -> None:
    reason = exc.strerror or type(exc).__name__
    ctx.add(
        "file_unreadable",
        f"无法读取文件（{reason}）。",
        f"The file cannot be read ({reason}).",
    )


def _too_large(ctx: Ctx, size: int, limit: int) -> None:
    ctx.add(
        "file_too_large",
        f"文件大小为 {_size(size)}（{size} 字节），超过上限 {_size(limit)}（{limit} 字节）。",
        f"The file is {_size(size)} ({size} bytes), over the limit of {_size(limit)} "
        f"({limit} bytes).",
        value=size,
    )


def _size(n: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} B"
