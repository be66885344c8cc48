"""One DCSA Track and Trace 3.0 event document, checked and reduced to the columns the
queries filter on.

The document itself is kept as received; this module only reads it. Its rules, each a
``Problem`` naming the event's field:

- ``eventID`` and ``eventUpdatedDateTime`` always; a retracted event (``isRetracted``) needs
  nothing else (DCSA: its other data is irrelevant).
- Timestamps are RFC 3339 with a UTC offset (``Z`` or ``+08:00``): a local time without one
  is ambiguous by up to a day across the Silk Road's time zones, so it is refused.
- ``eventClassification``: a type (SHIPMENT, TRANSPORT, EQUIPMENT, IOT, REEFER), a
  classifier (PLN, EST, ACT) and the subtype code of that type and no other.
- Places by UN/LOCODE known to the hub; containers by ISO 6346 with the check digit; size
  types by ISO 6346; vessels by IMO number (a wrong check digit is a warning).
- The mode of transport agrees with the event: vessel details only on VESSEL or BARGE, rail
  details on RAIL, truck details on TRUCK, a border crossing (CROS) only by RAIL or TRUCK,
  a TRANSPORT event names its mode. AIR is silkhub's extension of DCSA's modes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from silkhub.core.errors import Location, Message, Problem, Severity
from silkhub.logistics.dcsa_model import Event as EventShape
from silkhub.logistics.dcsa_model import fits
from silkhub.logistics.reference import (
    check_container,
    check_imo,
    check_locode,
    check_size_type,
    container_ok,
    locode_ok,
    size_types,
)

EVENT_TYPES = ("SHIPMENT", "TRANSPORT", "EQUIPMENT", "IOT", "REEFER")
CLASSIFIERS = ("PLN", "EST", "ACT")
#: DCSA 3.0's modes, and AIR: silkhub's documented extension for cargo flights.
DCSA_MODES = ("VESSEL", "RAIL", "TRUCK", "BARGE", "MULTIMODAL")
MODES = (*DCSA_MODES, "AIR")
FACILITY_TYPES = ("BORD", "CLOC", "COFS", "OFFD", "DEPO", "INTE", "POTE", "RAMP", "WAYP", "AIRP")


def _codes(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: The subtype field of each event type, and its codes (TNT 3.0.0, EventClassification).
SUBTYPES: dict[str, tuple[str, frozenset[str]]] = {
    "SHIPMENT": (
        "shipmentEventTypeCode",
        _codes(
            "AMCF AMCN AMDC AMPR AMRE APPR CACF CADC CANC CARE CMPL CONF DECL DRFT HOLD ISSU "
            "PENA PENM PENU PSAM PSDL RECE REJE RELS REQS SUAM SUBM SUDL SURR UPCF UPCN UPDC "
            "UPDT UPRE VOID"
        ),
    ),
    "TRANSPORT": ("transportEventTypeCode", _codes("ARRI DEPA")),
    "EQUIPMENT": (
        "equipmentEventTypeCode",
        _codes(
            "AVDO AVPU CROS CUSI CUSR CUSS DISC DROP GTIN GTOT INSP LOAD PICK RMVD RSEA STRP STUF"
        ),
    ),
    "IOT": ("iotEventTypeCode", _codes("DETC")),
    "REEFER": ("reeferEventTypeCode", _codes("MEAS ADJU")),
}
#: Which modes may carry which transport details object.
DETAIL_MODES = {
    "vesselTransport": frozenset({"VESSEL", "BARGE"}),
    "railTransport": frozenset({"RAIL"}),
    "truckTransport": frozenset({"TRUCK"}),
}
#: A border crossing is made on land.
CROSSING_MODES = frozenset({"RAIL", "TRUCK"})

Where = Callable[[str], Location]


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event document checked, with the values the store indexes."""

    position: int  # 0-based, in its batch
    sender: str
    event_id: str
    updated_at: datetime
    retracted: bool
    document: dict[str, Any]
    event_type: str | None = None
    classifier: str | None = None
    type_code: str | None = None
    mode: str | None = None
    event_at: datetime | None = None
    un_locode: str | None = None
    facility_type: str | None = None
    equipment_reference: str | None = None
    size_type: str | None = None
    transport_ref: str | None = None
    refs: tuple[tuple[str, str], ...] = ()


def sender_of(doc: dict[str, Any], account: str) -> str:
    """Whose event this is. DCSA 3 identifies an event by its originating party and eventID;
    silkhub puts the submitting account first, so that an account can neither replace nor
    retract the events of another, even by naming the same party (nothing in a payload
    proves who the party is). Without a party the account alone stands for it."""
    party = _obj(_obj(doc, "eventRouting"), "originatingParty")
    code = party.get("partyCode")
    if not isinstance(code, str) or not code:
        return account[:400]
    provider = party.get("codeListProvider")
    listed = party.get("codeListName")
    provider = provider if isinstance(provider, str) else ""
    listed = listed if isinstance(listed, str) else ""
    return f"{account}|{provider}/{listed}/{code}"[:400]


def parse_time(value: Any, path: str, where: Where) -> tuple[datetime | None, list[Problem]]:
    if not isinstance(value, str) or not value:
        return None, [_missing(path, where, value)]
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, [
            Problem(
                "bad_timestamp",
                Message(
                    f"字段 {path} 的时间“{value}”不是 RFC 3339 格式（如 2020-05-01T08:00:00Z）。",
                    f"{path}: {value!r} is not an RFC 3339 timestamp (like 2020-05-01T08:00:00Z).",
                ),
                where(path),
                value,
            )
        ]
    if parsed.tzinfo is None or "T" not in value:
        return None, [
            Problem(
                "timestamp_without_offset",
                Message(
                    f"字段 {path} 的时间“{value}”没有 UTC 偏移（应以 Z 或 +08:00 之类结尾）。",
                    f"{path}: {value!r} has no UTC offset (end it with Z or one like +08:00).",
                ),
                where(path),
                value,
            )
        ]
    return parsed, []


def _missing(path: str, where: Where, value: Any = None) -> Problem:
    return Problem(
        "missing",
        Message(f"缺少字段 {path}，或其值为空。", f"{path} is missing or empty."),
        where(path),
        value,
    )


def _bad_code(
    path: str, value: Any, allowed: tuple[str, ...] | frozenset[str], where: Where
) -> Problem:
    listed = ", ".join(sorted(allowed))
    return Problem(
        "bad_code",
        Message(
            f"字段 {path} 的值“{value}”不在允许的代码中：{listed}。",
            f"{path}: {value!r} is not one of {listed}.",
        ),
        where(path),
        value,
    )


def _obj(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def parse_event(
    doc: Any, *, position: int, default_sender: str, where: Where
) -> tuple[EventRecord | None, list[Problem]]:
    """Check one event document; the record when it has no errors, and every problem."""
    if not isinstance(doc, dict):
        return None, [
            Problem(
                "not_an_object",
                Message("事件应为 JSON 对象。", "An event must be a JSON object."),
                where(""),
            )
        ]
    shape = _shape_problems(doc, where)
    if shape:
        # Values of the wrong type or size: the checks of meaning below would only repeat it.
        return None, shape
    problems: list[Problem] = []
    event_id = doc.get("eventID")
    if not isinstance(event_id, str) or not event_id.strip():
        problems.append(_missing("eventID", where, event_id))
    elif len(event_id) > 500:
        problems.append(
            Problem(
                "too_long",
                Message("eventID 超过500个字符。", "eventID is longer than 500 characters."),
                where("eventID"),
            )
        )
    updated, found = parse_time(doc.get("eventUpdatedDateTime"), "eventUpdatedDateTime", where)
    problems += found
    retracted = doc.get("isRetracted", False)
    if not isinstance(retracted, bool):
        problems.append(_bad_code("isRetracted", retracted, ("false", "true"), where))
        retracted = False
    sender = sender_of(doc, default_sender)
    if retracted:
        if problems or updated is None or not isinstance(event_id, str):
            return None, problems
        return EventRecord(position, sender, event_id, updated, True, doc), problems

    event_at, found = parse_time(doc.get("eventDateTime"), "eventDateTime", where)
    problems += found
    event_type, classifier, type_code = _classification(doc, where, problems)

    location = _obj(doc, "eventLocation")
    locode = location.get("UNLocationCode")
    if locode is not None:
        if isinstance(locode, str):
            if not locode_ok(locode):
                problems += check_locode(locode, where("eventLocation.UNLocationCode"))
        else:
            problems.append(_missing("eventLocation.UNLocationCode", where, locode))
    facility_type = location.get("facilityTypeCode")
    if facility_type is not None and facility_type not in FACILITY_TYPES:
        problems.append(
            _bad_code("eventLocation.facilityTypeCode", facility_type, FACILITY_TYPES, where)
        )

    equipment, size_type = _equipment(doc, event_type, where, problems)
    mode, transport_ref = _transport(doc, event_type, type_code, where, problems)
    refs = _references(doc, equipment, where, problems)

    if any(p.severity is Severity.ERROR for p in problems) or updated is None or event_at is None:
        return None, problems
    assert isinstance(event_id, str)
    return (
        EventRecord(
            position,
            sender,
            event_id,
            updated,
            False,
            doc,
            event_type=event_type,
            classifier=classifier,
            type_code=type_code,
            mode=mode,
            event_at=event_at,
            un_locode=locode if isinstance(locode, str) else None,
            facility_type=facility_type if isinstance(facility_type, str) else None,
            equipment_reference=equipment,
            size_type=size_type,
            transport_ref=transport_ref,
            refs=refs,
        ),
        problems,
    )


def _shape_problems(doc: dict[str, Any], where: Where) -> list[Problem]:
    """The document against the published shape of a DCSA event (``dcsa_model``)."""
    if fits(doc):
        return []
    try:
        EventShape.model_validate(doc)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            path = "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in err["loc"]
            ).lstrip(".")
            msg = str(err["msg"])
            value = err.get("input")
            out.append(
                Problem(
                    "dcsa_schema",
                    Message(
                        f"字段 {path or '（事件）'} 不符合 DCSA TNT 3.0.0 的格式：{msg}",
                        f"{path or 'The event'} does not fit DCSA TNT 3.0.0: {msg}",
                    ),
                    where(path),
                    value if isinstance(value, str | int | float | bool) else None,
                )
            )
        return out
    return []


def _classification(
    doc: dict[str, Any], where: Where, problems: list[Problem]
) -> tuple[str | None, str | None, str | None]:
    cls = _obj(doc, "eventClassification")
    if not cls:
        problems.append(_missing("eventClassification", where))
        return None, None, None
    event_type = cls.get("eventTypeCode")
    classifier = cls.get("eventClassifierCode")
    if classifier not in CLASSIFIERS:
        problems.append(
            _bad_code("eventClassification.eventClassifierCode", classifier, CLASSIFIERS, where)
        )
        classifier = None
    if event_type not in SUBTYPES:
        problems.append(
            _bad_code("eventClassification.eventTypeCode", event_type, EVENT_TYPES, where)
        )
        return None, classifier, None
    field, codes = SUBTYPES[event_type]
    type_code = cls.get(field)
    if type_code not in codes:
        problems.append(_bad_code(f"eventClassification.{field}", type_code, codes, where))
        type_code = None
    for other_type, (other_field, _) in SUBTYPES.items():
        if other_type != event_type and other_field in cls:
            problems.append(
                Problem(
                    "event_type_mismatch",
                    Message(
                        f"{event_type} 事件不应有 eventClassification.{other_field}。",
                        f"A {event_type} event has no eventClassification.{other_field}.",
                    ),
                    where(f"eventClassification.{other_field}"),
                    cls[other_field],
                )
            )
    return event_type, classifier, type_code


def _equipment(
    doc: dict[str, Any], event_type: str | None, where: Where, problems: list[Problem]
) -> tuple[str | None, str | None]:
    details = _obj(doc, "equipmentDetails")
    reference = details.get("equipmentReference")
    if reference is None:
        if event_type in ("EQUIPMENT", "IOT", "REEFER"):
            problems.append(_missing("equipmentDetails.equipmentReference", where))
        return None, None
    path = "equipmentDetails.equipmentReference"
    if not isinstance(reference, str):
        problems.append(_missing(path, where, reference))
        return None, None
    found = [] if container_ok(reference) else check_container(reference, where(path))
    if not found and reference != reference.strip().upper().replace(" ", ""):
        found = [
            Problem(
                "bad_container_number",
                Message(
                    f"集装箱号“{reference}”应写作11个大写字符，不带空格。",
                    f"Write the container number {reference!r} as 11 capitals without spaces.",
                ),
                where(path),
                reference,
            )
        ]
    problems += found
    size_type = details.get("ISOEquipmentCode")
    if size_type is not None:
        if isinstance(size_type, str):
            if size_type not in size_types():
                problems += check_size_type(size_type, where("equipmentDetails.ISOEquipmentCode"))
        else:
            problems.append(_missing("equipmentDetails.ISOEquipmentCode", where, size_type))
            size_type = None
    empty = details.get("emptyIndicatorCode")
    if empty is not None and empty not in ("EMPTY", "LADEN"):
        problems.append(
            _bad_code("equipmentDetails.emptyIndicatorCode", empty, ("EMPTY", "LADEN"), where)
        )
    return (None if found else reference), size_type


def _transport(
    doc: dict[str, Any],
    event_type: str | None,
    type_code: str | None,
    where: Where,
    problems: list[Problem],
) -> tuple[str | None, str | None]:
    call = _obj(_obj(doc, "transportDetails"), "transportCall")
    mode = call.get("modeOfTransport")
    base = "transportDetails.transportCall"
    if mode is None:
        if event_type == "TRANSPORT":
            problems.append(_missing(f"{base}.modeOfTransport", where))
        return None, None
    if mode not in MODES:
        problems.append(_bad_code(f"{base}.modeOfTransport", mode, MODES, where))
        return None, None
    for key, allowed in DETAIL_MODES.items():
        if key in call and mode not in allowed:
            problems.append(
                Problem(
                    "mode_mismatch",
                    Message(
                        f"运输方式为 {mode} 的事件不应有 {base}.{key}。",
                        f"An event by {mode} cannot carry {base}.{key}.",
                    ),
                    where(f"{base}.{key}"),
                    mode,
                )
            )
    if type_code == "CROS" and mode not in CROSSING_MODES:
        problems.append(
            Problem(
                "mode_mismatch",
                Message(
                    f"过境事件（CROS）只能发生在铁路或公路运输中，而不是 {mode}。",
                    f"A border crossing (CROS) is made by RAIL or TRUCK, not by {mode}.",
                ),
                where(f"{base}.modeOfTransport"),
                mode,
            )
        )
    vessel = _obj(call, "vesselTransport")
    imo_number = vessel.get("vesselIMONumber")
    if isinstance(imo_number, str):
        problems += check_imo(imo_number, where(f"{base}.vesselTransport.vesselIMONumber"))
    return mode, transport_reference(call, mode)


def transport_reference(call: dict[str, Any], mode: str) -> str | None:
    """The transport an event belongs to, in the terms of its mode."""
    if mode in ("VESSEL", "BARGE"):
        for key in ("exportVoyageNumberOrReference", "importVoyageNumberOrReference"):
            voyage = _obj(call, key)
            ref = voyage.get("carrierVoyageNumber") or voyage.get("universalVoyageReference")
            if isinstance(ref, str) and ref:
                return ref[:100]
    elif mode == "RAIL":
        rail = _obj(call, "railTransport")
        ref = rail.get("departureID") or rail.get("railServiceReference")
        if isinstance(ref, str) and ref:
            return ref[:100]
    elif mode == "TRUCK":
        plate = _obj(_obj(call, "truckTransport"), "tractorDetails").get("licensePlate")
        if isinstance(plate, str) and plate:
            return plate[:100]
    ref = call.get("transportCallReference")
    return ref[:100] if isinstance(ref, str) and ref else None


def _references(
    doc: dict[str, Any], equipment: str | None, where: Where, problems: list[Problem]
) -> tuple[tuple[str, str], ...]:
    """The booking, transport document and equipment references an event carries: the
    filters of ``GET /events`` find it by these."""
    refs: list[tuple[str, str]] = []
    shipment = _obj(doc, "shipmentDetails")
    documents: list[Any] = [shipment.get("documentReference")]
    extra = shipment.get("additionalDocumentReferences")
    if isinstance(extra, list):
        documents += extra
    for item in documents:
        if isinstance(item, dict) and item.get("typeCode") in ("BKG", "TRD"):
            ref = item.get("reference")
            if isinstance(ref, str) and ref:
                refs.append((str(item["typeCode"]), ref[:100]))
    shipment_refs = shipment.get("shipmentReferences")
    if isinstance(shipment_refs, list):
        for i, item in enumerate(shipment_refs):
            if isinstance(item, dict) and item.get("typeCode") == "EQ":
                ref = item.get("reference")
                path = f"shipmentDetails.shipmentReferences[{i}].reference"
                if isinstance(ref, str):
                    found = [] if container_ok(ref) else check_container(ref, where(path))
                    problems += found
                    if not found:
                        refs.append(("EQ", ref))
    if equipment is not None:
        refs.append(("EQ", equipment))
    return tuple(dict.fromkeys(refs))
