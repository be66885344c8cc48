"""Event files from the command line: NDJSON and CSV, every problem named by file, line and
field (the CSV column where there is one), and nothing of a bad file written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from silkhub.core.errors import InvalidInput
from silkhub.logistics import service
from silkhub.logistics.models import TntEvent
from silkhub.stores.database import Database
from tests.logistics.factory import CONTAINER, equipment_event

HEADER = (
    "eventID,eventTypeCode,eventClassifierCode,eventSubtypeCode,eventDateTime,"
    "eventUpdatedDateTime,UNLocationCode,equipmentReference,ISOEquipmentCode,"
    "carrierBookingReference,modeOfTransport,transportReference,partyCode\n"
)


def load(db: Database, path: Path) -> service.IngestResult:
    with db.transaction() as session:
        return service.import_file(session, path, sender="cli/test", received_by="test")


def stored(db: Database) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(TntEvent)).scalar_one()


def test_a_csv_file_becomes_dcsa_events(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        HEADER
        + f"c1,EQUIPMENT,ACT,LOAD,2020-05-01T08:00:00Z,2020-05-01T08:05:00Z,CNYIU,{CONTAINER},"
        "45G1,YXE1,RAIL,X8001-20200501,YWRO\n"
        + "c2,TRANSPORT,ACT,DEPA,2020-05-01T12:00:00+08:00,2020-05-01T12:00:00+08:00,CNYIU,,,"
        ",RAIL,X8001-20200501,YWRO\n",
        encoding="utf-8",
    )
    assert load(db, path).stored == 2
    with db.reading() as session:
        row = session.execute(select(TntEvent).where(TntEvent.event_id == "c1")).scalar_one()
    assert row.document["equipmentDetails"] == {
        "equipmentReference": CONTAINER,
        "ISOEquipmentCode": "45G1",
    }
    assert row.transport_ref == "X8001-20200501" and row.sender == "cli/test|//YWRO"


def test_csv_problems_name_line_and_column(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + f"c1,EQUIPMENT,ACT,LOAD,2020-05-01T08:00:00Z,2020-05-01T08:05:00Z,CNYIU,{CONTAINER},"
        "45G1,YXE1,RAIL,X1,\n"
        + "c2,EQUIPMENT,ACT,LOAD,2020-05-01T08:00:00,2020-05-01T08:05:00Z,CNXXX,APZU4812091,"
        "45G1,YXE1,RAIL,X1,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        load(db, path)
    found = {(p.code, p.location.file, p.location.row, p.location.column)
             for p in caught.value.problems}  # fmt: skip
    assert found == {
        ("timestamp_without_offset", "bad.csv", 3, "eventDateTime"),
        ("unknown_locode", "bad.csv", 3, "UNLocationCode"),
        ("bad_check_digit", "bad.csv", 3, "equipmentReference"),
    }
    assert "bad.csv, row 3, column 'UNLocationCode'" in caught.value.problems[1].describe("en")
    assert stored(db) == 0


def test_unknown_columns_are_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("eventID,eventUpdatedDateTime,colour\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load(db, path)
    assert [(p.code, p.location.column) for p in caught.value.problems] == [
        ("unknown_column", "colour")
    ]


def test_ndjson_problems_name_the_line(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    good = json.dumps(equipment_event("n1"))
    path.write_text(f"{good}\n\n{{broken\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load(db, path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.location.row) == ("malformed_json", 3)
    bad = equipment_event("n2", container="APZU4812091")
    path.write_text(f"{good}\n\n{json.dumps(bad)}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load(db, path)
    (problem,) = caught.value.problems
    assert (problem.location.row, problem.location.field) == (
        3,
        "equipmentDetails.equipmentReference",
    )
    assert stored(db) == 0
    path.write_text(f"{good}\n", encoding="utf-8")
    assert load(db, path).stored == 1


def test_unknown_formats_and_encodings(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "events.xml"
    path.write_text("<events/>")
    with pytest.raises(InvalidInput) as caught:
        load(db, path)
    assert caught.value.code == "unknown_file_format"
    path = tmp_path / "events.csv"
    path.write_bytes("eventID,eventUpdatedDateTime\n事件,x\n".encode("gbk"))
    with pytest.raises(InvalidInput) as caught:
        load(db, path)
    assert caught.value.code == "bad_encoding"
