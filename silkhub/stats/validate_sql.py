"""The SQL of validation: how each kind of field's text is cleaned and typed, in DuckDB.

Every field ``f`` becomes columns of the working tables (``f`` is a field name, safe to quote):

- ``f__raw``: the cell's text as the file has it (or the mapping's constant), for problems;
- ``f__t``: the cleaned text: trimmed (ASCII, full-width and no-break spaces), full-width
  digits and punctuation made ASCII for every kind but text and countries, and the
  placeholders of an empty cell ("-", "—", "…", "") made NULL;
- ``f__f`` (measured kinds): the factor from the column's unit to the field's base unit
  (1000 for 千美元, 0.001 for 千克);
- ``f__n`` (numeric kinds): the cleaned text without thousands separators and inner spaces
  (``compact_sql``), what ``f__d`` is read from;
- ``f__d`` (numeric kinds): the number as written, thousands separators dropped, as a DECIMAL
  of ``number_scale`` decimals (six; ten for a column in 亿元) and up to 20 integer digits;
- ``f__v``: the typed value, as stored (BIGINT whole yuan/USD/TEU/counts, DOUBLE tonnes, DATE,
  VARCHAR codes and text).

``silkhub.stats.validate_stage`` computes these columns (Arrow doing what this SQL does to ASCII
text, this SQL the rest, on distinct values where it can).

Money, TEU and counts are scaled in DECIMAL arithmetic and rounded half away from zero
(四舍五入; the same as half-up for the non-negative values every measured field holds), so
3909.12 万元 is exactly 39091200 yuan. Numbers of more than 20 integer digits, and results
outside BIGINT, are left NULL and reported as out of range.
"""

from __future__ import annotations

from decimal import Decimal

from silkhub.stats.datasets import Field, Kind
from silkhub.stats.validate_columns import Source
from silkhub.stats.validate_values import KIND_DIMENSIONS

__all__ = [
    "ASCII_SPACE",
    "DATE_PATTERNS",
    "MONTH_PATTERNS",
    "NULL_TOKENS",
    "clean_sql",
    "col",
    "column_name",
    "compact_sql",
    "factor_sql",
    "hs_code_sql",
    "ident",
    "literal",
    "number_scale",
    "number_sql",
    "period_sql",
    "trim_sql",
    "value_sql",
]

#: Cell texts that mean "no value".
NULL_TOKENS = ("", "-", "--", "—", "——", "–", "…", "……", "...", "/")
_SPACE = " \t\r\n\u3000\u00a0\u2007\u202f\ufeff\u200b"
#: The white space ``trim_sql`` removes from ASCII text.
ASCII_SPACE = " \t\r\n"
# Full-width digits and the punctuation numbers and dates are written with, and the minus sign.
_FULL = "０１２３４５６７８９，．－＋／：\u3000\u2212"
_HALF = "0123456789,.-+/: -"
_TRANSLATED = frozenset({Kind.MONTH, Kind.DATE, Kind.HS_CODE, Kind.CHOICE, Kind.NUMBER})
_TRANSLATED |= frozenset(KIND_DIMENSIONS)
_INTEGER = frozenset({Kind.MONEY_CNY, Kind.MONEY_USD, Kind.TEU, Kind.COUNT})

# Months and dates as the SQL path reads them (after _FULL -> _HALF); anything else goes to
# silkhub.core.periods.parse_period, on distinct values. Years outside 1900..2100 too.
_TIME = r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YMD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + "$"
_YMD8 = r"^(\d{4})(\d{2})(\d{2})$"
#: (pattern, replacement giving an ISO date, whether the day is the text's own)
MONTH_PATTERNS = (
    (r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月份?)?$", r"\1-\2-1", False),
    (r"^(\d{4})(\d{2})$", r"\1-\2-1", False),
    (_YMD, r"\1-\2-\3", True),
    (_YMD8, r"\1-\2-\3", True),
)
DATE_PATTERNS = ((_YMD, r"\1-\2-\3", True), (_YMD8, r"\1-\2-\3", True))
MIN_YEAR, MAX_YEAR = 1900, 2100


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_name(field: str, part: str) -> str:
    """The name of a working column: ``column_name("partner", "t")`` is "partner__t"."""
    return f"{field}__{part}"


def col(field: str, part: str) -> str:
    return ident(column_name(field, part))


def raw_sql(source: Source | None) -> str:
    if source is None:
        return "CAST(NULL AS VARCHAR)"
    if source.column is not None:
        return f"CAST({ident(source.column)} AS VARCHAR)"
    return literal(source.constant or "")


def trim_sql(f: Field, source: Source | None) -> str:
    """The raw text trimmed (and made ASCII where the kind wants it). ASCII text, nearly every
    cell, takes the cheap way: only text with other characters is translated."""
    text = raw_sql(source)
    if source is None:
        return text
    wide = f"trim({text}, {literal(_SPACE)})"
    if f.kind in _TRANSLATED:
        wide = f"trim(translate({text}, {literal(_FULL)}, {literal(_HALF)}), {literal(_SPACE)})"
    ascii_ = f"trim({text}, {literal(ASCII_SPACE)})"
    return f"CASE WHEN strlen({text}) = length({text}) THEN {ascii_} ELSE {wide} END"


def clean_sql(trimmed: str) -> str:
    """``f__t`` from the trimmed text: the placeholders of an empty cell made NULL."""
    tokens = ", ".join(literal(t) for t in NULL_TOKENS)
    return f"CASE WHEN {trimmed} IN ({tokens}) THEN NULL ELSE {trimmed} END"


def factor_sql(source: Source | None) -> str:
    """The unit's factor as a DECIMAL literal: (18,0) when whole (every unit of a whole kind),
    so that the product keeps the number's scale and rounding it needs one step."""
    unit = source.unit if source is not None else None
    factor = unit.factor if unit is not None else Decimal(1)
    scale = 0 if factor == factor.to_integral_value() else 3
    return f"CAST({literal(str(factor))} AS DECIMAL(18,{scale}))"


def number_scale(sources: list[Source]) -> int:
    """Decimals a field's numbers are read to: six, or two more than the largest unit's
    power of ten (亿元: ten), so that a whole yuan is still exact with room to round."""
    digits = 0
    for s in sources:
        if s.unit is not None and s.unit.factor >= 1:
            digits = max(digits, len(str(int(s.unit.factor))) - 1)
    return min(max(6, digits + 2), 10)


def compact_sql(f: Field) -> str:
    """The number's text without thousands separators and inner spaces."""
    return f"replace(replace({col(f.name, 't')}, ',', ''), ' ', '')"


def number_sql(compact: str, scale: int, *, wide: bool = True) -> str:
    """``f__d`` from ``compact`` (the text as ``compact_sql`` leaves it): the written number, or
    NULL when the text is not one (or has more than 20 integer digits). DuckDB reads
    DECIMAL(18,s) in 64-bit arithmetic and wider decimals far more slowly, so the wide type
    is tried only for the numbers that need it; without ``wide``, not at all (when no number
    of the column needs it, the values are the same, in a narrower type)."""
    narrow = f"TRY_CAST({compact} AS DECIMAL(18,{scale}))"
    if not wide:
        return narrow
    return f"coalesce({narrow}, TRY_CAST({compact} AS DECIMAL({20 + scale},{scale})))"


def hs_code_sql(text: str) -> str:
    """An HS code's ``f__v`` from its cleaned text: the digits once spaces, dots and middle
    dots are removed, when 2 to 10 of them remain; else NULL."""
    digits = f"regexp_replace({text}, '[\\s.·]', '', 'g')"
    return f"CASE WHEN regexp_matches({digits}, '^[0-9]{{2,10}}$') THEN {digits} END"


def value_sql(f: Field, scale: int) -> str:
    """``f__v`` for numeric kinds, from ``f__d`` and ``f__f`` (the factor).

    Whole kinds: the product is rounded in 64 bits when it fits DECIMAL(18,s) (no division:
    the factors of whole kinds are whole), computed in 64 bits too when ``f__d`` is a
    DECIMAL(18,s) (``try`` makes an overflow NULL); only products too large for that (10^12
    with six decimals) are computed and rounded in 128-bit arithmetic, which DuckDB does
    slowly.
    """
    if f.kind in _INTEGER:
        product = f"try({col(f.name, 'd')} * {col(f.name, 'f')})"
        fast = f"CAST(round(TRY_CAST({product} AS DECIMAL(18,{scale})), 0) AS BIGINT)"
        return f"coalesce({fast}, TRY_CAST(round({scaled_sql(f, scale)}, 0) AS BIGINT))"
    if f.kind is Kind.TONNES:
        return f"CAST({scaled_sql(f, scale)} AS DOUBLE)"
    return f"CAST({col(f.name, 'd')} AS DOUBLE)"  # Kind.NUMBER: as written


def scaled_sql(f: Field, scale: int) -> str:
    """The exact value in the base unit, in DECIMAL(38) (20 + 8 integer digits at most: no
    overflow; ``f__d`` may be of a narrower type)."""
    return f"(CAST({col(f.name, 'd')} AS DECIMAL(38,{scale})) * {col(f.name, 'f')})"


def period_sql(text: str, patterns: tuple[tuple[str, str, bool], ...], *, month: bool) -> str:
    """A DATE from ``text`` by the first pattern that matches (the month's first day when
    ``month``), NULL when none does or the date does not exist."""
    branches = []
    for pattern, replacement, has_day in patterns:
        value = (
            f"TRY_CAST(regexp_replace({text}, {literal(pattern)}, {literal(replacement)}) AS DATE)"
        )
        if month and has_day:
            value = f"CAST(date_trunc('month', {value}) AS DATE)"
        branches.append(f"WHEN regexp_matches({text}, {literal(pattern)}) THEN {value}")
    return f"(CASE {' '.join(branches)} END)"


def in_years_sql(value: str) -> str:
    return f"(CASE WHEN year({value}) BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN {value} END)"
