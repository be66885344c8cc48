"""The demonstration hub's train runs of January 2019 to June 2020, from which the statistics'
rail figures are computed.

One run for every train the rail operator's monthly report counts (the statistics demo's
calibrated figures, as published: month, line, direction, partner country, trains, TEU), so
that where the two sources overlap they agree row for row, and the event-derived figures give
exactly the source document's 294 trains and 24,466 TEU of 义新欧 in January-June 2020
(+117.1% against 11,269 TEU in January-June 2019) and 59 trains and 4,758 TEU of 中亚班列
(+60% against 2,974). Each run is registered with its route (Yiwu, a border crossing, the
partner's city; the other way round inbound) and told by three kinds of actual events: its
departure and its arrival (``TRANSPORT`` ``DEPA`` and ``ARRI``) and the loading of each of
its containers (``EQUIPMENT`` ``LOAD``) with its ISO 6346 size-type, the size-types adding up
to the run's TEU. That is all the throughput needs; the December 2020 runs of ``demo.py``
carry whole journeys.

Three events exercise the counting rules: one departure first reported a month late and then
corrected, one container loaded onto the wrong train and retracted, and one train leaving
Yiwu at 04:00 Beijing time on 1 February 2019 (20:00 UTC on 31 January), which counts in
February.

The months before 2019 are not tracked: the statistics keep the operator's report for 2018,
and say so (docs/logistics.md).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from silkhub.core.periods import Month
from silkhub.logistics import service, throughput
from silkhub.logistics.demo import ACTOR, CARRIERS, DEMO_NOW, PARTIES, container_number
from silkhub.settings import Settings
from silkhub.stats import service as stats
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

FIRST = Month(2019, 1)
LAST = Month(2020, 6)
#: Container serials of the history start here (the December runs use 1 to a few hundred).
FIRST_SERIAL = 100_000
#: Events per ingestion batch (files and the demo have no event limit; large batches are
#: what makes tens of thousands of events quick).
BATCH = 20_000
SERVICES = {line: code for code, line in throughput.LINES.items()}
#: The partner country's rail terminal.
TERMINALS = {
    "ES": "ESMAD", "DE": "DEDUI", "RU": "RUMOW", "PL": "PLWAW", "CZ": "CZPRG", "BY": "BYMSQ",
    "LT": "LTVNO", "GB": "GBLON", "LV": "LVRIX", "FR": "FRPAR", "KZ": "KZALA", "UZ": "UZTAS",
    "KG": "KGFRU", "TJ": "TJDYU", "TM": "TMASB",
}  # fmt: skip
#: Days from Yiwu to the partner: Europe about 16 (Madrid 21, London 18), Central Asia 8.
DAYS = {"ES": 21, "GB": 18, "FR": 18, "KZ": 7, "UZ": 10, "KG": 8, "TJ": 11, "TM": 12}
HOME = "CNYIU"
BORDERS = ("CNAKL", "CNHRS")
#: The 40-foot size-types the history's containers come in, by weight; 20-foot boxes are 22G1.
FORTIES = (("45G1", 0.7), ("42G1", 0.25), ("45R1", 0.05))


@dataclass(frozen=True)
class HistoricRun:
    reference: str
    service: str
    origin: str
    border: str
    destination: str
    departs: datetime
    arrives: datetime
    sizes: tuple[str, ...]


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` whole shares differing by at most one."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _sizes(teu: int, rng: random.Random) -> tuple[str, ...]:
    """Containers making exactly ``teu`` TEU: mostly 40-foot boxes (2 TEU), a few 20-foot."""
    twenties = teu % 2 + 2 * rng.randint(0, 3)
    if twenties > teu:
        twenties = teu % 2
    forties = (teu - twenties) // 2
    codes = [s for s, _ in FORTIES]
    weights = [w for _, w in FORTIES]
    boxes = ["22G1"] * twenties + rng.choices(codes, weights, k=forties)
    rng.shuffle(boxes)
    return tuple(boxes)


def plan(rows: list[dict[str, Any]], rng: random.Random) -> list[HistoricRun]:
    """One run per train of each published row, its TEU split over the row's trains."""
    runs: list[HistoricRun] = []
    seq: dict[str, int] = {}
    by_month: dict[Month, list[dict[str, Any]]] = {}
    for row in rows:
        by_month.setdefault(Month.from_date(row["month"]), []).append(row)
    for month in sorted(by_month):
        month_rows = sorted(
            by_month[month],
            key=lambda r: (r["line"], r["direction"], r["destination"] or ""),
        )
        count = sum(int(r["trains"]) for r in month_rows)
        # Departures spread over the month, 10:00 Beijing time (02:00 UTC).
        days = [1 + (27 * i) // max(count, 1) for i in range(count)]
        k = 0
        for row in month_rows:
            trains, teu = int(row["trains"]), int(row["teu"])
            if trains == 0:
                continue
            service_code = SERVICES[row["line"]]
            partner = TERMINALS[row["destination"]]
            for share in _split(teu, trains):
                departs = datetime(month.year, month.month, days[k], 2, tzinfo=UTC)
                k += 1
                seq[service_code] = seq.get(service_code, 0) + 1
                number = f"{'X' if service_code == 'YXE' else 'Z'}{seq[service_code]:04d}"
                outbound = row["direction"] == "outbound"
                transit = timedelta(days=DAYS.get(row["destination"], 16))
                runs.append(
                    HistoricRun(
                        reference=f"DEMO-{number}-{departs:%Y%m%d}",
                        service=service_code,
                        origin=HOME if outbound else partner,
                        border=BORDERS[seq[service_code] % 2],
                        destination=partner if outbound else HOME,
                        departs=departs,
                        arrives=departs + transit,
                        sizes=_sizes(share, rng),
                    )
                )
    # The time-zone case: February 2019's first 义新欧 train leaves at 04:00 Beijing time on
    # the 1st, which is 31 January in UTC; it counts in February.
    for i, run in enumerate(runs):
        if run.service == "YXE" and (run.departs.year, run.departs.month) == (2019, 2):
            runs[i] = replace(run, departs=datetime(2019, 1, 31, 20, tzinfo=UTC))
            break
    return runs


def _routing() -> dict[str, Any]:
    return {"originatingParty": dict(PARTIES["RAIL"])}


def _call(run: HistoricRun) -> dict[str, Any]:
    return {
        "transportCall": {
            "modeOfTransport": "RAIL",
            "railTransport": {"departureID": run.reference, "railServiceReference": run.service},
        }
    }


def _transport_event(
    run: HistoricRun, code: str, at: datetime, locode: str, *, updated: datetime | None = None
) -> dict[str, Any]:
    return {
        "eventRouting": _routing(),
        "eventID": f"demo-{run.reference.lower()}-{code.lower()}-{locode.lower()}-act",
        "eventDateTime": _iso(at),
        "eventUpdatedDateTime": _iso(updated or at),
        "eventClassification": {
            "eventTypeCode": "TRANSPORT",
            "eventClassifierCode": "ACT",
            "transportEventTypeCode": code,
        },
        "eventLocation": {"UNLocationCode": locode, "facilityTypeCode": "RAMP"},
        "transportDetails": _call(run),
    }


def _load_event(run: HistoricRun, container: str, size: str, at: datetime) -> dict[str, Any]:
    return {
        "eventRouting": _routing(),
        "eventID": f"demo-{container.lower()}-{run.reference.lower()}-load",
        "eventDateTime": _iso(at),
        "eventUpdatedDateTime": _iso(at),
        "eventClassification": {
            "eventTypeCode": "EQUIPMENT",
            "eventClassifierCode": "ACT",
            "equipmentEventTypeCode": "LOAD",
        },
        "eventLocation": {"UNLocationCode": run.origin, "facilityTypeCode": "RAMP"},
        "equipmentDetails": {
            "equipmentReference": container,
            "ISOEquipmentCode": size,
            "emptyIndicatorCode": "LADEN",
            "movementType": "EXPORT" if run.origin == HOME else "IMPORT",
        },
        "transportDetails": _call(run),
    }


def events(runs: list[HistoricRun]) -> Iterator[dict[str, Any]]:
    """Every run's departure, arrival and container loads; one departure reported wrong and
    corrected, one load sent for the wrong train and retracted."""
    serial = FIRST_SERIAL
    corrected = next(r for r in runs if r.service == "YXE" and r.departs.year == 2020)
    for run in runs:
        depart = _transport_event(run, "DEPA", run.departs, run.origin)
        if run is corrected:
            # First told a month late (a typing slip), corrected the next day.
            yield {**depart, "eventDateTime": _iso(run.departs + timedelta(days=31))}
            depart = {**depart, "eventUpdatedDateTime": _iso(run.departs + timedelta(days=1))}
        yield depart
        yield _transport_event(run, "ARRI", run.arrives, run.destination)
        for n, size in enumerate(run.sizes):
            serial += 1
            loaded = run.departs - timedelta(hours=2 + n % 6)
            yield _load_event(run, container_number(serial), size, loaded)
    # A container loaded onto the wrong train in the report, then withdrawn.
    serial += 1
    wrong = _load_event(runs[0], container_number(serial), "45G1", runs[0].departs)
    yield wrong
    yield {
        "eventRouting": _routing(),
        "eventID": wrong["eventID"],
        "eventUpdatedDateTime": _iso(runs[0].departs + timedelta(hours=6)),
        "isRetracted": True,
    }


def _register(db: Database, actor: Actor, runs: list[HistoricRun]) -> None:
    transports = []
    for run in runs:
        transit = run.arrives - run.departs
        crossing = run.departs + transit / 3
        transports.append(
            service.TransportIn(
                mode="RAIL",
                reference=run.reference,
                name=f"DEMO {run.reference.split('-')[1]}",
                service=run.service,
                carrier=CARRIERS["RAIL"],
                synthetic=True,
                stops=(
                    service.StopIn(run.origin, "origin", planned_departure=run.departs),
                    service.StopIn(
                        run.border,
                        "border",
                        planned_arrival=crossing,
                        planned_departure=crossing + timedelta(hours=6),
                    ),
                    service.StopIn(run.destination, "destination", planned_arrival=run.arrives),
                ),
            )
        )
    with db.transaction(actor) as session:
        service.register_transports(session, transports)


def build(*, db: Database, settings: Settings, actor: Actor, rng: random.Random) -> None:
    """Generate the runs from the published rail figures, send their events through the
    ingestion, and publish the throughput computed from them into the statistics."""
    with AnalyticalStore(settings.resolved_analytical_dir) as store:
        rows = stats.current_rows(db, store, "rail", FIRST, LAST).to_pylist()
        if not rows:
            return  # no statistics built (a partial demo): nothing to match
        runs = plan(rows, rng)
        _register(db, actor, runs)
        batch: list[dict[str, Any]] = []
        for doc in events(runs):
            batch.append(doc)
            if len(batch) >= BATCH:
                _ingest(db, actor, batch)
                batch = []
        if batch:
            _ingest(db, actor, batch)
        with db.reading() as session:
            counted = throughput.compute(session, FIRST, LAST)
        # Published when the demo's clock stops: "as published" before then, the statistics
        # show the operator's report; after, the figures computed from the events.
        throughput.publish(
            db,
            store,
            counted,
            data_dir=settings.data_dir,
            actor=actor,
            max_bytes=settings.import_max_bytes,
            published_at=DEMO_NOW,
        )


def _ingest(db: Database, actor: Actor, docs: list[dict[str, Any]]) -> None:
    with db.transaction(actor) as session:
        service.ingest(session, docs, default_sender=ACTOR, received_by=ACTOR, source="demo")
