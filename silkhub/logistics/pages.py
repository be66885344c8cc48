"""Portal pages of logistics: where is my container (``/{lang}/track``), the voyages and train
runs (``/{lang}/logistics/transports``) and one transport's page with its progress. Public, as
the API's tracking is. No logic here: the pages show what ``tracking`` computes. The
workspaces (the operator's event upload, a consumer's subscriptions) are in
``pages_operator``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from silkhub.accounts.models import Role
from silkhub.core.errors import InvalidInput, Message, NotFound, Problem
from silkhub.logistics import pages_operator, service, tracking
from silkhub.logistics.reference import Place
from silkhub.stores.database import Database
from silkhub.web.security import app_db
from silkhub.web.templating import NavEntry, page_language, templates_of

router = APIRouter(include_in_schema=False)
router.include_router(pages_operator.router)
Lang = Annotated[str, Depends(page_language)]
Db = Annotated[Database, Depends(app_db)]

#: The navigation: tracking for everyone; event subscriptions for those who may hold them
#: (the pages check again). The operator's upload is a workspace (``WORKSPACES``).
NAV: list[NavEntry] = [
    ("/track", Message("货物追踪", "Tracking")),
    (
        "/logistics/subscriptions",
        Message("事件订阅", "Event subscriptions"),
        pages_operator.SUBSCRIBER_ROLES,
    ),
]
WORKSPACES = [("/logistics/upload", Message("事件上传", "Event upload"), Role.LOGISTICS_OPERATOR)]
TABS = (
    ("/track", Message("货物追踪", "Where is my container")),
    ("/logistics/transports", Message("班列与航次", "Trains and voyages")),
)
BY = (
    ("equipment", Message("集装箱号", "Container number")),
    ("booking", Message("订舱号", "Booking")),
    ("document", Message("运单号", "Transport document")),
)


def _tabs(request: Request, lang: str) -> list[dict[str, Any]]:
    here = request.url.path
    public = [
        {"href": f"/{lang}{p}", "label": m.in_(lang), "current": here.startswith(f"/{lang}{p}")}
        for p, m in TABS
    ]
    # Then the workspaces of the signed-in person's roles, as the other capabilities' tabs.
    return public + pages_operator.workspace_tabs(request, lang)


def when(value: datetime | None, lang: str) -> str:
    """A time as the pages print it, in UTC (a journey crosses many time zones)."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M")


def delay_text(value: timedelta | None, lang: str) -> str:
    if value is None:
        return ""
    hours = value.total_seconds() / 3600
    if abs(hours) < 0.5:
        return "准点" if lang == "zh" else "on time"
    if abs(hours) >= 48:
        days = f"{abs(hours) / 24:.1f}"
        return (
            (f"晚 {days} 天" if hours > 0 else f"早 {days} 天")
            if lang == "zh"
            else (f"{days} days late" if hours > 0 else f"{days} days early")
        )
    h = f"{abs(hours):.0f}"
    return (
        (f"晚 {h} 小时" if hours > 0 else f"早 {h} 小时")
        if lang == "zh"
        else (f"{h} h late" if hours > 0 else f"{h} h early")
    )


def _place(place: Place | None, fallback: str | None, lang: str) -> str:
    return place.name.in_(lang) if place else (fallback or "")


def _mode(mode: str | None, lang: str) -> str:
    return tracking.MODE_NAMES[mode].in_(lang) if mode in tracking.MODE_NAMES else ""


def _point(place: Place | None, lang: str) -> dict[str, Any] | None:
    if place is None:
        return None
    return {"name": place.name.in_(lang), "coord": [place.longitude, place.latitude]}


def _milestone(m: tracking.Milestone, lang: str) -> dict[str, Any]:
    return {
        "when": when(m.expected, lang),
        "name": m.name.in_(lang),
        "place": _place(m.place, m.un_locode, lang),
        "locode": m.un_locode or "",
        "mode": _mode(m.mode, lang),
        "transport": m.transport_ref or "",
        "transport_mode": m.mode or "",
        "equipment": m.equipment or "",
        "planned": when(m.planned, lang),
        "estimated": when(m.estimated, lang),
        "actual": when(m.actual, lang),
        "status": "skipped" if m.skipped else "actual" if m.actual else "expected",
        "delay": delay_text(m.delay, lang),
        "late": m.delay is not None and m.delay.total_seconds() > 0,
    }


def _route(points: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """Places in order, each once in a row (the map draws the line through them)."""
    out: list[dict[str, Any]] = []
    for p in points:
        if p is not None and (not out or out[-1]["name"] != p["name"]):
            out.append(p)
    return out


@router.get("/{lang}/track", response_class=HTMLResponse)
def track_page(
    request: Request, lang: Lang, db: Db, ref: str = "", by: str = "equipment"
) -> HTMLResponse:
    context: dict[str, Any] = {
        "tabs": _tabs(request, lang),
        "ref": ref,
        "by": by,
        "choices": [(v, m.in_(lang)) for v, m in BY],
        "journey": None,
        "problem": None,
    }
    status = 200
    if ref.strip():
        try:
            with db.reading() as session:
                journey = tracking.track(session, by, ref)
        except (InvalidInput, NotFound) as exc:
            status = exc.status
            first: Problem | None = exc.problems[0] if exc.problems else None
            context["problem"] = (first.message if first else exc.message).in_(lang)
        else:
            done = [m for m in journey.milestones if not m.skipped]
            context["journey"] = {
                "reference": journey.reference,
                "equipment": journey.equipment,
                "current": _milestone(journey.current, lang) if journey.current else None,
                "next": _milestone(journey.next, lang) if journey.next else None,
                "delay": delay_text(journey.delay, lang),
                "late": journey.delay is not None and journey.delay.total_seconds() > 0,
                "modes": [_mode(m, lang) for m in journey.modes],
                "milestones": [_milestone(m, lang) for m in journey.milestones],
                "retracted": journey.retracted,
                "map": {
                    "route": _route([_point(m.place, lang) for m in done]),
                    "reached": _route(
                        [_point(m.place, lang) for m in done if m.actual is not None]
                    ),
                    "here": _point(journey.place, lang),
                },
            }
    return templates_of(request).render(request, "logistics/track.html", context, status=status)


@router.get("/{lang}/logistics/transports", response_class=HTMLResponse)
def transports_page(request: Request, lang: Lang, db: Db) -> HTMLResponse:
    with db.reading() as session:
        rows = [
            {
                "mode": _mode(t.mode, lang),
                "href": f"/{lang}/logistics/transports/{t.mode}/{t.reference}",
                "reference": t.reference,
                "name": t.name,
                "service": t.service or "",
                "synthetic": t.synthetic,
                "route": " → ".join(
                    _place(s.place, s.un_locode, lang)
                    for s in tracking.transport_view(session, t).stops
                ),
            }
            for t in service.list_transports(session, limit=500)
        ]
    return templates_of(request).render(
        request, "logistics/transports.html", {"tabs": _tabs(request, lang), "rows": rows}
    )


@router.get("/{lang}/logistics/transports/{mode}/{reference}", response_class=HTMLResponse)
def transport_page(request: Request, lang: Lang, db: Db, mode: str, reference: str) -> HTMLResponse:
    with db.reading() as session:
        view = tracking.transport_view(session, service.get_transport(session, mode, reference))
        t = view.transport
        done, total = view.progress
        stops = [
            {
                "place": _place(s.place, s.un_locode, lang),
                "locode": s.un_locode,
                "kind": tracking.STOP_KIND_NAMES[s.kind].in_(lang),
                "planned": when(s.planned_departure or s.planned_arrival, lang),
                "estimated": when(s.estimated_departure or s.estimated_arrival, lang),
                "actual": when(s.actual_departure or s.actual_arrival, lang),
                "delay": delay_text(s.delay, lang),
                "late": s.delay is not None and s.delay.total_seconds() > 0,
                "reached": s.reached,
            }
            for s in view.stops
        ]
        context = {
            "tabs": _tabs(request, lang),
            "t": {
                "mode": _mode(t.mode, lang),
                "reference": t.reference,
                "name": t.name,
                "service": t.service or "",
                "carrier": t.carrier or "",
                "vessel_imo": t.vessel_imo or "",
                "synthetic": t.synthetic,
            },
            "stops": stops,
            "done": done,
            "total": total,
            "delay": delay_text(view.delay, lang),
            "containers": view.containers,
            "teu": view.teu,
            "wagons": view.wagons,
            "map": {
                "route": _route([_point(s.place, lang) for s in view.stops]),
                "reached": _route([_point(s.place, lang) for s in view.stops if s.reached]),
                "here": None,
            },
        }
    return templates_of(request).render(request, "logistics/transport.html", context)
