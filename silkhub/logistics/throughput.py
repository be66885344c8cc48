"""Throughput from the tracked events: train runs and TEU by month, line, direction and
partner country; vessel calls and containers loaded and discharged at the hub's ports; cargo
flights at its airports. And the rail figures written into the statistics (dataset ``rail``)
as a vintage of their own, computed from the events.

What counts (docs/logistics.md, "Throughput", says the same):

- Only the **current version** of each event, and never a retracted one; only **actual**
  (``ACT``) events. A corrected event counts with its corrected time and place.
- A **train run** is a rail transport (``railTransport.departureID``) with an actual
  ``DEPA`` at its origin: the first stop it was registered with, or, for a run nobody
  registered, the place of its earliest actual departure. It counts **once**, in the month
  of that departure in Beijing time (UTC+8, the hub's statistical calendar), however many
  months its journey spans and whichever border it crossed.
- Its **line** is its service (``YXE`` is 义新欧, ``CAT`` 中亚班列, any other service by its
  own name), from the registered transport or else the departure's
  ``railServiceReference``; a run with neither is left out and counted as unassigned.
- **Direction**: outbound (去程) when it leaves from China, inbound (回程) when it comes to
  China from abroad. **Partner country**: the country at the other end (the destination's
  for an outbound run, the origin's for an inbound one), the destination being the last
  registered stop or, unregistered, the place of its last arrival event.
- Its **TEU** are those of the containers loaded onto it (actual equipment ``LOAD`` events
  naming the run), each container counted once, at the TEU of its ISO 6346 size-type (a
  45G1 is 2 TEU, a 22G1 one); a container whose size-type is missing or unknown counts as
  1 TEU, as a transport's page counts it, and the result says how many there were. The
  statistics store whole TEU: a row's TEU (a 45-foot box is 2.25) are rounded half up.
- **Vessel calls**: a vessel (or barge) voyage's visit to one of the hub's ports, once per
  voyage and port, in the month of its first actual arrival or departure there;
  **containers loaded and discharged**: actual ``LOAD`` and ``DISC`` by vessel or barge
  there (a container once per voyage, port and move). **Cargo flights**: a flight's actual
  departure from, or arrival at, the hub's airports.

Only the rail figures go into the statistics: the port and air datasets hold the port
authority's and the airports' totals of all traffic (tonnes, routes), of which the tracked
events are a sample, so writing them would replace a whole by a part. They are computed and
shown (``silkhub logistics throughput``) beside them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.errors import InvalidInput, Message
from silkhub.core.periods import Month
from silkhub.logistics.models import TntEvent, Transport
from silkhub.logistics.reference import places, size_types, teu
from silkhub.stats import service as stats
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

__all__ = [
    "AIRPORTS",
    "BEIJING",
    "LINES",
    "PORTS",
    "Throughput",
    "TrainRun",
    "compute",
    "publish",
    "rail_rows",
]

#: The hub's statistical calendar: a departure counts in its month in Beijing time.
BEIJING = timezone(timedelta(hours=8), "CST")
#: Rail services as the statistics name their lines.
LINES = {"YXE": "义新欧", "CAT": "中亚班列"}
#: The hub's ports (UN/LOCODE -> the port as the statistics name it).
PORTS = {"CNNBP": "宁波舟山港", "CNNBO": "宁波舟山港", "CNZOS": "宁波舟山港"}
#: The hub's airports (UN/LOCODE -> the airport as the statistics name it).
AIRPORTS = {"CNHGH": "杭州萧山国际机场", "CNNGB": "宁波栎社国际机场"}
HOME = "CN"
_CHUNK = 500


def month_of(at: datetime) -> Month:
    """The month of ``at`` in Beijing time."""
    return Month.from_date(at.astimezone(BEIJING).date())


@dataclass(frozen=True)
class TrainRun:
    """One counted train run."""

    reference: str
    line: str
    direction: str  # outbound, inbound
    origin: str
    destination: str | None
    partner: str | None  # the country at the other end
    departed_at: datetime
    containers: int
    teu: float
    unsized: int  # containers without a known size-type (counted as 1 TEU)
    synthetic: bool = False  # a demonstration's run (its registered transport says so)

    @property
    def month(self) -> Month:
        return month_of(self.departed_at)


@dataclass
class Throughput:
    """What the events say for the months ``first`` to ``last`` (None: every month with a
    counted departure, arrival or move)."""

    first: Month | None
    last: Month | None
    runs: list[TrainRun] = field(default_factory=list)
    #: Rail runs with an actual departure but no line (no service known).
    unassigned: list[str] = field(default_factory=list)
    #: (month, port) -> [calls, containers loaded, TEU loaded, containers discharged, TEU
    #: discharged]
    ports: dict[tuple[Month, str], list[float]] = field(default_factory=dict)
    #: (month, airport) -> [departures, arrivals]
    flights: dict[tuple[Month, str], list[int]] = field(default_factory=dict)

    @property
    def months(self) -> list[Month]:
        """The months with at least one counted train run, in order."""
        return sorted({r.month for r in self.runs})

    def runs_in(self, line: str | None = None) -> list[TrainRun]:
        return [r for r in self.runs if line is None or r.line == line]


def _in_range(month: Month, first: Month | None, last: Month | None) -> bool:
    return (first is None or month >= first) and (last is None or month <= last)


def _window(query: Any, first: Month | None, last: Month | None) -> Any:
    """Events whose time may fall in the months (a day's margin either way for the time
    zone)."""
    if first is not None:
        start = datetime.combine(first.start, datetime.min.time(), tzinfo=BEIJING)
        query = query.where(TntEvent.event_at >= start - timedelta(days=1))
    if last is not None:
        end = datetime.combine(last.end, datetime.max.time(), tzinfo=BEIJING)
        query = query.where(TntEvent.event_at <= end + timedelta(days=1))
    return query


def _actual(*columns: Any) -> Any:
    return select(*columns).where(
        TntEvent.is_current.is_(True),
        TntEvent.is_retracted.is_(False),
        TntEvent.classifier == "ACT",
        TntEvent.event_at.is_not(None),
    )


def compute(session: Session, first: Month | None = None, last: Month | None = None) -> Throughput:
    """Throughput from the current, unretracted, actual events (see the module's rules)."""
    result = Throughput(first, last)
    _train_runs(session, result)
    _ports(session, result)
    _flights(session, result)
    return result


def _train_runs(session: Session, result: Throughput) -> None:
    registered = {
        t.reference: t
        for t in session.execute(select(Transport).where(Transport.mode == "RAIL")).scalars()
    }
    # Every actual departure, not only those in the months asked for: a run is counted in the
    # month it left its origin, and an unregistered run's origin is its earliest departure,
    # which may lie before them (departures are a few events per train).
    transport_events = session.execute(
        _actual(
            TntEvent.transport_ref,
            TntEvent.type_code,
            TntEvent.un_locode,
            TntEvent.event_at,
            TntEvent.event_updated_at,
            TntEvent.document,
        )
        .where(
            TntEvent.mode == "RAIL",
            TntEvent.event_type == "TRANSPORT",
            TntEvent.type_code == "DEPA",
            TntEvent.transport_ref.is_not(None),
        )
        .order_by(TntEvent.event_updated_at, TntEvent.id)
    ).all()
    departures: dict[str, list[tuple[str, datetime, Any]]] = defaultdict(list)
    for ref, code, locode, at, _, doc in transport_events:
        if code == "DEPA" and locode:
            departures[ref].append((locode, at, doc))
    arrivals = _last_arrivals(session, [r for r in departures if r not in registered])
    counted: dict[str, tuple[str, str, str, datetime]] = {}
    for ref, seen in departures.items():
        transport = registered.get(ref)
        if transport is not None and transport.stops:
            origin = transport.stops[0].un_locode
            destination: str | None = transport.stops[-1].un_locode
        else:
            origin = min(seen, key=lambda s: s[1])[0]
            destination = arrivals.get(ref)
        at_origin = [s for s in seen if s[0] == origin]
        if not at_origin:
            continue  # it has left some station, but not (yet, as far as told) its origin
        # Several actual departures at the origin (two senders, a resent event): the latest
        # news wins, as on a transport's page.
        _, departed_at, doc = at_origin[-1]
        if not _in_range(month_of(departed_at), result.first, result.last):
            continue
        service = transport.service if transport is not None else None
        if not service:
            call = ((doc or {}).get("transportDetails") or {}).get("transportCall") or {}
            service = (call.get("railTransport") or {}).get("railServiceReference")
        if not service:
            result.unassigned.append(ref)
            continue
        counted[ref] = (LINES.get(service, service), origin, destination or "", departed_at)
    loads = _loads(session, list(counted))
    known = size_types()
    for ref, (line, origin, destination, departed_at) in sorted(counted.items()):
        boxes = loads.get(ref, {})
        origin_country = places()[origin].country if origin in places() else origin[:2]
        dest_country = (
            (places()[destination].country if destination in places() else destination[:2])
            if destination
            else None
        )
        outbound = origin_country == HOME
        result.runs.append(
            TrainRun(
                reference=ref,
                line=line,
                direction="outbound" if outbound else "inbound",
                origin=origin,
                destination=destination or None,
                partner=dest_country if outbound else origin_country,
                departed_at=departed_at,
                containers=len(boxes),
                teu=sum(teu(s) for s in boxes.values()),
                unsized=sum(1 for s in boxes.values() if s not in known),
                synthetic=ref in registered and registered[ref].synthetic,
            )
        )


def _last_arrivals(session: Session, refs: Sequence[str]) -> dict[str, str]:
    """The place of each unregistered run's last arrival event (any classifier)."""
    out: dict[str, tuple[datetime, str]] = {}
    for i in range(0, len(refs), _CHUNK):
        rows = session.execute(
            select(TntEvent.transport_ref, TntEvent.event_at, TntEvent.un_locode).where(
                TntEvent.is_current.is_(True),
                TntEvent.is_retracted.is_(False),
                TntEvent.mode == "RAIL",
                TntEvent.event_type == "TRANSPORT",
                TntEvent.type_code == "ARRI",
                TntEvent.event_at.is_not(None),
                TntEvent.transport_ref.in_(refs[i : i + _CHUNK]),
            )
        ).all()
        for ref, at, locode in rows:
            if ref and locode and at and (ref not in out or at >= out[ref][0]):
                out[ref] = (at, locode)
    return {ref: locode for ref, (_, locode) in out.items()}


def _loads(session: Session, refs: Sequence[str]) -> dict[str, dict[str, str | None]]:
    """Per run: the containers loaded onto it and their size-types (the latest event's, or
    any event's that gives one)."""
    out: dict[str, dict[str, str | None]] = defaultdict(dict)
    for i in range(0, len(refs), _CHUNK):
        rows = session.execute(
            _actual(TntEvent.transport_ref, TntEvent.equipment_reference, TntEvent.size_type)
            .where(
                TntEvent.mode == "RAIL",
                TntEvent.event_type == "EQUIPMENT",
                TntEvent.type_code == "LOAD",
                TntEvent.equipment_reference.is_not(None),
                TntEvent.transport_ref.in_(refs[i : i + _CHUNK]),
            )
            .order_by(TntEvent.event_updated_at, TntEvent.id)
        ).all()
        for ref, equipment, size in rows:
            boxes = out[ref]
            boxes[equipment] = size or boxes.get(equipment)
    return out


_PORT_COLUMNS = (
    TntEvent.event_type,
    TntEvent.type_code,
    TntEvent.transport_ref,
    TntEvent.un_locode,
    TntEvent.event_at,
    TntEvent.equipment_reference,
    TntEvent.size_type,
)


def _ports(session: Session, result: Throughput) -> None:
    at_ports = (TntEvent.mode.in_(("VESSEL", "BARGE")), TntEvent.un_locode.in_(list(PORTS)))
    # Calls: every actual arrival and departure at the ports (a call is dated by its first,
    # which may lie before the months asked for); moves: only those in the months.
    calls_query = _actual(*_PORT_COLUMNS).where(
        *at_ports, TntEvent.event_type == "TRANSPORT", TntEvent.type_code.in_(("ARRI", "DEPA"))
    )
    moves_query = _actual(*_PORT_COLUMNS).where(
        *at_ports, TntEvent.event_type == "EQUIPMENT", TntEvent.type_code.in_(("LOAD", "DISC"))
    )
    rows = [
        *session.execute(calls_query).all(),
        *session.execute(_window(moves_query, result.first, result.last)).all(),
    ]
    # A call is a voyage's visit to one port, dated by its first actual arrival or departure
    # there (a voyage starting at the port only departs).
    calls: dict[tuple[str | None, str], datetime] = {}
    moves: dict[tuple[Month, str, str | None, str, str], str | None] = {}
    for event_type, code, ref, locode, at, equipment, size in rows:
        port = PORTS[locode]
        if event_type == "TRANSPORT" and code in ("ARRI", "DEPA"):
            key = (ref, locode)
            calls[key] = min(at, calls.get(key, at))
            continue
        month = month_of(at)
        wanted = _in_range(month, result.first, result.last)
        if wanted and event_type == "EQUIPMENT" and code in ("LOAD", "DISC") and equipment:
            move = (month, port, ref, code, equipment)
            moves[move] = size or moves.get(move)
    for (_, locode), at in calls.items():
        month = month_of(at)
        if _in_range(month, result.first, result.last):
            result.ports.setdefault((month, PORTS[locode]), [0, 0, 0.0, 0, 0.0])[0] += 1
    for (month, port, _, code, _), size in moves.items():
        figures = result.ports.setdefault((month, port), [0, 0, 0.0, 0, 0.0])
        at = 1 if code == "LOAD" else 3
        figures[at] += 1
        figures[at + 1] += teu(size)


def _flights(session: Session, result: Throughput) -> None:
    rows = session.execute(
        _window(
            _actual(
                TntEvent.type_code, TntEvent.transport_ref, TntEvent.un_locode, TntEvent.event_at
            ).where(
                TntEvent.mode == "AIR",
                TntEvent.event_type == "TRANSPORT",
                TntEvent.type_code.in_(("DEPA", "ARRI")),
                TntEvent.un_locode.in_(list(AIRPORTS)),
            ),
            result.first,
            result.last,
        )
    ).all()
    seen: set[tuple[Month, str, str, str | None]] = set()
    for code, ref, locode, at in rows:
        month = month_of(at)
        if _in_range(month, result.first, result.last):
            seen.add((month, AIRPORTS[locode], code, ref))
    for month, airport, code, _ in seen:
        result.flights.setdefault((month, airport), [0, 0])[0 if code == "DEPA" else 1] += 1


# --- into the statistics -----------------------------------------------------------------------

RAIL_HEADER = ("month", "line", "direction", "destination", "trains", "teu")


def _whole(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rail_rows(throughput: Throughput) -> list[tuple[str, str, str, str, int, int]]:
    """The ``rail`` dataset's rows: trains and TEU by month, line, direction and partner
    country (TEU of each row rounded half up to whole TEU)."""
    sums: dict[tuple[str, str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for run in throughput.runs:
        key = (run.month.code, run.line, run.direction, run.partner or "")
        sums[key][0] += 1
        sums[key][1] += run.teu
    return [(*key, int(v[0]), _whole(v[1])) for key, v in sorted(sums.items())]


@dataclass(frozen=True)
class Published:
    """What ``publish`` did: the statistics' import (``imported``, or ``duplicate`` when the
    same figures were already the current ones), and what it holds."""

    outcome: stats.ImportOutcome
    runs: int
    months: list[Month]


#: Said wherever figures computed from a demonstration's (synthetic) runs are shown, in the
#: words the statistics demo labels its files with.
SYNTHETIC_LABEL = "演示数据（合成）/ synthetic demonstration data"


def source_name(throughput: Throughput) -> str:
    months = throughput.months
    span = f"{months[0].code}..{months[-1].code}" if months else ""
    name = f"silkhub logistics: {len(throughput.runs)} tracked train runs' events, {span}"
    if any(r.synthetic for r in throughput.runs):
        name += f" ({SYNTHETIC_LABEL})"
    return name


def publish(
    db: Database,
    store: AnalyticalStore,
    throughput: Throughput,
    *,
    data_dir: Path,
    actor: Actor,
    max_bytes: int,
    published_at: datetime | None = None,
) -> Published:
    """Write the rail figures into the statistics as a vintage computed from the events: the
    months with at least one counted run (a month without any says nothing, and whatever was
    published for it stays). Running it again on the same events publishes nothing."""
    months = throughput.months
    runs = len(throughput.runs)
    span = f"{months[0].code} – {months[-1].code}" if months else ""
    notes = [
        f"注：由 silkhub 物流跟踪的 {runs} 列班列的事件计算（实际发车、装车箱型）。"
        f" Note: computed by silkhub from the events of {runs} tracked train runs "
        "(actual departures, containers loaded and their size-types).",
    ]
    if any(r.synthetic for r in throughput.runs):
        notes.append(
            "注：其中的班列为合成的演示数据，并非真实运行。 Note: the train runs are synthetic "
            "demonstration data, not real traffic."
        )
    outcome = stats.publish_computed(
        db,
        store,
        dataset_name="rail",
        header=RAIL_HEADER,
        rows=rail_rows(throughput),
        title=f"由跟踪事件计算的班列开行情况 / Train runs computed from tracked events ({span})",
        notes=notes,
        source=source_name(throughput),
        computed_from=stats.COMPUTED_FROM_EVENTS,
        data_dir=data_dir,
        actor=actor,
        max_bytes=max_bytes,
        published_at=published_at,
    )
    if outcome.status == "rejected":
        # Rows computed here that the statistics refuse (a partner country the vocabulary
        # does not know...): say which, write nothing.
        raise InvalidInput(
            Message(
                "由事件计算的班列数字未能写入统计，未写入任何数据。",
                "The train-run figures computed from the events were refused by the "
                "statistics; nothing was written.",
            ),
            problems=outcome.report.problems,
            code="throughput_rejected",
        )
    return Published(outcome, runs, months)


def totals(runs: Iterable[TrainRun], months: Iterable[Month]) -> tuple[int, float]:
    """Trains and TEU of ``runs`` departed in ``months``."""
    wanted = set(months)
    chosen = [r for r in runs if r.month in wanted]
    return len(chosen), sum(r.teu for r in chosen)
