"""Tables of the logistics capability: track-and-trace events as received (every version,
with the columns the queries filter on), the references that link them to bookings,
transport documents and equipment, and the transports (voyages, train runs, flights, truck
trips) with their planned stops.

Events are never changed in place except for ``is_current``: a later version of an event (same
sender and eventID, later ``eventUpdatedDateTime``) is a new row, and the earlier one stays as
history. Events and their references are machine data arriving in bulk, so they are written
with the driver's bulk path (``bulk.py``: COPY, executemany) and are not audited: the rows
themselves say who sent what and when (``received_by``, ``received_at``, ``source``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.stores.operational import Base, utcnow


class TntEvent(Base):
    """One version of one DCSA Track and Trace event."""

    __tablename__ = "logistics_events"
    __audit__ = False
    __table_args__ = (
        UniqueConstraint(
            "sender",
            "event_id",
            "event_updated_at",
            name="uq_logistics_events_sender_event_id_updated",
        ),
        # At most one current version per event, whatever two writers do at once.
        Index(
            "uq_logistics_events_current",
            "sender",
            "event_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_logistics_events_event_id", "event_id"),
        Index("ix_logistics_events_transport_ref", "transport_ref", "un_locode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Whose event: the submitting account, then the originating party it names
    #: (``account|provider/list/code``), or the account alone.
    sender: Mapped[str] = mapped_column(String(400))
    event_id: Mapped[str] = mapped_column(String(500))
    event_updated_at: Mapped[datetime] = mapped_column()
    is_current: Mapped[bool] = mapped_column(Boolean)
    is_retracted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: SHIPMENT, TRANSPORT, EQUIPMENT, IOT, REEFER.
    event_type: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: PLN, EST, ACT.
    classifier: Mapped[str | None] = mapped_column(String(3), nullable=True)
    #: The type's own code: LOAD, ARRI, CONF, DETC, MEAS...
    type_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    #: VESSEL, RAIL, TRUCK, BARGE, MULTIMODAL, or AIR (silkhub's extension).
    mode: Mapped[str | None] = mapped_column(String(10), nullable=True)
    event_at: Mapped[datetime | None] = mapped_column(nullable=True)
    un_locode: Mapped[str | None] = mapped_column(String(5), nullable=True)
    facility_type: Mapped[str | None] = mapped_column(String(10), nullable=True)
    equipment_reference: Mapped[str | None] = mapped_column(String(11), nullable=True)
    size_type: Mapped[str | None] = mapped_column(String(4), nullable=True)
    #: The transport the event belongs to: a voyage number, train run, flight or plate.
    transport_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    document: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by: Mapped[str] = mapped_column(String(200))
    #: api, file:<name>, demo.
    source: Mapped[str] = mapped_column(String(200))


class TntEventRef(Base):
    """A reference an event version carries: booking (BKG), transport document (TRD) or
    equipment (EQ). The DCSA filters are lookups here."""

    __tablename__ = "logistics_event_refs"
    __audit__ = False
    __table_args__ = (
        Index("ix_logistics_event_refs_kind_reference", "kind", "reference", "event_row_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_row_id: Mapped[int] = mapped_column(
        ForeignKey("logistics_events.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(100))


class Transport(Base):
    """A vessel voyage, a train run, a cargo flight or a truck trip: a first-class object
    with its planned stops. Estimated and actual times come from the events that name it."""

    __tablename__ = "logistics_transports"
    __table_args__ = (
        UniqueConstraint("mode", "reference", name="uq_logistics_transports_mode_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))
    #: Voyage number, train run (departure id), flight number and date, or plate and date.
    reference: Mapped[str] = mapped_column(String(100))
    #: Service: 义新欧 (YXE), 中亚班列 (CAT), a liner service code...
    service: Mapped[str | None] = mapped_column(String(50), nullable=True)
    name: Mapped[str] = mapped_column(String(200))  # vessel name, train number, flight...
    carrier: Mapped[str | None] = mapped_column(String(100), nullable=True)
    vessel_imo: Mapped[str | None] = mapped_column(String(7), nullable=True)
    #: Anything mode-specific: wagons of a train, aircraft of a flight.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stops: Mapped[list[TransportStop]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TransportStop.sequence"
    )


class TransportStop(Base):
    """A planned call of a transport: a port call, a station, a border crossing."""

    __tablename__ = "logistics_transport_stops"
    __table_args__ = (
        UniqueConstraint("transport_id", "sequence", name="uq_logistics_transport_stops_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transport_id: Mapped[int] = mapped_column(
        ForeignKey("logistics_transports.id", ondelete="CASCADE")
    )
    sequence: Mapped[int] = mapped_column(Integer)
    un_locode: Mapped[str] = mapped_column(String(5))
    #: origin, call, border, destination.
    kind: Mapped[str] = mapped_column(String(12))
    planned_arrival: Mapped[datetime | None] = mapped_column(nullable=True)
    planned_departure: Mapped[datetime | None] = mapped_column(nullable=True)


class Subscription(Base):
    """A consumer's callback for events matching its filters, pushed through the outbox and
    signed with its secret (HMAC-SHA256, as TNT 2.2's ``Notification-Signature``)."""

    __tablename__ = "logistics_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    callback_url: Mapped[str] = mapped_column(String(2000))
    #: carrierBookingReference, transportDocumentReference, equipmentReference, eventTypes.
    filters: Mapped[dict[str, Any]] = mapped_column()
    #: Kept in clear: signing needs it (the audit log redacts columns of this name).
    secret: Mapped[str] = mapped_column(String(100))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
