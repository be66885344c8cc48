"""Writing the analytical store's Parquet files: names, durability, schema checks.

Helpers of ``silkhub.stores.analytical`` (split out to keep that module readable); nothing here
knows about datasets as directories or about query engines.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from silkhub.core.errors import InvalidInput, Location, Message, Problem


def part_name() -> str:
    # Sortable by time, unique across processes: files() lists the oldest write first.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"part-{stamp}-{uuid.uuid4().hex[:12]}.parquet"


def fsync(path: Path) -> None:
    """Flush a file (or a directory's entries) to disk, so a rename never outlives its data."""
    if path.is_dir() and sys.platform == "win32":
        return  # directories cannot be opened for fsync on Windows
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def storable(table: pa.Table) -> pa.Table:
    """``table`` as it will be stored: unique column names, timestamps in microseconds."""
    names = table.column_names
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput.single(
            "duplicate_columns",
            Message(
                f"表中有重复的列：{'、'.join(duplicates)}。",
                f"The table has duplicate columns: {', '.join(duplicates)}.",
            ),
            value=duplicates,
        )
    fields = []
    for f in table.schema:
        if pa.types.is_timestamp(f.type) and f.type.unit == "ns":
            f = f.with_type(pa.timestamp("us", tz=f.type.tz))
        fields.append(f)
    target = pa.schema(fields, metadata=table.schema.metadata)
    if target.equals(table.schema):
        return table
    try:
        return table.cast(target)  # safe cast: refuses to drop non-zero nanoseconds
    except pa.ArrowInvalid as exc:
        raise InvalidInput.single(
            "timestamp_precision",
            Message(
                "时间戳精度最多到微秒（Spark 不支持纳秒）。",
                "Timestamps are stored to the microsecond (Spark cannot read nanoseconds).",
            ),
            value=str(exc),
        ) from exc


def conform(name: str, table: pa.Table, existing: pa.Schema) -> pa.Table:
    """``table`` with its columns in ``existing``'s order; ``InvalidInput`` if they differ."""
    new = {f.name: f.type for f in table.schema}
    old = {f.name: f.type for f in existing}
    problems: list[Problem] = []
    for column, type_ in old.items():
        if column not in new:
            problems.append(
                field_problem(
                    "missing_column",
                    column,
                    f"缺少“{column}”列（{type_}）。",
                    f"column {column!r} ({type_}) is missing",
                )
            )
        elif new[column] != type_:
            problems.append(
                field_problem(
                    "column_type_differs",
                    column,
                    f"“{column}”列应为{type_}，而表中为{new[column]}。",
                    f"column {column!r} is {new[column]}, the dataset has {type_}",
                )
            )
    for column, type_ in new.items():
        if column not in old:
            problems.append(
                field_problem(
                    "unexpected_column",
                    column,
                    f"数据集没有“{column}”列（{type_}）。",
                    f"column {column!r} ({type_}) is not in the dataset",
                )
            )
    if problems:
        columns = ", ".join(str(p.location.column) for p in problems)
        details = "; ".join(p.message.en for p in problems)
        raise InvalidInput(
            Message(
                f"表结构与数据集“{name}”不一致（{columns}），未写入任何内容。",
                f"The table does not match the schema of dataset {name!r} ({details}); "
                "nothing was written.",
            ),
            problems=problems,
            code="dataset_schema_mismatch",
        )
    return table.select(existing.names)


def field_problem(code: str, column: str, zh: str, en: str) -> Problem:
    return Problem(code, Message(zh, en), Location(column=column), column)
