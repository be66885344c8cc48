"""Cheap answers about validation's working table (``silkhub.stats.validate_stage``), from
its NULL counts, extremes and distinct values rather than a scan of its rows: a check that
cannot find anything is then not run. In a clean file no check finds anything, so most of
validation's time went into proving that; these answers are exact where they say "nothing",
and otherwise leave the question to the checks' SQL (``silkhub.stats.validate``).
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from silkhub.stats.validate_arrow import dictionary, distinct_values, one_chunk
from silkhub.stats.validate_sql import column_name

__all__ = ["extreme", "keys_may_repeat", "may_hold", "null_rows"]

#: pyarrow ships no type stubs; its arrays and tables are typed as Any under these names.
ArrowArray: TypeAlias = Any
ArrowTable: TypeAlias = Any

#: Key codes up to this many are told apart with a table of flags (one byte each), more by sorting.
FLAG_TABLE_LIMIT = 1 << 26


def null_rows(staged: ArrowTable, name: str) -> int | None:
    """How many rows of a working column are NULL (0 for a column the table lacks); None when
    that cannot be told without reading them (a dictionary some of whose values are NULL)."""
    if name not in staged.column_names:
        return 0
    column = staged.column(name)
    if pa.types.is_dictionary(column.type) and distinct_values(column).null_count:
        return None
    return int(column.null_count)


def extreme(staged: ArrowTable, name: str, which: str) -> Any:
    """The "min" or "max" of a working column (of its distinct values, if it has them)."""
    column = staged.column(name)
    if pa.types.is_dictionary(column.type):
        column = distinct_values(column)
    return pc.min_max(column)[which].as_py()


def may_hold(staged: ArrowTable, name: str, value: str) -> bool:
    """Whether a text working column holds ``value`` somewhere (for a dictionary column: among
    its distinct values, without reading the rows)."""
    column = staged.column(name)
    if pa.types.is_dictionary(column.type):
        column = distinct_values(column)
    return bool(pc.any(pc.equal(column, value)).as_py())


def keys_may_repeat(staged: ArrowTable, keys: dict[str, bool]) -> bool:
    """Whether two rows the duplicate check looks at may share their key values (``keys``:
    field -> required). False is certain: each key value has an integer code, and the codes
    of a row's keys make one integer, distinct when the values differ. So the exact check,
    a GROUP BY over text in DuckDB, runs only when it may find something."""
    live = pc.invert(staged.column("_empty"))
    combined = np.zeros(staged.num_rows, dtype=np.int64)
    size = 1
    for name, required in keys.items():
        values, texts = staged.column(column_name(name, "v")), staged.column(column_name(name, "t"))
        if values.null_count:
            read = pc.is_valid(values)
            live = pc.and_(live, read if required else pc.or_(pc.is_null(texts), read))
        codes, count = _value_codes(values)
        if codes is None or size * (count + 1) >= 1 << 62:
            return True  # not codable in 64 bits: let the exact check say
        size *= count + 1
        combined *= count + 1  # in place: these arrays are as long as the file
        combined += codes
    if not pc.all(live).as_py():
        combined = combined[one_chunk(live).to_numpy(zero_copy_only=False)]
    if size <= FLAG_TABLE_LIMIT:
        seen = np.zeros(size, dtype=bool)
        seen[combined] = True
        return int(np.count_nonzero(seen)) < len(combined)
    combined.sort()
    return bool((combined[1:] == combined[:-1]).any())


def _value_codes(values: ArrowArray) -> tuple[np.ndarray | None, int]:
    """(code of each row's value, number of distinct values): equal values, equal codes; NULL
    is code ``count``. None for values not compared as text or dates."""
    value_type = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
    if not (pa.types.is_string(value_type) or pa.types.is_date32(value_type)):
        return None, 0
    if pa.types.is_dictionary(values.type):
        entries = pc.dictionary_encode(distinct_values(values))
        count = len(entries.dictionary)
        codes = pa.chunked_array(
            [pc.take(entries.indices, c.indices) for c in values.chunks], entries.indices.type
        )
    else:
        encoded = dictionary(values)
        count = len(distinct_values(encoded))
        codes = pa.chunked_array([c.indices for c in encoded.chunks], encoded.type.index_type)
    if codes.null_count:
        codes = pc.fill_null(codes, count)
    return one_chunk(codes).to_numpy(zero_copy_only=False), count
