"""The index compiler's console (``/{lang}/indices/console``) for one week: the quotes received
(members per route and container type), the preview (the composite, each route's index, what
was carried forward, what cleaning removed and why), approving the week for release, a
correction of a member's quote and a restatement of released figures, the restatements made,
and the recent releases with their status (released, or approved and still under embargo).

Compilers only: this is where an approved week's figures are seen before their release."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import (
    Conflict,
    InvalidInput,
    Location,
    Message,
    NotFound,
    SilkhubError,
)
from silkhub.core.periods import IsoWeek
from silkhub.indices import freight_reads, service
from silkhub.indices.freight_compute import WeekResult, published
from silkhub.indices.freight_config import Methodology
from silkhub.indices.freight_reads import ReleaseView
from silkhub.indices.freight_schedule import release_time, week_of, window
from silkhub.indices.models import COMPOSITE, PanelMember
from silkhub.indices.pages_common import (
    Csrf,
    Db,
    Lang,
    Now,
    change_text,
    local_time,
    pct_text,
    problem_rows,
    series_name,
    tabs,
    value_text,
)
from silkhub.stores.database import Database
from silkhub.web.security import require_roles
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

Compiler = Annotated[Principal, Depends(require_roles(Role.INDEX_COMPILER))]

#: Releases listed on the console, newest first.
RECENT_RELEASES = 12
#: Restatements listed, newest first.
RECENT_RESTATEMENTS = 50

_REASONS = {
    "superseded": Message("被同一机构的新报价取代", "replaced by the member's later quote"),
    "outlier": Message("离群值", "outlier"),
    "trimmed": Message("截尾剔除", "trimmed"),
}


def _reason(reason: str, lang: str) -> str:
    known = _REASONS.get(reason)
    return known.in_(lang) if known is not None else reason


def _chosen_week(db: Database, m: Methodology, week: str | None, now: datetime) -> IsoWeek:
    """The week asked for; by default the latest week with quotes, or the week now."""
    if week:
        return service.parse_week(week.strip())
    with db.reading() as session:
        latest = freight_reads.latest_quoted_week(session)
    return latest or week_of(m, now)


def _received(m: Methodology, db: Database, week: IsoWeek, lang: str) -> dict[str, Any]:
    """How many members quoted each route and container type this week (withdrawn quotes
    left out), and how many quotes came in."""
    with db.reading() as session:
        quotes = [q for q in service.quotes_of(session, None, week) if q.withdrawn_at is None]
        codes = dict(session.execute(select(PanelMember.id, PanelMember.code)).all())
    members: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_route: dict[str, set[int]] = defaultdict(set)
    for q in quotes:
        members[(q.route, q.container)].add(q.member_id)
        by_route[q.route].add(q.member_id)
    containers = [c.code for c in m.containers]
    rows = [
        {
            "code": r.code,
            "name": r.name.in_(lang),
            "cells": [len(members.get((r.code, c), ())) for c in containers],
            "members": len(by_route.get(r.code, ())),
        }
        for r in m.routes
    ]
    return {
        "containers": containers,
        "rows": rows,
        "quotes": len(quotes),
        "members": sorted({codes.get(q.member_id, "?") for q in quotes}),
        "panel": sorted(codes.values()),
    }


def _preview(m: Methodology, result: WeekResult, lang: str) -> dict[str, Any]:
    routes = [
        {
            "code": code,
            "name": series_name(m, code, lang),
            "index": value_text(published(r.index), lang),
            "carried": r.carried_forward,
        }
        for code, r in result.routes.items()
    ]
    order = {r.code: i for i, r in enumerate(m.routes)}
    boxes = {c.code: i for i, c in enumerate(m.containers)}
    cells: list[dict[str, Any]] = []
    reasons: dict[str, int] = defaultdict(int)
    for cell in sorted(
        result.cells.values(),
        key=lambda c: (order.get(c.route, len(order)), boxes.get(c.container, len(boxes))),
    ):
        if cell.route not in result.routes:
            continue  # routes yet to join the basket
        for r in cell.outcome.removed:
            reasons[r.reason] += 1
        cells.append(
            {
                "route": cell.route,
                "container": cell.container,
                "average": value_text(cell.average, lang),
                "carried": cell.carried_forward,
                "members": cell.outcome.members,
                "removed": [
                    {
                        "member": r.quote.member,
                        "amount": value_text(r.quote.amount, lang),
                        "reason": _reason(r.reason, lang),
                    }
                    for r in cell.outcome.removed
                ],
            }
        )
    return {
        "basket": result.basket,
        "composite": value_text(published(result.composite), lang),
        "missing": result.missing,
        "routes": routes,
        "cells": cells,
        "removed": sum(len(c["removed"]) for c in cells),
        "reasons": [(_reason(reason, lang), n) for reason, n in sorted(reasons.items())],
        "carried": [r["code"] for r in routes if r["carried"]],
    }


def _week_result(request: Request, session: Session, week: IsoWeek, m: Methodology) -> WeekResult:
    """``service.preview`` of ``week``, kept on the application while the quotes it is
    computed from stay the same (it recomputes the history up to that week: a second or two
    on three years of quotes)."""
    key = (week.code, m.fingerprint, freight_reads.quotes_state(session, week))
    kept: tuple[object, WeekResult] | None = getattr(request.app.state, "indices_preview", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    result = service.preview(session, week, m)
    request.app.state.indices_preview = (key, result)
    return result


def _release_rows(m: Methodology, views: list[ReleaseView], lang: str) -> list[dict[str, Any]]:
    rows = []
    for view in reversed(views[-RECENT_RELEASES:]):
        composite = view.value()
        rows.append(
            {
                "week": view.week,
                "released": view.released,
                "release_at": local_time(m, view.release_at, lang),
                "composite": value_text(composite.value if composite else None, lang),
                "change": change_text(composite.change if composite else None, lang),
                "pct": pct_text(composite.change_pct if composite else None, lang),
                "basket": view.basket,
                "restated": len(view.restatements),
            }
        )
    return rows


def _restatements(m: Methodology, views: list[ReleaseView], lang: str) -> list[dict[str, Any]]:
    rows = [
        {
            "week": view.week,
            "series": series_name(m, r.series, lang),
            "code": r.series,
            "old": value_text(r.old_value, lang),
            "new": value_text(r.new_value, lang),
            "reason": r.reason,
            "who": r.restated_by,
            "when": local_time(m, r.restated_at, lang),
            "at": r.restated_at,
        }
        for view in views
        for r in view.restatements
    ]
    rows.sort(key=lambda r: (r["at"], r["week"]), reverse=True)
    return rows[:RECENT_RESTATEMENTS]


def _render(
    request: Request,
    db: Database,
    lang: str,
    now: datetime,
    week: str | None,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    m = service.methodology()
    context: dict[str, Any] = {"tabs": tabs(request), "week": None, **extra}
    try:
        chosen = _chosen_week(db, m, week, now)
    except InvalidInput as exc:
        context["week_error"] = exc.in_(lang)
        chosen = week_of(m, now)
    opens, closes = window(m, chosen)
    with db.reading() as session:
        views = freight_reads.release_views(session, now=now, compiler=True)
    release = next((v for v in views if v.week == chosen.code), None)
    preview: dict[str, Any] | None = None
    try:
        with db.reading() as session:
            preview = _preview(m, _week_result(request, session, chosen, m), lang)
    except SilkhubError as exc:
        context["preview_error"] = exc.in_(lang)
    released_values = (
        {v.series: value_text(v.value, lang) for v in release.values} if release else {}
    )
    context.update(
        {
            "week": chosen.code,
            "week_label": chosen.label(lang),
            "opens": local_time(m, opens, lang),
            "closes": local_time(m, closes, lang),
            "release_time": local_time(m, release_time(m, chosen), lang),
            "is_open": opens <= now < closes,
            "can_approve": release is None and now >= closes,
            "release": (
                {
                    "released": release.released,
                    "release_at": local_time(m, release.release_at, lang),
                    "values": released_values,
                    "composite": released_values.get(COMPOSITE, "—"),
                }
                if release
                else None
            ),
            "received": _received(m, db, chosen, lang),
            "preview": preview,
            "releases": _release_rows(m, views, lang),
            "restatements": _restatements(m, views, lang),
            "routes": [(r.code, r.name.in_(lang)) for r in m.routes],
            "containers": [c.code for c in m.containers],
            "currency": m.currency,
        }
    )
    return templates_of(request).render(request, "indices/console.html", context, status=status)


@router.get("/{lang}/indices/console")
def console_page(
    request: Request, lang: Lang, compiler: Compiler, db: Db, now: Now, week: str | None = None
) -> Response:
    return _render(request, db, lang, now, week)


def _refused(
    request: Request, db: Database, lang: str, now: datetime, week: str, exc: SilkhubError
) -> Response:
    return _render(
        request,
        db,
        lang,
        now,
        week or None,
        status=exc.status,
        error=exc.in_(lang),
        problems=problem_rows(exc.problems, lang),
    )


@router.post("/{lang}/indices/console/approve", dependencies=[Csrf])
def approve(
    request: Request,
    lang: Lang,
    compiler: Compiler,
    db: Db,
    now: Now,
    week: Annotated[str, Form()] = "",
) -> Response:
    try:
        chosen = service.parse_week(week.strip())
        with db.transaction(compiler.actor) as session:
            release = service.approve(session, chosen, actor=compiler.actor, now=now)
            at = release.release_at
    except (Conflict, InvalidInput) as exc:
        return _refused(request, db, lang, now, week, exc)
    m = service.methodology()
    done = Message(
        f"{chosen.code} 已批准，将于 {local_time(m, at, 'zh')} 发布。",
        f"{chosen.code} is approved and will be released at {local_time(m, at, 'en')}.",
    )
    return _render(request, db, lang, now, chosen.code, done=done.in_(lang))


@router.post("/{lang}/indices/console/corrections", dependencies=[Csrf])
def correct(
    request: Request,
    lang: Lang,
    compiler: Compiler,
    db: Db,
    now: Now,
    week: Annotated[str, Form()] = "",
    member: Annotated[str, Form()] = "",
    route: Annotated[str, Form()] = "",
    container: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
) -> Response:
    m = service.methodology()
    try:
        chosen = service.parse_week(week.strip())
        try:
            value = Decimal(amount.strip().replace(",", ""))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            raise InvalidInput.single(
                "not_a_number",
                Message("运价不是数字。", "The amount is not a number."),
                location=Location(field="amount"),
                value=amount,
            )
        quote = service.QuoteIn(route.strip().upper(), container.strip().upper(), value, m.currency)
        with db.transaction(compiler.actor) as session:
            service.correct_quote(
                session, chosen, member.strip().upper(), quote, actor=compiler.actor, now=now
            )
    except (InvalidInput, NotFound) as exc:
        return _refused(request, db, lang, now, week, exc)
    done = Message(
        f"已记录对 {member.strip().upper()} 在 {chosen.code} 的 {quote.route} {quote.container} "
        f"报价的更正（{value}）。已发布的数值只有经过更正发布才会改变。",
        f"The correction of {member.strip().upper()}'s {quote.route} {quote.container} quote "
        f"for {chosen.code} ({value}) is recorded. Released figures change only when you restate.",
    )
    return _render(request, db, lang, now, chosen.code, done=done.in_(lang))


@router.post("/{lang}/indices/console/restate", dependencies=[Csrf])
def restate(
    request: Request,
    lang: Lang,
    compiler: Compiler,
    db: Db,
    now: Now,
    week: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        chosen = service.parse_week(week.strip())
        with db.transaction(compiler.actor) as session:
            changes = service.restate(session, chosen, reason, actor=compiler.actor, now=now)
            count = len(changes)
            weeks = len({c.release_id for c in changes})
    except (InvalidInput, NotFound) as exc:
        return _refused(request, db, lang, now, week, exc)
    done = (
        Message(
            f"已更正 {chosen.code} 起 {weeks} 期发布中的 {count} 个数值。",
            f"{count} figure(s) in {weeks} release(s) from {chosen.code} on restated.",
        )
        if count
        else Message(
            "重新计算的数值与已发布的相同，没有需要更正的数值。",
            "The recomputed figures equal the released ones: nothing was restated.",
        )
    )
    return _render(request, db, lang, now, chosen.code, done=done.in_(lang))
