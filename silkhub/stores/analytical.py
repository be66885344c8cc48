"""The analytical store: datasets as directories of Parquet files, queried with Ibis.

Layout (see ``docs/analytical-store.md``)::

    <root>/<dataset>/part-<utc time>-<random>.parquet    the data, one file per write
    <root>/.tmp-<dataset>-*/                             a write in progress (staging)
    <root>/.old-<dataset>-*/                             a replaced or deleted dataset, going away
    <root>/.locks/<dataset>.lock                         one writer per dataset at a time
    <root>/.duckdb-tmp/                                  DuckDB spills here, on the data disk

Plain Parquet directories, not a database file, so that DuckDB here and Spark on a cluster can
read the very same files. Every write goes to a staging directory first and is moved into place
with a rename, so a reader (or a crash) sees either the whole new file or nothing of it.

Queries are Ibis expressions over *unbound* tables (``unbound("trade", schema)``); a backend
resolves them by name, so one expression runs on DuckDB (``AnalyticalStore.execute``) and on
Spark (``silkhub.stores.analytical_spark``) unchanged.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias

import duckdb
import ibis
import pyarrow as pa
import pyarrow.parquet as pq
from duckdb import DuckDBPyConnection

from silkhub.core.errors import InvalidInput, Message, NotFound, StoreError
from silkhub.stores.analytical_expr import (
    NAME_PATTERN,
    IbisExpr,
    IbisSchema,
    IbisTable,
    check_declared,
    normalise,
    referenced_tables,
    unbound,
    validate_name,
)
from silkhub.stores.analytical_files import conform, fsync, part_name, storable

if sys.platform != "win32":
    import fcntl

__all__ = [
    "NAME_PATTERN",
    "AnalyticalStore",
    "DuckDBBackend",
    "IbisExpr",
    "IbisSchema",
    "IbisTable",
    "WriteMode",
    "WriteResult",
    "check_declared",
    "normalise",
    "referenced_tables",
    "unbound",
    "validate_name",
]

DuckDBBackend: TypeAlias = Any  # ibis.backends.duckdb.Backend (ibis ships no type information)

WriteMode = Literal["append", "replace"]

_STAGING = re.compile(r"\.(tmp|old)-([a-z][a-z0-9_]{0,62})-")
_GLOB_CHARS = frozenset("*?[]{}")
PARQUET_COMPRESSION = "zstd"  # read by DuckDB and by Spark >= 3.2


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one ``write`` did."""

    dataset: str
    mode: WriteMode
    rows: int  # rows written by this call
    file: Path  # the Parquet file it added
    created: bool  # the dataset did not exist before


class AnalyticalStore:
    """Parquet datasets under ``root``, written atomically, queried with DuckDB via Ibis.

    All queries of one store share one in-memory DuckDB database (opened on first use), and so
    its thread pool and memory limit: ``threads`` defaults to the CPUs this process may run on,
    ``memory_limit`` (a DuckDB size such as "4GiB") to half of the machine's memory, because
    the portal, the workers and the operational database share the host (DuckDB's own default
    is 80%). Each query runs on a cursor of its own, with its own temporary views.
    """

    def __init__(
        self, root: Path, *, threads: int | None = None, memory_limit: str | None = None
    ) -> None:
        self.root = Path(root).absolute()
        if _GLOB_CHARS & set(str(self.root)):
            # Views read "<root>/<name>/part-*.parquet"; a glob character in root would change it.
            raise StoreError(
                Message(
                    f"分析库目录“{self.root}”不能包含 * ? [ ] {{ }} 字符。",
                    f"The analytical store directory {str(self.root)!r} must not contain "
                    "* ? [ ] { }.",
                )
            )
        self.threads = threads or _usable_cpus()
        self.memory_limit = memory_limit or _half_of_memory()
        self._thread_locks: dict[str, threading.Lock] = {}
        self._thread_locks_guard = threading.Lock()
        self._database: DuckDBPyConnection | None = None
        self._database_pid = 0
        self._database_guard = threading.Lock()

    def close(self) -> None:
        """Close the shared DuckDB database (reopened if the store is used again)."""
        with self._database_guard:
            if self._database is not None and self._database_pid == os.getpid():
                self._database.close()
            self._database = None

    def __enter__(self) -> AnalyticalStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- datasets on disk ------------------------------------------------------------------

    def datasets(self) -> list[str]:
        """Names of the datasets, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and NAME_PATTERN.fullmatch(p.name)
        )

    def exists(self, name: str) -> bool:
        return (self.root / validate_name(name)).is_dir()

    def path(self, name: str) -> Path:
        """The dataset's directory (it may not exist)."""
        return self.root / validate_name(name)

    def files(self, name: str) -> list[Path]:
        """The dataset's Parquet files, oldest write first."""
        directory = self._existing(name)
        return sorted(directory.glob("part-*.parquet"))

    def schema(self, name: str) -> pa.Schema:
        """The dataset's Arrow schema (every file has it: ``write`` makes sure of that)."""
        files = self.files(name)
        if not files:
            raise StoreError(
                Message(f"数据集“{name}”没有数据文件。", f"Dataset {name!r} has no data files.")
            )
        schema: pa.Schema = pq.read_schema(files[0])
        return schema.remove_metadata()

    def _existing(self, name: str) -> Path:
        directory = self.path(name)
        if not directory.is_dir():
            raise NotFound(
                Message(f"没有名为“{name}”的数据集。", f"There is no dataset named {name!r}.")
            )
        return directory

    # -- writes ----------------------------------------------------------------------------

    def write(self, name: str, table: pa.Table, *, mode: WriteMode = "append") -> WriteResult:
        """Add ``table`` to dataset ``name`` ("append") or make it the whole dataset ("replace").

        Appending needs the same column names and types as the dataset (in any order: columns
        are put into the dataset's order). Nothing is visible to readers until the new file is
        complete: it is written in a staging directory and renamed into place.
        """
        name = validate_name(name)
        if mode not in ("append", "replace"):
            raise InvalidInput.single(
                "invalid_write_mode",
                Message(f"未知的写入方式“{mode}”。", f"Unknown write mode {mode!r}."),
                value=mode,
            )
        if not isinstance(table, pa.Table):
            raise TypeError(f"write() takes a pyarrow.Table, not {type(table).__name__}")
        table = storable(table)
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock(name):
            target = self.root / name
            existed = target.is_dir()
            if existed and mode == "append":
                table = conform(name, table, self.schema(name))
            staging = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=self.root))
            try:
                part = staging / part_name()
                pq.write_table(
                    table,
                    part,
                    compression=PARQUET_COMPRESSION,
                    # Spark cannot read nanosecond timestamps; storable() made them microseconds.
                    coerce_timestamps="us",
                    allow_truncated_timestamps=False,
                )
                fsync(part)
                if not existed:
                    os.rename(staging, target)
                elif mode == "append":
                    os.rename(part, target / part.name)
                else:
                    self._swap(target, staging)
                fsync(self.root if not existed or mode == "replace" else target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return WriteResult(name, mode, table.num_rows, target / part.name, not existed)

    def _swap(self, target: Path, staging: Path) -> None:
        """Put directory ``staging`` in place of ``target``: rename old aside, new in, drop old."""
        aside = self.root / f".old-{target.name}-{uuid.uuid4().hex}"
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(aside, target)  # leave the old dataset as it was
            raise
        shutil.rmtree(aside, ignore_errors=True)

    def delete(self, name: str) -> None:
        """Remove dataset ``name``: one rename makes it disappear, then the files are removed."""
        name = validate_name(name)
        with self._lock(name):
            target = self._existing(name)
            aside = self.root / f".old-{name}-{uuid.uuid4().hex}"
            os.rename(target, aside)
            shutil.rmtree(aside, ignore_errors=True)

    def recover(self) -> list[str]:
        """Clean up after writers that crashed; return what it did, one line per directory.

        A staging directory is deleted; an ``.old-`` directory whose dataset is missing (a crash
        between the two renames of a replace) is renamed back, so the dataset reappears as it
        was before that replace. Each dataset's lock is taken first, so on POSIX this is safe
        while other processes write.
        """
        done: list[str] = []
        if not self.root.is_dir():
            return done
        for entry in sorted(self.root.iterdir()):
            match = _STAGING.match(entry.name)
            if not match or not entry.is_dir():
                continue
            kind, name = match.groups()
            with self._lock(name):
                if not entry.exists():
                    continue
                target = self.root / name
                if kind == "old" and not target.exists():
                    os.rename(entry, target)
                    done.append(f"restored {name} from {entry.name}")
                else:
                    shutil.rmtree(entry, ignore_errors=True)
                    done.append(f"removed {entry.name}")
        return done

    @contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        """One writer per dataset: a thread lock in this process, ``flock`` across processes."""
        with self._thread_locks_guard:
            thread_lock = self._thread_locks.setdefault(name, threading.Lock())
        with thread_lock:
            if sys.platform == "win32":  # no flock: writers in other processes are not excluded
                yield
                return
            locks = self.root / ".locks"
            locks.mkdir(parents=True, exist_ok=True)
            with open(locks / f"{name}.lock", "a+b") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # -- queries ---------------------------------------------------------------------------

    def check(self, expr: IbisExpr, *, extra: Mapping[str, pa.Table] | None = None) -> list[str]:
        """The datasets ``expr`` reads, after checking it can run against this store.

        Every unbound table must be a dataset or one of ``extra`` (never both: an extra table
        silently hiding a dataset would give wrong numbers), and match its declared schema.
        """
        extra = extra or {}
        for name, table in extra.items():
            validate_name(name, what="table")
            if self.exists(name):
                raise InvalidInput.single(
                    "extra_table_shadows_dataset",
                    Message(
                        f"附加表“{name}”与同名数据集冲突，请换一个名称。",
                        f"Extra table {name!r} has the name of a dataset; choose another name.",
                    ),
                    value=name,
                )
            if not isinstance(table, pa.Table):
                raise TypeError(f"extra table {name!r} must be a pyarrow.Table")
        datasets: list[str] = []
        for name, declared in referenced_tables(expr).items():
            if name in extra:
                check_declared(name, declared, extra[name].schema)
                continue
            check_declared(name, declared, self.schema(name))  # NotFound if there is none
            datasets.append(name)
        return sorted(datasets)

    def duckdb(self) -> DuckDBBackend:
        """A DuckDB backend (a new cursor on the shared database) with a view per dataset.

        The views are temporary, seen by this backend only, and named after the datasets. They
        read ``<root>/<name>/part-*.parquet`` afresh on every query, so appends show up at
        once; call ``refresh`` after datasets are created, replaced with another schema or
        deleted. The caller owns the backend: ``disconnect()`` it when done (that closes the
        cursor, not the database).
        """
        backend = self._connect()
        self.refresh(backend)
        return backend

    def refresh(self, backend: DuckDBBackend) -> None:
        """Make ``backend``'s dataset views match the datasets now on disk."""
        con: DuckDBPyConnection = backend.con
        names = self.datasets()
        ours = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal AND comment = ?",
            [_VIEW_COMMENT],
        ).fetchall()
        for (view,) in ours:
            if view not in names:
                con.execute(f"DROP VIEW IF EXISTS {_quote(view)}")
        for name in names:
            self._create_view(con, name)

    def execute(self, expr: IbisExpr, *, extra: Mapping[str, pa.Table] | None = None) -> pa.Table:
        """Run ``expr`` on DuckDB and return the result as a pyarrow Table.

        ``extra`` names in-memory Arrow tables the expression may read besides the datasets
        (a membership list built for this query, say). Each call uses a cursor of its own, and
        views and extra tables are local to it, so calls from several threads do not interfere.
        """
        extra = dict(extra or {})
        datasets = self.check(expr, extra=extra)
        backend = self._connect()
        try:
            con: DuckDBPyConnection = backend.con
            for name in datasets:
                self._create_view(con, name)
            for name, table in extra.items():
                con.register(name, table)  # a view over the Arrow data: nothing is copied
            return normalise(backend.to_pyarrow(expr.as_table()), expr)
        finally:
            backend.disconnect()

    def cursor(self) -> DuckDBPyConnection:
        """A connection of its own to the shared DuckDB database (its threads, memory limit and
        spill directory), for work beside the store's queries, such as validating an import;
        close it when done (that closes the cursor, not the database)."""
        return self._shared_database().cursor()

    def _connect(self) -> DuckDBBackend:
        return ibis.duckdb.from_connection(self.cursor())

    def _shared_database(self) -> DuckDBPyConnection:
        with self._database_guard:
            # A database opened before a fork (a pre-forking server) must not be shared with
            # the child: open a new one there.
            if self._database is None or self._database_pid != os.getpid():
                self._database = duckdb.connect(
                    ":memory:",
                    config={
                        "threads": self.threads,
                        "memory_limit": self.memory_limit,
                        # Spill to the data disk, not to ".tmp" in whatever the working dir is.
                        "temp_directory": str(self.root / ".duckdb-tmp"),
                    },
                )
                self._database_pid = os.getpid()
            return self._database

    def _create_view(self, con: DuckDBPyConnection, name: str) -> None:
        pattern = str(self.root / name / "part-*.parquet")
        # Built as text because DDL takes no parameters; the name is a validated identifier
        # and the path is escaped as a string literal.
        source = f"read_parquet({_literal(pattern)})"
        sql = f"CREATE OR REPLACE TEMP VIEW {_quote(name)} AS SELECT * FROM {source}"  # noqa: S608
        con.execute(sql)
        con.execute(f"COMMENT ON VIEW {_quote(name)} IS {_literal(_VIEW_COMMENT)}")


_VIEW_COMMENT = "silkhub analytical dataset"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _half_of_memory() -> str:
    # DuckDB before 2.0 takes no percentage, so the share is worked out here.
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4GiB"
    return f"{max(total // 2 // 2**20, 256)}MiB"


def _usable_cpus() -> int:
    # sched_getaffinity respects taskset/cpusets, which os.cpu_count() does not.
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
