"""The demonstration hub's logistics: labelled synthetic, every event a valid DCSA 3.0.0
event, trains and ships under way at the demo's clock, delays, a reroute, a correction and a
retraction, and tracking that finds them."""

from __future__ import annotations

from sqlalchemy import select

from silkhub.logistics import service, tracking
from silkhub.logistics.demo import DEMO_NOW, RUNS
from silkhub.logistics.models import TntEvent, Transport
from tests.conftest import DemoHub
from tests.logistics.dcsa_schema import assert_valid


def test_everything_is_labelled_synthetic(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        transports = list(session.execute(select(Transport)).scalars())
        events = list(session.execute(select(TntEvent)).scalars())
    # The December 2020 runs, and the history of 2019-2020 (demo_history.py).
    assert len(transports) > len(RUNS) and all(t.synthetic for t in transports)
    assert all(t.name.startswith("DEMO") for t in transports)
    assert all(e.event_id.startswith("demo-") for e in events)
    assert {e.sender for e in events} == {
        "demo|ZZZ/LCL/DEMO-YWLP",
        "demo|ZZZ/LCL/DEMO-SRM",
        "demo|ZZZ/LCL/DEMO-HZAC",
    }
    assert all(e.equipment_reference.startswith("DMOU") for e in events if e.equipment_reference)


def test_every_demo_event_is_a_valid_dcsa_event(demo_hub: DemoHub) -> None:
    # Every event of the December runs; of the 2019-2020 history (tens of thousands of events
    # made by the same three functions: departure, arrival, load), its corrected and retracted
    # versions and every 50th of the rest, so that the schema check stays a few seconds.
    december = {run.reference for run in RUNS}
    with demo_hub.db.reading() as session:
        rows = session.execute(
            select(TntEvent.transport_ref, TntEvent.is_current, TntEvent.document).order_by(
                TntEvent.id
            )
        ).all()
    # (Shipment and truck events name no transport: they belong to the December journeys.)
    history = [(c, doc) for ref, c, doc in rows if ref is not None and ref not in december]
    docs = [doc for ref, _, doc in rows if ref is None or ref in december]
    assert len(docs) > 1000 and len(history) > 30_000
    docs += [doc for i, (current, doc) in enumerate(history) if i % 50 == 0 or not current]
    docs += [doc for _, doc in history if doc.get("isRetracted")]
    assert any(doc.get("isRetracted") for doc in docs)
    assert_valid({"events": docs}, "GetEventsResponse")


def test_no_actual_event_after_the_demo_clock(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        late = session.execute(
            select(TntEvent.event_id).where(
                TntEvent.classifier == "ACT", TntEvent.event_at > DEMO_NOW
            )
        ).all()
    assert late == []


def test_trains_and_ships_under_way_late_and_rerouted(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        equipment = service.list_equipment(session, limit=1000)
        journeys = [tracking.track(session, "equipment", e.reference) for e in equipment]
        rerouted = tracking.transport_view(
            session, service.get_transport(session, "RAIL", "DEMO-X8005-20201218")
        )
    assert len(journeys) > 300
    under_way = [j for j in journeys if j.next is not None]
    arrived = [j for j in journeys if j.next is None]
    assert under_way and arrived
    assert {m for j in journeys for m in j.modes} == {"TRUCK", "RAIL", "VESSEL"}
    assert any(j.delay is not None and j.delay.total_seconds() > 0 for j in journeys)
    skipped = {(m.type_code, m.un_locode) for j in journeys for m in j.milestones if m.skipped}
    assert ("CROS", "CNAKL") in skipped
    alashankou = next(s for s in rerouted.stops if s.un_locode == "CNAKL")
    assert not alashankou.reached


def test_a_cargo_flight_under_way(demo_hub: DemoHub) -> None:
    # Air is silkhub's extension of DCSA's modes; the flight left before the demo's clock
    # stopped and lands after it.
    with demo_hub.db.reading() as session:
        flight = tracking.transport_view(
            session, service.get_transport(session, "AIR", "DEMO-CK9001-20201230")
        )
    origin, dubai = flight.stops
    assert origin.actual_departure is not None and origin.actual_departure <= DEMO_NOW
    assert dubai.actual_arrival is None and dubai.planned_arrival is not None
    assert flight.progress == (1, 2)


def test_a_correction_and_a_retraction_are_in_the_history(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        superseded = (
            session.execute(select(TntEvent.event_id).where(TntEvent.is_current.is_(False)))
            .scalars()
            .all()
        )
        retracted = (
            session.execute(select(TntEvent.event_id).where(TntEvent.is_retracted.is_(True)))
            .scalars()
            .all()
        )
    # December 2020: a gate-in corrected, a duplicated load retracted. The 2019-2020 history
    # (demo_history.py): a train's departure corrected, a load on the wrong train retracted.
    assert len(superseded) == 4
    assert sum(e.endswith("-gtin") for e in superseded) == 1
    assert sum("-depa-" in e for e in superseded) == 1
    assert sorted(e.rsplit("-", 1)[-1] for e in retracted) == ["duplicate", "load"]
