"""Where is my container: the journey of a container, a booking or a transport document told
from the current, unretracted events, and the progress of a transport (a train run's page).

A *milestone* is one thing that happens to a container at one place (loaded at Yiwu, crossed
at Khorgos, discharged at Duisburg): the planned, estimated and actual events of it are
folded into one, each time the latest version. The journey adds the transport events (a
train's arrivals and departures) of the transports the container travelled on.

- The **current status** is the latest actual milestone; its place is where the container is.
- The **next milestone** is the first one after it without an actual time.
- A milestone planned or estimated before the latest actual one that never happened (a
  reroute: planned through Alashankou, crossed at Khorgos) is shown as *skipped*.
- The **delay** is that of the journey's end (its actual or estimated time against its plan),
  or, without a plan for the end, of the latest milestone having both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.core.errors import InvalidInput, Location, Message, NotFound
from silkhub.logistics.models import TntEvent, TntEventRef, Transport, TransportStop
from silkhub.logistics.reference import Place, check_container, normalise_container, places, teu

TYPE_NAMES: dict[str, Message] = {
    "LOAD": Message("装载", "Loaded"),
    "DISC": Message("卸下", "Discharged"),
    "GTIN": Message("进场", "Gated in"),
    "GTOT": Message("出场", "Gated out"),
    "STUF": Message("装箱", "Stuffed"),
    "STRP": Message("拆箱", "Stripped"),
    "PICK": Message("提箱", "Picked up"),
    "DROP": Message("交箱", "Dropped off"),
    "CROS": Message("过境", "Crossed the border"),
    "CUSR": Message("海关放行", "Released by customs"),
    "CUSI": Message("海关查验", "Selected for customs inspection"),
    "CUSS": Message("海关扫描", "Selected for customs scan"),
    "INSP": Message("已查验", "Inspected"),
    "AVPU": Message("可提箱", "Available for pick-up"),
    "AVDO": Message("可交箱", "Available for drop-off"),
    "RMVD": Message("已移除", "Removed"),
    "RSEA": Message("重新施封", "Resealed"),
    "ARRI": Message("到达", "Arrived"),
    "DEPA": Message("出发", "Departed"),
    "CONF": Message("订舱确认", "Booking confirmed"),
    "DETC": Message("传感器检测", "Detected"),
    "MEAS": Message("冷箱测量", "Measured"),
    "ADJU": Message("冷箱调整", "Adjusted"),
}
MODE_NAMES: dict[str, Message] = {
    "VESSEL": Message("海运", "Sea"),
    "BARGE": Message("驳船", "Barge"),
    "RAIL": Message("铁路", "Rail"),
    "TRUCK": Message("公路", "Road"),
    "AIR": Message("空运", "Air"),
    "MULTIMODAL": Message("多式联运", "Multimodal"),
}

STOP_KIND_NAMES: dict[str, Message] = {
    "origin": Message("始发", "Origin"),
    "call": Message("经停", "Call"),
    "border": Message("口岸", "Border crossing"),
    "destination": Message("终到", "Destination"),
    # A place the transport's own events report that its plan does not name (a reroute).
    "unplanned": Message("计划外经停", "Not in the plan"),
}


def type_name(code: str) -> Message:
    return TYPE_NAMES.get(code, Message(code, code))


@dataclass
class Milestone:
    event_type: str
    type_code: str
    un_locode: str | None
    equipment: str | None
    mode: str | None = None
    transport_ref: str | None = None
    planned: datetime | None = None
    estimated: datetime | None = None
    actual: datetime | None = None
    skipped: bool = False
    _updated: dict[str, datetime] = field(default_factory=dict, repr=False)

    @property
    def expected(self) -> datetime | None:
        """When it happened, or is now expected to."""
        return self.actual or self.estimated or self.planned

    @property
    def delay(self) -> timedelta | None:
        """Late (positive) or early against the plan; None without a plan or news."""
        seen = self.actual or self.estimated
        if seen is None or self.planned is None:
            return None
        return seen - self.planned

    @property
    def place(self) -> Place | None:
        return places().get(self.un_locode or "")

    @property
    def name(self) -> Message:
        return type_name(self.type_code)


@dataclass
class Journey:
    kind: str  # equipment, booking, document
    reference: str
    equipment: list[str]
    milestones: list[Milestone]
    current: Milestone | None
    next: Milestone | None
    delay: timedelta | None
    retracted: int

    @property
    def place(self) -> Place | None:
        return self.current.place if self.current else None

    @property
    def modes(self) -> list[str]:
        """The modes of the journey, in order, each once per leg."""
        out: list[str] = []
        for m in self.milestones:
            if m.mode and not m.skipped and (not out or out[-1] != m.mode):
                out.append(m.mode)
        return out


def _bad_kind(kind: str) -> InvalidInput:
    return InvalidInput.single(
        "bad_track_kind",
        Message(
            f"无法按“{kind}”查询；可按 equipment（箱号）、booking（订舱号）或 document（运单号）。",
            f"Cannot track by {kind!r}; track by equipment, booking or document.",
        ),
        location=Location(field="kind"),
        value=kind,
    )


REF_KINDS = {"equipment": "EQ", "booking": "BKG", "document": "TRD"}


def track(session: Session, kind: str, reference: str) -> Journey:
    """The journey of a container (``equipment``), a booking or a transport document."""
    if kind not in REF_KINDS:
        raise _bad_kind(kind)
    reference = reference.strip()
    if kind == "equipment":
        reference = normalise_container(reference)
        problems = check_container(reference, Location(field="reference"))
        if problems:
            raise InvalidInput(problems[0].message, problems=problems, code=problems[0].code)
    rows = list(
        session.execute(
            select(TntEvent).where(
                TntEvent.is_current.is_(True),
                TntEvent.id.in_(
                    select(TntEventRef.event_row_id).where(
                        TntEventRef.kind == REF_KINDS[kind], TntEventRef.reference == reference
                    )
                ),
            )
        ).scalars()
    )
    if not rows:
        raise NotFound(
            Message(f"没有关于“{reference}”的事件。", f"No events are known for {reference!r}."),
            code="nothing_to_track",
        )
    live = [r for r in rows if not r.is_retracted]
    transports = {r.transport_ref for r in live if r.transport_ref and r.event_type == "EQUIPMENT"}
    if transports:
        seen = {r.id for r in rows}
        live += [
            r
            for r in session.execute(
                select(TntEvent).where(
                    TntEvent.is_current.is_(True),
                    TntEvent.is_retracted.is_(False),
                    TntEvent.event_type == "TRANSPORT",
                    TntEvent.transport_ref.in_(sorted(transports)),
                )
            ).scalars()
            if r.id not in seen
        ]
    milestones = fold(live)
    current, following, delay = _summary(milestones)
    equipment = sorted({r.equipment_reference for r in live if r.equipment_reference})
    return Journey(
        kind, reference, equipment, milestones, current, following, delay,
        retracted=len(rows) - len([r for r in rows if not r.is_retracted]),
    )  # fmt: skip


def fold(rows: Iterable[TntEvent]) -> list[Milestone]:
    """Planned, estimated and actual events of the same happening become one milestone."""
    by_key: dict[tuple[Any, ...], Milestone] = {}
    for r in rows:
        if r.event_type is None or r.type_code is None or r.event_at is None:
            continue
        equipment = r.equipment_reference if r.event_type != "TRANSPORT" else None
        key = (equipment, r.event_type, r.type_code, r.un_locode)
        m = by_key.get(key)
        if m is None:
            m = by_key[key] = Milestone(r.event_type, r.type_code, r.un_locode, equipment)
        slot = {"PLN": "planned", "EST": "estimated", "ACT": "actual"}.get(r.classifier or "")
        if slot is None:
            continue
        # Of two events for the same slot, the one updated last tells the latest plan.
        if slot in m._updated and m._updated[slot] > r.event_updated_at:
            continue
        m._updated[slot] = r.event_updated_at
        setattr(m, slot, r.event_at)
        m.mode = r.mode or m.mode
        m.transport_ref = r.transport_ref or m.transport_ref
    return sorted(by_key.values(), key=lambda m: (m.expected or _NEVER, _ORDER.get(m.type_code, 5)))


_NEVER = datetime.max.replace(tzinfo=UTC)
#: At the same minute, a train departs after the container is loaded, and so on.
_ORDER = {"GTIN": 0, "LOAD": 1, "DEPA": 2, "ARRI": 3, "CROS": 4, "DISC": 6, "GTOT": 7}


def _summary(
    milestones: list[Milestone],
) -> tuple[Milestone | None, Milestone | None, timedelta | None]:
    done = [m for m in milestones if m.actual is not None]
    current = max(done, key=lambda m: m.actual or _NEVER) if done else None
    following = None
    for m in milestones:
        if m.actual is not None:
            continue
        if current is not None and current.actual and m.expected and m.expected < current.actual:
            m.skipped = True
            continue
        if following is None:
            following = m
    planned = [m for m in milestones if m.planned is not None and not m.skipped]
    delay = None
    if planned and planned[-1].delay is not None:
        delay = planned[-1].delay
    else:
        known = [m for m in planned if m.delay is not None]
        if known:
            delay = known[-1].delay
    return current, following, delay


# --- transports ----------------------------------------------------------------------------


@dataclass
class StopView:
    sequence: int | None  # in the plan; None for a stop the plan did not name
    un_locode: str
    kind: str
    planned_arrival: datetime | None
    planned_departure: datetime | None
    estimated_arrival: datetime | None = None
    estimated_departure: datetime | None = None
    actual_arrival: datetime | None = None
    actual_departure: datetime | None = None
    #: Planned, never reached, and a later stop was: the transport went another way.
    skipped: bool = False

    @property
    def place(self) -> Place | None:
        return places().get(self.un_locode)

    @property
    def delay(self) -> timedelta | None:
        for seen, plan in (
            (self.actual_departure or self.estimated_departure, self.planned_departure),
            (self.actual_arrival or self.estimated_arrival, self.planned_arrival),
        ):
            if seen is not None and plan is not None:
                return seen - plan
        return None

    @property
    def reached(self) -> bool:
        return self.actual_arrival is not None or self.actual_departure is not None

    @property
    def when(self) -> datetime | None:
        """The stop's best-known time: actual, else estimated, else planned."""
        return (
            self.actual_arrival
            or self.actual_departure
            or self.estimated_arrival
            or self.estimated_departure
            or self.planned_arrival
            or self.planned_departure
        )


@dataclass
class TransportView:
    transport: Transport
    stops: list[StopView]
    containers: list[str]
    teu: float
    wagons: list[str]

    @property
    def progress(self) -> tuple[int, int]:
        """Stops reached, of the stops on the way (a skipped one is no longer on it)."""
        on_the_way = [s for s in self.stops if not s.skipped]
        return sum(s.reached for s in on_the_way), len(on_the_way)

    @property
    def delay(self) -> timedelta | None:
        known = [s.delay for s in self.stops if s.delay is not None]
        return known[-1] if known else None


def _with_unplanned(planned: list[StopView], unplanned: list[StopView]) -> list[StopView]:
    """The planned stops in their order, each unplanned one before the first planned stop
    whose best-known time is later; then the planned stops passed by (not reached, though a
    later stop was) marked skipped."""
    stops = list(planned)
    for extra in sorted(unplanned, key=lambda s: s.when or datetime.max.replace(tzinfo=UTC)):
        at = extra.when
        index = next(
            (
                i
                for i, s in enumerate(stops)
                if at is not None and s.when is not None and s.when > at
            ),
            len(stops),
        )
        stops.insert(index, extra)
    for i, stop in enumerate(stops):
        stop.skipped = not stop.reached and any(s.reached for s in stops[i + 1 :])
    return stops


def transport_stops(session: Session, transport: Transport) -> list[StopView]:
    """A transport's stops with their estimated and actual times (from its ``TRANSPORT``
    events ``ARRI`` and ``DEPA``, each the latest version). A place those events report that
    the plan does not name (the train crossed at Khorgos, planned through Alashankou) is a
    stop of kind ``unplanned``, and the planned stop passed by is ``skipped``. Reads only the
    columns it needs: the list of transports asks this of every transport."""
    rows = session.execute(
        select(TntEvent.un_locode, TntEvent.classifier, TntEvent.type_code, TntEvent.event_at)
        .where(
            TntEvent.is_current.is_(True),
            TntEvent.is_retracted.is_(False),
            TntEvent.transport_ref == transport.reference,
            TntEvent.mode == transport.mode,
            TntEvent.event_type == "TRANSPORT",
        )
        .order_by(TntEvent.event_updated_at, TntEvent.id)
    ).all()
    stops = [
        StopView(s.sequence, s.un_locode, s.kind, s.planned_arrival, s.planned_departure)
        for s in transport.stops
    ]
    by_place = {s.un_locode: s for s in stops}
    unplanned: list[StopView] = []
    for locode, classifier, type_code, event_at in rows:
        prefix = {"EST": "estimated", "ACT": "actual"}.get(classifier or "")
        suffix = {"ARRI": "arrival", "DEPA": "departure"}.get(type_code or "")
        if not (locode and event_at is not None and prefix and suffix):
            continue
        stop = by_place.get(locode)
        if stop is None:
            stop = StopView(None, locode, "unplanned", None, None)
            by_place[locode] = stop
            unplanned.append(stop)
        setattr(stop, f"{prefix}_{suffix}", event_at)  # rows in update order: last wins
    return _with_unplanned(stops, unplanned)


def transport_view(session: Session, transport: Transport) -> TransportView:
    """A transport's stops (``transport_stops``), its containers, TEU and wagons."""
    rows = list(
        session.execute(
            select(TntEvent).where(
                TntEvent.is_current.is_(True),
                TntEvent.is_retracted.is_(False),
                TntEvent.transport_ref == transport.reference,
                TntEvent.mode == transport.mode,
            )
        ).scalars()
    )
    stops = transport_stops(session, transport)
    sizes: dict[str, str | None] = {}
    wagons: set[str] = set()
    for r in rows:
        if r.equipment_reference:
            sizes[r.equipment_reference] = r.size_type or sizes.get(r.equipment_reference)
        call = ((r.document.get("transportDetails") or {}).get("transportCall")) or {}
        wagon = (call.get("railTransport") or {}).get("railCarReference")
        if isinstance(wagon, str):
            wagons.add(wagon)
    return TransportView(
        transport,
        stops,
        sorted(sizes),
        sum(teu(s) for s in sizes.values()),
        sorted(wagons),
    )


# --- the trains of a month -----------------------------------------------------------------


@dataclass
class MonthRuns:
    """The transports of one mode that left their origin in one month (``month`` is its
    first day), each with its progress: what the home page's map of the month draws."""

    month: date | None
    runs: list[TransportView]


def _month_start(value: datetime) -> date:
    return date(value.year, value.month, 1)


def month_runs(session: Session, now: datetime, mode: str = "RAIL") -> MonthRuns:
    """The runs of ``mode`` that left in ``now``'s month (by their planned departure from the
    origin); if none did, those of the latest earlier month that had any, so that a quiet
    month (or a demonstration hub whose trains ran years ago) still shows the latest trains.
    Departures after ``now`` do not count: a planned run has not run yet."""
    first = (
        select(
            TransportStop.transport_id,
            func.min(TransportStop.sequence).label("sequence"),
        )
        .group_by(TransportStop.transport_id)
        .subquery()
    )
    departures = session.execute(
        select(Transport.id, TransportStop.planned_departure)
        .join(first, first.c.transport_id == Transport.id)
        .join(
            TransportStop,
            (TransportStop.transport_id == Transport.id)
            & (TransportStop.sequence == first.c.sequence),
        )
        .where(Transport.mode == mode, TransportStop.planned_departure.is_not(None))
    ).all()
    moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    by_month: dict[date, list[int]] = {}
    for transport_id, departs in departures:
        if departs is None:
            continue
        at = departs if departs.tzinfo is not None else departs.replace(tzinfo=UTC)
        if at <= moment:
            by_month.setdefault(_month_start(at), []).append(transport_id)
    if not by_month:
        return MonthRuns(None, [])
    month = _month_start(moment)
    if month not in by_month:
        month = max(by_month)
    transports = session.execute(
        select(Transport).where(Transport.id.in_(by_month[month])).order_by(Transport.reference)
    ).scalars()
    return MonthRuns(month, [transport_view(session, t) for t in transports])
