"""Arrow helpers of validation (``silkhub.stats.validate_stage``, ``validate_precheck``):
dictionary arrays (a column's distinct values once, and each row's index into them), DuckDB
answers put back in the order of the rows they were computed from, constant columns that take
no memory of the file's length.

The SQL is an expression of ``silkhub.stats.validate_sql`` over a column name; no cell text is
part of a query (cells reach DuckDB as Arrow tables), hence the noqa: S608.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "POSITION",
    "between",
    "concatenated",
    "decoded_array",
    "dictionary",
    "distinct_values",
    "in_input_order",
    "one_chunk",
    "per_distinct",
    "positions",
    "repeated",
    "spread",
]

#: pyarrow ships no type stubs; its arrays and tables are typed as Any under these names.
ArrowArray: TypeAlias = Any
ArrowTable: TypeAlias = Any

DISTINCT = "_distinct"  # the table of distinct values an expression runs on
POSITION = "_position"  # each row's place in a table DuckDB reads, to put its answers in order


def per_distinct(
    con: duckdb.DuckDBPyConnection, values: ArrowArray, name: str, sql: str
) -> ArrowArray:
    """``sql``, an expression over a column ``name``, computed once per distinct value of
    ``values`` in DuckDB and spread back over the rows (a dictionary array; NULL stays NULL)."""
    encoded = dictionary(values)
    distinct = distinct_values(encoded)
    con.register(DISTINCT, pa.table({name: distinct, POSITION: positions(len(distinct))}))
    try:
        query = f"SELECT {sql}, {POSITION} FROM {DISTINCT}"  # noqa: S608
        answers = in_input_order(con.execute(query).to_arrow_table())
    finally:
        con.unregister(DISTINCT)
    return spread(encoded, answers.column(0).combine_chunks())


def between(low: Any, high: Any, least: int, most: int) -> bool:
    """Whether Arrow scalars ``low`` and ``high`` (a min_max; NULL when no value) lie in
    [least, most]."""
    lo, hi = low.as_py(), high.as_py()
    return lo is None or (least <= lo and hi <= most)


def positions(n: int) -> ArrowArray:
    """The column ``POSITION`` of a table of ``n`` rows: 0, 1, 2..."""
    return pa.array(np.arange(n, dtype=np.int32 if n < 1 << 31 else np.int64))


def in_input_order(result: ArrowTable) -> ArrowTable:
    """A DuckDB result in the order of the rows it was computed from, without its
    ``POSITION`` column. DuckDB may return a projection of a scan of several Arrow batches in
    another order (its threads finish them in any order), even with preserve_insertion_order."""
    places = one_chunk(result.column(POSITION)).to_numpy()
    result = result.drop_columns([POSITION])
    if len(places) < 2 or bool((places[1:] > places[:-1]).all()):
        return result  # the usual case: nothing to move
    order = np.empty_like(places)
    order[places] = np.arange(len(places))
    return result.take(pa.array(order))


def dictionary(values: ArrowArray) -> ArrowArray:
    """``values`` dictionary-encoded (a chunked array whose chunks share one dictionary)."""
    if pa.types.is_dictionary(values.type):
        return values
    encoded = pc.dictionary_encode(values)
    return encoded if isinstance(encoded, pa.ChunkedArray) else pa.chunked_array([encoded])


def distinct_values(encoded: ArrowArray) -> ArrowArray:
    """The dictionary of a column ``dictionary`` made (its distinct values)."""
    if encoded.num_chunks == 0:
        return pa.array([], encoded.type.value_type)
    return encoded.chunk(0).dictionary


def spread(encoded: ArrowArray, answers: ArrowArray) -> ArrowArray:
    """One answer per dictionary entry of ``encoded``, as a dictionary array over its rows."""
    chunks = [pa.DictionaryArray.from_arrays(c.indices, answers) for c in encoded.chunks]
    return pa.chunked_array(chunks, pa.dictionary(encoded.type.index_type, answers.type))


def decoded_array(values: ArrowArray) -> ArrowArray:
    """A dictionary array as the plain array it stands for (others as they are)."""
    if pa.types.is_dictionary(values.type):
        return values.cast(values.type.value_type)
    return values


def concatenated(tables: list[ArrowTable]) -> ArrowTable:
    """The tables of several blocks as one: dictionary columns decoded, and each number
    column in the widest of its blocks' decimal types (numbers are read as narrow as they allow)."""
    decoded = [
        pa.table([decoded_array(c) for c in t.columns], names=t.column_names) for t in tables
    ]
    schema = decoded[0].schema
    for table in decoded[1:]:
        schema = pa.schema([_wider(a, b) for a, b in zip(schema, table.schema, strict=True)])
    return pa.concat_tables([t.cast(schema) for t in decoded])


def _wider(a: Any, b: Any) -> Any:
    """Of two fields of one name, the one of the wider decimal type (else the first)."""
    if pa.types.is_decimal(a.type) and b.type.precision > a.type.precision:
        return b
    return a


def one_chunk(values: ArrowArray) -> ArrowArray:
    """An array in one piece (what kernels taking a mask want)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def repeated(value: Any, n: int, arrow_type: Any) -> ArrowArray:
    """``value`` ``n`` times, as chunks that all share one small array: a column of the file's
    length without memory of the file's length (a field it does not have, an import's vintage)."""
    size = min(n, 1 << 16)
    block = pa.array([value] * size, arrow_type)
    whole, rest = divmod(n, size) if size else (0, 0)
    chunks = [block] * whole
    if rest:
        chunks.append(block.slice(0, rest))
    return pa.chunked_array(chunks, arrow_type)
