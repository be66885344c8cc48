"""The operations of logistics: ingest track-and-trace events, query them the DCSA way, list
equipment, register transports. Tracking (where is my container) is in ``tracking.py``.

Ingestion is all or nothing per batch: a batch (one ``POST /events`` body, one file) with any
error writes nothing, and the ``InvalidInput`` lists every problem with the event's position
and field. Warnings (an IMO number failing its check digit) do not stop it and come back
with the result. Within those rules:

- An event is identified by its sender and ``eventID``: the submitting account and the
  originating party it names (see ``events.sender_of``).
- The same version again (same sender, eventID and ``eventUpdatedDateTime``, same document)
  is accepted and changes nothing: senders may retry.
- A later ``eventUpdatedDateTime`` replaces the current version; the earlier stays as
  history (``is_current`` false).
- An earlier ``eventUpdatedDateTime`` than the current one, or the same time with another
  document, is refused: the sender's view of its own event is out of date.
- A retraction is stored like any version, marked ``is_retracted``; it keeps the references
  of the version it retracts, so the filters that found the event find its retraction.
- The same version twice in one batch is refused (it says the batch was built wrongly).
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, any_, bindparam, false, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from silkhub.core.errors import (
    InvalidInput,
    Location,
    Message,
    NotFound,
    Problem,
    Severity,
)
from silkhub.logistics import bulk
from silkhub.logistics.events import MODES, EventRecord, parse_event
from silkhub.logistics.files import read_event_file
from silkhub.logistics.models import TntEvent, TntEventRef, Transport, TransportStop
from silkhub.logistics.queries import (
    MAX_PAGE,
    EquipmentSeen,
    EventPage,
    EventQuery,
    TrackExample,
    check_query,
    decode_cursor,
    demo_examples,
    encode_cursor,
    list_equipment,
    query_events,
)
from silkhub.logistics.reference import check_container, check_imo, check_locode
from silkhub.logistics.subscriptions import NewVersion, enqueue_pushes
from silkhub.stores.operational import utcnow

__all__ = [
    "MAX_BATCH_EVENTS",
    "MAX_PAGE",
    "EquipmentSeen",
    "EventPage",
    "EventQuery",
    "IngestResult",
    "StopIn",
    "TrackExample",
    "Transport",
    "check_equipment_reference",
    "check_query",
    "decode_cursor",
    "demo_examples",
    "encode_cursor",
    "field_in_batch",
    "get_transport",
    "import_file",
    "ingest",
    "list_equipment",
    "list_transports",
    "query_events",
    "register_transport",
]

#: Most events one ``POST /events`` may carry; bigger sets go as files (``silkhub logistics
#: import``) or in several requests.
MAX_BATCH_EVENTS = 5000
# Keys per IN (...) lookup: one lookup for a whole API batch, well under the bound variables
# SQLite (32766 since 3.32) and PostgreSQL (65535) take. Fewer lookups matter on a fresh
# PostgreSQL store, whose planner scans the table until statistics say it has grown.
_CHUNK = 5000


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0  # new versions written
    unchanged: int = 0  # versions the store already had
    retracted: int = 0
    warnings: list[Problem] = field(default_factory=list)


def field_in_batch(position: int, path: str) -> Location:
    """Where a problem is in a ``POST /events`` body, as DCSA's JSONPath ``propertyPath``."""
    suffix = f".{path}" if path else ""
    return Location(field=f"$.events[{position}]{suffix}")


def ingest(
    session: Session,
    documents: Sequence[Any],
    *,
    default_sender: str,
    received_by: str,
    source: str,
    where: Callable[[int, str], Location] = field_in_batch,
    max_events: int | None = None,
) -> IngestResult:
    """Check every document, then store the batch, or nothing (see the module's rules).

    ``where(position, path)`` says where a problem is (a request field, a file's line).
    """
    with _cyclic_gc_paused():
        return _ingest(session, documents, default_sender=default_sender,
                       received_by=received_by, source=source, where=where,
                       max_events=max_events)  # fmt: skip


# A batch makes a few objects per event that reference counting frees (no cycles); meanwhile
# Python's cyclic collector would run every few hundred allocations and, with a large file's
# documents in memory, walk all of them again and again: a quarter of the time of an ingest.
# It is paused while a batch is checked and written, and resumes when the last batch running
# in the process ends (a counter, since threads may ingest at once).
_gc_lock = threading.Lock()
_gc_batches = 0
_gc_was_enabled = False


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    global _gc_batches, _gc_was_enabled
    with _gc_lock:
        if _gc_batches == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_batches += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_batches -= 1
            if _gc_batches == 0 and _gc_was_enabled:
                gc.enable()


def _ingest(
    session: Session,
    documents: Sequence[Any],
    *,
    default_sender: str,
    received_by: str,
    source: str,
    where: Callable[[int, str], Location],
    max_events: int | None,
) -> IngestResult:
    if max_events is not None and len(documents) > max_events:
        raise InvalidInput.single(
            "batch_too_large",
            Message(
                f"一批最多 {max_events} 个事件，本批有 {len(documents)} 个；请分批发送。",
                f"A batch holds at most {max_events} events; this one has {len(documents)}. "
                "Send it in parts.",
            ),
            location=Location(field="$.events"),
            value=len(documents),
        )
    problems: list[Problem] = []
    records: list[EventRecord] = []
    for position, doc in enumerate(documents):
        record, found = parse_event(
            doc,
            position=position,
            default_sender=default_sender,
            where=lambda path, p=position: where(p, path),  # type: ignore[misc]
        )
        problems += found
        if record is not None:
            records.append(record)
    seen: dict[tuple[str, str, datetime], int] = {}
    for r in records:
        key = (r.sender, r.event_id, r.updated_at)
        if key in seen:
            problems.append(
                Problem(
                    "duplicate_in_batch",
                    Message(
                        f"事件“{r.event_id}”的同一版本在本批中出现两次（第 {seen[key] + 1} 个与第 "
                        f"{r.position + 1} 个）。",
                        f"The same version of event {r.event_id!r} is in the batch twice "
                        f"(numbers {seen[key] + 1} and {r.position + 1}).",
                    ),
                    where(r.position, "eventID"),
                    r.event_id,
                )
            )
        else:
            seen[key] = r.position
    history = _history(session, {(r.sender, r.event_id) for r in records})
    plan = _plan(records, history, problems, where)
    result = IngestResult(received=len(documents))
    result.warnings = [p for p in problems if p.severity is Severity.WARNING]
    if any(p.severity is Severity.ERROR for p in problems):
        raise InvalidInput(
            Message(
                f"事件批次有 {sum(p.severity is Severity.ERROR for p in problems)} 处错误，"
                "未写入任何事件。",
                f"The batch of events has {sum(p.severity is Severity.ERROR for p in problems)} "
                "error(s); no event was written.",
            ),
            problems=problems,
            code="invalid_events",
        )
    _write(session, plan, history, result, received_by=received_by, source=source)
    return result


@dataclass
class _Stored:
    row_id: int
    updated_at: datetime
    document: dict[str, Any]
    is_current: bool
    columns: dict[str, Any]
    refs: list[tuple[str, str]]


def _history(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], list[_Stored]]:
    """The stored versions of the batch's events, and the references of the current ones: a
    few lookups per batch (one per ``_CHUNK`` events), whatever its size."""
    out: dict[tuple[str, str], list[_Stored]] = defaultdict(list)
    if not keys:
        return out
    ids = sorted({event_id for _, event_id in keys})
    current_rows: list[int] = []
    columns = [getattr(TntEvent, c) for c in ("id", "sender", "event_id", "event_updated_at",
                                                "document", "is_current", *_INHERITED)]  # fmt: skip
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(*columns).where(_among(session, TntEvent.event_id, ids[start : start + _CHUNK]))
        )
        for row in rows:
            key = (row.sender, row.event_id)
            if key not in keys:
                continue
            out[key].append(
                _Stored(
                    row.id,
                    row.event_updated_at,
                    row.document,
                    row.is_current,
                    {c: getattr(row, c) for c in _INHERITED},
                    [],
                )
            )
            if row.is_current:
                current_rows.append(row.id)
    by_row = {s.row_id: s for versions in out.values() for s in versions}
    for start in range(0, len(current_rows), _CHUNK):
        for row_id, kind, reference in session.execute(
            select(TntEventRef.event_row_id, TntEventRef.kind, TntEventRef.reference).where(
                _among(session, TntEventRef.event_row_id, current_rows[start : start + _CHUNK])
            )
        ):
            by_row[row_id].refs.append((kind, reference))
    return out


def _among(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values`` for a batch's worth of values. On PostgreSQL as ``= ANY(array)``
    with one parameter: five thousand parameters of an ``IN`` list cost the client (rendering,
    adapting) ten times what the server spends on the query."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


#: What a retraction inherits from the version it retracts, so the same filters find it.
_INHERITED = (
    "event_type",
    "mode",
    "un_locode",
    "equipment_reference",
    "size_type",
    "transport_ref",
)


def _plan(
    records: list[EventRecord],
    history: dict[tuple[str, str], list[_Stored]],
    problems: list[Problem],
    where: Callable[[int, str], Location],
) -> dict[tuple[str, str], list[EventRecord]]:
    """The new versions to write per event, in time order; refusals go to ``problems``."""
    plan: dict[tuple[str, str], list[EventRecord]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.sender, r.event_id, r.updated_at)):
        key = (r.sender, r.event_id)
        stored = history.get(key, [])
        same = next((s for s in stored if s.updated_at == r.updated_at), None)
        if same is not None:
            if same.document == r.document:
                continue  # a retry of a version already here
            problems.append(
                Problem(
                    "conflicting_version",
                    Message(
                        f"事件“{r.event_id}”已有更新时间为 {r.updated_at.isoformat()} 的另一版本；"
                        "修改事件须使用更晚的 eventUpdatedDateTime。",
                        f"Event {r.event_id!r} already has another version updated at "
                        f"{r.updated_at.isoformat()}; a change needs a later "
                        "eventUpdatedDateTime.",
                    ),
                    where(r.position, "eventUpdatedDateTime"),
                    r.document.get("eventUpdatedDateTime"),
                )
            )
            continue
        current = next((s for s in stored if s.is_current), None)
        if current is not None and r.updated_at < current.updated_at:
            problems.append(
                Problem(
                    "older_than_stored",
                    Message(
                        f"事件“{r.event_id}”已存有更新的版本（{current.updated_at.isoformat()}），"
                        "本版本较旧，未采用。",
                        f"Event {r.event_id!r} already has a later version (updated "
                        f"{current.updated_at.isoformat()}); this older one is refused.",
                    ),
                    where(r.position, "eventUpdatedDateTime"),
                    r.document.get("eventUpdatedDateTime"),
                )
            )
            continue
        plan[key].append(r)
    return plan


#: The columns of an event row as ``_write`` builds it, in this order.
_EVENT_COLUMNS = (
    "id",
    "sender",
    "event_id",
    "event_updated_at",
    "is_current",
    "is_retracted",
    "classifier",
    "type_code",
    "event_at",
    "facility_type",
    "document",
    "received_at",
    "received_by",
    "source",
    *_INHERITED,
)
_REF_COLUMNS = ("event_row_id", "kind", "reference")


def _write(
    session: Session,
    plan: dict[tuple[str, str], list[EventRecord]],
    history: dict[tuple[str, str], list[_Stored]],
    result: IngestResult,
    *,
    received_by: str,
    source: str,
) -> None:
    now = utcnow()
    retire: list[int] = []
    rows: list[list[Any]] = []
    row_refs: list[list[tuple[str, str]]] = []
    event_types: list[str | None] = []
    for key, versions in plan.items():
        current = next((s for s in history.get(key, []) if s.is_current), None)
        if current is not None:
            retire.append(current.row_id)
        inherited = tuple(current.columns[c] for c in _INHERITED) if current is not None else (
            None, None, None, None, None, None
        )  # fmt: skip
        refs = list(current.refs) if current is not None else []
        last = len(versions) - 1
        for i, r in enumerate(versions):
            if r.retracted:
                result.retracted += 1
            else:
                inherited = (r.event_type, r.mode, r.un_locode, r.equipment_reference,
                             r.size_type, r.transport_ref)  # fmt: skip
                refs = list(r.refs)
            # The id is filled in below, once the batch's ids are known.
            rows.append([0, r.sender, r.event_id, r.updated_at, i == last, r.retracted,
                         r.classifier, r.type_code, r.event_at, r.facility_type, r.document,
                         now, received_by, source, *inherited])  # fmt: skip
            row_refs.append(refs)
            event_types.append(inherited[0])
    if not rows:  # every event a retry (a plan retires only what it replaces)
        result.unchanged = result.received - result.stored
        return
    # Retire first: the partial unique index allows one current row per event. On SQLite
    # this statement also takes the write lock (even when it changes nothing), so that the
    # ids counted next are this transaction's alone.
    _retire(session, retire[:_CHUNK])
    for start in range(_CHUNK, len(retire), _CHUNK):
        _retire(session, retire[start : start + _CHUNK])
    session.flush()  # anything the ORM holds goes first: the inserts below bypass it
    ids = _new_ids(session, len(rows))
    for row_id, row in zip(ids, rows, strict=True):
        row[0] = row_id
    bulk.insert_rows(session, cast(Table, TntEvent.__table__), _EVENT_COLUMNS, rows)
    bulk.insert_rows(
        session,
        cast(Table, TntEventRef.__table__),
        _REF_COLUMNS,
        [
            (row_id, kind, reference)
            for row_id, refs in zip(ids, row_refs, strict=True)
            for kind, reference in refs
        ],
    )
    # Subscribers' pushes are written with the events, in this transaction (the outbox).
    enqueue_pushes(
        session,
        (
            NewVersion(row_id, event_type, refs)
            for row_id, event_type, refs in zip(ids, event_types, row_refs, strict=True)
        ),
    )
    result.stored = len(rows)
    result.unchanged = result.received - result.stored


def _retire(session: Session, row_ids: list[int]) -> None:
    session.execute(
        update(TntEvent)
        .where(_among(session, TntEvent.id, row_ids) if row_ids else false())
        .values(is_current=False)
    )


def _new_ids(session: Session, count: int) -> list[int]:
    """``count`` ids for new event rows, taken before they are written so that the rows
    and their references go in as plain bulk inserts (no ``RETURNING``, no row at a time).

    PostgreSQL hands them out from the table's sequence, safe against concurrent writers.
    SQLite has one writer at a time, and ``_write`` holds the lock already: the ids after
    the largest are free until this transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('logistics_events', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            ).scalars()
        )
    top = session.execute(select(func.coalesce(func.max(TntEvent.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + count))


# --- transports ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StopIn:
    un_locode: str
    kind: str  # origin, call, border, destination
    planned_arrival: datetime | None = None
    planned_departure: datetime | None = None


STOP_KINDS = ("origin", "call", "border", "destination")


@dataclass(frozen=True)
class TransportIn:
    """A transport to register (see ``register_transports``)."""

    mode: str
    reference: str
    name: str
    stops: tuple[StopIn, ...]
    service: str | None = None
    carrier: str | None = None
    vessel_imo: str | None = None
    details: dict[str, Any] | None = None
    synthetic: bool = False


def register_transport(
    session: Session,
    *,
    mode: str,
    reference: str,
    name: str,
    stops: Iterable[StopIn],
    service: str | None = None,
    carrier: str | None = None,
    vessel_imo: str | None = None,
    details: dict[str, Any] | None = None,
    synthetic: bool = False,
) -> tuple[Transport, list[Problem]]:
    """Add a voyage, train run, flight or truck trip with its planned stops; the warnings
    (an IMO number failing its check digit) come back with it."""
    wanted = TransportIn(
        mode, reference, name, tuple(stops), service, carrier, vessel_imo, details, synthetic
    )
    added, problems = register_transports(session, [wanted])
    return added[0], problems


def _transport_problems(t: TransportIn, where: str) -> list[Problem]:
    problems: list[Problem] = []
    if t.mode not in MODES:
        problems.append(
            Problem(
                "bad_code",
                Message(f"运输方式“{t.mode}”未知。", f"Unknown mode of transport {t.mode!r}."),
                Location(field=f"{where}mode"),
                t.mode,
            )
        )
    if t.vessel_imo is not None:
        problems += check_imo(t.vessel_imo, Location(field=f"{where}vessel_imo"))
    for i, stop in enumerate(t.stops):
        problems += check_locode(stop.un_locode, Location(field=f"{where}stops[{i}].un_locode"))
        if stop.kind not in STOP_KINDS:
            problems.append(
                Problem(
                    "bad_code",
                    Message(f"经停类型“{stop.kind}”未知。", f"Unknown kind of stop {stop.kind!r}."),
                    Location(field=f"{where}stops[{i}].kind"),
                    stop.kind,
                )
            )
    problems += _check_route(list(t.stops), where)
    return problems


def _duplicate_transport(t: TransportIn, where: str) -> Problem:
    return Problem(
        "duplicate_transport",
        Message(
            f"{t.mode} 运输“{t.reference}”已登记。",
            f"The {t.mode} transport {t.reference!r} is already registered.",
        ),
        Location(field=f"{where}reference"),
        t.reference,
    )


def register_transports(
    session: Session, transports: Sequence[TransportIn]
) -> tuple[list[Transport], list[Problem]]:
    """Add many transports at once, all or none (``InvalidInput`` listing every problem):
    one query for those already registered and one flush, however many there are. The
    warnings come back with them."""
    many = len(transports) > 1
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for n, t in enumerate(transports):
        where = f"[{n}]." if many else ""
        problems += _transport_problems(t, where)
        if (t.mode, t.reference) in seen:
            problems.append(_duplicate_transport(t, where))
        seen.add((t.mode, t.reference))
    refs = sorted({t.reference for t in transports})
    existing: set[tuple[str, str]] = set()
    for start in range(0, len(refs), _CHUNK):
        existing.update(
            (str(m), str(r))
            for m, r in session.execute(
                select(Transport.mode, Transport.reference).where(
                    Transport.reference.in_(refs[start : start + _CHUNK])
                )
            )
        )
    for n, t in enumerate(transports):
        if (t.mode, t.reference) in existing:
            problems.append(_duplicate_transport(t, f"[{n}]." if many else ""))
    report_errors = [p for p in problems if p.severity is Severity.ERROR]
    if report_errors:
        raise InvalidInput(report_errors[0].message, problems=problems, code=report_errors[0].code)
    added = [
        Transport(
            mode=t.mode,
            reference=t.reference,
            name=t.name,
            service=t.service,
            carrier=t.carrier,
            vessel_imo=t.vessel_imo,
            details=t.details or {},
            synthetic=t.synthetic,
            stops=[
                TransportStop(
                    sequence=i + 1,
                    un_locode=s.un_locode,
                    kind=s.kind,
                    planned_arrival=s.planned_arrival,
                    planned_departure=s.planned_departure,
                )
                for i, s in enumerate(t.stops)
            ],
        )
        for t in transports
    ]
    session.add_all(added)
    session.flush()
    return added, [p for p in problems if p.severity is not Severity.ERROR]


def _check_route(stops: list[StopIn], where: str = "") -> list[Problem]:
    """A route runs from one origin to one destination, and its planned times do not go
    back: a progress bar and delays against plan would mean nothing otherwise."""
    problems: list[Problem] = []

    def bad(i: int, field: str, zh: str, en: str, value: Any) -> None:
        problems.append(
            Problem(
                "bad_route", Message(zh, en), Location(field=f"{where}stops[{i}].{field}"), value
            )
        )

    if len(stops) < 2:
        problems.append(
            Problem(
                "bad_route",
                Message(
                    "线路至少需要起点和终点两个站点。",
                    "A route needs at least an origin and a destination.",
                ),
                Location(field=f"{where}stops"),
                len(stops),
            )
        )
        return problems
    for i, stop in enumerate(stops):
        want_end = "origin" if i == 0 else "destination" if i == len(stops) - 1 else None
        if want_end is not None and stop.kind != want_end:
            bad(
                i,
                "kind",
                f"此站点应为“{want_end}”。",
                f"This stop must be the {want_end}.",
                stop.kind,
            )
        elif want_end is None and stop.kind in ("origin", "destination"):
            bad(i, "kind", "起点只能在首位，终点只能在末位。",
                "The origin comes first and the destination last.", stop.kind)  # fmt: skip
    previous: datetime | None = None
    for i, stop in enumerate(stops):
        times = (("planned_arrival", stop.planned_arrival),
                 ("planned_departure", stop.planned_departure))  # fmt: skip
        for name, when in times:
            if when is None:
                continue
            if when.tzinfo is None:
                naive = "The time needs a UTC offset."
                bad(i, name, "时间须带 UTC 偏移。", naive, when.isoformat())
                continue
            if previous is not None and when < previous:
                earlier = "This planned time is earlier than the one before it."
                bad(i, name, "计划时间早于前一站点的计划时间。", earlier, when.isoformat())
            previous = when
    return problems


def get_transport(session: Session, mode: str, reference: str) -> Transport:
    found = session.execute(
        select(Transport).where(Transport.mode == mode.upper(), Transport.reference == reference)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(
            Message(
                f"没有 {mode} 运输“{reference}”。", f"There is no {mode} transport {reference!r}."
            )
        )
    return found


def list_transports(
    session: Session, *, mode: str | None = None, limit: int = 100, offset: int = 0
) -> list[Transport]:
    """Transports newest first: by the planned departure from their origin (those without
    one last), then the latest registered. A hub runs hundreds of trains a year; the ones
    under way are those people look for."""
    origin = (
        select(TransportStop.transport_id, TransportStop.planned_departure)
        .where(TransportStop.sequence == 1)
        .subquery()
    )
    stmt = (
        select(Transport)
        .outerjoin(origin, origin.c.transport_id == Transport.id)
        .order_by(origin.c.planned_departure.desc().nulls_last(), Transport.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if mode:
        stmt = stmt.where(Transport.mode == mode.upper())
    return list(session.execute(stmt).scalars())


def count_transports(session: Session, *, mode: str | None = None) -> int:
    stmt = select(func.count()).select_from(Transport)
    if mode:
        stmt = stmt.where(Transport.mode == mode.upper())
    return int(session.execute(stmt).scalar_one())


def check_equipment_reference(value: str) -> None:
    """Raise ``InvalidInput`` if ``value`` is no ISO 6346 container number."""
    problems = check_container(value, Location(field="equipmentReference"))
    if problems:
        raise InvalidInput(problems[0].message, problems=problems, code=problems[0].code)


# --- files ---------------------------------------------------------------------------------


def import_file(
    session: Session,
    path: Path,
    *,
    sender: str,
    received_by: str,
    fmt: str | None = None,
) -> IngestResult:
    """Ingest an NDJSON or CSV file of events as one batch (see ``files``); problems name
    the file, the line and the field."""
    events = read_event_file(path, fmt=fmt)
    return ingest(
        session,
        events.documents,
        default_sender=sender,
        received_by=received_by,
        source=f"file:{events.name}"[:200],
        where=events.where,
    )
