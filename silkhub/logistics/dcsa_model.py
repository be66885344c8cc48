"""The shape of a DCSA TNT 3.0.0 ``Event`` (``components/schemas/Event`` of
``TNT_v3.0.0.yaml``) as pydantic models: types, string lengths, list sizes.

silkhub answers ``GET /events`` with the documents exactly as they were received, so a
document is checked against the published shape on the way in: what is stored can always be
served as a valid answer. Like the published schema, the models accept properties they do
not know (``extra="allow"``); unlike a lax reading, they refuse ``null`` where the schema
wants a value and never coerce (a number is not a string).

The meaning of the values (codes, places, containers, modes) is checked in ``events.py``.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
    with_config,
)
from typing_extensions import TypedDict

# Strings of at most N characters (the schema's maxLength).
S2 = Annotated[str, StringConstraints(max_length=2)]
S3 = Annotated[str, StringConstraints(max_length=3)]
S4 = Annotated[str, StringConstraints(max_length=4)]
S5 = Annotated[str, StringConstraints(max_length=5)]
S6 = Annotated[str, StringConstraints(max_length=6)]
S8 = Annotated[str, StringConstraints(max_length=8)]
S10 = Annotated[str, StringConstraints(max_length=10)]
S11 = Annotated[str, StringConstraints(max_length=11)]
S15 = Annotated[str, StringConstraints(max_length=15)]
S20 = Annotated[str, StringConstraints(max_length=20)]
S30 = Annotated[str, StringConstraints(max_length=30)]
S35 = Annotated[str, StringConstraints(max_length=35)]
S50 = Annotated[str, StringConstraints(max_length=50)]
S65 = Annotated[str, StringConstraints(max_length=65)]
S70 = Annotated[str, StringConstraints(max_length=70)]
S100 = Annotated[str, StringConstraints(max_length=100)]
S150 = Annotated[str, StringConstraints(max_length=150)]
S250 = Annotated[str, StringConstraints(max_length=250)]
S500 = Annotated[str, StringConstraints(max_length=500)]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class _Dcsa(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        # The schema types every property without "nullable": a null is not an absent value.
        # ``None in values()`` first: one pass in C for the usual case of no null at all.
        if isinstance(data, dict) and None in data.values():
            nulls = [k for k, v in data.items() if v is None and k in cls.model_fields]
            if nulls:
                raise ValueError(f"{', '.join(nulls)} must not be null (leave it out instead)")
        return data


class Address(_Dcsa):
    street: S70 | None = None
    streetNumber: S50 | None = None
    floor: S50 | None = None
    postCode: S10 | None = None
    POBox: S20 | None = None
    city: S35 | None = None
    stateRegion: S65 | None = None
    countryCode: S2 | None = None
    addressLines: Annotated[list[S250], Field(max_length=5)] | None = None


class Party(_Dcsa):
    partyCode: S150 | None = None
    codeListProvider: S100 | None = None
    codeListName: S100 | None = None
    partyFunction: S3 | None = None


class EventRouting(_Dcsa):
    originatingParty: Party | None = None
    forwardingParties: list[Party] | None = None
    destinationParty: Party | None = None


class Facility(_Dcsa):
    facilityName: S100 | None = None
    facilityCode: S6 | None = None
    facilityCodeListProvider: S10 | None = None


class GeoCoordinate(_Dcsa):
    latitude: S20 | None = None
    longitude: S20 | None = None


class Location(_Dcsa):
    locationName: S100 | None = None
    facilityTypeCode: S10 | None = None
    address: Address | None = None
    UNLocationCode: S5 | None = None
    facility: Facility | None = None
    geoCoordinate: GeoCoordinate | None = None


class EventClassification(_Dcsa):
    eventTypeCode: str | None = None
    eventClassifierCode: S10 | None = None
    shipmentEventTypeCode: str | None = None
    transportEventTypeCode: str | None = None
    equipmentEventTypeCode: str | None = None
    iotEventTypeCode: str | None = None
    reeferEventTypeCode: str | None = None


class DocumentReference(_Dcsa):
    typeCode: str | None = None
    reference: S100 | None = None


class DocumentReferenceReplacement(_Dcsa):
    oldReferences: list[DocumentReference] | None = None
    newReferences: list[DocumentReference] | None = None


class ShipmentReference(_Dcsa):
    typeCode: str | None = None
    reference: S100 | None = None


class ShipmentReferenceReplacement(_Dcsa):
    oldReferences: list[ShipmentReference] | None = None
    newReferences: list[ShipmentReference] | None = None


class ShipmentDetails(_Dcsa):
    documentReference: DocumentReference | None = None
    additionalDocumentReferences: list[DocumentReference] | None = None
    documentReferenceReplacements: list[DocumentReferenceReplacement] | None = None
    shipmentReferences: list[ShipmentReference] | None = None
    shipmentReferenceReplacements: list[ShipmentReferenceReplacement] | None = None
    shipmentLocationType: str | None = None
    reason: str | None = None
    priceCalculationDate: IsoDate | None = None


class ServiceCodeOrReference(_Dcsa):
    carrierServiceCode: str | None = None
    universalServiceReference: S8 | None = None


class VoyageNumberOrReference(_Dcsa):
    carrierVoyageNumber: str | None = None
    universalVoyageReference: S5 | None = None


class VesselTransport(_Dcsa):
    vesselIMONumber: S8 | None = None
    vesselName: S50 | None = None
    vesselFlag: S2 | None = None
    vesselCallSign: S10 | None = None
    operatorCarrierCode: S10 | None = None
    operatorCarrierCodeListProvider: S10 | None = None


class RailTransport(_Dcsa):
    railCarReference: S50 | None = None
    railServiceReference: S50 | None = None
    departureID: S100 | None = None


class VehicleDetails(_Dcsa):
    licensePlate: S15 | None = None
    vehicleIdentificationNumber: S15 | None = None


class TruckTransport(_Dcsa):
    tractorDetails: VehicleDetails | None = None
    trailerDetails: VehicleDetails | None = None


class TransportCall(_Dcsa):
    transportCallReference: str | None = None
    transportCallSequenceNumber: int | None = None
    modeOfTransport: S50 | None = None
    portVisitReference: str | None = None
    serviceCodeOrReference: ServiceCodeOrReference | None = None
    exportVoyageNumberOrReference: VoyageNumberOrReference | None = None
    importVoyageNumberOrReference: VoyageNumberOrReference | None = None
    vesselTransport: VesselTransport | None = None
    railTransport: RailTransport | None = None
    truckTransport: TruckTransport | None = None


class TransportDetails(_Dcsa):
    delayReasonCodes: list[S3] | None = None
    changeRemark: S250 | None = None
    transportCall: TransportCall | None = None


class Seal(_Dcsa):
    number: S15 | None = None
    source: str | None = None
    type: str | None = None
    placement: str | None = None


class EquipmentDetails(_Dcsa):
    equipmentReference: S11 | None = None
    ISOEquipmentCode: S4 | None = None
    emptyIndicatorCode: str | None = None
    movementType: str | None = None
    seals: list[Seal] | None = None


class IotDetails(_Dcsa):
    iotEventCode: str | None = None


class TemperatureProbeMeasurement(_Dcsa):
    measuredTemperatureValue: float | None = None
    USDAProbeNumber: int | None = None
    COAProbeUDMKey: str | None = None
    probeLabel: str | None = None


class ReeferParameters(_Dcsa):
    o2Percentage: float | None = None
    co2Percentage: float | None = None
    humidityPercentage: float | None = None
    airExchangeValue: float | None = None
    airExchangeUnit: str | None = None
    isVentilationOpen: bool | None = None
    isDrainholesOpen: bool | None = None
    isBulbMode: bool | None = None
    isColdTreatmentRequired: bool | None = None
    isControlledAtmosphereRequired: bool | None = None


class ReeferDetails(_Dcsa):
    temperatureUnit: str | None = None
    internalSetpointTemperature: float | None = None
    temperatureProbeMeasurements: list[TemperatureProbeMeasurement] | None = None
    ambientMeasuredTemperature: float | None = None
    setpointParameters: ReeferParameters | None = None
    measuredParameters: ReeferParameters | None = None


class Event(_Dcsa):
    eventRouting: EventRouting | None = None
    eventID: S500 | None = None
    isRetracted: bool | None = None
    eventDateTime: S30 | None = None
    eventUpdatedDateTime: S30 | None = None
    eventLocation: Location | None = None
    eventClassification: EventClassification | None = None
    shipmentDetails: ShipmentDetails | None = None
    transportDetails: TransportDetails | None = None
    equipmentDetails: EquipmentDetails | None = None
    iotDetails: IotDetails | None = None
    reeferDetails: ReeferDetails | None = None


# --- the fast check ----------------------------------------------------------------------------
#
# Validating into the models above costs a Python call per object (``_no_nulls``) and builds a
# model instance per object: about half the time of checking an event. The same shapes as
# TypedDicts, derived from the models here (never written twice), are checked entirely inside
# pydantic-core: a property the schema types cannot be null there because its type has no
# ``None`` in it, and an absent one is fine because every key is optional. The answer is only
# "fits" or "does not": on "does not", the models above are asked, for the errors they give.
# Deriving them from the models keeps the two from drifting; ``test_dcsa_model`` checks they
# agree on documents that fit and on each way of not fitting.


def _without_none(hint: Any) -> Any:
    if get_origin(hint) in (Union, UnionType):
        kept = [a for a in get_args(hint) if a is not type(None)]
        return kept[0] if len(kept) == 1 else Union[tuple(kept)]  # noqa: UP007
    return hint


def _plain(hint: Any, made: dict[type[BaseModel], Any]) -> Any:
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return _typed_dict(hint, made)
    if get_origin(hint) is list:
        return list[_plain(get_args(hint)[0], made)]  # type: ignore[misc]
    return hint


def _typed_dict(model: type[BaseModel], made: dict[type[BaseModel], Any]) -> Any:
    if model not in made:
        hints = get_type_hints(model, include_extras=True)
        fields = {name: _plain(_without_none(hints[name]), made) for name in model.model_fields}
        shape = TypedDict(model.__name__, fields, total=False)  # type: ignore[misc]
        made[model] = with_config(ConfigDict(strict=True, extra="allow"))(shape)
    return made[model]


_FAST = TypeAdapter(_typed_dict(Event, {}))


def fits(document: Any) -> bool:
    """Whether ``document`` fits ``Event`` (the same answer as validating it, faster)."""
    try:
        _FAST.validate_python(document)
    except ValidationError:
        return False
    return True
