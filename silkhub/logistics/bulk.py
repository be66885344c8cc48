"""Bulk inserts of machine data (event rows and their references) with the driver's own
fastest path, converting values exactly as SQLAlchemy would for the same columns.

SQLAlchemy's ``insert(...)`` with many rows costs several microseconds a row in Python
(parameter processing, and with ``RETURNING`` one statement per page); at a million events
that is most of an import. Here:

- **PostgreSQL with psycopg 3**: ``COPY ... FROM STDIN``, one stream per table. COPY fires
  the same constraints, indexes and foreign-key checks as ``INSERT``.
- **SQLite** (and any other driver): the DB-API ``executemany`` of one prepared ``INSERT``.

Values go through each column's bind processor for the backend (``dialect_impl`` then
``bind_processor``): a timestamp is stored in UTC in the backend's own format, a JSON
document serialised as the ORM serialises it, so rows written here are the same as rows
written through the ORM (``tests/logistics/test_bulk.py`` compares them).

Runs in the session's transaction: a failure half-way rolls back with the rest of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Row = Sequence[Any]


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert ``rows`` (values in the order of ``columns``) into ``table``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    try:
        _insert(connection.connection.driver_connection, dialect, table, columns, rows)
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy would raise it (IntegrityError, OperationalError...), so that callers
        # see one kind of error whichever path wrote.
        raise DBAPIError.instance(
            f"bulk insert into {table.name}", None, exc, dialect.loaded_dbapi.Error
        ) from exc


def _insert(
    raw: Any, dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    names = ", ".join(columns)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        convert = _converters(table, columns, dialect, for_copy=True)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in _converted(rows, convert):
                copy.write_row(row)
        return
    convert = _converters(table, columns, dialect, for_copy=False)
    marks = ", ".join([_placeholder(dialect)] * len(columns))
    cursor = raw.cursor()
    try:
        cursor.executemany(
            # Names from the table's own definition, never from input.
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})",  # noqa: S608
            list(_converted(rows, convert)),
        )
    finally:
        cursor.close()


def _placeholder(dialect: Dialect) -> str:
    return {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle, "?")


Convert = Callable[[Any], Any] | None


def _converters(
    table: Table, columns: Sequence[str], dialect: Dialect, *, for_copy: bool
) -> list[Convert]:
    out: list[Convert] = []
    for name in columns:
        kind = table.c[name].type
        if for_copy:
            # COPY takes text the driver's dumpers make from Python values; what SQLAlchemy
            # would add before them is the type decorator's step and JSON's serialisation.
            if isinstance(kind, JSON):
                serialise = getattr(dialect, "_json_serializer", None) or json.dumps
                out.append(serialise)
            elif isinstance(kind, TypeDecorator):
                out.append(_decorated(kind, dialect))
            else:
                out.append(None)
        else:
            out.append(kind.dialect_impl(dialect).bind_processor(dialect))
    return out


def _decorated(kind: TypeDecorator[Any], dialect: Dialect) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return kind.process_bind_param(value, dialect)

    return convert


def _converted(rows: Sequence[Row], convert: list[Convert]) -> Any:
    active: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (i, f, {}) for i, f in enumerate(convert) if f is not None
    ]
    for row in rows:
        values = list(row)
        for i, f, seen in active:
            value = values[i]
            if value is None:
                continue
            if isinstance(value, dict):  # a document: each one its own
                values[i] = f(value)
                continue
            # Timestamps repeat within a batch (its arrival time on every row; senders'
            # update times): each distinct value is converted once.
            done = seen.get(value)
            if done is None:
                done = seen[value] = f(value)
            values[i] = done
        yield values
