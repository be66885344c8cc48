"""Event documents for the tests, shaped like DCSA TNT 3.0.0's examples."""

from __future__ import annotations

from typing import Any

PARTY = {
    "partyCode": "YWRO",
    "codeListProvider": "ZZZ",
    "codeListName": "LCL",
    "partyFunction": "CA",
}
SENDER = "ZZZ/LCL/YWRO"
CONTAINER = "APZU4812090"
BOOKING = "YXE2020001"
DOCUMENT = "YWTD2020001"


def equipment_event(
    event_id: str = "e1",
    *,
    type_code: str = "LOAD",
    classifier: str = "ACT",
    at: str = "2020-05-01T08:00:00Z",
    updated: str = "2020-05-01T08:05:00Z",
    locode: str = "CNYIU",
    container: str = CONTAINER,
    booking: str | None = BOOKING,
    document: str | None = DOCUMENT,
    mode: str | None = "RAIL",
    train: str = "X8001-20200501",
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "eventRouting": {"originatingParty": dict(PARTY)},
        "eventID": event_id,
        "eventDateTime": at,
        "eventUpdatedDateTime": updated,
        "eventLocation": {"UNLocationCode": locode, "facilityTypeCode": "RAMP"},
        "eventClassification": {
            "eventTypeCode": "EQUIPMENT",
            "eventClassifierCode": classifier,
            "equipmentEventTypeCode": type_code,
        },
        "equipmentDetails": {
            "equipmentReference": container,
            "ISOEquipmentCode": "45G1",
            "emptyIndicatorCode": "LADEN",
        },
    }
    references = []
    if booking:
        references.append({"typeCode": "BKG", "reference": booking})
    if document:
        references.append({"typeCode": "TRD", "reference": document})
    if references:
        doc["shipmentDetails"] = {
            "documentReference": references[0],
            "additionalDocumentReferences": references[1:],
        }
    if mode is not None:
        call: dict[str, Any] = {"modeOfTransport": mode}
        if mode == "RAIL":
            call["railTransport"] = {"departureID": train, "railCarReference": "W-0001"}
        doc["transportDetails"] = {"transportCall": call}
    return doc


def shipment_event(
    event_id: str = "s1", *, booking: str = BOOKING, updated: str = "2020-04-20T08:00:00Z"
) -> dict[str, Any]:
    return {
        "eventRouting": {"originatingParty": dict(PARTY)},
        "eventID": event_id,
        "eventDateTime": "2020-04-20T08:00:00Z",
        "eventUpdatedDateTime": updated,
        "eventClassification": {
            "eventTypeCode": "SHIPMENT",
            "eventClassifierCode": "ACT",
            "shipmentEventTypeCode": "CONF",
        },
        "shipmentDetails": {"documentReference": {"typeCode": "BKG", "reference": booking}},
    }


def transport_event(
    event_id: str,
    *,
    type_code: str = "DEPA",
    classifier: str = "ACT",
    at: str,
    updated: str | None = None,
    locode: str = "CNYIU",
    train: str = "X8001-20200501",
) -> dict[str, Any]:
    return {
        "eventRouting": {"originatingParty": dict(PARTY)},
        "eventID": event_id,
        "eventDateTime": at,
        "eventUpdatedDateTime": updated or at,
        "eventLocation": {"UNLocationCode": locode},
        "eventClassification": {
            "eventTypeCode": "TRANSPORT",
            "eventClassifierCode": classifier,
            "transportEventTypeCode": type_code,
        },
        "transportDetails": {
            "transportCall": {"modeOfTransport": "RAIL", "railTransport": {"departureID": train}}
        },
    }
