"""The demonstration hub's logistics: a few Yiwu-Xinjiang-Europe (义新欧) and Central Asia
(中亚班列) train runs and a few sea voyages from Ningbo in December 2020, with the journeys of
their containers told as DCSA events (planned, estimated, actual), some late, one rerouted,
one event corrected and one retracted.

Everything is synthetic and labelled so: transports are ``synthetic``, vessel and train names
start with "DEMO", container owner code ``DMO``, event IDs start with ``demo-``, bookings with
``DEMO``, and the events' originating party is ``DEMO-YWLP`` (code list ZZZ, mutually
defined). The demo's clock stops at ``DEMO_NOW``: what happens before is actual, what comes
after is planned or estimated, so some trains and ships are under way.

The events go through ``service.ingest`` like any other (one batch per transport), so the demo
also exercises the ingestion rules.

Besides these, the train runs of January 2019 to June 2020 (``demo_history.py``): one run for every
train the rail operator's monthly report counts (the statistics demo's calibrated figures, read
back from the statistics as published), each with its departure, arrival and the loading of
its containers, whose size-types add up to the reported TEU. The rail throughput computed from
these events (``throughput.py``) is then written into the statistics, where it replaces the
operator's report for those months: the briefing's 294 trains and 24,466 TEU of 义新欧 in
January-June 2020 come out of the events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from stdnum import iso6346

from silkhub.logistics import service
from silkhub.settings import Settings
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

DEMO_NOW = datetime(2020, 12, 31, tzinfo=UTC)
#: The originating parties: the demo's rail operator and its shipping line (mutually defined
#: codes, list ZZZ).
PARTIES = {
    "RAIL": {"partyCode": "DEMO-YWLP", "codeListProvider": "ZZZ", "codeListName": "LCL",
             "partyFunction": "CA"},
    "AIR": {"partyCode": "DEMO-HZAC", "codeListProvider": "ZZZ", "codeListName": "LCL",
            "partyFunction": "CA"},
    "VESSEL": {"partyCode": "DEMO-SRM", "codeListProvider": "ZZZ", "codeListName": "LCL",
               "partyFunction": "CA"},
}  # fmt: skip
ACTOR = "demo"
#: A transport arrives this many hours before it leaves a stop (the stop's time is its
#: departure, or its arrival plus this at the end).
ARRIVAL_OFFSET = -2


@dataclass(frozen=True)
class Run:
    """A transport of the demo: mode, reference, name, service, stops (locode, kind, hours
    after departure), departure, delay in hours at each stop (added up), and whether it was
    planned through another border than it crossed."""

    mode: str
    reference: str
    name: str
    service: str
    stops: tuple[tuple[str, str, float], ...]
    departs: datetime
    containers: int
    imo: str | None = None
    planned_border: str | None = None  # the border it was planned through, if rerouted


def _d(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2020, month, day, hour, tzinfo=UTC)


EUROPE_VIA_AKL = (
    ("CNYIU", "origin", 0),
    ("CNAKL", "border", 24 * 5),
    ("BYBQT", "border", 24 * 11),
    ("PLMAA", "border", 24 * 12),
)
RUNS = (
    Run("RAIL", "DEMO-X8001-20201203", "DEMO X8001", "YXE",
        (*EUROPE_VIA_AKL, ("DEDUI", "destination", 24 * 16)), _d(12, 3), 41),
    Run("RAIL", "DEMO-X8003-20201210", "DEMO X8003", "YXE",
        (("CNYIU", "origin", 0), ("CNHRS", "border", 24 * 5), ("BYBQT", "border", 24 * 11),
         ("PLMAA", "border", 24 * 12), ("ESMAD", "destination", 24 * 21)), _d(12, 10), 36),
    Run("RAIL", "DEMO-X8005-20201218", "DEMO X8005", "YXE",
        (("CNYIU", "origin", 0), ("CNHRS", "border", 24 * 5), ("BYBQT", "border", 24 * 11),
         ("PLMAA", "border", 24 * 12), ("DEDUI", "destination", 24 * 16)), _d(12, 18), 40,
        planned_border="CNAKL"),
    Run("RAIL", "DEMO-X8007-20201229", "DEMO X8007", "YXE",
        (*EUROPE_VIA_AKL, ("DEDUI", "destination", 24 * 16)), _d(12, 29), 44),
    Run("RAIL", "DEMO-X9001-20201215", "DEMO X9001", "CAT",
        (("CNYIU", "origin", 0), ("CNHRS", "border", 24 * 5), ("KZALA", "call", 24 * 7),
         ("UZTAS", "destination", 24 * 10)), _d(12, 15), 30),
    Run("RAIL", "DEMO-X9003-20201224", "DEMO X9003", "CAT",
        (("CNJHA", "origin", 0), ("CNAKL", "border", 24 * 5), ("KZALA", "destination", 24 * 8)),
        _d(12, 24), 28),
    Run("VESSEL", "DEMO-012W", "DEMO SILK STAR", "DEMO-AEX",
        (("CNNBP", "origin", 0), ("SGSIN", "call", 24 * 6), ("LKCMB", "call", 24 * 11),
         ("AEJEA", "call", 24 * 17), ("GRPIR", "call", 24 * 28),
         ("NLRTM", "destination", 24 * 36)), _d(11, 28, 18), 60, imo="9412347"),
    Run("VESSEL", "DEMO-045W", "DEMO ZHOUSHAN BRIDGE", "DEMO-MEX",
        (("CNNBP", "origin", 0), ("MYPKG", "call", 24 * 6), ("GRPIR", "call", 24 * 22),
         ("DEHAM", "destination", 24 * 31)), _d(12, 12, 6), 50, imo="9523457"),
    Run("VESSEL", "DEMO-101W", "DEMO MEISHAN", "DEMO-GIX",
        (("CNNBP", "origin", 0), ("SGSIN", "call", 24 * 7), ("AEJEA", "destination", 24 * 18)),
        _d(12, 6, 12), 32, imo="9634567"),
    # A cargo flight (air is silkhub's extension of DCSA's modes): its own arrivals and
    # departures only, since air cargo travels in ULDs, not in ISO 6346 containers.
    Run("AIR", "DEMO-CK9001-20201230", "DEMO CK9001", "DEMO-AIR",
        (("CNHGH", "origin", 0), ("AEDXB", "destination", 9)), _d(12, 30, 20), 0),
)  # fmt: skip
CARRIERS = {"RAIL": "DEMO-YWLP", "VESSEL": "DEMO Silk Road Maritime",
            "AIR": "DEMO Hangzhou Air Cargo"}  # fmt: skip
SIZES = (("45G1", 0.55), ("42G1", 0.25), ("22G1", 0.15), ("45R1", 0.05))
FACILITY = {"CNYIU": "RAMP", "CNJHA": "RAMP", "CNAKL": "BORD", "CNHRS": "BORD",
            "BYBQT": "BORD", "PLMAA": "BORD"}  # fmt: skip


def container_number(serial: int) -> str:
    """``DMOU`` and a serial with its ISO 6346 check digit: a demonstration owner code."""
    base = f"DMOU{serial:06d}"
    return base + iso6346.calc_check_digit(base)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Events:
    """Builds one transport's event documents."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.docs: list[dict[str, Any]] = []

    def call(self) -> dict[str, Any]:
        run = self.run
        call: dict[str, Any] = {"modeOfTransport": run.mode}
        if run.mode == "RAIL":
            call["railTransport"] = {
                "departureID": run.reference,
                "railServiceReference": run.service,
            }
        elif run.mode == "AIR":
            # silkhub's extension: DCSA 3.0 has no air transport; the flight is the call's
            # reference.
            call["transportCallReference"] = run.reference
        else:
            call["exportVoyageNumberOrReference"] = {"carrierVoyageNumber": run.reference}
            call["serviceCodeOrReference"] = {"carrierServiceCode": run.service}
            call["vesselTransport"] = {"vesselIMONumber": run.imo, "vesselName": run.name}
        return call

    def add(
        self,
        event_id: str,
        event_type: str,
        code: str,
        classifier: str,
        at: datetime,
        updated: datetime,
        locode: str,
        *,
        container: str | None = None,
        size: str | None = None,
        booking: str | None = None,
        document: str | None = None,
        mode: str | None = None,
        wagon: str | None = None,
    ) -> None:
        field = {
            "EQUIPMENT": "equipmentEventTypeCode",
            "TRANSPORT": "transportEventTypeCode",
            "SHIPMENT": "shipmentEventTypeCode",
        }[event_type]
        doc: dict[str, Any] = {
            "eventRouting": {"originatingParty": dict(PARTIES[self.run.mode])},
            "eventID": event_id,
            "eventDateTime": _iso(at),
            "eventUpdatedDateTime": _iso(min(updated, DEMO_NOW)),
            "eventClassification": {
                "eventTypeCode": event_type,
                "eventClassifierCode": classifier,
                field: code,
            },
        }
        if event_type != "SHIPMENT":
            location: dict[str, Any] = {"UNLocationCode": locode}
            default = {"VESSEL": "POTE", "AIR": "AIRP"}.get(self.run.mode, "RAMP")
            kind = FACILITY.get(locode, default)
            location["facilityTypeCode"] = kind
            doc["eventLocation"] = location
        if booking:
            refs: dict[str, Any] = {"documentReference": {"typeCode": "BKG", "reference": booking}}
            if document:
                refs["additionalDocumentReferences"] = [{"typeCode": "TRD", "reference": document}]
            doc["shipmentDetails"] = refs
        if container:
            doc["equipmentDetails"] = {
                "equipmentReference": container,
                "ISOEquipmentCode": size,
                "emptyIndicatorCode": "LADEN",
                "movementType": "EXPORT",
            }
        if mode == "TRUCK":
            doc["transportDetails"] = {"transportCall": {"modeOfTransport": "TRUCK"}}
        elif mode is not None:
            call = self.call()
            if wagon and mode == "RAIL":
                call["railTransport"] = {**call["railTransport"], "railCarReference": wagon}
            doc["transportDetails"] = {"transportCall": call}
        self.docs.append(doc)


def _timeline(run: Run, rng: random.Random) -> list[tuple[datetime, datetime]]:
    """(planned, real) time of each stop: delays add up along the way, some borders slow."""
    out = []
    slip = timedelta(0)
    for i, (_, kind, hours) in enumerate(run.stops):
        planned = run.departs + timedelta(hours=hours)
        if i > 0:
            extra = rng.choice((0, 0, 2, 4, 6, 12))
            if kind == "border" and rng.random() < 0.4:
                extra += rng.choice((12, 24, 36))
            slip += timedelta(hours=extra)
        out.append((planned, planned + slip))
    return out


def _run_events(run: Run, rng: random.Random, serial: int) -> tuple[list[dict[str, Any]], int]:
    ev = _Events(run)
    times = _timeline(run, rng)
    registered = run.departs - timedelta(days=7)
    prefix = f"demo-{run.reference.lower()}"
    # The transport's own calls: planned from the start, estimated as news comes, actual.
    for i, ((locode, _, _), (planned, real)) in enumerate(zip(run.stops, times, strict=True)):
        if run.planned_border and locode in ("CNHRS", "CNAKL"):
            plan_locode = run.planned_border
        else:
            plan_locode = locode
        for code, offset in (("ARRI", ARRIVAL_OFFSET), ("DEPA", 0)):
            if (i == 0 and code == "ARRI") or (i == len(run.stops) - 1 and code == "DEPA"):
                continue
            base = f"{prefix}-{code.lower()}-{locode.lower()}"
            plan_at = planned + timedelta(hours=offset)
            real_at = real + timedelta(hours=offset)
            ev.add(f"{prefix}-{code.lower()}-{plan_locode.lower()}-pln", "TRANSPORT", code, "PLN",
                   plan_at, registered, plan_locode, mode=run.mode)  # fmt: skip
            if real_at <= DEMO_NOW:
                ev.add(f"{base}-act", "TRANSPORT", code, "ACT", real_at, real_at, locode,
                       mode=run.mode)  # fmt: skip
            elif real_at != plan_at:
                ev.add(f"{base}-est", "TRANSPORT", code, "EST", real_at, DEMO_NOW, locode,
                       mode=run.mode)  # fmt: skip
    origin, destination = run.stops[0][0], run.stops[-1][0]
    (_, depart_real), (arrive_plan, arrive_real) = times[0], times[-1]
    booking_size = 0
    booking = document = ""
    code = run.reference.removeprefix("DEMO-").replace("-", "")
    for n in range(run.containers):
        serial += 1
        container = container_number(serial)
        size = _pick_size(rng)
        if booking_size == 0:
            booking_size = rng.randint(1, 4)
            booking = f"DEMO{code}{n:03d}"
            document = f"DEMOTD{code}{n:03d}"
            ev.add(f"demo-{booking.lower()}-conf", "SHIPMENT", "CONF", "ACT",
                   registered - timedelta(days=3), registered - timedelta(days=3), origin,
                   booking=booking, document=document)  # fmt: skip
        booking_size -= 1
        cid = f"demo-{container.lower()}-{run.reference.lower()}"
        common: dict[str, Any] = {"container": container, "size": size, "booking": booking,
                                  "document": document}  # fmt: skip
        # Two containers a wagon, as the 40' flat wagons of these trains carry.
        wagon = f"{run.name.split()[-1]}-W{n // 2 + 1:02d}" if run.mode == "RAIL" else None
        gate_in = depart_real - timedelta(hours=rng.randint(20, 60))
        # By truck from the shipper to the ramp or the terminal, then loaded.
        ev.add(f"{cid}-gtin", "EQUIPMENT", "GTIN", "ACT", gate_in, gate_in, origin, mode="TRUCK",
               **common)  # fmt: skip
        load_at = depart_real - timedelta(hours=rng.randint(2, 8))
        if load_at <= DEMO_NOW:
            ev.add(f"{cid}-load", "EQUIPMENT", "LOAD", "ACT", load_at, load_at, origin,
                   mode=run.mode, wagon=wagon, **common)  # fmt: skip
        for (locode, kind, _), (planned, real) in zip(run.stops, times, strict=True):
            if kind != "border":
                continue
            if run.planned_border and locode in ("CNHRS", "CNAKL"):
                ev.add(f"{cid}-cros-pln", "EQUIPMENT", "CROS", "PLN", planned, registered,
                       run.planned_border, mode=run.mode, **common)  # fmt: skip
            if real <= DEMO_NOW:
                ev.add(f"{cid}-cros-{locode.lower()}", "EQUIPMENT", "CROS", "ACT", real, real,
                       locode, mode=run.mode, **common)  # fmt: skip
        disc = f"{cid}-disc"
        ev.add(f"{disc}-pln", "EQUIPMENT", "DISC", "PLN", arrive_plan, registered, destination,
               mode=run.mode, **common)  # fmt: skip
        if arrive_real <= DEMO_NOW:
            ev.add(f"{disc}-act", "EQUIPMENT", "DISC", "ACT", arrive_real, arrive_real,
                   destination, mode=run.mode, **common)  # fmt: skip
            out_at = arrive_real + timedelta(hours=rng.randint(12, 72))
            if out_at <= DEMO_NOW:
                ev.add(f"{cid}-gtot", "EQUIPMENT", "GTOT", "ACT", out_at, out_at, destination,
                       mode="TRUCK", **common)  # fmt: skip
        else:
            ev.add(f"{disc}-est", "EQUIPMENT", "DISC", "EST", arrive_real, DEMO_NOW,
                   destination, mode=run.mode, **common)  # fmt: skip
    return ev.docs, serial


def _pick_size(rng: random.Random) -> str:
    roll = rng.random()
    for size, share in SIZES:
        if roll < share:
            return size
        roll -= share
    return SIZES[0][0]


def build(*, db: Database, settings: Settings, rng: random.Random) -> None:
    """Register the demo's transports and send their events through the ingestion."""
    actor = Actor.system(ACTOR)
    serial = 0
    batches: list[list[dict[str, Any]]] = []
    with db.transaction(actor) as session:
        for run in RUNS:
            service.register_transport(
                session,
                mode=run.mode,
                reference=run.reference,
                name=run.name,
                service=run.service,
                carrier=CARRIERS[run.mode],
                vessel_imo=run.imo,
                synthetic=True,
                stops=[
                    service.StopIn(
                        "CNAKL"
                        if run.planned_border and kind == "border" and locode == "CNHRS"
                        else locode,
                        kind,
                        planned_arrival=(
                            run.departs + timedelta(hours=h + ARRIVAL_OFFSET) if i > 0 else None
                        ),
                        planned_departure=(
                            run.departs + timedelta(hours=h) if i < len(run.stops) - 1 else None
                        ),
                    )
                    for i, (locode, kind, h) in enumerate(run.stops)
                ],
            )
    for run in RUNS:
        docs, serial = _run_events(run, rng, serial)
        batches.append(docs)
    for docs in batches:
        with db.transaction(actor) as session:
            service.ingest(session, docs, default_sender=ACTOR, received_by=ACTOR, source="demo")
    _corrections(db, actor)
    # Imported here: the history builds on this module's helpers (container numbers, parties).
    from silkhub.logistics import demo_history

    demo_history.build(db=db, settings=settings, actor=actor, rng=rng)


def _corrections(db: Database, actor: Actor) -> None:
    """One event corrected (a later version with the right time) and one retracted (sent for
    the wrong container), as operators do."""
    with db.transaction(actor) as session:
        page = service.query_events(
            session, service.EventQuery(carrier_booking_reference=None,
                                        equipment_reference=container_number(1)),
        )  # fmt: skip
    by_id = {e["eventID"]: e for e in page.events}
    gtin = next(e for i, e in by_id.items() if i.endswith("-gtin"))
    corrected = {**gtin, "eventUpdatedDateTime": _iso(DEMO_NOW - timedelta(days=20)),
                 "eventDateTime": _iso(datetime.fromisoformat(gtin["eventDateTime"])
                                       - timedelta(hours=3))}  # fmt: skip
    load = next(e for i, e in by_id.items() if i.endswith("-load"))
    retraction = {
        "eventRouting": load["eventRouting"],
        "eventID": load["eventID"].replace("-load", "-load-duplicate"),
        "eventUpdatedDateTime": load["eventUpdatedDateTime"],
    }
    duplicate = {**load, "eventID": retraction["eventID"]}
    with db.transaction(actor) as session:
        service.ingest(session, [corrected, duplicate], default_sender=ACTOR,
                       received_by=ACTOR, source="demo")  # fmt: skip
    with db.transaction(actor) as session:
        retraction["eventUpdatedDateTime"] = _iso(DEMO_NOW - timedelta(days=1))
        service.ingest(session, [{**retraction, "isRetracted": True}], default_sender=ACTOR,
                       received_by=ACTOR, source="demo")  # fmt: skip
