"""Payloads of the logistics API (``/api/logistics``). The DCSA routes answer DCSA's own
documents and are not described here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class PlaceOut(BaseModel):
    locode: str
    name: str
    name_zh: str
    name_en: str
    country: str
    latitude: float
    longitude: float
    kinds: list[str]


class MilestoneOut(BaseModel):
    event_type: str
    type_code: str
    name: str
    equipment: str | None
    mode: str | None
    transport: str | None
    place: PlaceOut | None
    un_locode: str | None
    planned: datetime | None
    estimated: datetime | None
    actual: datetime | None
    #: Late (positive) or early against the plan, in minutes.
    delay_minutes: int | None
    #: Planned or estimated before the latest actual milestone and never reported: a reroute.
    skipped: bool


class JourneyOut(BaseModel):
    kind: str
    reference: str
    equipment: list[str]
    status: MilestoneOut | None
    place: PlaceOut | None
    next: MilestoneOut | None
    delay_minutes: int | None
    modes: list[str]
    milestones: list[MilestoneOut]
    retracted_events: int


class EquipmentOut(BaseModel):
    reference: str
    size_type: str | None
    events: int
    last_event_at: datetime | None
    track: str


class StopOut(BaseModel):
    #: The stop's place in the plan; null for a place the transport's own events reported and
    #: the plan did not name (kind ``unplanned``: a reroute).
    sequence: int | None
    kind: str
    un_locode: str
    place: PlaceOut | None
    planned_arrival: datetime | None
    planned_departure: datetime | None
    estimated_arrival: datetime | None
    estimated_departure: datetime | None
    actual_arrival: datetime | None
    actual_departure: datetime | None
    delay_minutes: int | None
    #: Planned, never reached, and a later stop was: the transport went another way.
    skipped: bool = False


class TransportOut(BaseModel):
    mode: str
    reference: str
    name: str
    service: str | None
    carrier: str | None
    vessel_imo: str | None
    synthetic: bool
    route: list[str]


class TransportDetailOut(TransportOut):
    stops: list[StopOut]
    containers: list[str]
    teu: float
    wagons: list[str]
    stops_reached: int
    delay_minutes: int | None


class StopIn(BaseModel):
    """A planned stop of a transport being registered. Times need a UTC offset, as events'
    do: a local time is ambiguous by up to a day across the route's time zones."""

    model_config = ConfigDict(extra="forbid")

    un_locode: str = Field(min_length=5, max_length=5)
    kind: str
    planned_arrival: AwareDatetime | None = None
    planned_departure: AwareDatetime | None = None


class TransportIn(BaseModel):
    """A voyage, train run, flight or truck trip an operator registers, with its planned
    stops (origin first, destination last)."""

    model_config = ConfigDict(extra="forbid")

    mode: str
    reference: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    service: str | None = Field(default=None, max_length=100)
    carrier: str | None = Field(default=None, max_length=100)
    vessel_imo: str | None = Field(default=None, max_length=7)
    stops: list[StopIn] = Field(min_length=2, max_length=200)


class ProblemOut(BaseModel):
    code: str
    severity: str
    message: str
    messages: dict[str, str]
    location: dict[str, str | int]
    value: Any = None


class TransportCreatedOut(TransportOut):
    #: Warnings that did not stop the registration (an IMO number failing its check digit).
    warnings: list[ProblemOut]


class SubscriptionIn(BaseModel):
    """A callback and the events it wants (the filters of ``GET /dcsa/tnt/v3/events``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    callback_url: str = Field(alias="callbackUrl", max_length=2000)
    filters: dict[str, Any]


class SubscriptionOut(BaseModel):
    id: int
    callback_url: str
    filters: dict[str, Any]
    active: bool
    created_at: datetime
    secret_rotated_at: datetime | None


class SubscriptionSecretOut(SubscriptionOut):
    #: Shown once: sign-checking needs it; silkhub never shows it again.
    secret: str


class RailThroughputOut(BaseModel):
    month: str
    line: str
    direction: str  # outbound, inbound
    partner: str | None  # ISO 3166-1 alpha-2 of the other end
    trains: int
    teu: float


class PortThroughputOut(BaseModel):
    month: str
    port: str
    vessel_calls: int
    loaded: int
    loaded_teu: float
    discharged: int
    discharged_teu: float


class FlightsOut(BaseModel):
    month: str
    airport: str
    departures: int
    arrivals: int


class ThroughputOut(BaseModel):
    """Throughput computed from the tracked events (docs/logistics.md, "Throughput")."""

    first: str | None
    last: str | None
    rail: list[RailThroughputOut]
    ports: list[PortThroughputOut]
    flights: list[FlightsOut]
    #: Train runs with an actual departure but no line (no service known): not counted.
    unassigned: list[str]
