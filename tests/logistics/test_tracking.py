"""Where is my container, on a real store: the journey across modes folded into milestones,
the current place, the next milestone, the delay against plan, a reroute shown as skipped,
retracted events left out; and a train run's progress. Through the service, the API and the
command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from silkhub.cli.context import state
from silkhub.cli.main import app as cli
from silkhub.core.errors import InvalidInput, NotFound
from silkhub.logistics import service, tracking
from silkhub.settings import Settings
from silkhub.stores.database import Database
from tests.logistics.factory import (
    BOOKING,
    CONTAINER,
    equipment_event,
    transport_event,
)

TRAIN = "X8001-20200501"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def journey_events() -> list[dict]:
    """Truck to the Yiwu ramp, train to Duisburg; planned through Alashankou, it crossed at
    Khorgos instead; the arrival at Duisburg is estimated two days late."""
    return [
        equipment_event(
            "gtin",
            type_code="GTIN",
            mode="TRUCK",
            at="2020-05-01T02:00:00Z",
            updated="2020-05-01T02:00:00Z",
        ),
        equipment_event("load", type_code="LOAD", at="2020-05-01T08:00:00Z"),
        transport_event("depa", at="2020-05-01T12:00:00Z"),
        equipment_event(
            "cros-plan",
            type_code="CROS",
            classifier="PLN",
            locode="CNAKL",
            at="2020-05-05T08:00:00Z",
            updated="2020-04-30T00:00:00Z",
        ),
        equipment_event(
            "cros",
            type_code="CROS",
            locode="CNHRS",
            at="2020-05-06T09:00:00Z",
            updated="2020-05-06T09:10:00Z",
        ),
        equipment_event(
            "disc-plan",
            type_code="DISC",
            classifier="PLN",
            locode="DEDUI",
            at="2020-05-20T08:00:00Z",
            updated="2020-04-30T00:00:00Z",
        ),
        equipment_event(
            "disc-est",
            type_code="DISC",
            classifier="EST",
            locode="DEDUI",
            at="2020-05-22T08:00:00Z",
            updated="2020-05-06T10:00:00Z",
        ),
        transport_event(
            "arri-est",
            type_code="ARRI",
            classifier="EST",
            locode="DEDUI",
            at="2020-05-22T06:00:00Z",
            updated="2020-05-06T10:00:00Z",
        ),
    ]


@pytest.fixture
def hub(db: Database) -> Database:
    with db.transaction() as session:
        service.register_transport(
            session,
            mode="RAIL",
            reference=TRAIN,
            name="X8001",
            service="YXE",
            stops=[
                service.StopIn("CNYIU", "origin", planned_departure=t("2020-05-01T10:00:00")),
                service.StopIn("CNAKL", "border", planned_arrival=t("2020-05-05T06:00:00")),
                service.StopIn("PLMAA", "border", planned_arrival=t("2020-05-14T06:00:00")),
                service.StopIn("DEDUI", "destination", planned_arrival=t("2020-05-20T06:00:00")),
            ],
        )
        service.ingest(
            session, journey_events(), default_sender="x", received_by="t", source="test"
        )
    return db


def test_the_journey_of_a_container(hub: Database) -> None:
    with hub.reading() as session:
        journey = tracking.track(session, "equipment", CONTAINER.lower())
    assert journey.equipment == [CONTAINER]
    assert journey.current is not None
    assert (journey.current.type_code, journey.current.un_locode) == ("CROS", "CNHRS")
    assert journey.place is not None and journey.place.name.en == "Khorgos (Horgos)"
    assert journey.next is not None
    assert (journey.next.type_code, journey.next.un_locode) == ("ARRI", "DEDUI")
    assert journey.delay == timedelta(days=2)  # the end (discharge at Duisburg) against plan
    assert journey.modes == ["TRUCK", "RAIL"]
    skipped = [m for m in journey.milestones if m.skipped]
    assert [(m.type_code, m.un_locode) for m in skipped] == [("CROS", "CNAKL")]
    assert [m.type_code for m in journey.milestones] == [
        "GTIN",
        "LOAD",
        "DEPA",
        "CROS",
        "CROS",
        "ARRI",
        "DISC",
    ]
    disc = journey.milestones[-1]
    assert (disc.planned, disc.estimated, disc.actual) == (
        t("2020-05-20T08:00:00"),
        t("2020-05-22T08:00:00"),
        None,
    )


def test_by_booking_and_retractions_left_out(hub: Database) -> None:
    with hub.transaction() as session:
        service.ingest(
            session,
            [
                {
                    "eventID": "cros",
                    "isRetracted": True,
                    "eventUpdatedDateTime": "2020-05-07T00:00:00Z",
                    "eventRouting": equipment_event()["eventRouting"],
                }
            ],
            default_sender="x",
            received_by="t",
            source="test",
        )
    with hub.reading() as session:
        journey = tracking.track(session, "booking", BOOKING)
    assert journey.retracted == 1
    assert journey.current is not None and journey.current.type_code == "DEPA"
    assert "CNHRS" not in [m.un_locode for m in journey.milestones]


def test_nothing_to_track_and_bad_numbers(hub: Database) -> None:
    with hub.reading() as session:
        with pytest.raises(NotFound):
            tracking.track(session, "equipment", "CSQU3054383")
        with pytest.raises(InvalidInput) as caught:
            tracking.track(session, "equipment", "APZU4812091")
        assert caught.value.code == "bad_check_digit"
        with pytest.raises(InvalidInput):
            tracking.track(session, "parcel", "X")


def test_a_train_runs_progress(hub: Database) -> None:
    with hub.reading() as session:
        view = tracking.transport_view(session, service.get_transport(session, "rail", TRAIN))
    assert view.containers == [CONTAINER] and view.teu == 2 and view.wagons == ["W-0001"]
    origin, alashankou, _, duisburg = view.stops
    assert origin.actual_departure == t("2020-05-01T12:00:00")
    assert origin.delay == timedelta(hours=2)
    assert not alashankou.reached  # the train went by Khorgos
    assert duisburg.estimated_arrival == t("2020-05-22T06:00:00")
    assert view.progress == (1, 4)
    assert view.delay == timedelta(days=2)


def test_a_train_that_went_another_way(client: TestClient, hub: Database) -> None:
    """The train's own events at a place its plan does not name: a stop ``unplanned``, in its
    time's place among the planned ones; the planned border it passed by ``skipped``, and no
    longer counted in its progress."""
    with hub.transaction() as session:
        service.ingest(
            session,
            [
                transport_event("arri-hrs", type_code="ARRI", locode="CNHRS",
                                at="2020-05-06T06:00:00Z"),
                transport_event("depa-hrs", type_code="DEPA", locode="CNHRS",
                                at="2020-05-06T10:00:00Z"),
            ],
            default_sender="x",
            received_by="t",
            source="test",
        )  # fmt: skip
    with hub.reading() as session:
        view = tracking.transport_view(session, service.get_transport(session, "rail", TRAIN))
    assert [(s.un_locode, s.kind, s.reached, s.skipped) for s in view.stops] == [
        ("CNYIU", "origin", True, False),
        ("CNAKL", "border", False, True),
        ("CNHRS", "unplanned", True, False),
        ("PLMAA", "border", False, False),
        ("DEDUI", "destination", False, False),
    ]
    khorgos = view.stops[2]
    assert khorgos.actual_arrival == t("2020-05-06T06:00:00")
    assert khorgos.delay is None  # nothing planned to compare with
    assert view.progress == (2, 4)
    assert view.delay == timedelta(days=2)  # still the estimate at Duisburg against plan
    stops = client.get(f"/api/logistics/transports/RAIL/{TRAIN}").json()["stops"]
    assert [(s["sequence"], s["un_locode"], s["kind"], s["skipped"]) for s in stops] == [
        (1, "CNYIU", "origin", False),
        (2, "CNAKL", "border", True),
        (None, "CNHRS", "unplanned", False),
        (3, "PLMAA", "border", False),
        (4, "DEDUI", "destination", False),
    ]


def test_tracking_over_the_api(client: TestClient, hub: Database) -> None:
    body = client.get(f"/api/logistics/track/equipment/{CONTAINER}?lang=en").json()
    assert body["status"]["type_code"] == "CROS" and body["place"]["name"] == "Khorgos (Horgos)"
    assert body["next"]["un_locode"] == "DEDUI" and body["delay_minutes"] == 2 * 24 * 60
    assert body["modes"] == ["TRUCK", "RAIL"]
    listed = client.get("/api/logistics/equipment?limit=5").json()
    assert [e["reference"] for e in listed] == [CONTAINER]
    assert client.get(listed[0]["track"]).status_code == 200
    train = client.get(f"/api/logistics/transports/RAIL/{TRAIN}").json()
    assert train["route"] == ["CNYIU", "CNAKL", "PLMAA", "DEDUI"] and train["teu"] == 2
    assert client.get("/api/logistics/track/equipment/APZU4812091").status_code == 422
    assert client.get("/api/logistics/track/equipment/CSQU3054383").status_code == 404
    assert client.get("/api/logistics/transports/RAIL/nope").status_code == 404


def run(*args: str) -> tuple[int, str]:
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", *args])
    finally:
        state.reset()
    return result.exit_code, result.output


def test_import_then_track_at_the_command_line(settings: Settings, tmp_path: Path) -> None:
    data = str(settings.data_dir)
    assert run("--data-dir", data, "init")[0] == 0
    events = tmp_path / "events.ndjson"
    import json

    events.write_text("\n".join(json.dumps(e) for e in journey_events()) + "\n")
    code, out = run("--data-dir", data, "logistics", "import", str(events))
    assert code == 0, out
    assert "8 stored" in out
    code, out = run("--data-dir", data, "track", CONTAINER)
    assert code == 0, out
    assert "Crossed the border at Khorgos (Horgos)" in out
    assert "Next: Arrived at Duisburg" in out and "+48.0 h" in out
    code, out = run("--data-dir", data, "logistics", "equipment")
    assert code == 0 and CONTAINER in out


def _run(session: Session, reference: str, departs: str, mode: str = "RAIL") -> None:
    service.register_transport(
        session,
        mode=mode,
        reference=reference,
        name=reference,
        service="CAT",
        stops=[
            service.StopIn("CNYIU", "origin", planned_departure=t(departs)),
            service.StopIn("KZALA", "destination", planned_arrival=t(departs) + timedelta(7)),
        ],
    )


def test_the_runs_of_a_month(hub: Database) -> None:
    """The home page's trains: those that left in the month of "now", else in the latest
    earlier month with any; runs planned after "now", and other modes, do not count."""
    with hub.transaction() as session:
        _run(session, "X9001-20200512", "2020-05-12T10:00:00")
        _run(session, "X9003-20200603", "2020-06-03T10:00:00")
        _run(session, "X9005-20200628", "2020-06-28T10:00:00")
        _run(session, "V001", "2020-05-20T10:00:00", mode="VESSEL")
    with hub.reading() as session:
        may = tracking.month_runs(session, t("2020-05-31T00:00:00"))
        assert may.month is not None and may.month.isoformat() == "2020-05-01"
        assert [v.transport.reference for v in may.runs] == [TRAIN, "X9001-20200512"]
        # The run of 1 May has its stops' progress: it left Yiwu (its events say so).
        assert may.runs[0].progress == (1, 4)
        # In mid-June only the run of 3 June has left; 28 June is still planned.
        june = tracking.month_runs(session, t("2020-06-15T00:00:00"))
        assert [v.transport.reference for v in june.runs] == ["X9003-20200603"]
        # A quiet month shows the latest month that had trains.
        later = tracking.month_runs(session, t("2020-09-01T00:00:00"))
        assert later.month is not None and later.month.isoformat() == "2020-06-01"
        assert len(later.runs) == 2
        # Before the first departure: nothing.
        assert tracking.month_runs(session, t("2020-04-01T00:00:00")).runs == []
