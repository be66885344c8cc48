"""Payloads of the logistics API (``/api/logistics``). The DCSA routes answer DCSA's own
documents and are not described here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
    sequence: int
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
