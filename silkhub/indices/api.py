"""REST routes of the indices capability, under ``/api/indices``.

Public reads see released weeks only (``release_at`` passed); index compilers see approved
weeks before their release, marked ``released: false``. Panel members submit and see only
their own quotes.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response, UploadFile, status
from feedgen.feed import FeedGenerator

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import InvalidInput, Location, Message, NotFound, Problem
from silkhub.core.periods import Year
from silkhub.indices import freight_reads, port_reads, service, trade_reads
from silkhub.indices.clock import Now
from silkhub.indices.formulas import Formula
from silkhub.indices.freight_reads import ReleaseView
from silkhub.indices.freight_schedule import week_of
from silkhub.indices.monthly_base import data_base_year
from silkhub.indices.port_index import (
    ALL_PORTS,
    DEFAULT_BASE_YEAR,
    DEFAULT_TEU_TONNES,
    KINDS,
    PortIndex,
)
from silkhub.indices.schemas import (
    CorrectionBody,
    DifferenceOut,
    ProblemOut,
    QuoteOut,
    ReleaseOut,
    RestateBody,
    RestatementOut,
    SubmissionBody,
    SubmissionOut,
    ValueOut,
)
from silkhub.settings import Settings
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from silkhub.web.i18n import request_language
from silkhub.web.security import (
    OptionalPrincipal,
    app_analytical,
    app_db,
    app_settings,
    require_roles,
)

router = APIRouter(prefix="/api/indices", tags=["indices"])

Db = Annotated[Database, Depends(app_db)]
Config = Annotated[Settings, Depends(app_settings)]
Store = Annotated[AnalyticalStore, Depends(app_analytical)]
Panelist = Annotated[Principal, Depends(require_roles(Role.PANELIST))]
Compiler = Annotated[Principal, Depends(require_roles(Role.INDEX_COMPILER))]
PanelistOrCompiler = Annotated[
    Principal, Depends(require_roles(Role.PANELIST, Role.INDEX_COMPILER))
]


def _is_compiler(principal: Principal | None) -> bool:
    return principal is not None and principal.has(Role.INDEX_COMPILER)


def _release_out(view: ReleaseView) -> ReleaseOut:
    return ReleaseOut(
        week=view.week,
        release_at=view.release_at,
        basket=view.basket,
        methodology_version=view.methodology_version,
        fingerprint=view.fingerprint,
        released=view.released,
        values=[ValueOut(**v.__dict__) for v in view.values],
        restatements=[RestatementOut.model_validate(r) for r in view.restatements],
    )


def _problem_out(p: Problem, lang: str) -> ProblemOut:
    return ProblemOut(
        code=p.code,
        message=p.message.in_(lang),
        field=p.location.field,
        value=None if p.value is None else str(p.value),
    )


@router.get("", summary="The indices and where to find them")
def list_indices(request: Request, db: Db, store: Store) -> list[dict[str, Any]]:
    lang = request_language(request)
    m = service.methodology()
    return [
        {
            "code": "freight",
            "name": m.name.in_(lang),
            "frequency": "weekly",
            "base_value": m.base_value,
            "series": ["COMPOSITE", *[r.code for r in m.routes]],
            "links": {
                "latest": "/api/indices/freight/latest",
                "series": "/api/indices/freight/series",
                "releases": "/api/indices/freight/releases",
                "methodology": "/api/indices/freight/methodology",
                "feed": "/api/indices/freight/feed.atom",
            },
        },
        {
            "code": "trade",
            "name": "“一带一路”贸易指数" if lang == "zh" else "Belt and Road trade index",
            "frequency": "monthly",
            "base_value": 100,
            "base_year_default": trade_reads.DEFAULT_BASE_YEAR,
            "series": list(trade_reads.FLOWS),
            "measures": ["value_index", "price_index", "volume_index"],
            "links": {"series": "/api/indices/trade"},
        },
        {
            "code": "port",
            "name": "港口吞吐量指数" if lang == "zh" else "Port throughput index",
            "frequency": "monthly",
            "base_value": 100,
            "base_year_default": DEFAULT_BASE_YEAR,
            "series": list(KINDS),
            "ports": _ports_in_data(db, store),
            "links": {"series": "/api/indices/port", "weights": "/api/indices/port/weights"},
        },
    ]


def _ports_in_data(db: Database, store: AnalyticalStore) -> list[str]:
    """The ports the port index has series for (``ALL`` first), none without data; with the
    default base year, or the data's first complete year when it lacks that."""
    base = data_base_year(db, "port", DEFAULT_BASE_YEAR)
    if base is None:
        return []
    try:
        result = port_reads.port_index_of(db, store, base=Year(base))
    except InvalidInput:
        return []
    ports = sorted({p.port for p in result.points} - {ALL_PORTS})
    return [ALL_PORTS, *ports] if ports else []


@router.get("/freight/methodology", summary="Routes, containers, surcharges, baskets, cleaning")
def get_methodology(request: Request) -> dict[str, Any]:
    lang = request_language(request)
    m = service.methodology()
    return {
        "version": m.version,
        "fingerprint": m.fingerprint,
        "name": m.name.in_(lang),
        "origin": m.origin,
        "currency": m.currency,
        "base_value": m.base_value,
        "schedule": {
            "timezone": str(m.timezone),
            "window_opens": {
                "weekday": m.window_opens.weekday,
                "time": m.window_opens.at.isoformat("minutes"),
            },
            "window_closes": {
                "weekday": m.window_closes.weekday,
                "time": m.window_closes.at.isoformat("minutes"),
            },
            "release": {"weekday": m.release.weekday, "time": m.release.at.isoformat("minutes")},
        },
        "surcharges": {
            "included": [{"code": c, "name": m.surcharge_names[c].in_(lang)} for c in m.included],
            "excluded": [{"code": c, "name": m.surcharge_names[c].in_(lang)} for c in m.excluded],
        },
        "cleaning": m.cleaning.__dict__,
        "validation": {"min_rate": m.min_rate, "max_rate": m.max_rate, "max_jump": m.max_jump},
        "containers": [
            {"code": c.code, "teu": c.teu, "name": c.name.in_(lang)} for c in m.containers
        ],
        "routes": [
            {
                "code": r.code,
                "name": r.name.in_(lang),
                "destination": r.destination,
                "region": r.region,
            }
            for r in m.routes
        ],
        "baskets": [
            {
                "version": b.version,
                "effective": b.effective.code,
                "base_weeks": [w.code for w in b.base_weeks],
                "weights": dict(b.weights),
                "containers": dict(b.containers),
            }
            for b in m.baskets
        ],
    }


@router.get("/freight/releases", response_model=list[ReleaseOut], summary="Released weeks")
def get_releases(db: Db, principal: OptionalPrincipal, now: Now) -> list[ReleaseOut]:
    with db.reading() as session:
        views = freight_reads.release_views(session, now=now, compiler=_is_compiler(principal))
    return [_release_out(v) for v in views]


@router.get(
    "/freight/latest", response_model=ReleaseOut, summary="The latest release, with its changes"
)
def get_latest(db: Db, principal: OptionalPrincipal, now: Now) -> ReleaseOut:
    with db.reading() as session:
        views = freight_reads.release_views(session, now=now, compiler=_is_compiler(principal))
    if not views:
        raise NotFound(
            Message("运价指数尚未发布。", "The freight index has not been released yet.")
        )
    return _release_out(views[-1])


@router.get("/freight/series", summary="One series by week (JSON or CSV)", response_model=None)
def get_series(
    db: Db,
    principal: OptionalPrincipal,
    now: Now,
    series: Annotated[str, Query(description="COMPOSITE or a route code")] = "COMPOSITE",
    first: Annotated[str | None, Query(alias="from", description="ISO week, e.g. 2019-W01")] = None,
    last: Annotated[str | None, Query(alias="to", description="ISO week")] = None,
    format: Annotated[str, Query(description="json or csv")] = "json",
) -> Any:
    code = series.upper()
    known = {"COMPOSITE", *(r.code for r in service.methodology().routes)}
    if code not in known:
        raise InvalidInput.single(
            "unknown_series",
            Message(f"没有序列“{series}”。", f"There is no series {series!r}."),
            location=Location(field="series"),
            value=series,
        )
    if format not in ("json", "csv"):
        raise InvalidInput.single(
            "unknown_format",
            Message("格式须为 json 或 csv。", "The format must be json or csv."),
            location=Location(field="format"),
            value=format,
        )
    start = service.parse_week(first, field="from") if first else None
    end = service.parse_week(last, field="to") if last else None
    with db.reading() as session:
        points = freight_reads.series(
            session, code, first=start, last=end, now=now, compiler=_is_compiler(principal)
        )
    if format == "csv":
        return Response(
            freight_reads.series_csv(points, code),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="silkhub-freight-{code}.csv"'},
        )
    return [p.__dict__ for p in points]


@router.get("/freight/feed.atom", summary="An Atom feed of the releases", response_class=Response)
def get_feed(request: Request, db: Db, settings: Config, now: Now) -> Response:
    lang = request_language(request)
    m = service.methodology()
    base = str(settings.base_url).rstrip("/")
    with db.reading() as session:
        # Never the compilers' view: a feed is cached and forwarded.
        views = freight_reads.release_views(session, now=now)[-52:]
    feed = FeedGenerator()
    feed.id(f"{base}/api/indices/freight/feed.atom")
    feed.title(m.name.in_(lang))
    feed.author({"name": "silkhub"})
    feed.link(href=f"{base}/api/indices/freight/feed.atom", rel="self")
    feed.link(href=f"{base}/{lang}/indices", rel="alternate")
    feed.language("en" if lang == "en" else "zh-CN")
    feed.updated(views[-1].release_at if views else datetime(2018, 1, 1, tzinfo=UTC))
    for view in views:
        composite = view.value()
        if composite is None:
            continue
        change = "" if composite.change_pct is None else f" ({composite.change_pct:+}%)"
        entry = feed.add_entry(order="append")
        entry.id(f"{base}/api/indices/freight/releases#{view.week}")
        entry.title(f"{m.name.in_(lang)} {view.week}: {composite.value}{change}")
        entry.link(href=f"{base}/api/indices/freight/series?from={view.week}&to={view.week}")
        entry.published(view.release_at)
        entry.updated(max([view.release_at, *(r.restated_at for r in view.restatements)]))
        entry.content("; ".join(f"{v.series} {v.value}" for v in view.values), type="text")
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")


# --- the panel ------------------------------------------------------------------------------------


@router.post(
    "/freight/quotes",
    response_model=SubmissionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Submit the week's quotes (panel members)",
)
def post_quotes(
    request: Request, body: SubmissionBody, panelist: Panelist, db: Db, now: Now
) -> SubmissionOut:
    m = service.methodology()
    week = service.parse_week(body.week, field="week") if body.week else week_of(m, now)
    quotes = [
        service.QuoteIn(q.route.upper(), q.container.upper(), q.amount, q.currency.upper())
        for q in body.quotes
    ]
    with db.transaction(panelist.actor) as session:
        member = service.member_for(session, panelist.organisation_id)
        done = service.submit_quotes(
            session, member, week, quotes, actor=panelist.actor, source="api", now=now
        )
    lang = request_language(request)
    return SubmissionOut(
        week=week.code, ids=list(done.ids), warnings=[_problem_out(w, lang) for w in done.warnings]
    )


@router.post(
    "/freight/quotes/upload",
    response_model=SubmissionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Submit the week's quotes as a CSV file (route, container, amount, currency)",
)
def upload_quotes(
    request: Request,
    panelist: Panelist,
    db: Db,
    now: Now,
    settings: Config,
    file: UploadFile,
    week: Annotated[str | None, Form()] = None,
) -> SubmissionOut:
    m = service.methodology()
    chosen = service.parse_week(week) if week else week_of(m, now)
    work = settings.data_dir / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        path = Path(tmp) / "quotes.csv"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        quotes = service.read_quote_csv(path, name=Path(file.filename or "quotes.csv").name)
    with db.transaction(panelist.actor) as session:
        member = service.member_for(session, panelist.organisation_id)
        done = service.submit_quotes(
            session, member, chosen, quotes, actor=panelist.actor, source="csv", now=now
        )
    lang = request_language(request)
    return SubmissionOut(
        week=chosen.code,
        ids=list(done.ids),
        warnings=[_problem_out(w, lang) for w in done.warnings],
    )


@router.get("/freight/quotes", response_model=list[QuoteOut], summary="Quotes of a week")
def get_quotes(
    principal: PanelistOrCompiler,
    db: Db,
    now: Now,
    week: Annotated[str | None, Query(description="ISO week; default: the week now")] = None,
) -> list[QuoteOut]:
    m = service.methodology()
    chosen = service.parse_week(week) if week else week_of(m, now)
    with db.reading() as session:
        # Compilers see every member's quotes; a panel member only its own.
        member = (
            None
            if _is_compiler(principal)
            else service.member_for(session, principal.organisation_id)
        )
        rows = service.quotes_of(session, member, chosen)
        return [QuoteOut.model_validate(r) for r in rows]


@router.delete("/freight/quotes/{quote_id}", response_model=QuoteOut, summary="Withdraw a quote")
def delete_quote(quote_id: int, panelist: Panelist, db: Db, now: Now) -> QuoteOut:
    with db.transaction(panelist.actor) as session:
        service.find_quote(session, quote_id)  # 404 before "not on the panel"
        member = service.member_for(session, panelist.organisation_id)
        return QuoteOut.model_validate(service.withdraw_quote(session, member, quote_id, now=now))


# --- the compilers --------------------------------------------------------------------------------


@router.get("/freight/weeks/{week}/preview", summary="What a week would be released as")
def get_preview(week: str, _: Compiler, db: Db) -> dict[str, Any]:
    chosen = service.parse_week(week)
    with db.reading() as session:
        result = service.preview(session, chosen)
    return {
        "week": chosen.code,
        "basket": result.basket,
        "composite": result.composite,
        "missing": result.missing,
        "routes": {
            code: {"index": r.index, "carried_forward": r.carried_forward}
            for code, r in result.routes.items()
        },
        "cells": [
            {
                "route": c.route,
                "container": c.container,
                "average": c.average,
                "carried_forward": c.carried_forward,
                "members": c.outcome.members,
                "removed": [
                    {"member": r.quote.member, "amount": r.quote.amount, "reason": r.reason}
                    for r in c.outcome.removed
                ],
            }
            for c in result.cells.values()
            if c.route in result.routes  # the week's basket, not routes yet to join
        ],
    }


@router.post(
    "/freight/weeks/{week}/approve", response_model=ReleaseOut, summary="Approve a week for release"
)
def post_approve(week: str, compiler: Compiler, db: Db, now: Now) -> ReleaseOut:
    chosen = service.parse_week(week)
    with db.transaction(compiler.actor) as session:
        service.approve(session, chosen, actor=compiler.actor, now=now)
    with db.reading() as session:
        views = freight_reads.release_views(session, now=now, compiler=True)
    return _release_out(next(v for v in views if v.week == chosen.code))


@router.post(
    "/freight/weeks/{week}/corrections",
    response_model=QuoteOut,
    status_code=status.HTTP_201_CREATED,
    summary="Correct a member's quote after the window (then restate)",
)
def post_correction(
    week: str, body: CorrectionBody, compiler: Compiler, db: Db, now: Now
) -> QuoteOut:
    chosen = service.parse_week(week)
    quote = service.QuoteIn(
        body.route.upper(), body.container.upper(), body.amount, body.currency.upper()
    )
    with db.transaction(compiler.actor) as session:
        return QuoteOut.model_validate(
            service.correct_quote(
                session, chosen, body.member, quote, actor=compiler.actor, now=now
            )
        )


@router.post(
    "/freight/weeks/{week}/restate",
    response_model=list[RestatementOut],
    summary="Restate released values",
)
def post_restate(
    week: str, body: RestateBody, compiler: Compiler, db: Db, now: Now
) -> list[RestatementOut]:
    chosen = service.parse_week(week)
    with db.transaction(compiler.actor) as session:
        changes = service.restate(session, chosen, body.reason, actor=compiler.actor, now=now)
        return [RestatementOut.model_validate(c) for c in changes]


@router.get(
    "/freight/recompute",
    response_model=list[DifferenceOut],
    summary="Recompute every release and compare",
)
def get_recompute(_: Compiler, db: Db) -> list[DifferenceOut]:
    with db.reading() as session:
        return [DifferenceOut(**d.__dict__) for d in service.recompute(session)]


# --- the trade index ------------------------------------------------------------------------------


@router.get(
    "/trade", summary="Value, price and volume indices of trade (JSON or CSV)", response_model=None
)
def get_trade_index(
    db: Db,
    store: Store,
    flow: Annotated[str, Query(description="export, import or total")] = "total",
    base: Annotated[
        int, Query(description="The base year (= 100)", ge=1900, le=2100)
    ] = trade_reads.DEFAULT_BASE_YEAR,
    formula: Annotated[
        str, Query(description="laspeyres, paasche, fisher or tornqvist")
    ] = "fisher",
    chained: Annotated[
        bool, Query(description="Month-to-month links instead of fixed base")
    ] = False,
    group: Annotated[
        str, Query(description="Country group, as of each month")
    ] = trade_reads.DEFAULT_GROUP,
    first: Annotated[
        str | None, Query(alias="from", description="First month, e.g. 2019-01")
    ] = None,
    last: Annotated[str | None, Query(alias="to", description="Last month")] = None,
    format: Annotated[str, Query(description="json or csv")] = "json",
) -> Any:
    if format not in ("json", "csv"):
        raise InvalidInput.single(
            "unknown_format",
            Message("格式须为 json 或 csv。", "The format must be json or csv."),
            location=Location(field="format"),
            value=format,
        )
    points = trade_reads.trade_index_of(
        db,
        store,
        flow=flow,
        base=Year(base),
        formula=Formula.parse(formula),
        chained=chained,
        group=group,
        first=trade_reads.parse_month(first, "from"),
        last=trade_reads.parse_month(last, "to"),
    )
    if format == "csv":
        return Response(
            trade_reads.trade_index_csv(points),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="silkhub-trade-index-{flow}.csv"'
            },
        )
    return [
        {
            "month": p.month.code,
            "value_index": p.value,
            "price_index": p.price,
            "volume_index": p.volume,
            "items": p.items,
            "matched": p.matched,
            "outliers": p.outliers,
        }
        for p in points
    ]


# --- the port index -------------------------------------------------------------------------------


def _port_index(
    db: Database,
    store: AnalyticalStore,
    base: int,
    teu_tonnes: float,
    first: str | None,
    last: str | None,
) -> PortIndex:
    return port_reads.port_index_of(
        db,
        store,
        base=Year(base),
        teu_tonnes=teu_tonnes,
        first=trade_reads.parse_month(first, "from"),
        last=trade_reads.parse_month(last, "to"),
    )


@router.get(
    "/port",
    summary="Port throughput indices by port and cargo kind, and composites (JSON or CSV)",
    response_model=None,
)
def get_port_index(
    db: Db,
    store: Store,
    base: Annotated[
        int, Query(description="The base year (= 100)", ge=1900, le=2100)
    ] = DEFAULT_BASE_YEAR,
    port: Annotated[
        str | None, Query(description="A port as the data names it, or ALL (across ports)")
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            description="containers (TEU), containers_tonnes, dry_bulk, liquid_bulk, "
            "general_cargo or composite"
        ),
    ] = None,
    teu_tonnes: Annotated[
        float, Query(description="Tonnes a TEU counts for in the weights when not reported", gt=0)
    ] = DEFAULT_TEU_TONNES,
    first: Annotated[
        str | None, Query(alias="from", description="First month, e.g. 2020-01")
    ] = None,
    last: Annotated[str | None, Query(alias="to", description="Last month")] = None,
    format: Annotated[str, Query(description="json or csv")] = "json",
) -> Any:
    if format not in ("json", "csv"):
        raise InvalidInput.single(
            "unknown_format",
            Message("格式须为 json 或 csv。", "The format must be json or csv."),
            location=Location(field="format"),
            value=format,
        )
    result = _port_index(db, store, base, teu_tonnes, first, last)
    points = port_reads.select_points(result, port=port, kind=kind)
    if format == "csv":
        return Response(
            port_reads.port_index_csv(points),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="silkhub-port-index.csv"'},
        )
    return [
        {
            "month": p.month.code,
            "port": p.port,
            "kind": p.kind,
            "volume": p.volume,
            "unit": p.unit,
            "index": p.index,
            "mom_pct": p.mom_pct,
            "yoy_pct": p.yoy_pct,
        }
        for p in points
    ]


@router.get("/port/weights", summary="The port index's base-year weights")
def get_port_weights(
    db: Db,
    store: Store,
    base: Annotated[
        int, Query(description="The base year (= 100)", ge=1900, le=2100)
    ] = DEFAULT_BASE_YEAR,
    teu_tonnes: Annotated[
        float, Query(description="Tonnes a TEU counts for in the weights when not reported", gt=0)
    ] = DEFAULT_TEU_TONNES,
) -> dict[str, Any]:
    result = _port_index(db, store, base, teu_tonnes, None, None)
    return {
        "base": base,
        "teu_tonnes": teu_tonnes,
        "weights": [w.__dict__ for w in result.weights],
        "without_base_year": [{"port": p, "kind": k} for p, k in result.no_base],
    }
