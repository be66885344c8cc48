"""Reading a GB18030 (GBK) text file without decoding it whole: the helpers of the byte path
of ``silkhub.stats.readers_csv`` (and ``may_need_tidying``, which looks at cells' bytes too).

Decoding a large GBK file in Python, then encoding it again as UTF-8 for Arrow, takes longer
than parsing it, and holds the file three times in memory. It is not needed: valid GB18030
never uses a byte below 0x30 inside a character (its second and fourth bytes are 0x30-0x39,
0x40-0x7E or 0x80-0xFE), so line ends, quotes, commas, tabs and semicolons in its bytes stand
for themselves and Arrow can split the bytes as they are. Then only the cells that are not
ASCII need decoding, and a column repeats them (partners, flows, provinces): they are decoded
once per distinct value. The text the path produces is the text the whole-file decode gives:
decoding is stateless between characters, and every byte is in a cell or is one of those
ASCII characters.

Whatever these helpers cannot do exactly that way raises ``NotByteReadable``, and the caller
reads the file as text instead: a prefix or a cell that does not decode (the text path then
names the byte), a delimiter that GBK also uses inside characters (``|``), more distinct
non-ASCII cells than decoding them one by one is worth.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "BYTE_SAFE_DELIMITERS",
    "NotByteReadable",
    "decoded_column",
    "decoded_head",
    "line_end",
    "may_need_tidying",
]

#: pyarrow ships no type stubs; its arrays are typed as Any under this name.
ArrowArray: TypeAlias = Any

CODEC = "gb18030"
#: Delimiters that are never a byte of a GB18030 character ("|", 0x7C, can be a second byte).
BYTE_SAFE_DELIMITERS = frozenset({",", "\t", ";"})
#: Bytes decoded for the top of the file: at least this many, and whole lines.
HEAD_BYTES = 4 * 65536  # 65,536 characters at most 4 bytes each
#: Distinct non-ASCII cells of a column decoded one by one at most: this many, or one per this
#: many bytes of the file (beyond that, decoding the whole file is quicker).
DISTINCT_CELLS = 10_000
BYTES_PER_DISTINCT_CELL = 200


class NotByteReadable(Exception):
    """The file must be read as text (see the module docstring)."""


def decoded_head(data: bytes, *, lines: int) -> str:
    """The top of ``data`` decoded, in whole lines: at least ``HEAD_BYTES`` bytes (so 65,536
    characters) and ``lines`` lines, or the whole file."""
    cut = line_end(data, lines)
    if cut < HEAD_BYTES:
        cut = min(len(data), data.find(b"\n", HEAD_BYTES - 1) + 1 or len(data))
    try:
        return data[:cut].decode(CODEC)
    except UnicodeDecodeError as exc:
        raise NotByteReadable from exc


def line_end(data: bytes, line: int) -> int:
    """Byte offset just after line ``line`` (1-based) of ``data``; its length when the line is
    the last and has no line end. 0x0A is never part of a GB18030 character."""
    position = -1
    for _ in range(line):
        position = data.find(b"\n", position + 1)
        if position < 0:
            return len(data)
    return position + 1


def decoded_column(column: ArrowArray, file_size: int) -> ArrowArray:
    """A binary column of GB18030 cells as text: ASCII cells as they are (no copy), the others
    decoded once per distinct value; a column of no ASCII cell stays dictionary-encoded."""
    chunks = [c.view(pa.string()) for c in column.chunks]  # bytes as text: valid for ASCII only
    text = pa.chunked_array(chunks, pa.string())
    other = pc.fill_null(pc.invert(pc.string_is_ascii(text)), False)
    count = pc.sum(other).as_py() or 0
    if count == 0:
        return text
    if count == len(column) - column.null_count:
        return _decoded_distinct(column, file_size)
    mask = other.combine_chunks()
    decoded = _decoded_distinct(column.filter(mask), file_size).cast(pa.string())
    return pc.replace_with_mask(text, mask, decoded.combine_chunks())


def _decoded_distinct(cells: ArrowArray, file_size: int) -> ArrowArray:
    encoded = pc.dictionary_encode(cells)
    if not isinstance(encoded, pa.ChunkedArray):
        encoded = pa.chunked_array([encoded])
    distinct = encoded.chunk(0).dictionary if encoded.num_chunks else pa.array([], pa.binary())
    if len(distinct) > max(DISTINCT_CELLS, file_size // BYTES_PER_DISTINCT_CELL):
        raise NotByteReadable
    try:
        texts = [value.decode(CODEC) for value in distinct.to_pylist()]
    except UnicodeDecodeError as exc:
        raise NotByteReadable from exc
    answers = pa.array(texts, pa.string())
    chunks = [pa.DictionaryArray.from_arrays(c.indices, answers) for c in encoded.chunks]
    return pa.chunked_array(chunks, pa.dictionary(encoded.type.index_type, pa.string()))


# The white space Arrow's utf8_trim_whitespace removes: these ASCII bytes, and the characters
# U+0085, U+00A0 (first byte 0xC2), U+1680 (0xE1), U+2000-U+205F (0xE2) and U+3000 (0xE3).
_SPACE_BYTES = np.zeros(256, dtype=bool)
_SPACE_BYTES[list(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ")] = True
_SPACE_LEADS = np.zeros(256, dtype=bool)
_SPACE_LEADS[list(b"\xc2\xe1\xe2\xe3")] = True


def may_need_tidying(chunk: ArrowArray) -> bool:
    """Whether a cell of the string array ``chunk`` is "" or may start or end with white space
    (False is certain). Only bytes at the ends of the cells are read, which costs a fraction
    of trimming every cell: the first byte, the last, and those where a two- or three-byte
    space character ending the cell would begin."""
    if not pa.types.is_string(chunk.type):
        return True
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)
    offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1]
    starts, ends = offsets[:-1], offsets[1:]
    if chunk.null_count:
        valid = chunk.is_valid().to_numpy(zero_copy_only=False)
        starts, ends = starts[valid], ends[valid]
    if (ends == starts).any():
        return True
    if not len(starts):
        return False
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    first, last = data[starts], data[ends - 1]
    if _SPACE_BYTES[first].any() or _SPACE_LEADS[first].any() or _SPACE_BYTES[last].any():
        return True
    # In a cell of one or two bytes these point at its first byte, checked above.
    second, third = np.maximum(ends - 2, starts), np.maximum(ends - 3, starts)
    return bool(_SPACE_LEADS[data[second]].any() or _SPACE_LEADS[data[third]].any())
