"""Ibis expressions for the analytical store: names, unbound tables, checks, results.

Kept apart from the store (``silkhub.stores.analytical``) because both the DuckDB and the
Spark side use these, and none of them touches files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeAlias

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import pyarrow as pa

from silkhub.core.errors import InvalidInput, Location, Message, Problem

# ibis and pyarrow ship no type information (mypy sees ``Any``); these aliases say what is meant.
IbisTable: TypeAlias = Any  # ibis.expr.types.Table
IbisExpr: TypeAlias = Any  # ibis.expr.types.Expr (a table, column or scalar expression)
IbisSchema: TypeAlias = Any  # ibis.Schema

#: Dataset (and extra table) names: lowercase identifiers, so they are valid unquoted SQL names
#: on every backend and safe as directory names on every file system.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,62}")


def validate_name(name: object, *, what: str = "dataset") -> str:
    """``name`` if it is a valid dataset name; ``InvalidInput`` otherwise."""
    if isinstance(name, str) and NAME_PATTERN.fullmatch(name):
        return name
    message = Message(
        f"名称“{name}”无效：只能用小写字母、数字和下划线，以字母开头，最长63个字符。",
        f"Invalid {what} name {name!r}: use lowercase letters, digits and underscores, "
        "starting with a letter, at most 63 characters.",
    )
    raise InvalidInput.single(
        f"invalid_{what}_name", message, location=Location(field=what), value=name
    )


def unbound(name: str, schema: IbisSchema | Mapping[str, Any] | pa.Schema) -> IbisTable:
    """An unbound Ibis table named after a dataset: write expressions against this.

    ``schema`` may be an Ibis schema, a ``{column: type}`` mapping or a pyarrow schema (for
    example ``store.schema(name)``, to declare every column the files have).
    """
    if isinstance(schema, pa.Schema):
        schema = ibis.Schema.from_pyarrow(schema)
    return ibis.table(schema, name=validate_name(name))


def referenced_tables(expr: IbisExpr) -> dict[str, IbisSchema]:
    """The unbound tables ``expr`` reads, by name, with the schema each was declared with."""
    found: dict[str, IbisSchema] = {}
    for op in expr.op().find(ops.UnboundTable):
        name = validate_name(op.name, what="table")
        if name in found and found[name] != op.schema:
            raise InvalidInput.single(
                "conflicting_table_schemas",
                Message(
                    f"表达式中的表“{name}”被以两种不同的结构声明。",
                    f"Table {name!r} is declared with two different schemas in the expression.",
                ),
                value=name,
            )
        found[name] = op.schema
    return found


def check_declared(name: str, declared: IbisSchema, actual: pa.Schema) -> None:
    """Raise ``InvalidInput`` unless every declared column exists in ``actual`` with that type.

    The declared schema may list fewer columns than the files have. Without this check a stale
    schema in code would still compile, and fail (or silently convert) inside the engine.
    """
    have = ibis.Schema.from_pyarrow(actual)
    problems: list[Problem] = []
    for column, dtype in declared.items():
        if column not in have:
            problems.append(
                Problem(
                    "missing_column",
                    Message(
                        f"“{name}”没有“{column}”列。",
                        f"{name!r} has no column {column!r}.",
                    ),
                    Location(column=column),
                    column,
                )
            )
        elif not _same_type(dtype, have[column]):
            problems.append(
                Problem(
                    "column_type_differs",
                    Message(
                        f"“{name}”的“{column}”列是{have[column]}，表达式声明为{dtype}。",
                        f"Column {column!r} of {name!r} is {have[column]}; "
                        f"the expression declares {dtype}.",
                    ),
                    Location(column=column),
                    str(have[column]),
                )
            )
    if problems:
        columns = ", ".join(str(p.location.column) for p in problems)
        raise InvalidInput(
            Message(
                f"表达式对“{name}”的声明与数据不符：{columns}。",
                f"The expression's declaration of {name!r} does not match the data: {columns}.",
            ),
            problems=problems,
            code="declared_schema_mismatch",
        )


def _same_type(declared: dt.DataType, actual: dt.DataType) -> bool:
    # Nullability is not part of the contract (Parquet files mark almost everything nullable),
    # and a plain ``timestamp`` declaration accepts any precision the files were written with.
    if declared.is_timestamp() and actual.is_timestamp():
        return bool(declared.timezone == actual.timezone)
    return bool(declared.copy(nullable=True) == actual.copy(nullable=True))


def normalise(result: Any, expr: IbisExpr) -> pa.Table:
    """A backend's result (pyarrow Table or pandas DataFrame) as a Table of ``expr``'s schema.

    DuckDB hands back Arrow, Spark often pandas; converting both to the schema Ibis derived
    for the expression makes results from the two engines directly comparable.
    """
    target: pa.Schema = expr.as_table().schema().to_pyarrow()
    table = (
        result
        if isinstance(result, pa.Table)
        else pa.Table.from_pandas(result, preserve_index=False)
    )
    return table.select(target.names).cast(target)
