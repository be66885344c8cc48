"""The working table of validation, built column by column with as little work per cell as the
values allow.

``stage`` returns an Arrow table with one row per output row (each raw row, once per block of
the plan): ``_row``, ``_block``, ``_empty`` and, for every field the plan feeds, ``f__t`` (the
cleaned text), ``f__v`` (the value) and, for numbers, ``f__d`` (the number as written). They
are the columns ``silkhub.stats.validate_sql`` describes, with the values its SQL gives; only
the way they are computed differs, because per-cell string functions are what a large file
spends its time on (DuckDB's ``trim`` and ``translate`` cost tens of times what Arrow's
kernels do per cell):

- ASCII cells, nearly every cell of a file, are cleaned by Arrow: on ASCII text the SQL's
  cleaning is only trimming ASCII white space and making placeholders NULL (full-width
  characters and other spaces cannot occur in it);
- any other cell goes through the SQL itself (``trim_sql``, ``clean_sql``), once per DISTINCT
  text, and the answers are spread back over the rows as a dictionary array;
- values of lookup kinds (``validate_lookups``), HS codes and text are read once per distinct
  cleaned text in the same way, so a column of five million cells naming sixty countries is
  read as sixty texts (an HS code of 2 to 10 ASCII digits is its own value: not even that);
- numbers are read per cell, in one DuckDB query per block (``number_sql``, ``value_sql``), as
  DECIMAL(18,s) in 64-bit arithmetic unless a text needs the wide type.

DuckDB's answers are put back in the rows' order by position (``validate_arrow``): it may
return a projection of several Arrow batches in another order. Which checks can find anything
at all is told from this table's NULL counts and extremes (``validate_precheck``).

The SQL is assembled from field names quoted by ``ident`` and constants quoted by ``literal``;
no cell text is part of a query (cells reach DuckDB as Arrow tables), hence the noqa: S608.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from silkhub.stats.datasets import Dataset, Field, Kind
from silkhub.stats.raw import ROW_COLUMN, RawTable
from silkhub.stats.validate_arrow import (
    DISTINCT,
    POSITION,
    between,
    concatenated,
    decoded_array,
    dictionary,
    distinct_values,
    in_input_order,
    one_chunk,
    per_distinct,
    positions,
    repeated,
    spread,
)
from silkhub.stats.validate_columns import Block, ColumnPlan, Source
from silkhub.stats.validate_lookups import LOOKUP_KINDS, Lookup, lookup
from silkhub.stats.validate_sql import (
    ASCII_SPACE,
    NULL_TOKENS,
    clean_sql,
    col,
    column_name,
    factor_sql,
    hs_code_sql,
    ident,
    number_sql,
    trim_sql,
    value_sql,
)
from silkhub.stats.validate_values import KIND_DIMENSIONS

__all__ = ["NUMERIC_KINDS", "factor_columns", "output_table", "stage"]

#: pyarrow ships no type stubs; its arrays and tables are typed as Any under these names.
ArrowArray: TypeAlias = Any
ArrowTable: TypeAlias = Any

NUMERIC_KINDS = frozenset({*KIND_DIMENSIONS, Kind.NUMBER})
_PLACEHOLDERS = pa.array(NULL_TOKENS, pa.string())
_LONGEST_ASCII_PLACEHOLDER = max(len(t) for t in NULL_TOKENS if t.isascii())
_NUMBERS = "_numbers"  # the table of a block's number texts


def stage(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    plan: ColumnPlan,
    ds: Dataset,
    *,
    present: set[str],
    scales: dict[str, int],
) -> tuple[ArrowTable, dict[str, Lookup]]:
    """The working table and the lookups of the fields that have them."""
    n = raw.row_count
    fields = [f for f in ds.fields if f.name in present]
    cleaner = _Cleaner(con, raw.cells, n, trimmed=raw.trimmed)
    texts = [{f.name: cleaner.text(f, b.sources.get(f.name)) for f in fields} for b in plan.blocks]
    lookups: dict[str, Lookup] = {}
    for f in fields:
        if f.kind in LOOKUP_KINDS:
            lookups[f.name] = _lookup(con, f, [t[f.name] for t in texts])
    rows = raw.cells.column(ROW_COLUMN).cast(pa.int64())
    measured = {f.name for f in fields if f.kind in NUMERIC_KINDS}
    tables = []
    for i, block in enumerate(plan.blocks):
        columns: dict[str, ArrowArray] = {
            ROW_COLUMN: rows,
            "_block": pa.array(np.full(n, i, dtype=np.int32)),
            "_empty": _empty(block, texts[i], n, measured),
        }
        for f in fields:
            t = texts[i][f.name]
            columns[column_name(f.name, "t")] = t
            if f.kind in LOOKUP_KINDS:
                columns[column_name(f.name, "v")] = _lookup_values(f, t, lookups[f.name])
            elif f.kind is Kind.HS_CODE:
                columns[column_name(f.name, "v")] = _hs_codes(con, t)
            elif f.kind not in NUMERIC_KINDS:
                columns[column_name(f.name, "v")] = t
        numeric = [f for f in fields if f.kind in NUMERIC_KINDS]
        if numeric:
            columns |= _numbers(con, block, numeric, texts[i], scales)
        tables.append(pa.table(columns))
    if len(tables) == 1:
        return tables[0], lookups
    return concatenated(tables), lookups


def factor_columns(plan: ColumnPlan, ds: Dataset, present: set[str]) -> list[str]:
    """SQL of ``f__f`` for each measured field the plan feeds: its unit's factor, by block."""
    columns = []
    for f in ds.fields:
        if f.kind not in KIND_DIMENSIONS or f.name not in present:
            continue
        factors = [factor_sql(b.sources.get(f.name)) for b in plan.blocks]
        factor = factors[0]
        if len(set(factors)) > 1:
            cases = " ".join(f"WHEN {i} THEN {sql}" for i, sql in enumerate(factors))
            factor = f"(CASE _block {cases} END)"
        columns.append(f"{factor} AS {col(f.name, 'f')}")
    return columns


def output_table(staged: ArrowTable, ds: Dataset, present: set[str]) -> ArrowTable:
    """The stored rows: every field's value in the dataset's types, in the file's row order
    (a wide layout's rows grouped by source row), without a wide group's empty rows."""
    empty = staged.column("_empty")
    if pc.any(empty).as_py():
        staged = staged.filter(pc.invert(empty))
    if not _in_row_order(staged):
        order = [(ROW_COLUMN, "ascending"), ("_block", "ascending")]
        staged = staged.take(pc.sort_indices(staged, sort_keys=order))
    schema = pa.schema([s for s in ds.arrow_schema() if s.name != "vintage"])
    columns = [
        staged.column(column_name(f.name, "v")).cast(f.arrow_type)
        if f.name in present
        else repeated(None, staged.num_rows, f.arrow_type)
        for f in ds.fields
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _in_row_order(staged: ArrowTable) -> bool:
    """One block whose rows come in increasing order, as every reader makes them."""
    if pc.max(staged.column("_block")).as_py():
        return False
    last = None
    for chunk in staged.column(ROW_COLUMN).chunks:
        rows = chunk.to_numpy(zero_copy_only=False)  # no copy: int64 without NULLs
        if not len(rows):
            continue
        if (last is not None and rows[0] < last) or bool((rows[1:] < rows[:-1]).any()):
            return False
        last = rows[-1]
    return True


# --- cleaned texts ------------------------------------------------------------------------


class _Cleaner:
    """``f__t`` of each source, computed once per source (a wide layout's shared columns feed
    every block)."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, cells: ArrowTable, n: int, *, trimmed: bool
    ) -> None:
        self.con, self.cells, self.n, self.trimmed = con, cells, n, trimmed
        self.done: dict[tuple[str, str | None, str | None], ArrowArray] = {}

    def text(self, f: Field, source: Source | None) -> ArrowArray:
        if source is None:
            return pa.chunked_array([pa.nulls(self.n, pa.string())])
        key = (f.name, source.column, source.constant)
        if key not in self.done:
            text = self.clean(f, source)
            # Lookups read distinct texts: encode them once (DuckDB scans the codes cheaply too).
            self.done[key] = dictionary(text) if f.kind in LOOKUP_KINDS else text
        return self.done[key]

    def clean(self, f: Field, source: Source) -> ArrowArray:
        sql = clean_sql(trim_sql(f, source))
        if source.column is None:
            found = self.con.execute(f"SELECT {sql}").fetchone()
            return _constant(found[0] if found else None, self.n)
        column = self.cells.column(source.column)
        if not pa.types.is_string(column.type):
            return per_distinct(self.con, column, source.column, sql)
        other = pc.fill_null(pc.invert(pc.string_is_ascii(column)), False)
        count = pc.sum(other).as_py() or 0
        if count == 0:
            return _clean_ascii(column, trimmed=self.trimmed)
        if count == len(column) - column.null_count:
            return per_distinct(self.con, column, source.column, sql)
        mask = one_chunk(other)
        answers = per_distinct(self.con, column.filter(mask), source.column, sql)
        ascii_ = _clean_ascii(column, trimmed=self.trimmed)
        return pc.replace_with_mask(ascii_, mask, one_chunk(decoded_array(answers)))


def _clean_ascii(column: ArrowArray, *, trimmed: bool) -> ArrowArray:
    """What ``clean_sql(trim_sql(...))`` makes of ASCII text (no trimming when the cells are
    ``RawTable.trimmed`` already)."""
    if not trimmed:
        column = pc.ascii_trim(column, ASCII_SPACE)
    shortest = pc.min(pc.binary_length(column)).as_py()
    if shortest is None or shortest > _LONGEST_ASCII_PLACEHOLDER:
        return column  # lengths come from the offsets: no cell is read
    placeholder = pc.is_in(column, value_set=_PLACEHOLDERS)
    if not pc.any(placeholder).as_py():
        return column
    return pc.if_else(placeholder, pa.scalar(None, pa.string()), column)


def _constant(value: str | None, n: int) -> ArrowArray:
    indices = pa.array(np.zeros(n, dtype=np.int32))
    distinct = pa.array([value] if n else [], pa.string())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, distinct)])


def _empty(block: Block, texts: dict[str, ArrowArray], n: int, measured: set[str]) -> ArrowArray:
    """Whether a wide group's own value cells are all empty on a row (the row is dropped)."""
    own = [
        name
        for name, s in block.sources.items()
        if not s.shared and s.column is not None and name in measured
    ]
    if not own:
        return pa.array(np.zeros(n, dtype=bool))
    empty = pc.is_null(texts[own[0]])
    for name in own[1:]:
        empty = pc.and_(empty, pc.is_null(texts[name]))
    return empty


# --- values -------------------------------------------------------------------------------


def _lookup(con: duckdb.DuckDBPyConnection, f: Field, texts: list[ArrowArray]) -> Lookup:
    """The lookup of field ``f`` over the distinct texts of every block."""
    distinct = [distinct_values(dictionary(t)) for t in texts]
    table = pa.table({column_name(f.name, "t"): pa.concat_arrays(distinct)})
    con.register(DISTINCT, table)
    try:
        return lookup(con, f, DISTINCT)
    finally:
        con.unregister(DISTINCT)


def _lookup_values(f: Field, texts: ArrowArray, found: Lookup) -> ArrowArray:
    encoded = dictionary(texts)
    arrow_type = pa.date32() if f.kind in (Kind.MONTH, Kind.DATE) else pa.string()
    return spread(encoded, found.apply(distinct_values(encoded), arrow_type))


def _hs_codes(con: duckdb.DuckDBPyConnection, texts: ArrowArray) -> ArrowArray:
    """``f__v`` of an HS code field: ``hs_code_sql`` of each distinct text, but for codes of 2
    to 10 ASCII digits, which have nothing for it to remove and are their own value."""
    sql = hs_code_sql(ident("k"))
    if pa.types.is_dictionary(texts.type):
        return per_distinct(con, texts, "k", sql)
    length = pc.binary_length(texts)
    digits = pc.ascii_is_decimal(texts)
    shortest, longest = pc.min_max(length).values()
    if pc.all(digits).as_py() is not False and between(shortest, longest, 2, 10):
        return texts  # every code plain: the usual case, decided without a mask
    digits = pc.and_(digits, pc.greater_equal(length, 2))
    plain = pc.fill_null(pc.and_(digits, pc.less_equal(length, 10)), False)
    other = one_chunk(pc.and_(pc.is_valid(texts), pc.invert(plain)))
    if not pc.any(other).as_py():
        return texts
    values = pc.if_else(plain, texts, pa.scalar(None, pa.string()))
    answers = per_distinct(con, texts.filter(other), "k", sql)
    return pc.replace_with_mask(values, other, one_chunk(decoded_array(answers)))


def _numbers(
    con: duckdb.DuckDBPyConnection,
    block: Block,
    fields: list[Field],
    texts: dict[str, ArrowArray],
    scales: dict[str, int],
) -> dict[str, ArrowArray]:
    """``f__d`` and ``f__v`` of the block's numeric fields, per cell in one DuckDB query; read
    as DECIMAL(18,s) first, and again with the wide type only if some text did not read so."""
    compact = {column_name(f.name, "n"): _compact(decoded_array(texts[f.name])) for f in fields}
    n = len(next(iter(compact.values())))
    con.register(_NUMBERS, pa.table({**compact, POSITION: positions(n)}))
    try:
        result = _read_numbers(con, block, fields, scales, wide=set())
        wide = {
            f.name
            for f in fields
            if pc.sum(
                pc.and_(
                    pc.is_valid(compact[column_name(f.name, "n")]),
                    pc.is_null(result[column_name(f.name, "d")]),
                )
            ).as_py()
        }
        if wide:
            result = _read_numbers(con, block, fields, scales, wide=wide)
    finally:
        con.unregister(_NUMBERS)
    return result


def _read_numbers(
    con: duckdb.DuckDBPyConnection,
    block: Block,
    fields: list[Field],
    scales: dict[str, int],
    *,
    wide: set[str],
) -> dict[str, ArrowArray]:
    inner, outer = [], []
    for f in fields:
        d, scale = col(f.name, "d"), scales[f.name]
        inner.append(f"{number_sql(col(f.name, 'n'), scale, wide=f.name in wide)} AS {d}")
        if f.kind in KIND_DIMENSIONS:
            inner.append(f"{factor_sql(block.sources.get(f.name))} AS {col(f.name, 'f')}")
        outer += [d, f"{value_sql(f, scale)} AS {col(f.name, 'v')}"]
    inner.append(POSITION)
    outer.append(POSITION)
    query = f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {_NUMBERS})"  # noqa: S608
    result = in_input_order(con.execute(query).to_arrow_table())
    return {name: result.column(name) for name in result.column_names}


def _compact(texts: ArrowArray) -> ArrowArray:
    """``compact_sql``: the text without thousands separators and spaces."""
    for separator in (",", " "):
        if _may_contain(texts, ord(separator)):
            texts = pc.replace_substring(texts, separator, "")
    return texts


def _may_contain(texts: ArrowArray, byte: int) -> bool:
    """Whether a byte occurs in the character data of a string column (False is certain): one
    comparison over each chunk's data buffer, much quicker than matching cell by cell."""
    if not pa.types.is_string(texts.type):
        return True
    chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
    return any(
        c.buffers()[2] is not None and bool((np.frombuffer(c.buffers()[2], np.uint8) == byte).any())
        for c in chunks
    )
