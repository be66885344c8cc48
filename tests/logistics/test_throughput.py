"""Throughput computed from the events, on small hand-made journeys: what counts (actual,
current, unretracted events; a run once, in its departure month in Beijing time; TEU from
the size-types), both directions, a reroute, corrections and retractions; and the rail
figures written into the statistics: idempotent, taking their months back after another
import, leaving other months to the operator's file, and saying which source they are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from silkhub.cli.context import state
from silkhub.cli.main import app as cli
from silkhub.core.periods import Month, parse_period
from silkhub.logistics import service, throughput
from silkhub.settings import Settings
from silkhub.stats import service as stats
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from tests.logistics.factory import PARTY, equipment_event, transport_event

ACTOR = Actor.system("test")
JUNE = Month(2020, 6)


def _ingest(db: Database, docs: list[dict[str, Any]]) -> None:
    with db.transaction(ACTOR) as session:
        service.ingest(session, docs, default_sender="test", received_by="test", source="test")


def _register(db: Database, reference: str, stops: list[str], svc: str | None = "YXE") -> None:
    kinds = ["origin", *["border"] * (len(stops) - 2), "destination"]
    with db.transaction(ACTOR) as session:
        service.register_transport(
            session,
            mode="RAIL",
            reference=reference,
            name=reference,
            service=svc,
            stops=[service.StopIn(s, k) for s, k in zip(stops, kinds, strict=True)],
        )


def _load(
    event_id: str, train: str, container: str, size: str, *, at: str = "2020-06-01T00:00:00Z"
) -> dict[str, Any]:
    doc = equipment_event(event_id, train=train, container=container, at=at, updated=at)
    doc["equipmentDetails"]["ISOEquipmentCode"] = size
    return doc


def _compute(db: Database, first: Month | None = None, last: Month | None = None) -> Any:
    with db.reading() as session:
        return throughput.compute(session, first, last)


def test_a_run_counts_once_in_the_month_it_left_its_origin_in_beijing_time(db: Database) -> None:
    # Left Yiwu at 20:00 UTC on 31 May: 04:00 on 1 June in Beijing, so a June train; it
    # crosses into July on the way and counts once.
    _register(db, "T1", ["CNYIU", "CNAKL", "DEDUI"])
    _ingest(
        db,
        [
            transport_event("t1-depa", at="2020-05-31T20:00:00Z", train="T1"),
            transport_event(
                "t1-arri-akl",
                type_code="ARRI",
                at="2020-06-05T08:00:00Z",
                locode="CNAKL",
                train="T1",
            ),
            transport_event("t1-depa-akl", at="2020-06-05T20:00:00Z", locode="CNAKL", train="T1"),
            transport_event(
                "t1-arri", type_code="ARRI", at="2020-07-02T08:00:00Z", locode="DEDUI", train="T1"
            ),
            _load("l1", "T1", "APZU4812090", "45G1", at="2020-05-31T12:00:00Z"),
            _load("l2", "T1", "CSQU3054383", "22G1", at="2020-05-31T12:00:00Z"),
            _load("l3", "T1", "MSKU9070323", "L5G1", at="2020-05-31T12:00:00Z"),
            # The same container reported loaded twice (a second event ID): one box.
            _load("l3-again", "T1", "MSKU9070323", "L5G1", at="2020-05-31T13:00:00Z"),
        ],
    )
    result = _compute(db)
    assert [(r.reference, r.month, r.line, r.direction, r.partner) for r in result.runs] == [
        ("T1", JUNE, "义新欧", "outbound", "DE")
    ]
    run = result.runs[0]
    assert (run.containers, run.teu, run.unsized) == (3, 2 + 1 + 2.25, 0)
    # Whole TEU in the statistics, rounded half up: 5.25 -> 5.
    assert throughput.rail_rows(result) == [("2020-06", "义新欧", "outbound", "DE", 1, 5)]
    assert _compute(db, Month(2020, 5), Month(2020, 5)).runs == []
    assert _compute(db, Month(2020, 7), Month(2020, 7)).runs == []


def test_only_actual_current_unretracted_events_count(db: Database) -> None:
    for ref in ("T2", "T3", "T4"):
        _register(db, ref, ["CNYIU", "CNHRS", "KZALA"], svc="CAT")
    _ingest(
        db,
        [
            # T2: its departure first reported in May, corrected to June by a later version.
            transport_event(
                "t2-depa", at="2020-05-20T02:00:00Z", updated="2020-05-20T03:00:00Z", train="T2"
            ),
            transport_event(
                "t2-depa", at="2020-06-20T02:00:00Z", updated="2020-06-21T03:00:00Z", train="T2"
            ),
            _load("t2-l1", "T2", "APZU4812090", "45G1"),
            _load("t2-l2", "T2", "CSQU3054383", "45G1"),
            # T3: planned and estimated departures only; it has not left.
            transport_event("t3-pln", classifier="PLN", at="2020-06-25T02:00:00Z", train="T3"),
            transport_event("t3-est", classifier="EST", at="2020-06-26T02:00:00Z", train="T3"),
            # T4: its departure was sent by mistake and withdrawn.
            transport_event("t4-depa", at="2020-06-10T02:00:00Z", train="T4"),
        ],
    )
    _ingest(
        db,
        [
            {"eventRouting": {"originatingParty": PARTY}, "eventID": "t2-l2",
             "eventUpdatedDateTime": "2020-06-22T00:00:00Z", "isRetracted": True},
            {"eventRouting": {"originatingParty": PARTY}, "eventID": "t4-depa",
             "eventUpdatedDateTime": "2020-06-11T00:00:00Z", "isRetracted": True},
        ],
    )  # fmt: skip
    result = _compute(db)
    assert [(r.reference, r.month, r.line, r.partner) for r in result.runs] == [
        ("T2", JUNE, "中亚班列", "KZ")
    ]
    assert (result.runs[0].containers, result.runs[0].teu) == (1, 2)


def test_inbound_rerouted_and_unregistered_runs(db: Database) -> None:
    # Registered through Alashankou, it crossed at Khorgos: still one inbound run from
    # Germany, counted when it left Duisburg.
    _register(db, "T5", ["DEDUI", "CNAKL", "CNYIU"])
    # Nobody registered T6: origin, line and destination come from its own events.
    depart = transport_event("t6-depa", at="2020-06-03T02:00:00Z", locode="CNJHA", train="T6")
    depart["transportDetails"]["transportCall"]["railTransport"]["railServiceReference"] = "CAT"
    # A container whose load event gives no size-type.
    unsized = _load("t6-l2", "T6", "MSKU9070323", "45G1")
    del unsized["equipmentDetails"]["ISOEquipmentCode"]
    # T7 has neither a registration nor a service: not counted, and said so.
    _ingest(
        db,
        [
            transport_event("t5-depa", at="2020-06-01T06:00:00Z", locode="DEDUI", train="T5"),
            transport_event(
                "t5-cros", type_code="ARRI", at="2020-06-12T06:00:00Z", locode="CNHRS", train="T5"
            ),
            _load("t5-l1", "T5", "APZU4812090", "42G1"),
            depart,
            transport_event(
                "t6-arri", type_code="ARRI", at="2020-06-11T02:00:00Z", locode="UZTAS", train="T6"
            ),
            _load("t6-l1", "T6", "CSQU3054383", "22G1"),
            unsized,
            transport_event("t7-depa", at="2020-06-04T02:00:00Z", train="T7"),
        ],
    )
    result = _compute(db)
    got = {r.reference: (r.line, r.direction, r.origin, r.destination, r.partner, r.teu)
           for r in result.runs}  # fmt: skip
    assert got == {
        "T5": ("义新欧", "inbound", "DEDUI", "CNYIU", "DE", 2),
        # A container without a size-type counts as 1 TEU, and is counted as unsized.
        "T6": ("中亚班列", "outbound", "CNJHA", "UZTAS", "UZ", 2),
    }
    assert next(r for r in result.runs if r.reference == "T6").unsized == 1
    assert result.unassigned == ["T7"]
    assert throughput.rail_rows(result) == [
        ("2020-06", "中亚班列", "outbound", "UZ", 1, 2),
        ("2020-06", "义新欧", "inbound", "DE", 1, 2),
    ]


def _vessel_event(event_id: str, code: str, at: str, voyage: str, **extra: Any) -> dict[str, Any]:
    kind = "EQUIPMENT" if code in ("LOAD", "DISC") else "TRANSPORT"
    field = "equipmentEventTypeCode" if kind == "EQUIPMENT" else "transportEventTypeCode"
    doc: dict[str, Any] = {
        "eventRouting": {"originatingParty": PARTY},
        "eventID": event_id,
        "eventDateTime": at,
        "eventUpdatedDateTime": at,
        "eventLocation": {"UNLocationCode": extra.get("locode", "CNNBP")},
        "eventClassification": {"eventTypeCode": kind, "eventClassifierCode": "ACT", field: code},
        "transportDetails": {
            "transportCall": {
                "modeOfTransport": "VESSEL",
                "exportVoyageNumberOrReference": {"carrierVoyageNumber": voyage},
                "vesselTransport": {"vesselIMONumber": "9321483", "vesselName": "TEST"},
            }
        },
    }
    if "container" in extra:
        doc["equipmentDetails"] = {
            "equipmentReference": extra["container"],
            "ISOEquipmentCode": extra.get("size", "45G1"),
        }
    return doc


def test_vessel_calls_containers_and_cargo_flights(db: Database) -> None:
    flight = {
        "eventRouting": {"originatingParty": PARTY},
        "eventID": "f1",
        "eventDateTime": "2020-06-30T20:00:00Z",  # 1 July in Beijing
        "eventUpdatedDateTime": "2020-06-30T20:00:00Z",
        "eventLocation": {"UNLocationCode": "CNHGH", "facilityTypeCode": "AIRP"},
        "eventClassification": {"eventTypeCode": "TRANSPORT", "eventClassifierCode": "ACT",
                                "transportEventTypeCode": "DEPA"},
        "transportDetails": {"transportCall": {"modeOfTransport": "AIR",
                                               "transportCallReference": "CK9001-20200630"}},
    }  # fmt: skip
    _ingest(
        db,
        [
            # Voyage V1 arrives and leaves Ningbo: one call; loads two boxes there.
            _vessel_event("v1-arri", "ARRI", "2020-06-02T02:00:00Z", "V1"),
            _vessel_event("v1-depa", "DEPA", "2020-06-03T02:00:00Z", "V1"),
            _vessel_event(
                "v1-load1", "LOAD", "2020-06-02T12:00:00Z", "V1", container="APZU4812090"
            ),
            _vessel_event(
                "v1-load2",
                "LOAD",
                "2020-06-02T13:00:00Z",
                "V1",
                container="CSQU3054383",
                size="22G1",
            ),
            # Voyage V2 discharges one box at Ningbo and calls elsewhere too (not the hub's).
            _vessel_event("v2-arri", "ARRI", "2020-06-10T02:00:00Z", "V2"),
            _vessel_event("v2-disc", "DISC", "2020-06-10T08:00:00Z", "V2", container="MSKU9070323"),
            _vessel_event("v2-sin", "ARRI", "2020-06-20T02:00:00Z", "V2", locode="SGSIN"),
            flight,
        ],
    )
    result = _compute(db)
    assert result.ports == {(JUNE, "宁波舟山港"): [2, 2, 3.0, 1, 2.0]}
    assert result.flights == {(Month(2020, 7), "杭州萧山国际机场"): [1, 0]}
    assert result.runs == []


# --- into the statistics ------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AnalyticalStore]:
    with AnalyticalStore(tmp_path / "analytical") as opened:
        yield opened


OPERATOR = "month,line,direction,destination,trains,teu\n"


def _operator_file(db: Database, store: AnalyticalStore, tmp_path: Path, body: str) -> int:
    path = tmp_path / f"rail-{abs(hash(body))}.csv"
    path.write_text(OPERATOR + body, encoding="utf-8")
    outcome = stats.import_file(db, store, path, dataset_name="rail", data_dir=tmp_path,
                                actor=ACTOR, max_bytes=10**7)  # fmt: skip
    assert outcome.status == "imported", outcome.report.problems
    assert outcome.import_id is not None
    return outcome.import_id


def _figure(db: Database, store: AnalyticalStore, value: str, period: str) -> tuple[Any, set[Any]]:
    query = stats.query_from_text("rail", value, period, filters=["line=义新欧"])
    result = stats.measure(db, store, query)
    used = {(v.dataset, v.vintage) for v in result.vintages if v.vintage is not None}
    return result.value, {s.computed_from for s in stats.vintage_sources(db, used).values()}


def _publish(db: Database, store: AnalyticalStore, tmp_path: Path) -> Any:
    return throughput.publish(db, store, _compute(db), data_dir=tmp_path, actor=ACTOR,
                              max_bytes=10**7)  # fmt: skip


def test_the_events_replace_the_operators_months_they_cover_and_say_so(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    _operator_file(
        db, store, tmp_path, "2020-05,义新欧,去程,DE,7,600\n2020-06,义新欧,去程,DE,9,700\n"
    )
    assert _figure(db, store, "trains", "2020-06") == (9, {None})
    _register(db, "T1", ["CNYIU", "CNAKL", "DEDUI"])
    _ingest(db, [transport_event("t1-depa", at="2020-06-02T02:00:00Z", train="T1"),
                 _load("l1", "T1", "APZU4812090", "45G1")])  # fmt: skip
    first = _publish(db, store, tmp_path)
    assert first.outcome.status == "imported" and first.months == [JUNE]
    # June now comes from the events; May, which no tracked train left in, from the file.
    assert _figure(db, store, "trains", "2020-06") == (1, {stats.COMPUTED_FROM_EVENTS})
    assert _figure(db, store, "teu", "2020-06") == (2, {stats.COMPUTED_FROM_EVENTS})
    assert _figure(db, store, "trains", "2020-05") == (7, {None})
    assert _figure(db, store, "trains", "2020-Q2") == (None, {None, stats.COMPUTED_FROM_EVENTS})
    with db.reading() as session:
        imports = len(stats.list_imports(session, "rail"))

    # Again on the same events: nothing new.
    again = _publish(db, store, tmp_path)
    assert again.outcome.status == "duplicate"
    assert again.outcome.import_id == first.outcome.import_id
    with db.reading() as session:
        assert len(stats.list_imports(session, "rail")) == imports

    # The operator revises June: its file is now the latest, and the figure says so...
    _operator_file(db, store, tmp_path, "2020-06,义新欧,去程,DE,10,800\n")
    assert _figure(db, store, "trains", "2020-06") == (10, {None})
    # ...until the throughput runs again, which takes June back (a new vintage).
    taken = _publish(db, store, tmp_path)
    assert taken.outcome.status == "imported"
    assert taken.outcome.import_id != first.outcome.import_id
    assert _figure(db, store, "trains", "2020-06") == (1, {stats.COMPUTED_FROM_EVENTS})

    # A late event changes the figure: the next run publishes the revision.
    _ingest(db, [_load("l2", "T1", "CSQU3054383", "22G1")])
    revised = _publish(db, store, tmp_path)
    assert revised.outcome.status == "imported"
    assert _figure(db, store, "teu", "2020-06") == (3, {stats.COMPUTED_FROM_EVENTS})
    rows = stats.current_rows(db, store, "rail", JUNE, JUNE).to_pylist()
    assert [(r["line"], r["direction"], r["destination"], r["trains"], r["teu"]) for r in rows] == [
        ("义新欧", "outbound", "DE", 1, 3)
    ]
    with db.reading() as session:
        record = stats.get_import(session, revised.outcome.import_id or 0)
        assert record.computed_from == stats.COMPUTED_FROM_EVENTS
        assert "1 tracked train runs" in record.source and record.notes


def _cli(*args: str) -> tuple[int, str]:
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", *args])
    finally:
        state.reset()
    return result.exit_code, result.output


def test_throughput_at_the_command_line(settings: Settings, tmp_path: Path) -> None:
    data = str(settings.data_dir)
    assert _cli("--data-dir", data, "init")[0] == 0
    events = [
        transport_event("t1-depa", at="2020-06-02T02:00:00Z", train="T1"),
        transport_event(
            "t1-arri", type_code="ARRI", at="2020-06-18T02:00:00Z", locode="DEDUI", train="T1"
        ),
        _load("l1", "T1", "APZU4812090", "45G1"),
    ]
    for doc in events:
        doc["transportDetails"]["transportCall"]["railTransport"]["railServiceReference"] = "YXE"
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    assert _cli("--data-dir", data, "logistics", "import", str(path))[0] == 0

    code, out = _cli("--data-dir", data, "logistics", "throughput", "--dry-run")
    assert code == 0, out
    assert "2020-06" in out and "义新欧" in out and "Written" not in out
    code, out = _cli("--data-dir", data, "logistics", "throughput", "--from", "2020-06",
                     "--to", "2020-06")  # fmt: skip
    assert code == 0, out
    assert "Written to the statistics" in out and "1 train runs" in out
    code, out = _cli("--data-dir", data, "logistics", "throughput")
    assert code == 0 and "already hold these figures" in out
    code, out = _cli("--data-dir", data, "stats", "measure", "--dataset", "rail", "--value",
                     "teu", "--period", "2020-06")  # fmt: skip
    assert code == 0, out
    assert "June 2020: 2 TEU" in out and "Source: computed from tracked events" in out
    code, out = _cli("--data-dir", data, "logistics", "throughput", "--from", "2020")
    assert code != 0 and "a month" in out


def test_month_of_is_beijing_time() -> None:
    assert throughput.month_of(datetime(2020, 5, 31, 16, tzinfo=UTC)) == JUNE
    assert throughput.month_of(datetime(2020, 5, 31, 15, 59, tzinfo=UTC)) == Month(2020, 5)
    assert parse_period("2020-06") == JUNE


def test_throughput_in_the_api(db: Database, client: TestClient) -> None:
    _register(db, "T1", ["CNYIU", "CNAKL", "DEDUI"])
    _ingest(db, [transport_event("t1-depa", at="2020-06-02T02:00:00Z", train="T1"),
                 _load("l1", "T1", "APZU4812090", "45G1")])  # fmt: skip
    body = client.get("/api/logistics/throughput?from=2020-06&to=2020-06").json()
    assert body["rail"] == [
        {"month": "2020-06", "line": "义新欧", "direction": "outbound", "partner": "DE",
         "trains": 1, "teu": 2.0}
    ]  # fmt: skip
    assert body["ports"] == [] and body["flights"] == [] and body["unassigned"] == []
    assert client.get("/api/logistics/throughput?from=2020-07").json()["rail"] == []
    wrong = client.get("/api/logistics/throughput?from=2020")
    assert wrong.status_code == 422
    assert wrong.json()["error"]["problems"][0]["location"]["field"] == "from"


def test_an_unregistered_run_counts_where_it_first_left_not_where_the_months_begin(
    db: Database,
) -> None:
    events = [
        transport_event("t8-depa", at="2020-05-28T02:00:00Z", train="T8"),
        transport_event("t8-depa-akl", at="2020-06-03T02:00:00Z", locode="CNAKL", train="T8"),
    ]
    for doc in events:
        doc["transportDetails"]["transportCall"]["railTransport"]["railServiceReference"] = "YXE"
    _ingest(db, events)
    # Asked for June only, it is still a May train (it left Yiwu in May), not a June one from
    # Alashankou.
    assert _compute(db, JUNE, JUNE).runs == []
    may = _compute(db, Month(2020, 5), Month(2020, 5)).runs
    assert [(r.reference, r.origin, r.month) for r in may] == [("T8", "CNYIU", Month(2020, 5))]
