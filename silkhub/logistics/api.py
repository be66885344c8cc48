"""REST routes of logistics: ``/api/logistics`` (places, equipment, transports, tracking) and
the DCSA Track and Trace 3.0.0 events API under ``/dcsa/tnt/v3`` (``dcsa_api.py``), which
answers its errors in DCSA's shape (``ERROR_SHAPES``).

Tracking is public, as on carriers' own sites: whoever holds a container, booking or
transport document number may follow it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request, status

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import InvalidInput, Location, Message, Problem
from silkhub.core.periods import Month, parse_period
from silkhub.logistics import service, subscriptions, throughput, tracking
from silkhub.logistics.dcsa_api import PREFIX, dcsa_error
from silkhub.logistics.dcsa_api import router as dcsa_router
from silkhub.logistics.models import Subscription, Transport
from silkhub.logistics.reference import Place, places
from silkhub.logistics.schemas import (
    EquipmentOut,
    FlightsOut,
    JourneyOut,
    MilestoneOut,
    PlaceOut,
    PortThroughputOut,
    ProblemOut,
    RailThroughputOut,
    StopOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionSecretOut,
    ThroughputOut,
    TransportCreatedOut,
    TransportDetailOut,
    TransportIn,
    TransportOut,
)
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.i18n import request_language
from silkhub.web.security import app_db, app_settings, require_roles

ERROR_SHAPES = {f"{PREFIX}/": dcsa_error}

api = APIRouter(prefix="/api/logistics", tags=["logistics"])
Db = Annotated[Database, Depends(app_db)]
Config = Annotated[Settings, Depends(app_settings)]
Subscriber = Annotated[
    Principal,
    Depends(require_roles(Role.SUBSCRIBER, Role.API_CLIENT, Role.LOGISTICS_OPERATOR)),
]
Operator = Annotated[Principal, Depends(require_roles(Role.LOGISTICS_OPERATOR))]


def minutes(delta: timedelta | None) -> int | None:
    return None if delta is None else round(delta.total_seconds() / 60)


def place_out(place: Place | None, lang: str) -> PlaceOut | None:
    if place is None:
        return None
    return PlaceOut(
        locode=place.locode,
        name=place.name.in_(lang),
        name_zh=place.name.zh,
        name_en=place.name.en,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
        kinds=sorted(place.kinds),
    )


def milestone_out(m: tracking.Milestone | None, lang: str) -> MilestoneOut | None:
    if m is None:
        return None
    return MilestoneOut(
        event_type=m.event_type,
        type_code=m.type_code,
        name=m.name.in_(lang),
        equipment=m.equipment,
        mode=m.mode,
        transport=m.transport_ref,
        place=place_out(m.place, lang),
        un_locode=m.un_locode,
        planned=m.planned,
        estimated=m.estimated,
        actual=m.actual,
        delay_minutes=minutes(m.delay),
        skipped=m.skipped,
    )


@api.get("/places", summary="The places the hub knows, by UN/LOCODE")
def list_places(request: Request) -> list[PlaceOut]:
    lang = request_language(request)
    return [p for p in (place_out(p, lang) for p in places().values()) if p is not None]


@api.get("/equipment", summary="Known equipment references, to find something to track")
def list_equipment(
    db: Db, limit: Annotated[int, Query(ge=1, le=10_000)] = 100
) -> list[EquipmentOut]:
    with db.reading() as session:
        seen = service.list_equipment(session, limit=limit)
    return [
        EquipmentOut(
            reference=e.reference,
            size_type=e.size_type,
            events=e.events,
            last_event_at=e.last_event_at,
            track=f"/api/logistics/track/equipment/{e.reference}",
        )
        for e in seen
    ]


def _month_param(value: str | None, name: str) -> Month | None:
    if value is None:
        return None
    try:
        period = parse_period(value)
    except InvalidInput as exc:
        raise InvalidInput.single(
            "bad_month", exc.message, location=Location(field=name), value=value
        ) from None
    if not isinstance(period, Month):
        raise InvalidInput.single(
            "bad_month",
            Message(
                f"“{value}”不是月份（如 2020-06）。", f"{value!r} is not a month (e.g. 2020-06)."
            ),
            location=Location(field=name),
            value=value,
        )
    return period


@api.get("/throughput", summary="Train runs, TEU, vessel calls and cargo flights by month")
def get_throughput(
    db: Db,
    first: Annotated[str | None, Query(alias="from", description="First month, 2020-01")] = None,
    last: Annotated[str | None, Query(alias="to", description="Last month, 2020-06")] = None,
) -> ThroughputOut:
    """Computed from the current, unretracted, actual events; nothing is written (the rail
    figures reach the statistics through ``silkhub logistics throughput``)."""
    start, end = _month_param(first, "from"), _month_param(last, "to")
    with db.reading() as session:
        result = throughput.compute(session, start, end)
    rail: dict[tuple[str, str, str, str | None], list[float]] = {}
    for run in result.runs:
        sums = rail.setdefault((run.month.code, run.line, run.direction, run.partner), [0, 0.0])
        sums[0] += 1
        sums[1] += run.teu
    return ThroughputOut(
        first=start.code if start else None,
        last=end.code if end else None,
        rail=[
            RailThroughputOut(
                month=m, line=line, direction=d, partner=p, trains=int(v[0]), teu=v[1]
            )
            for (m, line, d, p), v in sorted(rail.items(), key=lambda i: (*i[0][:3], i[0][3] or ""))
        ],
        ports=[
            PortThroughputOut(
                month=m.code,
                port=port,
                vessel_calls=int(f[0]),
                loaded=int(f[1]),
                loaded_teu=f[2],
                discharged=int(f[3]),
                discharged_teu=f[4],
            )
            for (m, port), f in sorted(result.ports.items())
        ],
        flights=[
            FlightsOut(month=m.code, airport=airport, departures=f[0], arrivals=f[1])
            for (m, airport), f in sorted(result.flights.items())
        ],
        unassigned=result.unassigned,
    )


@api.get(
    "/track/{kind}/{reference}",
    summary="Where is my container: by equipment, booking or transport document",
)
def track(request: Request, db: Db, kind: str, reference: str) -> JourneyOut:
    lang = request_language(request)
    with db.reading() as session:
        journey = tracking.track(session, kind, reference)
    return JourneyOut(
        kind=journey.kind,
        reference=journey.reference,
        equipment=journey.equipment,
        status=milestone_out(journey.current, lang),
        place=place_out(journey.place, lang),
        next=milestone_out(journey.next, lang),
        delay_minutes=minutes(journey.delay),
        modes=journey.modes,
        milestones=[m for m in (milestone_out(x, lang) for x in journey.milestones) if m],
        retracted_events=journey.retracted,
    )


def _transport_out(t: Transport) -> TransportOut:
    return TransportOut(
        mode=t.mode,
        reference=t.reference,
        name=t.name,
        service=t.service,
        carrier=t.carrier,
        vessel_imo=t.vessel_imo,
        synthetic=t.synthetic,
        route=[s.un_locode for s in t.stops],
    )


@api.get("/transports", summary="Vessel voyages, train runs, flights and truck trips")
def list_transports(
    db: Db,
    mode: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[TransportOut]:
    """Newest first, by the planned departure from the origin."""
    with db.reading() as session:
        found = service.list_transports(session, mode=mode, limit=limit, offset=offset)
        return [_transport_out(t) for t in found]


def _in_body(problem: Problem) -> Problem:
    """The service names fields of its own arguments; the caller sent them in the body."""
    field = problem.location.field
    if not field:
        return problem
    return Problem(
        problem.code,
        problem.message,
        Location(field=f"body.{field}"),
        problem.value,
        problem.severity,
    )


@api.post(
    "/transports",
    status_code=status.HTTP_201_CREATED,
    summary="Register a voyage, train run, flight or truck trip with its planned stops",
)
def register_transport(
    request: Request, body: TransportIn, db: Db, principal: Operator
) -> TransportCreatedOut:
    lang = request_language(request)
    try:
        with db.transaction(principal.actor) as session:
            transport, warnings = service.register_transport(
                session,
                mode=body.mode.upper(),
                reference=body.reference,
                name=body.name,
                stops=[
                    service.StopIn(s.un_locode, s.kind, s.planned_arrival, s.planned_departure)
                    for s in body.stops
                ],
                service=body.service,
                carrier=body.carrier,
                vessel_imo=body.vessel_imo,
            )
            out = _transport_out(transport)
    except InvalidInput as error:
        raise InvalidInput(
            error.message, problems=[_in_body(p) for p in error.problems], code=error.code
        ) from error
    return TransportCreatedOut(
        **out.model_dump(),
        warnings=[ProblemOut.model_validate(_in_body(w).to_dict(lang)) for w in warnings],
    )


@api.get(
    "/transports/{mode}/{reference}",
    summary="A voyage or train run: its stops, progress, delays and containers",
)
def get_transport(request: Request, db: Db, mode: str, reference: str) -> TransportDetailOut:
    lang = request_language(request)
    with db.reading() as session:
        view = tracking.transport_view(session, service.get_transport(session, mode, reference))
        base = _transport_out(view.transport)
    return TransportDetailOut(
        **base.model_dump(),
        stops=[
            StopOut(
                sequence=s.sequence,
                kind=s.kind,
                un_locode=s.un_locode,
                place=place_out(s.place, lang),
                planned_arrival=s.planned_arrival,
                planned_departure=s.planned_departure,
                estimated_arrival=s.estimated_arrival,
                estimated_departure=s.estimated_departure,
                actual_arrival=s.actual_arrival,
                actual_departure=s.actual_departure,
                delay_minutes=minutes(s.delay),
                skipped=s.skipped,
            )
            for s in view.stops
        ],
        containers=view.containers,
        teu=view.teu,
        wagons=view.wagons,
        stops_reached=view.progress[0],
        delay_minutes=minutes(view.delay),
    )


def _subscription_out(s: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=s.id,
        callback_url=s.callback_url,
        filters=s.filters,
        active=s.active,
        created_at=s.created_at,
        secret_rotated_at=s.secret_rotated_at,
    )


def _owner(principal: Principal) -> int | None:
    """Whose subscriptions a principal sees: its own; an admin's, everyone's."""
    return None if principal.has(Role.ADMIN) else principal.user_id


@api.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe a callback to events (pushed, signed); the secret is shown once",
)
def create_subscription(
    body: SubscriptionIn, db: Db, settings: Config, principal: Subscriber
) -> SubscriptionSecretOut:
    with db.transaction(principal.actor) as session:
        created = subscriptions.create(
            session,
            user_id=principal.user_id,
            callback_url=body.callback_url,
            filters=body.filters,
            own_host=urlsplit(settings.base_url).hostname,
        )
        out = _subscription_out(created.subscription)
    return SubscriptionSecretOut(**out.model_dump(), secret=created.secret)


@api.get("/subscriptions", summary="Your subscriptions (an admin's: everyone's)")
def list_subscriptions(db: Db, principal: Subscriber) -> list[SubscriptionOut]:
    with db.reading() as session:
        return [_subscription_out(s) for s in subscriptions.list_for(session, _owner(principal))]


@api.post(
    "/subscriptions/{subscription_id}/secret",
    summary="Rotate a subscription's secret; pushes from now on are signed with the new one",
)
def rotate_secret(subscription_id: int, db: Db, principal: Subscriber) -> SubscriptionSecretOut:
    with db.transaction(principal.actor) as session:
        sub = subscriptions.owned(session, subscription_id, _owner(principal))
        secret = subscriptions.rotate(session, sub)
        out = _subscription_out(sub)
    return SubscriptionSecretOut(**out.model_dump(), secret=secret)


@api.delete(
    "/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a subscription",
)
def delete_subscription(subscription_id: int, db: Db, principal: Subscriber) -> None:
    with db.transaction(principal.actor) as session:
        subscriptions.delete(
            session, subscriptions.owned(session, subscription_id, _owner(principal))
        )


router = APIRouter()
router.include_router(api)
router.include_router(dcsa_router)
