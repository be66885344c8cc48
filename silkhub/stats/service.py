"""Operations of the statistics capability: import a file as a new vintage, list imports,
and hand the measures what they need. No web or CLI framework here.

An import goes: content hash (a file seen before does nothing) → read (``readers``) → map
headers to fields (``mapping``) → validate, vectorised (``validate``) → if any error, stop and
return the report, having written nothing → else, in one transaction, record the import and
the periods it publishes, append its rows to the analytical store tagged with the import's id
as their ``vintage``, and keep a copy of the file. If the transaction fails after the rows
were written, those rows belong to a vintage no record names, and every query ignores them
(``vintages.current_rows``), so nothing is ever half-imported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.core.errors import (
    InvalidInput,
    Location,
    Message,
    NotFound,
    Problem,
    Report,
    Severity,
)
from silkhub.core.periods import Month, YearToDate, parse_period
from silkhub.stats import mapping as mapping_files
from silkhub.stats import measures, measures_items
from silkhub.stats import vintages as vintages_module
from silkhub.stats.datasets import DATASETS, Dataset, dataset
from silkhub.stats.measures import MeasureQuery, MeasureResult
from silkhub.stats.measures_query import SUMMABLE_KINDS
from silkhub.stats.models import StatsImport, StatsVintagePeriod
from silkhub.stats.readers import read_file
from silkhub.stats.validate import validate_raw
from silkhub.stats.validate_arrow import repeated
from silkhub.stores.analytical import AnalyticalStore, unbound
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from silkhub.stores.operational import utcnow

T = TypeVar("T")

ImportStatus = Literal["imported", "duplicate", "rejected"]


@dataclass
class ImportOutcome:
    status: ImportStatus
    dataset: str
    source: str
    report: Report
    import_id: int | None = None
    rows: int = 0
    periods: list[date] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _existing(session: Session, dataset_name: str, sha256: str) -> StatsImport | None:
    return session.scalar(
        select(StatsImport).where(StatsImport.dataset == dataset_name, StatsImport.sha256 == sha256)
    )


def _periods(table: pa.Table, ds: Dataset) -> list[date]:
    """The months a validated table publishes (odi's filing dates counted by month)."""
    column = table.column(ds.period_field)
    # The distinct dates first: a file of millions of rows holds a few dozen of them.
    months = pc.unique(pc.floor_temporal(pc.unique(column), unit="month")).to_pylist()
    return sorted(m for m in months if m is not None)


def import_file(
    db: Database,
    store: AnalyticalStore,
    path: Path,
    *,
    dataset_name: str,
    data_dir: Path,
    actor: Actor,
    max_bytes: int,
    source: str | None = None,
    mapping_path: Path | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    published_at: datetime | None = None,
    today: date | None = None,
    revision_factor: float = 1.5,
    computed_from: str | None = None,
) -> ImportOutcome:
    """Import one file into one dataset; see the module docstring for the steps.

    A month that was published before and whose total moves by more than ``revision_factor``
    (either way) is imported, with a warning: a revision that large is more often a unit
    mistake than news.
    """
    ds = dataset(dataset_name)
    source = source or path.name
    sha256 = file_sha256(path)
    with db.reading() as session:
        seen = _existing(session, ds.name, sha256)
    if seen is not None:
        report = Report()
        return ImportOutcome(
            "duplicate",
            ds.name,
            source,
            report,
            seen.id,
            seen.rows,
            [p.period for p in seen.periods],
        )

    mapping = (
        mapping_files.load_mapping(mapping_path)
        if mapping_path is not None
        else mapping_files.default_mapping(ds)
    )
    if mapping.definition().name != ds.name:
        raise InvalidInput.single(
            "mapping_for_another_dataset",
            Message(
                f"映射文件用于数据集“{mapping.definition().name}”，而不是“{ds.name}”。",
                f"The mapping file is for dataset {mapping.definition().name!r}, not {ds.name!r}.",
            ),
            value=mapping_path.name if mapping_path else None,
        )
    report = Report()
    raw, read_report = read_file(
        path,
        source=source,
        encoding=encoding,
        sheet=sheet,
        max_bytes=max_bytes,
        header_hints=mapping.header_hints(),
        sha256=sha256,
    )
    report.extend(read_report)
    if raw is None or not report.valid:
        return ImportOutcome("rejected", ds.name, source, report)
    table, validation = validate_raw(
        raw, mapping, today=today or utcnow().date(), con=store.cursor()
    )
    report.extend(validation)
    if table is None or not report.valid:
        return ImportOutcome("rejected", ds.name, source, report)
    sheet, encoding, notes = raw.sheet, raw.encoding, list(raw.notes)
    del raw  # the file's cells: no longer needed, and as large as the file

    periods = _periods(table, ds)
    report.extend(_revision_warnings(db, store, ds, table, periods, source, revision_factor))
    published = published_at or utcnow()
    stored_as = Path("sources") / ds.name / f"{sha256}{path.suffix.lower()}"
    written: Path | None = None
    try:
        with db.transaction(actor) as session:
            vintage = _next_vintage(session)
            record = StatsImport(
                vintage=vintage,
                dataset=ds.name,
                source=source,
                sha256=sha256,
                sheet=sheet,
                encoding=encoding,
                mapping=mapping_path.name if mapping_path is not None else "default",
                rows=table.num_rows,
                warnings=len(report.warnings),
                notes=notes,
                published_at=published,
                imported_by=actor.label,
                stored_as=str(stored_as),
                computed_from=computed_from,
            )
            record.periods = [
                StatsVintagePeriod(
                    dataset=ds.name, vintage=vintage, period=p, published_at=published
                )
                for p in periods
            ]
            session.add(record)
            session.flush()
            tags = repeated(vintage, table.num_rows, pa.int64())
            written = store.write(ds.name, table.append_column("vintage", tags)).file
            target = data_dir / stored_as
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            import_id = record.id
    except BaseException:
        # The record was not committed: take its rows back out. (Should even this fail, rows
        # of a vintage no record names are ignored by every query.)
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return ImportOutcome("imported", ds.name, source, report, import_id, table.num_rows, periods)


#: ``computed_from`` of a vintage computed from the tracked train runs' events (logistics).
COMPUTED_FROM_EVENTS = "logistics_events"


def publish_computed(
    db: Database,
    store: AnalyticalStore,
    *,
    dataset_name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    title: str,
    notes: Sequence[str],
    source: str,
    computed_from: str,
    data_dir: Path,
    actor: Actor,
    max_bytes: int,
    published_at: datetime | None = None,
) -> ImportOutcome:
    """Publish figures silkhub computed itself (``computed_from`` says from what) as a vintage
    of ``dataset_name``: the months the rows cover, replacing whatever was published for them
    before (the latest vintage of a month is the one figures use).

    The rows go through the same path as any file (written as a CSV with a title line, the
    header of field names, the rows and ``notes`` as footnotes; read, validated, stored with a
    copy of the CSV), so they are checked like any import. Idempotent: the same rows again,
    while their vintage is still the latest of each of its months, publish nothing
    (``duplicate``); the same rows after another import superseded them are published again
    (a new vintage), so a recomputation always takes its months back.
    """
    folder = data_dir / "tmp" / "computed"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dataset_name}-{utcnow():%Y%m%dT%H%M%S%f}.csv"

    def write(lines: Sequence[str]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for line in lines:
            writer.writerow([line])
        writer.writerow(list(header))
        writer.writerows(rows)
        for note in notes:
            # Written as a footnote, which the reader keeps as the import's note.
            writer.writerow([note if note.startswith("注：") else f"注：{note}"])
        path.write_text(buffer.getvalue(), encoding="utf-8")

    def run() -> ImportOutcome:
        return import_file(
            db,
            store,
            path,
            dataset_name=dataset_name,
            data_dir=data_dir,
            actor=actor,
            max_bytes=max_bytes,
            source=source,
            published_at=published_at,
            computed_from=computed_from,
        )

    try:
        write([title])
        outcome = run()
        if outcome.status == "duplicate" and not _still_latest(db, dataset_name, outcome):
            # The same figures, superseded since by another import: publish them again,
            # saying so in a second title line (which also makes the content new).
            write([title, f"重新发布 / published again {utcnow():%Y-%m-%dT%H:%M:%SZ}"])
            outcome = run()
    finally:
        path.unlink(missing_ok=True)
    return outcome


def _still_latest(db: Database, dataset_name: str, outcome: ImportOutcome) -> bool:
    """Whether the import ``outcome`` names is the latest vintage of every month it holds."""
    with db.reading() as session:
        record = session.get(StatsImport, outcome.import_id)
        if record is None:
            return False
        latest = dict(
            session.execute(
                select(StatsVintagePeriod.period, func.max(StatsVintagePeriod.vintage))
                .where(StatsVintagePeriod.dataset == dataset_name)
                .group_by(StatsVintagePeriod.period)
            ).all()
        )
        return all(latest.get(p.period) == record.vintage for p in record.periods)


@dataclass(frozen=True)
class VintageSource:
    """Where a vintage came from: its import, the file's (or computation's) name, and what
    silkhub computed it from (None: a file someone imported)."""

    dataset: str
    vintage: int
    import_id: int
    source: str
    computed_from: str | None
    notes: tuple[str, ...]

    @property
    def computed(self) -> bool:
        return self.computed_from is not None


def vintage_sources(
    db: Database, vintages: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], VintageSource]:
    """The source of each (dataset, vintage) asked for: what a figure says it used."""
    wanted = set(vintages)
    if not wanted:
        return {}
    with db.reading() as session:
        rows = session.execute(
            select(
                StatsImport.dataset,
                StatsImport.vintage,
                StatsImport.id,
                StatsImport.source,
                StatsImport.computed_from,
                StatsImport.notes,
            ).where(StatsImport.vintage.in_(sorted({v for _, v in wanted})))
        ).all()
    return {
        (r[0], r[1]): VintageSource(r[0], r[1], r[2], r[3], r[4], tuple(str(n) for n in r[5] or ()))
        for r in rows
        if (r[0], r[1]) in wanted
    }


def current_rows(
    db: Database, store: AnalyticalStore, dataset_name: str, first: Month, last: Month
) -> pa.Table:
    """The rows of ``dataset_name`` for the months ``first`` to ``last`` as published now
    (each month from its latest vintage), with their ``vintage``: what a listing, or a
    demonstration built on the published figures, reads."""
    ds = dataset(dataset_name)
    with db.reading() as session:
        vintages = vintage_periods(session, ds.name)
    if not store.exists(ds.name) or vintages.num_rows == 0:
        return ds.arrow_schema().empty_table()
    table = unbound(ds.name, ds.arrow_schema())
    rows = vintages_module.current_rows(table, vintages_module.vintage_periods_table(), ds, None)
    month = vintages_module.row_month(rows, ds)
    rows = rows.filter((month >= first.start) & (month <= last.start))
    return store.execute(rows, extra={vintages_module.VINTAGE_PERIODS_TABLE: vintages})


def _revision_warnings(
    db: Database,
    store: AnalyticalStore,
    ds: Dataset,
    table: pa.Table,
    periods: Sequence[date],
    source: str,
    factor: float,
) -> list[Problem]:
    with db.reading() as session:
        published = vintage_periods(session, ds.name)
    before = set(published.column("period").to_pylist())
    revised = [p for p in periods if p in before]
    if not revised or not store.exists(ds.name):
        return []
    month_of = pc.floor_temporal(table.column(ds.period_field), unit="month")
    problems: list[Problem] = []
    for name in (f.name for f in ds.fields if f.kind in SUMMABLE_KINDS):
        column = table.column(name)
        if column.null_count == len(column):
            continue
        for period in revised:
            new = pc.sum(pc.filter(column, pc.equal(month_of, pa.scalar(period)))).as_py()
            query = MeasureQuery(dataset=ds.name, value=name, period=Month.from_date(period))
            old = measures.run(store, measures.total(query), vintage_periods=published)
            old_value = old.column("value")[0].as_py() if old.num_rows else None
            if not old_value or new is None:
                continue
            ratio = new / old_value
            if ratio > factor or ratio < 1 / factor:
                change = (ratio - 1) * 100
                problems.append(
                    Problem(
                        "large_revision",
                        Message(
                            f"{period:%Y-%m} 的“{ds.field(name).zh}”由 {old_value} 改为 {new}"
                            f"（{change:+.1f}%），变动超过{factor}倍，请核对单位。",
                            f"{name} for {period:%Y-%m} moves from {old_value} to {new} "
                            f"({change:+.1f}%), more than a factor of {factor} against the "
                            "published figure: check the unit.",
                        ),
                        Location(file=source, column=name),
                        new,
                        Severity.WARNING,
                    )
                )
    return problems


def _next_vintage(session: Session) -> int:
    """Microseconds since the epoch, kept above every vintage so far (clocks can step back)."""
    now = int(utcnow().timestamp() * 1_000_000)
    latest = session.scalar(select(func.max(StatsImport.vintage)))
    return max(now, (latest or 0) + 1)


def list_imports(session: Session, dataset_name: str | None = None) -> Sequence[StatsImport]:
    query = select(StatsImport).order_by(StatsImport.id.desc())
    if dataset_name is not None:
        query = query.where(StatsImport.dataset == dataset(dataset_name).name)
    return session.scalars(query).all()


def import_ids(session: Session) -> dict[tuple[str, int], int]:
    """Each import's id by its dataset and vintage, read without loading the imports."""
    rows = session.execute(select(StatsImport.dataset, StatsImport.vintage, StatsImport.id))
    return {(dataset_name, vintage): import_id for dataset_name, vintage, import_id in rows}


def get_import(session: Session, import_id: int) -> StatsImport:
    record = session.get(StatsImport, import_id)
    if record is None:
        raise NotFound(Message(f"导入记录 {import_id} 不存在。", f"No import {import_id}."))
    return record


VINTAGE_PERIODS_ARROW = pa.schema(
    [
        pa.field("dataset", pa.string()),
        pa.field("period", pa.date32()),
        pa.field("vintage", pa.int64()),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
    ]
)


def vintage_periods(session: Session, dataset_name: str | None = None) -> pa.Table:
    """Which periods each committed import published: what the measures choose rows by."""
    query = select(
        StatsVintagePeriod.dataset,
        StatsVintagePeriod.period,
        StatsVintagePeriod.vintage,
        StatsVintagePeriod.published_at,
    )
    if dataset_name is not None:
        query = query.where(StatsVintagePeriod.dataset == dataset_name)
    rows = session.execute(query).all()
    return pa.table(
        {
            "dataset": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "vintage": [r[2] for r in rows],
            "published_at": [r[3] for r in rows],
        },
        schema=VINTAGE_PERIODS_ARROW,
    )


# --- measures ----------------------------------------------------------------------------------


class _DeclaredDatasets:
    """The analytical store, with every declared dataset that nobody has imported yet read as
    an empty table, so that a figure of such a dataset is "no data", not an error."""

    def __init__(self, store: AnalyticalStore) -> None:
        self.store = store

    def execute(self, expr: Any, *, extra: Mapping[str, pa.Table] | None = None) -> pa.Table:
        tables = dict(extra or {})
        for name, ds in DATASETS.items():
            if name not in tables and not self.store.exists(name):
                tables[name] = ds.arrow_schema().empty_table()
        return self.store.execute(expr, extra=tables)


def _vintages_for(db: Database, *queries: MeasureQuery | None) -> pa.Table:
    names = sorted({q.dataset for q in queries if q is not None})
    with db.reading() as session:
        tables = [vintage_periods(session, name) for name in names]
    return pa.concat_tables(tables) if tables else vintage_periods_empty()


def vintage_periods_empty() -> pa.Table:
    return VINTAGE_PERIODS_ARROW.empty_table()


#: Results of measures by what was asked and which vintages existed: a figure can change only
#: with an import (rows of uncommitted vintages are never read, and committed Parquet files are
#: never rewritten), so the portal need not recompute the same figure on every request.
_RESULTS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_RESULTS_MAX = 2048
_RESULTS_LOCK = threading.Lock()


def _vintage_state(vintages: pa.Table) -> tuple[Any, ...]:
    return (
        vintages.num_rows,
        pc.sum(vintages["vintage"]).as_py(),
        pc.max(vintages["published_at"]).as_py(),
    )


def vintage_state(vintages: pa.Table) -> tuple[Any, ...]:
    """What changes whenever an import commits, for keys of ``remembered`` results computed
    from ``vintages`` (a ``vintage_periods`` table)."""
    return _vintage_state(vintages)


def dataset_state(db: Database, dataset_name: str) -> tuple[Any, ...]:
    """The ``vintage_state`` of one dataset: what a remembered result computed from its
    figures (an index over them, say) puts in its key to be recomputed after an import."""
    with db.reading() as session:
        return _vintage_state(vintage_periods(session, dataset_name))


def remembered(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or its result kept from an earlier call with the same ``key``. The key
    must hold everything the result depends on, the ``vintage_state`` of its datasets among
    them, so that a new import is seen at once."""
    return _remembered(key, compute)


def _remembered(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    with _RESULTS_LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            found: T = _RESULTS[key]
            return found
    value = compute()
    with _RESULTS_LOCK:
        _RESULTS[key] = value
        while len(_RESULTS) > _RESULTS_MAX:
            _RESULTS.popitem(last=False)
    return value


def measure(
    db: Database, store: AnalyticalStore, query: MeasureQuery, *, whole: MeasureQuery | None = None
) -> MeasureResult:
    """One figure with its growth (and, with a group or a whole, its share and contribution),
    from the vintages published as of the query's date."""
    vintages = _vintages_for(db, query, whole)
    key = ("measure", str(store.root), query, whole, _vintage_state(vintages))
    return _remembered(
        key,
        lambda: measures.measure_result(
            _DeclaredDatasets(store), query, vintage_periods=vintages, whole=whole
        ),
    )


def _run_remembered(
    name: str,
    db: Database,
    store: AnalyticalStore,
    query: MeasureQuery,
    build: Callable[[], Any],
    *extra: Hashable,
) -> pa.Table:
    """Run the measures expression ``build()`` makes for ``query`` over the vintages it may
    read, remembered by (``name``, store, ``query``, ``extra``, vintage state): every table
    read (top, series, by group, items, port months) takes this one path."""
    vintages = _vintages_for(db, query)
    key = (name, str(store.root), query, *extra, _vintage_state(vintages))
    return _remembered(
        key,
        lambda: measures.run(_DeclaredDatasets(store), build(), vintage_periods=vintages),
    )


def top(db: Database, store: AnalyticalStore, query: MeasureQuery, n: int = 10) -> pa.Table:
    """The ``n`` largest values of the query's ``by`` field (rank, value, growth, share)."""
    return _run_remembered("top", db, store, query, lambda: measures.top_n(query, n), n)


def series(
    db: Database,
    store: AnalyticalStore,
    query: MeasureQuery,
    first: Month | None = None,
    last: Month | None = None,
) -> pa.Table:
    """Month by month: value, a year earlier, growth, and the year to date."""
    return _run_remembered(
        "series", db, store, query, lambda: measures.monthly_series(query, first, last), first, last
    )


def by_group(
    db: Database, store: AnalyticalStore, query: MeasureQuery, codes: Sequence[str]
) -> pa.Table:
    """``query`` (no group, no ``by``) for each country group of ``codes`` as of each month,
    and a year earlier: group, current, previous, growth_pct, times; from one scan."""
    return _run_remembered(
        "by_group",
        db,
        store,
        query,
        lambda: measures.year_on_year_by_group(query, codes),
        tuple(codes),
    )


def item_months(
    db: Database,
    store: AnalyticalStore,
    *,
    flow: str,
    group: str | None,
    months: Sequence[Month],
    value: str = "value_cny",
) -> pa.Table:
    """Trade by HS code and unit of quantity, month by month, for one flow and (optionally) a
    country group as of each month: month, hs_code, quantity_unit, value, priced_value,
    quantity. What unit-value indices are computed from (the indices capability reads it);
    remembered until the next import."""
    query = MeasureQuery(
        "trade",
        value,
        YearToDate(months[-1].year, months[-1].month),
        group=group,
        filters={"flow": flow},
    )
    # Remembered like the measures: the portal's trade index asks for the same months again.
    return _run_remembered(
        "item_months",
        db,
        store,
        query,
        lambda: measures_items.item_months(query, months),
        tuple(months),
    )


def port_months(
    db: Database,
    store: AnalyticalStore,
    *,
    months: Sequence[Month],
    ports: Sequence[str] = (),
    as_of: datetime | None = None,
) -> pa.Table:
    """Port throughput by month, port and cargo kind (``cargo_kind`` null: a total row, of
    every kind): month, port, cargo_kind, tonnes, teu, from the vintages published by
    ``as_of``. What the port index is computed from (the indices capability reads it);
    remembered like the other measures, until the next import."""
    if not months:
        raise ValueError("port_months needs at least one month")
    last = max(months)
    filters: dict[str, str | tuple[str, ...]] = {}
    if ports:
        filters["port"] = ports[0] if len(ports) == 1 else tuple(ports)
    query = MeasureQuery(
        "port", "cargo_tonnes", YearToDate(last.year, last.month), filters=filters, as_of=as_of
    )
    return _run_remembered(
        "port_months",
        db,
        store,
        query,
        lambda: measures_items.port_months(query, months),
        tuple(months),
    )


def upgrade_datasets(store: AnalyticalStore) -> list[str]:
    """Give every stored dataset the columns its definition gained since it was written (the
    port dataset's ``cargo_kind``), empty: the store refuses to append or read files that lack
    a declared column. Returns the datasets rewritten. Each is read whole and replaced in one
    step (``AnalyticalStore.write(mode="replace")``); run it while nothing imports (``silkhub
    init`` does), or an import between the read and the replace would be lost."""
    upgraded: list[str] = []
    for name, ds in DATASETS.items():
        if not store.exists(name) or not store.files(name):
            continue
        declared = ds.arrow_schema()
        have = store.schema(name)
        missing = [f for f in declared if f.name not in have.names]
        if not missing:
            continue
        table = pq.read_table(store.files(name), schema=have)
        for f in missing:
            table = table.append_column(f, pa.nulls(table.num_rows, f.type))
        table = table.select([f.name for f in declared if f.name in table.column_names])
        store.write(name, table, mode="replace")
        upgraded.append(name)
    return upgraded


def latest_month(db: Database, dataset_name: str) -> Month | None:
    """The latest month any import of ``dataset_name`` published."""
    with db.reading() as session:
        latest = session.scalar(
            select(func.max(StatsVintagePeriod.period)).where(
                StatsVintagePeriod.dataset == dataset_name
            )
        )
    return None if latest is None else Month.from_date(latest)


def first_month(db: Database, dataset_name: str) -> Month | None:
    """The earliest month any import of ``dataset_name`` published."""
    with db.reading() as session:
        first = session.scalar(
            select(func.min(StatsVintagePeriod.period)).where(
                StatsVintagePeriod.dataset == dataset_name
            )
        )
    return None if first is None else Month.from_date(first)


def end_of_day(day: date) -> datetime:
    """What "as published on a day" means: everything published by the end of it (UTC)."""
    return datetime.combine(day, datetime.max.time(), tzinfo=UTC)


def query_from_text(
    dataset_name: str,
    value: str,
    period: str,
    *,
    group: str | None = None,
    filters: Sequence[str] = (),
    by: str | None = None,
    as_of: date | None = None,
) -> MeasureQuery:
    """A query from what a person types: ``period="2020年1-5月"``, ``filters=["flow=出口"]``,
    ``as_of`` a day (the figures as published by the end of that day, UTC)."""
    parsed: dict[str, list[str]] = {}
    for item in filters:
        name, sep, text = item.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise InvalidInput.single(
                "bad_filter",
                Message(
                    f"筛选条件“{item}”应写作 字段=值。", f"Filter {item!r} must be field=value."
                ),
                location=Location(field="filter"),
                value=item,
            )
        parsed.setdefault(name.strip(), []).append(text.strip())
    moment = end_of_day(as_of) if as_of is not None else None
    return MeasureQuery(
        dataset=dataset_name,
        value=value,
        period=parse_period(period),
        filters={k: v[0] if len(v) == 1 else tuple(v) for k, v in parsed.items()},
        group=group or None,
        by=by or None,
        as_of=moment,
    )
