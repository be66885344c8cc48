"""Ingestion on a real store: idempotent on (sender, eventID), later versions replace earlier
ones (which stay as history), retractions are kept and marked, and a batch with any error
writes nothing and names every event and field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from silkhub.core.errors import InvalidInput
from silkhub.logistics import service
from silkhub.logistics.models import TntEvent, TntEventRef
from silkhub.stores.database import Database
from tests.logistics.factory import CONTAINER, SENDER, equipment_event, shipment_event


def ingest(db: Database, docs: list[dict], sender: str = "org:1") -> service.IngestResult:
    with db.transaction() as session:
        return service.ingest(
            session, docs, default_sender=sender, received_by="test", source="test"
        )


def versions(db: Database, event_id: str) -> list[tuple[str, bool, bool]]:
    with db.reading() as session:
        rows = session.execute(
            select(TntEvent).where(TntEvent.event_id == event_id).order_by(TntEvent.id)
        ).scalars()
        return [(r.document["eventUpdatedDateTime"], r.is_current, r.is_retracted) for r in rows]


def count(db: Database) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(TntEvent)).scalar_one()


def test_ingest_stores_the_document_and_its_columns(db: Database) -> None:
    doc = equipment_event()
    result = ingest(db, [doc, shipment_event()])
    assert (result.received, result.stored, result.unchanged) == (2, 2, 0)
    with db.reading() as session:
        row = session.execute(select(TntEvent).where(TntEvent.event_id == "e1")).scalar_one()
        assert row.document == doc
        # The submitting account, then the originating party the event names.
        assert row.sender == f"org:1|{SENDER}"
        assert (row.event_type, row.classifier, row.type_code, row.mode) == (
            "EQUIPMENT",
            "ACT",
            "LOAD",
            "RAIL",
        )
        assert (row.un_locode, row.equipment_reference, row.transport_ref) == (
            "CNYIU",
            CONTAINER,
            "X8001-20200501",
        )
        refs = session.execute(
            select(TntEventRef.kind, TntEventRef.reference).where(
                TntEventRef.event_row_id == row.id
            )
        ).all()
        assert sorted(refs) == [("BKG", "YXE2020001"), ("EQ", CONTAINER), ("TRD", "YWTD2020001")]


def test_the_same_version_again_changes_nothing(db: Database) -> None:
    ingest(db, [equipment_event()])
    again = ingest(db, [equipment_event()])
    assert (again.stored, again.unchanged) == (0, 1)
    assert count(db) == 1


def test_a_later_version_replaces_and_the_earlier_stays_in_history(db: Database) -> None:
    ingest(db, [equipment_event(classifier="EST", updated="2020-05-01T01:00:00Z")])
    ingest(db, [equipment_event(classifier="ACT", updated="2020-05-01T09:00:00Z")])
    assert versions(db, "e1") == [
        ("2020-05-01T01:00:00Z", False, False),
        ("2020-05-01T09:00:00Z", True, False),
    ]
    # Replaying the first version (a re-sent file) is not an error: it is history.
    assert (
        ingest(db, [equipment_event(classifier="EST", updated="2020-05-01T01:00:00Z")]).unchanged
        == 1
    )


def test_an_older_version_is_refused(db: Database) -> None:
    ingest(db, [equipment_event(updated="2020-05-01T09:00:00Z")])
    with pytest.raises(InvalidInput) as caught:
        ingest(db, [equipment_event(classifier="EST", updated="2020-05-01T08:00:00Z")])
    (problem,) = caught.value.problems
    assert problem.code == "older_than_stored"
    assert problem.location.field == "$.events[0].eventUpdatedDateTime"
    assert "e1" in problem.message.en and "e1" in problem.message.zh


def test_the_same_time_with_another_document_is_refused(db: Database) -> None:
    ingest(db, [equipment_event()])
    with pytest.raises(InvalidInput) as caught:
        ingest(db, [equipment_event(locode="CNAKL")])
    assert [p.code for p in caught.value.problems] == ["conflicting_version"]


def test_a_retraction_is_kept_and_marked_and_found_by_the_same_filters(db: Database) -> None:
    ingest(db, [equipment_event()])
    retraction = {
        "eventID": "e1",
        "eventUpdatedDateTime": "2020-05-02T00:00:00Z",
        "isRetracted": True,
        "eventRouting": equipment_event()["eventRouting"],
    }
    assert ingest(db, [retraction]).retracted == 1
    assert versions(db, "e1") == [
        ("2020-05-01T08:05:00Z", False, False),
        ("2020-05-02T00:00:00Z", True, True),
    ]
    with db.reading() as session:
        page = service.query_events(session, service.EventQuery(equipment_reference=CONTAINER))
    assert page.events == [retraction]


def test_the_same_event_id_from_two_senders_is_two_events(db: Database) -> None:
    plain = equipment_event()
    del plain["eventRouting"]
    ingest(db, [plain], sender="org:1")
    ingest(db, [plain], sender="org:2")
    assert count(db) == 2


def test_an_account_cannot_touch_another_accounts_events(db: Database) -> None:
    ingest(db, [equipment_event()], sender="org:1")
    # Another account naming the same party and eventID: its own event, not a new version...
    ingest(db, [equipment_event(updated="2020-05-09T00:00:00Z")], sender="org:2")
    retraction = {"eventID": "e1", "isRetracted": True,
                  "eventUpdatedDateTime": "2020-05-10T00:00:00Z",
                  "eventRouting": equipment_event()["eventRouting"]}  # fmt: skip
    ingest(db, [retraction], sender="org:2")  # ... and its retraction retracts only its own
    with db.reading() as session:
        rows = session.execute(select(TntEvent).where(TntEvent.is_current.is_(True))).scalars()
        state = sorted((r.sender, r.is_retracted) for r in rows)
    assert state == [(f"org:1|{SENDER}", False), (f"org:2|{SENDER}", True)]


def test_a_batch_with_one_bad_event_writes_nothing(db: Database) -> None:
    good = equipment_event("good")
    bad_digit = equipment_event("bad1", container="APZU4812091")
    no_offset = equipment_event("bad2", at="2020-05-01T08:00:00")
    unknown_place = equipment_event("bad3", locode="CNXXX")
    sea_crossing = equipment_event("bad4", type_code="CROS", mode="VESSEL")
    with pytest.raises(InvalidInput) as caught:
        ingest(db, [good, bad_digit, no_offset, unknown_place, sea_crossing])
    found = {(p.code, p.location.field) for p in caught.value.problems}
    assert found == {
        ("bad_check_digit", "$.events[1].equipmentDetails.equipmentReference"),
        ("timestamp_without_offset", "$.events[2].eventDateTime"),
        ("unknown_locode", "$.events[3].eventLocation.UNLocationCode"),
        ("mode_mismatch", "$.events[4].transportDetails.transportCall.modeOfTransport"),
    }
    assert count(db) == 0


def test_the_same_version_twice_in_a_batch_is_refused(db: Database) -> None:
    with pytest.raises(InvalidInput) as caught:
        ingest(db, [equipment_event(), equipment_event()])
    (problem,) = caught.value.problems
    assert problem.code == "duplicate_in_batch" and problem.location.field == "$.events[1].eventID"
    assert count(db) == 0


def test_two_versions_in_one_batch_keep_the_later_current(db: Database) -> None:
    ingest(
        db,
        [
            equipment_event(updated="2020-05-01T10:00:00Z"),
            equipment_event(classifier="EST", updated="2020-05-01T01:00:00Z"),
        ],
    )
    assert versions(db, "e1") == [
        ("2020-05-01T01:00:00Z", False, False),
        ("2020-05-01T10:00:00Z", True, False),
    ]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            lambda d: d["eventClassification"].update(eventTypeCode="PARTY"),
            "bad_code",
            "eventClassification.eventTypeCode",
        ),
        (
            lambda d: d["eventClassification"].update(transportEventTypeCode="ARRI"),
            "event_type_mismatch",
            "eventClassification.transportEventTypeCode",
        ),
        (
            lambda d: d["eventClassification"].update(eventClassifierCode="GUESS"),
            "bad_code",
            "eventClassification.eventClassifierCode",
        ),
        (lambda d: d.pop("eventID"), "missing", "eventID"),
        (
            lambda d: d.update(eventUpdatedDateTime="yesterday"),
            "bad_timestamp",
            "eventUpdatedDateTime",
        ),
        (
            lambda d: d["equipmentDetails"].update(ISOEquipmentCode="99X9"),
            "unknown_size_type",
            "equipmentDetails.ISOEquipmentCode",
        ),
        (
            lambda d: d["transportDetails"]["transportCall"].update(
                modeOfTransport="RAIL", vesselTransport={"vesselName": "X"}
            ),
            "mode_mismatch",
            "transportDetails.transportCall.vesselTransport",
        ),
        (
            lambda d: d["transportDetails"]["transportCall"].update(modeOfTransport="CAMEL"),
            "bad_code",
            "transportDetails.transportCall.modeOfTransport",
        ),
    ],
)
def test_each_rule_names_the_field(db: Database, change, code: str, field: str) -> None:
    doc = equipment_event()
    change(doc)
    with pytest.raises(InvalidInput) as caught:
        ingest(db, [doc])
    assert (code, f"$.events[0].{field}") in {
        (p.code, p.location.field) for p in caught.value.problems
    }


def test_a_batch_over_the_limit_is_refused_before_reading_it(db: Database) -> None:
    with db.transaction() as session, pytest.raises(InvalidInput) as caught:
        service.ingest(
            session, [{}] * 3, default_sender="x", received_by="t", source="t", max_events=2
        )
    assert caught.value.code == "batch_too_large"


def test_a_vessel_with_a_failing_imo_check_digit_is_a_warning(db: Database) -> None:
    doc = equipment_event(mode="VESSEL")
    doc["transportDetails"]["transportCall"]["vesselTransport"] = {"vesselIMONumber": "7654321"}
    result = ingest(db, [doc])
    assert result.stored == 1 and [w.code for w in result.warnings] == ["imo_check_digit"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # What is stored is served as it came: it must fit DCSA's published shape.
        (
            lambda d: d["equipmentDetails"].update(ISOEquipmentCode=4510),
            "equipmentDetails.ISOEquipmentCode",
        ),
        (lambda d: d["eventLocation"].update(locationName="x" * 101), "eventLocation.locationName"),
        (
            lambda d: d["eventLocation"].update(address={"addressLines": ["a"] * 6}),
            "eventLocation.address.addressLines",
        ),
        (lambda d: d.update(transportDetails="by train"), "transportDetails"),
        (
            lambda d: d["shipmentDetails"]["additionalDocumentReferences"][0].update(
                reference=None
            ),
            "shipmentDetails.additionalDocumentReferences[0]",
        ),
        (lambda d: d.update(isRetracted="no"), "isRetracted"),
        (
            lambda d: d["shipmentDetails"].update(priceCalculationDate="1 May 2020"),
            "shipmentDetails.priceCalculationDate",
        ),
    ],
)
def test_documents_must_fit_the_published_shape(db: Database, change, field: str) -> None:
    doc = equipment_event()
    change(doc)
    with pytest.raises(InvalidInput) as caught:
        ingest(db, [doc])
    found = {(p.code, p.location.field) for p in caught.value.problems}
    assert ("dcsa_schema", f"$.events[0].{field}") in found, found
    assert count(db) == 0


def test_properties_dcsa_does_not_declare_are_kept(db: Database) -> None:
    doc = equipment_event()
    doc["equipmentDetails"]["x-silkhub-note"] = "kept as received"
    assert ingest(db, [doc]).stored == 1
