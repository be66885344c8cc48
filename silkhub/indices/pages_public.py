"""The freight index's public pages: ``/{lang}/indices`` (the composite and the route charts,
the latest release with its changes and restatements, downloads, the release calendar) and
``/{lang}/indices/methodology`` (generated from the configuration, with the chain links of the
published history).

Both read through the embargo for everyone, compilers included: they show what the public
sees. Compilers see approved weeks before their release on the console only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from babel.dates import get_day_names
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from silkhub.indices import freight_reads, pages_monthly, service
from silkhub.indices.freight_compute import Link, next_week
from silkhub.indices.freight_config import Methodology, Moment
from silkhub.indices.freight_reads import ReleaseView
from silkhub.indices.freight_schedule import release_time, week_of, window
from silkhub.indices.models import COMPOSITE
from silkhub.indices.pages_common import (
    Db,
    Lang,
    Now,
    change_text,
    local_time,
    pct_text,
    series_name,
    tabs,
    value_text,
    week_dates,
)
from silkhub.stores.analytical import AnalyticalStore
from silkhub.web.i18n import LOCALES
from silkhub.web.security import app_analytical
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

#: How many upcoming release times and latest releases the calendar lists.
UPCOMING = 4
LATEST_SHOWN = 8
SERIES_CSV = "/api/indices/freight/series?format=csv&series={code}"
FEED = "/api/indices/freight/feed.atom"


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _order(m: Methodology) -> dict[str, int]:
    """The composite first, then the routes in the methodology's order."""
    return {code: i for i, code in enumerate([COMPOSITE, *(r.code for r in m.routes)])}


def _latest(m: Methodology, view: ReleaseView, lang: str) -> dict[str, Any]:
    order = _order(m)
    values = sorted(view.values, key=lambda v: order.get(v.series, len(order)))
    rows = [
        {
            "code": v.series,
            "name": series_name(m, v.series, lang),
            "value": value_text(v.value, lang),
            "change": change_text(v.change, lang),
            "pct": pct_text(v.change_pct, lang),
            "direction": _direction(v.change),
            "carried": v.carried_forward,
            "csv": SERIES_CSV.format(code=v.series),
        }
        for v in values
    ]
    composite = view.value()
    return {
        "week": view.week,
        "week_label": service.parse_week(view.week).label(lang),
        "release_at": local_time(m, view.release_at, lang),
        "basket": view.basket,
        "version": view.methodology_version,
        "fingerprint": view.fingerprint,
        "rows": rows,
        "composite": rows[0] if composite is not None else None,
        "restatements": _restatement_rows(m, [view], lang),
    }


def _direction(change: Decimal | None) -> str:
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def _restatement_rows(
    m: Methodology, views: Sequence[ReleaseView], lang: str
) -> list[dict[str, Any]]:
    """Restatements grouped as they were made (one reason, one time, one person), newest
    first, each with the figures it changed."""
    groups: dict[tuple[datetime, str, str], dict[str, Any]] = {}
    for view in views:
        for r in view.restatements:
            key = (r.restated_at, r.restated_by, r.reason)
            group = groups.setdefault(
                key,
                {
                    "when": local_time(m, r.restated_at, lang),
                    "who": r.restated_by,
                    "reason": r.reason,
                    "changes": [],
                },
            )
            group["changes"].append(
                {
                    "week": view.week,
                    "series": series_name(m, r.series, lang),
                    "code": r.series,
                    "old": value_text(r.old_value, lang),
                    "new": value_text(r.new_value, lang),
                }
            )
    return [groups[k] for k in sorted(groups, key=lambda k: k[0], reverse=True)]


def _chart(m: Methodology, views: Sequence[ReleaseView], lang: str) -> dict[str, Any]:
    """The released history as the charts draw it: one value per week and series (None where
    a series was not in the basket), and the weeks a series was carried forward."""
    codes = [COMPOSITE, *(r.code for r in m.routes)]
    values: dict[str, list[float | None]] = {c: [] for c in codes}
    pcts: dict[str, list[float | None]] = {c: [] for c in codes}
    carried: dict[str, list[int]] = {c: [] for c in codes}
    for i, view in enumerate(views):
        by_series = {v.series: v for v in view.values}
        for code in codes:
            v = by_series.get(code)
            values[code].append(_float(v.value) if v is not None else None)
            pcts[code].append(_float(v.change_pct) if v is not None else None)
            if v is not None and v.carried_forward:
                carried[code].append(i)
    shown = [c for c in codes if any(x is not None for x in values[c])]
    return {
        "weeks": [v.week for v in views],
        "series": [
            {
                "code": c,
                "name": series_name(m, c, lang),
                "values": values[c],
                "pct": pcts[c],
                "carried": carried[c],
            }
            for c in shown
        ],
    }


def _table(views: Sequence[ReleaseView], code: str, lang: str) -> list[dict[str, Any]]:
    """One series week by week, newest first, as the table behind its chart."""
    rows = []
    for view in reversed(views):
        v = view.value(code)
        if v is None:
            continue
        rows.append(
            {
                "week": view.week,
                "value": value_text(v.value, lang),
                "change": change_text(v.change, lang),
                "pct": pct_text(v.change_pct, lang),
                "carried": v.carried_forward,
            }
        )
    return rows


def _calendar(
    m: Methodology, views: Sequence[ReleaseView], now: datetime, lang: str
) -> dict[str, Any]:
    """The next release times by the schedule, and the latest releases. An upcoming week is
    named by its number and days, as a calendar names it; nothing says whether it has been
    approved (that is the compilers' business until the release)."""
    upcoming: list[dict[str, str]] = []
    week = week_of(m, now)
    while len(upcoming) < UPCOMING:
        at = release_time(m, week)
        if at > now:
            opens, closes = window(m, week)
            upcoming.append(
                {
                    "label": week.label(lang),
                    "dates": week_dates(week, lang),
                    "opens": local_time(m, opens, lang),
                    "closes": local_time(m, closes, lang),
                    "release": local_time(m, at, lang),
                }
            )
        week = next_week(week)
    latest = []
    for view in reversed(views[-LATEST_SHOWN:]):
        composite = view.value()
        latest.append(
            {
                "week": view.week,
                "release": local_time(m, view.release_at, lang),
                "value": value_text(composite.value if composite else None, lang),
                "pct": pct_text(composite.change_pct if composite else None, lang),
                "restated": bool(view.restatements),
            }
        )
    return {"upcoming": upcoming, "latest": latest, "timezone": str(m.timezone)}


def _public_views(request: Request, session: Session, now: datetime) -> list[ReleaseView]:
    """The public releases at ``now`` (``freight_reads.release_views``), kept on the
    application while the releases visible then and the restatements stay the same: reading
    the whole history takes most of this page's time."""
    key = freight_reads.releases_state(session, now=now)
    kept: tuple[object, list[ReleaseView]] | None = getattr(
        request.app.state, "indices_public_views", None
    )
    if kept is not None and kept[0] == key:
        return kept[1]
    views = freight_reads.release_views(session, now=now)
    request.app.state.indices_public_views = (key, views)
    return views


Store = Annotated[AnalyticalStore, Depends(app_analytical)]


@router.get("/{lang}/indices")
def indices_page(
    request: Request,
    lang: Lang,
    db: Db,
    store: Store,
    now: Now,
    route: str | None = None,
    flow: str | None = None,
    formula: str | None = None,
    chained: bool = False,
    port: str | None = None,
    kind: str | None = None,
) -> Response:
    m = service.methodology()
    with db.reading() as session:
        # The public view for everyone: compilers see embargoed weeks on the console only.
        views = _public_views(request, session, now)
    latest = _latest(m, views[-1], lang) if views else None
    shown = {v.series for v in views[-1].values} if views else set()
    route_codes = [r.code for r in m.routes if r.code in shown]
    chosen = (route or "").upper()
    if chosen not in route_codes:
        chosen = route_codes[0] if route_codes else ""
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "name": m.name.in_(lang),
        "latest": latest,
        "first_week": views[0].week if views else None,
        "restatements": _restatement_rows(m, views, lang),
        "chart": _chart(m, views, lang) if views else None,
        "composite_rows": _table(views, COMPOSITE, lang),
        "routes": [(c, f"{series_name(m, c, lang)} ({c})") for c in route_codes],
        "route": chosen,
        "route_name": series_name(m, chosen, lang) if chosen else "",
        "route_rows": _table(views, chosen, lang) if chosen else [],
        "calendar": _calendar(m, views, now, lang),
        "base_value": value_text(m.base_value, lang, 0),
        "release_moment": _moment(m, m.release, lang),
        "downloads": {
            "composite": SERIES_CSV.format(code=COMPOSITE),
            "route": SERIES_CSV.format(code=chosen) if chosen else None,
            "feed": FEED,
            "methodology": "/api/indices/freight/methodology",
        },
        # The monthly indices, from the statistics (no embargo: a month is public once
        # imported).
        "trade": pages_monthly.trade_section(
            db, store, lang, flow=flow, formula=formula, chained=chained
        ),
        "port": pages_monthly.port_section(db, store, lang, port=port, kind=kind),
        "params": {
            "route": chosen,
            "flow": flow or "",
            "formula": formula or "",
            "chained": chained,
            "port": port or "",
            "kind": kind or "",
        },
    }
    return templates_of(request).render(request, "indices/index.html", context)


# --- the methodology --------------------------------------------------------------------------


def _moment(m: Methodology, moment: Moment, lang: str) -> str:
    day = get_day_names("wide", locale=LOCALES[lang])[moment.weekday - 1]
    return f"{day} {moment.at.strftime('%H:%M')}"


def _links(request: Request, session: Session, now: datetime, m: Methodology) -> tuple[Link, ...]:
    """The chain links of the published history. Computing them means recomputing the
    history up to the last public link from the quotes (about a second on the demo), so the
    result is kept on the application for as long as those quotes and the methodology stay
    the same."""
    through = freight_reads.links_horizon(session, now=now, m=m)
    if through is None:
        return ()
    key = (m.fingerprint, freight_reads.quotes_state(session, through))
    kept: tuple[object, tuple[Link, ...]] | None = getattr(request.app.state, "indices_links", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    links = freight_reads.chain_links(session, now=now, m=m)
    request.app.state.indices_links = (key, links)
    return links


def _link_rows(m: Methodology, links: Sequence[Link], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "week": link.week.code,
            "basket": link.basket,
            "factor": value_text(link.composite_factor, lang, 6),
            "added": [(c, series_name(m, c, lang)) for c in link.added],
            "dropped": [(c, series_name(m, c, lang)) for c in link.dropped],
            "routes": [
                (c, series_name(m, c, lang), value_text(f, lang, 6))
                for c, f in link.route_factors.items()
            ],
        }
        for link in links
    ]


def _percent(share: float, lang: str) -> str:
    return f"{value_text(share * 100, lang, 1)}%"


def _baskets(m: Methodology, lang: str) -> list[dict[str, Any]]:
    out = []
    previous: set[str] = set()
    for basket in m.baskets:
        routes = set(basket.weights)
        out.append(
            {
                "version": basket.version,
                "effective": basket.effective.code,
                "base_weeks": [w.code for w in basket.base_weeks],
                "weights": [
                    {
                        "code": code,
                        "name": series_name(m, code, lang),
                        "weight": _percent(weight, lang),
                        "new": bool(previous) and code not in previous,
                    }
                    for code, weight in basket.weights.items()
                ],
                "total": _percent(sum(basket.weights.values()), lang),
                "containers": [(c, _percent(w, lang)) for c, w in basket.containers.items()],
                "added": sorted(routes - previous) if previous else [],
                "dropped": sorted(previous - routes),
            }
        )
        previous = routes
    return out


@router.get("/{lang}/indices/methodology")
def methodology_page(request: Request, lang: Lang, db: Db, store: Store, now: Now) -> Response:
    m = service.methodology()
    with db.reading() as session:
        links = _links(request, session, now, m)
    first = m.baskets[0]
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "m": m,
        "name": m.name.in_(lang),
        "routes": [
            {
                "code": r.code,
                "name": r.name.in_(lang),
                "destination": r.destination,
                "baskets": [b.version for b in m.baskets if r.code in b.weights],
            }
            for r in m.routes
        ],
        "containers": [(c.code, c.name.in_(lang), c.teu) for c in m.containers],
        "included": [(c, m.surcharge_names[c].in_(lang)) for c in m.included],
        "excluded": [(c, m.surcharge_names[c].in_(lang)) for c in m.excluded],
        "baskets": _baskets(m, lang),
        "base_weeks": [w.code for w in first.base_weeks],
        "base_value": value_text(m.base_value, lang, 0),
        "links": _link_rows(m, links, lang),
        "cleaning": m.cleaning,
        "trim_pct": value_text(m.cleaning.trim * 100, lang, 0),
        "cap_pct": value_text(m.cleaning.member_cap * 100, lang, 0),
        "alpha_pct": value_text(m.cleaning.grubbs_alpha * 100, lang, 0),
        "jump_pct": value_text(m.max_jump * 100, lang, 0),
        "min_rate": value_text(m.min_rate, lang, 0),
        "max_rate": value_text(m.max_rate, lang, 0),
        "schedule": {
            "timezone": str(m.timezone),
            "opens": _moment(m, m.window_opens, lang),
            "closes": _moment(m, m.window_closes, lang),
            "release": _moment(m, m.release, lang),
        },
        "trade": {
            "default_base": pages_monthly.TRADE_DEFAULT_BASE,
            "limit": value_text(pages_monthly.DEFAULT_LIMIT, lang, 0),
            "formulas": [
                (pages_monthly.FORMULA_NAMES[f].in_(lang), pages_monthly.FORMULA_TEXTS[f])
                for f in pages_monthly.Formula
            ],
        },
        "port": pages_monthly.port_methodology(db, store, lang),
    }
    return templates_of(request).render(request, "indices/methodology.html", context)
