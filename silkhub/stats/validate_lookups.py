"""The lookups of validation: a field's DISTINCT texts read once each, joined back in SQL.

Countries (``silkhub.core.countries``, through ``read_country``) and choices are read in
Python; months and dates by the SQL patterns of ``silkhub.stats.validate_sql`` run on the
distinct texts, then ``parse_period`` for the months those miss. Each field's answers become
the Arrow table ``lk_<field>`` (columns ``k``, the cleaned text, and ``v``, the value), which
the typing query joins; the texts that fail keep their problem code and message.

The SQL is assembled from field names quoted by ``ident`` and patterns quoted by ``literal``;
no cell text is part of a query, hence the ``noqa: S608``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from silkhub.core.errors import Message
from silkhub.stats.datasets import Field, Kind
from silkhub.stats.validate_sql import DATE_PATTERNS, MONTH_PATTERNS, col, in_years_sql, period_sql
from silkhub.stats.validate_values import (
    CountryReading,
    choice_index,
    choice_key,
    choices_described,
    read_country,
    read_month,
)

__all__ = ["LOOKUP_KINDS", "Lookup", "bad_date", "bad_month", "lookup"]

#: Kinds whose texts are read on their distinct values.
LOOKUP_KINDS = frozenset({Kind.COUNTRY, Kind.CHOICE, Kind.MONTH, Kind.DATE})
#: At most this many distinct unreadable months go through parse_period for a better message.
FALLBACK_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Lookup:
    """A field's distinct texts: text -> value, and text -> (code, message) for the others."""

    values: dict[str, Any]
    failures: dict[str, tuple[str, Message]]

    def failure(self, f: Field, text: str) -> tuple[str, Message]:
        found = self.failures.get(text)
        if found is not None:
            return found
        return ("invalid_date", bad_date(text)) if f.kind is Kind.DATE else bad_month(text)

    def apply(self, texts: Any, arrow_type: Any) -> Any:
        """The value of each text of the Arrow array ``texts`` (NULL where it has none), as an
        array of ``arrow_type``."""
        known = pa.array(list(self.values), pa.string())
        values = pa.array(list(self.values.values()), arrow_type)
        return pc.take(values, pc.index_in(texts, value_set=known))


def lookup(con: duckdb.DuckDBPyConnection, f: Field, table: str) -> Lookup:
    """Read the distinct texts (column ``f__t``) of field ``f`` in ``table``."""
    t = col(f.name, "t")
    distinct = f"SELECT DISTINCT {t} AS k FROM {table} WHERE {t} IS NOT NULL"  # noqa: S608
    if f.kind in (Kind.MONTH, Kind.DATE):
        found = _periods(con, f, distinct)
    else:
        texts = [row[0] for row in con.execute(distinct).fetchall()]
        found = _countries(texts) if f.kind is Kind.COUNTRY else _choices(f, texts)
    return found


def _countries(texts: list[str]) -> Lookup:
    values: dict[str, Any] = {}
    failures: dict[str, tuple[str, Message]] = {}
    for text in texts:
        reading = read_country(text)
        if reading.code is not None:
            values[text] = reading.code
        else:
            failures[text] = ("unknown_country", _unknown_country(text, reading))
    return Lookup(values, failures)


def _choices(f: Field, texts: list[str]) -> Lookup:
    index = choice_index(f)
    values: dict[str, Any] = {}
    failures: dict[str, tuple[str, Message]] = {}
    for text in texts:
        value = index.get(choice_key(text))
        if value is not None:
            values[text] = value
        else:
            accepted = choices_described(f)
            failures[text] = (
                "invalid_choice",
                Message(
                    f"“{text}”不是{f.zh}的可选值。可选：{accepted.zh}。",
                    f"{text!r} is not a value of {f.en}. Values: {accepted.en}.",
                ),
            )
    return Lookup(values, failures)


def _periods(con: duckdb.DuckDBPyConnection, f: Field, distinct: str) -> Lookup:
    """Months and dates: the SQL patterns on the distinct texts, parse_period for the months
    they miss (and for the years they leave out: parse_period says why)."""
    month = f.kind is Kind.MONTH
    typed = in_years_sql(period_sql("k", MONTH_PATTERNS if month else DATE_PATTERNS, month=month))
    rows = con.execute(f"SELECT k, {typed} FROM ({distinct})").fetchall()  # noqa: S608
    values: dict[str, Any] = {}
    failures: dict[str, tuple[str, Message]] = {}
    for text, value in rows:
        if value is not None:
            values[text] = value
        elif not month:
            failures[text] = ("invalid_date", bad_date(text))
        elif len(failures) < FALLBACK_LIMIT:
            reading = read_month(text)
            if reading.month is not None:
                values[text] = reading.month
            elif reading.code is not None and reading.message is not None:
                failures[text] = (reading.code, reading.message)
    return Lookup(values, failures)


def _unknown_country(text: str, reading: CountryReading) -> Message:
    hint_zh = f"是否指：{'、'.join(reading.suggestions)}？" if reading.suggestions else ""
    hint_en = f" Did you mean: {', '.join(reading.suggestions)}?" if reading.suggestions else ""
    return Message(
        f"无法识别的国家或地区“{text}”。{hint_zh}", f"Unknown country {text!r}.{hint_en}"
    )


def bad_date(text: str) -> Message:
    return Message(
        f"无法识别日期“{text}”。可接受：2020-05-13、2020/5/13、2020年5月13日、20200513。",
        f"Cannot read the date {text!r}. Accepted: 2020-05-13, 2020/5/13, 2020年5月13日, 20200513.",
    )


def bad_month(text: str) -> tuple[str, Message]:
    return (
        "invalid_period",
        Message(
            f"无法识别月份“{text}”。可接受：2020-05、2020/5、202005、2020年5月、2020-05-01。",
            f"Cannot read the month {text!r}. Accepted: 2020-05, 2020/5, 202005, 2020年5月, "
            "2020-05-01.",
        ),
    )
