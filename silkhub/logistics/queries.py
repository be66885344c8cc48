"""Reading events the DCSA way (``GET /events``: filters, pages and cursors) and listing the
equipment they name. Reached through ``service``, which re-exports these names."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.logistics.events import EVENT_TYPES
from silkhub.logistics.models import TntEvent, TntEventRef, Transport, TransportStop

#: Most events one ``GET /events`` page holds (the producer's own page size, DCSA's term).
MAX_PAGE = 1000


# --- querying (DCSA GET /events) -----------------------------------------------------------


@dataclass(frozen=True)
class EventQuery:
    carrier_booking_reference: str | None = None
    transport_document_reference: str | None = None
    equipment_reference: str | None = None
    event_types: tuple[str, ...] = ()
    updated_min: datetime | None = None
    updated_max: datetime | None = None

    def fingerprint(self) -> str:
        """Binds a cursor to the query it pages through (DCSA: changing the parameters
        between pages is the consumer's error)."""
        parts = [
            self.carrier_booking_reference,
            self.transport_document_reference,
            self.equipment_reference,
            ",".join(self.event_types),
            self.updated_min.isoformat() if self.updated_min else None,
            self.updated_max.isoformat() if self.updated_max else None,
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class EventPage:
    events: list[dict[str, Any]]
    next_cursor: str | None


def _bad_query(code: str, message: Message, name: str, value: Any) -> InvalidInput:
    return InvalidInput.single(code, message, location=Location(field=name), value=value)


def check_query(query: EventQuery) -> None:
    """DCSA's required filters: a booking or a transport document (either with equipment),
    or equipment alone; never a booking and a transport document together."""
    if not (
        query.carrier_booking_reference
        or query.transport_document_reference
        or query.equipment_reference
    ):
        raise _bad_query(
            "filter_required",
            Message(
                "请至少给出 carrierBookingReference、transportDocumentReference 或 "
                "equipmentReference 之一。",
                "Give carrierBookingReference, transportDocumentReference or "
                "equipmentReference (at least one).",
            ),
            "query",
            None,
        )
    if query.carrier_booking_reference and query.transport_document_reference:
        raise _bad_query(
            "unsupported_filter",
            Message(
                "carrierBookingReference 与 transportDocumentReference 不能同时使用。",
                "carrierBookingReference and transportDocumentReference cannot be combined.",
            ),
            "query.transportDocumentReference",
            query.transport_document_reference,
        )
    bad = [t for t in query.event_types if t not in EVENT_TYPES]
    if bad:
        raise _bad_query(
            "bad_code",
            Message(
                f"eventTypes 中的“{bad[0]}”不是事件类型"
                "（SHIPMENT、TRANSPORT、EQUIPMENT、IOT、REEFER）。",
                f"{bad[0]!r} in eventTypes is no event type (SHIPMENT, TRANSPORT, EQUIPMENT, "
                "IOT, REEFER).",
            ),
            "query.eventTypes",
            bad[0],
        )


def encode_cursor(query: EventQuery, after_id: int) -> str:
    raw = f"{query.fingerprint()}:{after_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(query: EventQuery, cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        fingerprint, _, after = raw.partition(":")
        after_id = int(after)
    except (ValueError, UnicodeDecodeError):
        fingerprint, after_id = "", -1
    if fingerprint != query.fingerprint() or after_id < 0:
        raise _bad_query(
            "bad_cursor",
            Message(
                "cursor 无效，或与首页请求的查询参数不一致（翻页时须保留全部原查询参数）。",
                "The cursor is not valid, or the query parameters differ from the first "
                "page's (keep them all when paging).",
            ),
            "query.cursor",
            cursor,
        )
    return after_id


def query_events(
    session: Session, query: EventQuery, *, limit: int | None = None, cursor: str | None = None
) -> EventPage:
    """The current version of every event matching ``query``, in the order they arrived,
    retractions included (a consumer must learn that an event it holds was withdrawn)."""
    check_query(query)
    size = MAX_PAGE if limit is None else min(limit, MAX_PAGE)
    if size < 1:
        raise _bad_query(
            "bad_limit",
            Message("limit 应为正整数。", "limit must be a positive integer."),
            "query.limit",
            limit,
        )
    after_id = decode_cursor(query, cursor) if cursor else 0
    stmt = select(TntEvent.id, TntEvent.document).where(
        TntEvent.is_current.is_(True), TntEvent.id > after_id
    )
    for kind, reference in (
        ("BKG", query.carrier_booking_reference),
        ("TRD", query.transport_document_reference),
        ("EQ", query.equipment_reference),
    ):
        if reference:
            stmt = stmt.where(
                TntEvent.id.in_(
                    select(TntEventRef.event_row_id).where(
                        and_(TntEventRef.kind == kind, TntEventRef.reference == reference)
                    )
                )
            )
    if query.event_types:
        stmt = stmt.where(TntEvent.event_type.in_(query.event_types))
    if query.updated_min is not None:
        stmt = stmt.where(TntEvent.event_updated_at >= query.updated_min)
    if query.updated_max is not None:
        stmt = stmt.where(TntEvent.event_updated_at <= query.updated_max)
    rows = session.execute(stmt.order_by(TntEvent.id).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(query, rows[-1][0]) if more else None
    return EventPage([dict(doc) for _, doc in rows], next_cursor)


# --- equipment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EquipmentSeen:
    reference: str
    size_type: str | None
    events: int
    last_event_at: datetime | None


def list_equipment(session: Session, *, limit: int = 100) -> list[EquipmentSeen]:
    """Known equipment references (from current, unretracted events), by reference."""
    stmt = (
        select(
            TntEvent.equipment_reference,
            func.max(TntEvent.size_type),
            func.count(),
            func.max(TntEvent.event_at),
        )
        .where(
            TntEvent.is_current.is_(True),
            TntEvent.is_retracted.is_(False),
            TntEvent.equipment_reference.is_not(None),
        )
        .group_by(TntEvent.equipment_reference)
        .order_by(TntEvent.equipment_reference)
        .limit(limit)
    )
    return [EquipmentSeen(str(r[0]), r[1], int(r[2]), r[3]) for r in session.execute(stmt)]


@dataclass(frozen=True)
class TrackExample:
    """A container a visitor of the demonstration hub may try, and the transport it is on."""

    equipment: str
    transport: Transport


def demo_examples(session: Session, *, limit: int = 10) -> list[TrackExample]:
    """One container (the first by number) of each of the latest synthetic transports that
    carry containers, by their planned departure from the origin, shown by mode and
    reference. Synthetic transports only: a real hub's container numbers are what let a
    person follow their own cargo, and are never listed to the public."""
    # The demo holds hundreds of past train runs: the newest ones (under way at the demo's
    # clock) are those worth trying, and looking only at a few keeps the page fast.
    latest = (
        select(Transport.reference)
        .join(TransportStop, TransportStop.transport_id == Transport.id)
        .where(Transport.synthetic.is_(True), TransportStop.sequence == 1)
        .order_by(TransportStop.planned_departure.desc().nulls_last(), Transport.id.desc())
        .limit(limit * 2)
    )
    refs = [str(r) for r in session.execute(latest).scalars()]
    first = dict(
        session.execute(
            select(TntEvent.transport_ref, func.min(TntEvent.equipment_reference))
            .where(
                TntEvent.transport_ref.in_(refs),
                TntEvent.is_current.is_(True),
                TntEvent.is_retracted.is_(False),
                TntEvent.equipment_reference.is_not(None),
            )
            .group_by(TntEvent.transport_ref)
        ).all()
    )
    chosen = [ref for ref in refs if first.get(ref)][:limit]
    transports = session.execute(
        select(Transport)
        .where(Transport.reference.in_(chosen), Transport.synthetic.is_(True))
        .order_by(Transport.mode, Transport.reference)
    ).scalars()
    return [TrackExample(str(first[t.reference]), t) for t in transports]
