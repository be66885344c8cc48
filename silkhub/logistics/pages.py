"""Portal pages of logistics: where is my container (``/{lang}/track``), the voyages and train
runs (``/{lang}/logistics/transports``) and one transport's page with its progress. Public, as
the API's tracking is. No logic here: the pages show what ``tracking`` computes. The
workspaces (the operator's event upload, a consumer's subscriptions) are in
``pages_operator``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from silkhub.accounts.models import Role
from silkhub.core.errors import InvalidInput, Message, NotFound, Problem
from silkhub.logistics import pages_operator, service, tracking
from silkhub.logistics.models import TntEvent, Transport
from silkhub.logistics.reference import Place, places
from silkhub.stores.database import Database
from silkhub.stores.operational import utcnow
from silkhub.web.i18n import request_language
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
#: Containers the demonstration hub offers to try on the tracking page (one per transport).
EXAMPLES = 10


#: The key a transport's figures and its page share (``data-figure`` / ``data-source-of``,
#: docs/portal.md); the list of transports is the source of the counts of a month.
TRANSPORTS_KEY = "logistics:transports"


def transport_key(mode: str, reference: str) -> str:
    return f"logistics:{mode}/{reference}"


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


def _examples(db: Database, lang: str) -> list[dict[str, Any]]:
    """The demonstration hub's containers to try, one per synthetic transport, with where it
    goes: a visitor arriving at the form has no number of their own."""
    with db.reading() as session:
        found = service.demo_examples(session, limit=EXAMPLES)
        known = places()
        return [
            {
                "equipment": e.equipment,
                "mode": _mode(e.transport.mode, lang),
                "name": e.transport.name,
                "route": " → ".join(
                    _place(known.get(s.un_locode), s.un_locode, lang)
                    for s in (e.transport.stops[0], e.transport.stops[-1])
                )
                if e.transport.stops
                else "",
            }
            for e in found
        ]


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
        "examples": [],
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
    if context["journey"] is None and request.app.state.demo:
        context["examples"] = _examples(db, lang)
    return templates_of(request).render(request, "logistics/track.html", context, status=status)


#: Transports a page of the list shows, newest first.
PER_PAGE = 50


@router.get("/{lang}/logistics/transports", response_class=HTMLResponse)
def transports_page(
    request: Request, lang: Lang, db: Db, mode: str = "", page: int = 1
) -> HTMLResponse:
    mode = mode.upper() if mode.upper() in tracking.MODE_NAMES else ""
    with db.reading() as session:
        total = service.count_transports(session, mode=mode or None)
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(page, 1), pages)
        found = service.list_transports(
            session, mode=mode or None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
        rows = []
        for t in found:
            stops = tracking.transport_stops(session, t)
            origin = stops[0] if stops else None
            rows.append(
                {
                    "mode": _mode(t.mode, lang),
                    "href": f"/{lang}/logistics/transports/{t.mode}/{t.reference}",
                    "reference": t.reference,
                    "name": t.name,
                    "service": t.service or "",
                    "synthetic": t.synthetic,
                    "departs": when(origin.planned_departure if origin else None, lang),
                    "route": " → ".join(
                        _place(s.place, s.un_locode, lang) for s in stops if not s.skipped
                    ),
                }
            )
    context = {
        "tabs": _tabs(request, lang),
        "rows": rows,
        "modes": [(code, _mode(code, lang)) for code in tracking.MODE_NAMES],
        "mode": mode,
        "page": page,
        "pages": pages,
        "total": total,
    }
    return templates_of(request).render(request, "logistics/transports.html", context)


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
                "skipped": s.skipped,
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
                "key": transport_key(t.mode, t.reference),
            },
            "stops": stops,
            "done": done,
            "total": total,
            "delay": delay_text(view.delay, lang),
            "containers": view.containers,
            "teu": view.teu,
            "wagons": view.wagons,
            "map": {
                "route": _route([_point(s.place, lang) for s in view.stops if not s.skipped]),
                "reached": _route([_point(s.place, lang) for s in view.stops if s.reached]),
                "here": None,
            },
        }
    return templates_of(request).render(request, "logistics/transport.html", context)


#: Names of the services the demonstration's trains run (the rest show their code).
SERVICE_NAMES = {
    "YXE": Message("义新欧", "Yiwu-Xinjiang-Europe"),
    "CAT": Message("中亚班列", "Central Asia trains"),
}


def _now(request: Request) -> datetime:
    # The app's clock when a test or the demonstration sets one, as the indices' pages do.
    clock = getattr(request.app.state, "clock", None)
    now: datetime = clock() if clock is not None else utcnow()
    return now


def _month_label(month: date, lang: str) -> str:
    return f"{month.year}年{month.month}月" if lang == "zh" else month.strftime("%B %Y")


def _month_runs(request: Request, now: datetime) -> tracking.MonthRuns:
    """``tracking.month_runs``, kept on the application until an event or a transport is
    added (or the month changes): the home page asks on every request, and the runs' views
    read every event of every run."""
    db: Database = app_db(request)
    with db.reading() as session:
        state = (
            session.scalar(select(func.max(TntEvent.id))),
            session.scalar(select(func.count(Transport.id))),
            (now.year, now.month),
        )
        kept: tuple[object, tracking.MonthRuns] | None = getattr(
            request.app.state, "logistics_month_runs", None
        )
        if kept is not None and kept[0] == state:
            return kept[1]
        runs = tracking.month_runs(session, now)
    request.app.state.logistics_month_runs = (state, runs)
    return runs


def home_card(request: Request) -> dict[str, Any] | None:
    """The home page's map of the month's trains: each run's route (its stops' places), how
    far it got, its containers (TEU), and the counts by service; None before the first run."""
    lang = request_language(request)
    found = _month_runs(request, _now(request))
    if found.month is None or not found.runs:
        return None
    trains = []
    by_service: dict[str, int] = {}
    for view in found.runs:
        t = view.transport
        done, total = view.progress
        name = SERVICE_NAMES[t.service].in_(lang) if t.service in SERVICE_NAMES else t.service
        by_service[name or ""] = by_service.get(name or "", 0) + 1
        first = view.stops[0] if view.stops else None
        trains.append(
            {
                "reference": t.reference,
                "name": t.name,
                "service": name or "",
                "synthetic": t.synthetic,
                "href": f"/{lang}/logistics/transports/{t.mode}/{t.reference}",
                "key": transport_key(t.mode, t.reference),
                "departs": when(first.planned_departure, lang)[:10] if first else "",
                "route": " → ".join(_place(s.place, s.un_locode, lang) for s in view.stops),
                "done": done,
                "total": total,
                "teu": view.teu,
                "delay": delay_text(view.delay, lang),
                "map": {
                    "name": t.name,
                    "service": t.service or "",
                    "route": _route([_point(s.place, lang) for s in view.stops]),
                    "reached": _route([_point(s.place, lang) for s in view.stops if s.reached]),
                },
            }
        )
    return {
        "key": "logistics",
        "month": _month_label(found.month, lang),
        "count": len(trains),
        "teu": sum(t["teu"] for t in trains),
        "by_service": sorted(by_service.items()),
        "trains": trains,
        "synthetic": any(t["synthetic"] for t in trains),
        "source": TRANSPORTS_KEY,
        "link": f"/{lang}/logistics/transports",
        "map": [t["map"] for t in trains],
    }
