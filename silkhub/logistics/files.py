"""Event files: NDJSON (one DCSA event document a line) and CSV (one event a row, in the flat
columns below), read into event documents with the line each came from.

Problems name the file, the line (1-based, the header of a CSV is line 1) and the field: the
CSV column when the problem is in one, else the event's JSON path. A file is one batch: with
any error, nothing of it is written (``service.ingest``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silkhub.core.errors import InvalidInput, Location, Message, Problem

#: CSV columns and the event field each fills. ``eventSubtypeCode`` goes to the subtype field
#: of the row's ``eventTypeCode`` (equipmentEventTypeCode for EQUIPMENT, ...).
CSV_COLUMNS: dict[str, str] = {
    "eventID": "eventID",
    "eventTypeCode": "eventClassification.eventTypeCode",
    "eventClassifierCode": "eventClassification.eventClassifierCode",
    "eventSubtypeCode": "eventClassification.*EventTypeCode",
    "eventDateTime": "eventDateTime",
    "eventUpdatedDateTime": "eventUpdatedDateTime",
    "isRetracted": "isRetracted",
    "UNLocationCode": "eventLocation.UNLocationCode",
    "facilityTypeCode": "eventLocation.facilityTypeCode",
    "locationName": "eventLocation.locationName",
    "equipmentReference": "equipmentDetails.equipmentReference",
    "ISOEquipmentCode": "equipmentDetails.ISOEquipmentCode",
    "emptyIndicatorCode": "equipmentDetails.emptyIndicatorCode",
    "carrierBookingReference": "shipmentDetails.documentReference",
    "transportDocumentReference": "shipmentDetails.additionalDocumentReferences",
    "modeOfTransport": "transportDetails.transportCall.modeOfTransport",
    "transportReference": "transportDetails.transportCall",
    "vesselIMONumber": "transportDetails.transportCall.vesselTransport.vesselIMONumber",
    "vesselName": "transportDetails.transportCall.vesselTransport.vesselName",
    "railCarReference": "transportDetails.transportCall.railTransport.railCarReference",
    "partyCode": "eventRouting.originatingParty.partyCode",
    "codeListProvider": "eventRouting.originatingParty.codeListProvider",
    "codeListName": "eventRouting.originatingParty.codeListName",
}
REQUIRED_COLUMNS = ("eventID", "eventUpdatedDateTime")
_SUBTYPE_FIELDS = {
    "SHIPMENT": "shipmentEventTypeCode",
    "TRANSPORT": "transportEventTypeCode",
    "EQUIPMENT": "equipmentEventTypeCode",
    "IOT": "iotEventTypeCode",
    "REEFER": "reeferEventTypeCode",
}


@dataclass(frozen=True)
class EventFile:
    """The documents of a file, the line of each, and how to say where a problem is."""

    name: str
    documents: list[Any]
    lines: list[int]
    where: Callable[[int, str], Location]


def read_event_file(path: Path, *, fmt: str | None = None) -> EventFile:
    """Read an NDJSON or CSV file of events (by its extension unless ``fmt`` is given);
    raises ``InvalidInput`` for a file that cannot be read as such, naming every bad line."""
    kind = (fmt or path.suffix.lstrip(".")).lower()
    if kind in ("jsonl", "json"):
        kind = "ndjson"
    if kind not in ("ndjson", "csv"):
        raise InvalidInput.single(
            "unknown_file_format",
            Message(
                f"无法识别文件“{path.name}”的格式：应为 .ndjson（.jsonl）或 .csv。",
                f"{path.name}: the format is not known; use .ndjson (.jsonl) or .csv.",
            ),
            location=Location(file=path.name),
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput.single(
            "bad_encoding",
            Message(
                f"文件“{path.name}”不是 UTF-8 编码（第 {exc.start} 字节）。",
                f"{path.name} is not UTF-8 (byte {exc.start}).",
            ),
            location=Location(file=path.name),
        ) from exc
    if kind == "ndjson":
        return _ndjson(path.name, text)
    return _csv(path.name, text)


def _ndjson(name: str, text: str) -> EventFile:
    documents: list[Any] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(
                    "malformed_json",
                    Message(
                        f"不是有效的 JSON：{exc.msg}（第 {exc.colno} 列）。",
                        f"Not valid JSON: {exc.msg} (column {exc.colno}).",
                    ),
                    Location(file=name, row=number),
                    line[:200],
                )
            )
            continue
        lines.append(number)
    _raise(name, problems)

    def where(position: int, path: str) -> Location:
        return Location(file=name, row=lines[position], field=path or None)

    return EventFile(name, documents, lines, where)


def _csv(name: str, text: str) -> EventFile:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    problems = [
        Problem(
            "unknown_column",
            Message(f"未知的列“{c}”。", f"Unknown column {c!r}."),
            Location(file=name, row=1, column=c),
            c,
        )
        for c in header
        if c not in CSV_COLUMNS
    ]
    problems += [
        Problem(
            "missing_column",
            Message(f"缺少必需的列“{c}”。", f"The required column {c!r} is missing."),
            Location(file=name, row=1, column=c),
        )
        for c in REQUIRED_COLUMNS
        if c not in header
    ]
    _raise(name, problems)
    documents: list[Any] = []
    lines: list[int] = []
    for row in reader:
        documents.append(_document(row))
        lines.append(reader.line_num)

    def where(position: int, path: str) -> Location:
        column = _column_of(path)
        return Location(
            file=name, row=lines[position], column=column, field=None if column else path or None
        )

    return EventFile(name, documents, lines, where)


def _column_of(path: str) -> str | None:
    for column, target in CSV_COLUMNS.items():
        if path == target or (target.endswith("*EventTypeCode") and path.endswith("EventTypeCode")):
            return column
        if column in ("carrierBookingReference", "transportDocumentReference") and path.startswith(
            target
        ):
            return column
    return None


def _document(row: dict[str, str | None]) -> dict[str, Any]:
    """A DCSA event document from a CSV row; empty cells leave their field out."""
    v = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
    doc: dict[str, Any] = {}
    if v["partyCode"]:
        party = {"partyCode": v["partyCode"]}
        for key in ("codeListProvider", "codeListName"):
            if v[key]:
                party[key] = v[key]
        doc["eventRouting"] = {"originatingParty": party}
    for key in ("eventID", "eventDateTime", "eventUpdatedDateTime"):
        if v[key]:
            doc[key] = v[key]
    if v["isRetracted"]:
        doc["isRetracted"] = v["isRetracted"].lower() in ("true", "1", "yes")
    classification: dict[str, Any] = {}
    if v["eventTypeCode"]:
        classification["eventTypeCode"] = v["eventTypeCode"]
    if v["eventClassifierCode"]:
        classification["eventClassifierCode"] = v["eventClassifierCode"]
    if v["eventSubtypeCode"]:
        field = _SUBTYPE_FIELDS.get(v["eventTypeCode"], "equipmentEventTypeCode")
        classification[field] = v["eventSubtypeCode"]
    if classification:
        doc["eventClassification"] = classification
    location = {
        key: v[column]
        for key, column in (
            ("UNLocationCode", "UNLocationCode"),
            ("facilityTypeCode", "facilityTypeCode"),
            ("locationName", "locationName"),
        )
        if v[column]
    }
    if location:
        doc["eventLocation"] = location
    if v["equipmentReference"]:
        equipment = {"equipmentReference": v["equipmentReference"]}
        for key in ("ISOEquipmentCode", "emptyIndicatorCode"):
            if v[key]:
                equipment[key] = v[key]
        doc["equipmentDetails"] = equipment
    documents = []
    if v["carrierBookingReference"]:
        documents.append({"typeCode": "BKG", "reference": v["carrierBookingReference"]})
    if v["transportDocumentReference"]:
        documents.append({"typeCode": "TRD", "reference": v["transportDocumentReference"]})
    if documents:
        doc["shipmentDetails"] = {"documentReference": documents[0]}
        if documents[1:]:
            doc["shipmentDetails"]["additionalDocumentReferences"] = documents[1:]
    if v["modeOfTransport"]:
        doc["transportDetails"] = {"transportCall": _call(v)}
    return doc


def _call(v: dict[str, str]) -> dict[str, Any]:
    mode = v["modeOfTransport"]
    call: dict[str, Any] = {"modeOfTransport": mode}
    ref = v["transportReference"]
    if mode in ("VESSEL", "BARGE"):
        vessel = {key: v[key] for key in ("vesselIMONumber", "vesselName") if v[key]}
        if vessel:
            call["vesselTransport"] = vessel
        if ref:
            call["exportVoyageNumberOrReference"] = {"carrierVoyageNumber": ref}
    elif mode == "RAIL":
        rail = {"departureID": ref} if ref else {}
        if v["railCarReference"]:
            rail["railCarReference"] = v["railCarReference"]
        if rail:
            call["railTransport"] = rail
    elif mode == "TRUCK" and ref:
        call["truckTransport"] = {"tractorDetails": {"licensePlate": ref}}
    elif ref:
        call["transportCallReference"] = ref
    return call


def _raise(name: str, problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput(
            Message(
                f"文件“{name}”有 {len(problems)} 处错误，未写入任何事件。",
                f"{name} has {len(problems)} error(s); no event was written.",
            ),
            problems=problems,
            code="invalid_events",
        )
