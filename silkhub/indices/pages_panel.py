"""The panel member's submission page (``/{lang}/indices/submit``): the week now, its window
and whether it is open; a form with one amount per route and container type, or a CSV file
(route, container, amount, currency); what became of a submission (saved, with the warnings
a member sees at once, or refused with every problem, or refused because the window is
closed); and the member's own quotes of the week, each of which it may withdraw while the
window is open. A member sees nothing of any other member's quotes."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import (
    Conflict,
    InvalidInput,
    Location,
    Message,
    PermissionDenied,
    Problem,
)
from silkhub.indices import service
from silkhub.indices.freight_compute import next_week
from silkhub.indices.freight_config import Methodology
from silkhub.indices.freight_schedule import week_of, window
from silkhub.indices.models import FreightQuote, PanelMember
from silkhub.indices.pages_common import (
    Csrf,
    Db,
    Lang,
    Now,
    local_time,
    problem_rows,
    tabs,
    value_text,
)
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.security import app_settings, require_roles
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

Panelist = Annotated[Principal, Depends(require_roles(Role.PANELIST))]
Config = Annotated[Settings, Depends(app_settings)]

_QUOTE_FIELD = re.compile(r"^quotes\[(\d+)\]")

NOT_ON_PANEL = Message(
    "您的机构不是运价指数的报价机构，不能提交报价。请联系管理员。",
    "Your organisation is not on the freight index's panel, so you cannot submit quotes. "
    "Ask an administrator.",
)


async def form_data(request: Request) -> FormData:
    """The posted form (read once: the CSRF check has read it already)."""
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]


def field_name(route: str, container: str) -> str:
    return f"q-{route}-{container}"


def _member(session: Session, principal: Principal) -> PanelMember | None:
    try:
        return service.member_for(session, principal.organisation_id)
    except PermissionDenied:
        return None


def _own_quotes(m: Methodology, quotes: list[FreightQuote], lang: str) -> list[dict[str, Any]]:
    """The member's quotes of the week, newest first: which counts, which a later quote
    superseded, which were withdrawn."""
    counted: set[tuple[str, str]] = set()
    rows = []
    for q in quotes:  # newest first
        key = (q.route, q.container)
        if q.withdrawn_at is not None:
            status = "withdrawn"
        elif key in counted:
            status = "superseded"
        else:
            status = "counts"
            counted.add(key)
        rows.append(
            {
                "id": q.id,
                "route": q.route,
                "container": q.container,
                "amount": value_text(q.amount, lang),
                "currency": q.currency,
                "submitted": local_time(m, q.submitted_at, lang),
                "source": q.source,
                "status": status,
            }
        )
    return rows


def _render(
    request: Request,
    db: Database,
    lang: str,
    now: datetime,
    panelist: Principal,
    *,
    status: int = 200,
    amounts: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    m = service.methodology()
    week = week_of(m, now)
    opens, closes = window(m, week)
    with db.reading() as session:
        member = _member(session, panelist)
        quotes = service.quotes_of(session, member, week) if member is not None else []
        own = _own_quotes(m, quotes, lang)
        code = member.code if member is not None else None
    current = {(q["route"], q["container"]): q["amount"] for q in own if q["status"] == "counts"}
    containers = [(c.code, c.name.in_(lang)) for c in m.containers]
    basket = m.basket_for(week) if week >= m.baskets[0].effective else m.baskets[0]
    routes = [
        {
            "code": r.code,
            "name": r.name.in_(lang),
            "in_basket": r.code in basket.weights,
            "cells": [
                {
                    "container": c,
                    "field": field_name(r.code, c),
                    "label": f"{r.name.in_(lang)} ({r.code}), {c}",
                    "value": (amounts or {}).get(field_name(r.code, c), ""),
                    "current": current.get((r.code, c)),
                }
                for c, _ in containers
            ],
        }
        for r in m.routes
    ]
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "member": code,
        "not_on_panel": NOT_ON_PANEL.in_(lang),
        "week": week.code,
        "week_label": week.label(lang),
        "opens": local_time(m, opens, lang),
        "closes": local_time(m, closes, lang),
        "is_open": opens <= now < closes,
        "not_yet": now < opens,
        "next_opens": local_time(m, window(m, next_week(week))[0], lang),
        "timezone": str(m.timezone),
        "currency": m.currency,
        "min_rate": value_text(m.min_rate, lang, 0),
        "max_rate": value_text(m.max_rate, lang, 0),
        "jump_pct": value_text(m.max_jump * 100, lang, 0),
        "containers": containers,
        "routes": routes,
        "quotes": own,
        **extra,
    }
    return templates_of(request).render(request, "indices/submit.html", context, status=status)


@router.get("/{lang}/indices/submit")
def submit_page(request: Request, lang: Lang, panelist: Panelist, db: Db, now: Now) -> Response:
    return _render(request, db, lang, now, panelist)


def _read_amounts(
    m: Methodology, form: FormData
) -> tuple[dict[str, str], list[service.QuoteIn], list[tuple[str, str]], list[Problem]]:
    """The amounts typed in the form: what was typed (to show again), the quotes, the cell of
    each quote, and the amounts that are not numbers."""
    typed: dict[str, str] = {}
    quotes: list[service.QuoteIn] = []
    cells: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for r in m.routes:
        for c in m.containers:
            name = field_name(r.code, c.code)
            raw = form.get(name)
            text = raw.strip() if isinstance(raw, str) else ""
            if not text:
                continue
            typed[name] = text
            try:
                amount = Decimal(text.replace(",", ""))
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite():
                problems.append(
                    Problem(
                        "not_a_number",
                        Message("运价不是数字。", "The amount is not a number."),
                        Location(field=f"{r.code} {c.code}"),
                        text,
                    )
                )
                continue
            quotes.append(service.QuoteIn(r.code, c.code, amount, m.currency))
            cells.append((r.code, c.code))
    return typed, quotes, cells, problems


def _located(problems: list[Problem], where: list[str]) -> list[Problem]:
    """Problems of ``quotes[i].field`` told by the cell or the file row they are about."""
    out = []
    for p in problems:
        field = p.location.field or ""
        found = _QUOTE_FIELD.match(field)
        if found and int(found[1]) < len(where):
            rest = field[found.end() :].lstrip(".")
            field = f"{where[int(found[1])]} {rest}".strip()
        out.append(Problem(p.code, p.message, Location(field=field), p.value, p.severity))
    return out


def _submit(
    request: Request,
    db: Database,
    lang: str,
    now: datetime,
    panelist: Principal,
    quotes: list[service.QuoteIn],
    where: list[str],
    source: str,
    amounts: dict[str, str] | None = None,
) -> Response:
    """Save the quotes for the week now and show the outcome."""
    m = service.methodology()
    week = week_of(m, now)
    with db.reading() as session:
        member = _member(session, panelist)
    if member is None:
        return _render(request, db, lang, now, panelist, status=409, error=NOT_ON_PANEL.in_(lang))
    try:
        with db.transaction(panelist.actor) as session:
            done = service.submit_quotes(
                session,
                session.merge(member),
                week,
                quotes,
                actor=panelist.actor,
                source=source,
                now=now,
            )
    except Conflict as exc:  # the window is not open
        return _render(
            request, db, lang, now, panelist, status=409, error=exc.in_(lang), amounts=amounts
        )
    except InvalidInput as exc:
        return _render(
            request,
            db,
            lang,
            now,
            panelist,
            status=422,
            error=exc.in_(lang),
            problems=problem_rows(_located(exc.problems, where), lang),
            amounts=amounts,
        )
    saved = Message(
        f"已保存{week.code}的{len(done.ids)}条报价。",
        f"{len(done.ids)} quote(s) for {week.code} saved.",
    )
    return _render(
        request,
        db,
        lang,
        now,
        panelist,
        saved=saved.in_(lang),
        warnings=problem_rows(_located(list(done.warnings), where), lang),
    )


@router.post("/{lang}/indices/submit", dependencies=[Csrf])
def submit_form(
    request: Request, lang: Lang, panelist: Panelist, db: Db, now: Now, form: Posted
) -> Response:
    m = service.methodology()
    typed, quotes, cells, problems = _read_amounts(m, form)
    if problems:
        return _render(
            request,
            db,
            lang,
            now,
            panelist,
            status=422,
            error=Message(
                f"报价有{len(problems)}处问题，均未保存。",
                f"The quotes have {len(problems)} problem(s); none was saved.",
            ).in_(lang),
            problems=problem_rows(problems, lang),
            amounts=typed,
        )
    where = [f"{route} {container}" for route, container in cells]
    return _submit(request, db, lang, now, panelist, quotes, where, "form", typed)


@router.post("/{lang}/indices/submit/upload", dependencies=[Csrf])
def submit_file(
    request: Request,
    lang: Lang,
    panelist: Panelist,
    db: Db,
    now: Now,
    settings: Config,
    file: UploadFile | None = None,
) -> Response:
    if file is None or not file.filename:
        missing = Message("请选择要上传的报价文件（CSV）。", "Choose a quote file (CSV) to upload.")
        return _render(request, db, lang, now, panelist, status=422, error=missing.in_(lang))
    name = Path(file.filename).name
    work = settings.data_dir / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            path = Path(tmp) / "quotes.csv"
            with path.open("wb") as out:
                shutil.copyfileobj(file.file, out)
            quotes = service.read_quote_csv(path, name=name)
    except InvalidInput as exc:
        return _render(
            request,
            db,
            lang,
            now,
            panelist,
            status=422,
            error=exc.in_(lang),
            problems=problem_rows(exc.problems, lang),
        )
    row = Message("第{n}行", "row {n}").in_(lang)
    where = [f"{name} {row.format(n=i + 2)}" for i in range(len(quotes))]
    return _submit(request, db, lang, now, panelist, quotes, where, "csv")


@router.post("/{lang}/indices/submit/quotes/{quote_id}/withdraw", dependencies=[Csrf])
def withdraw(
    request: Request, lang: Lang, quote_id: int, panelist: Panelist, db: Db, now: Now
) -> Response:
    with db.reading() as session:
        service.find_quote(session, quote_id)  # "not found" before "not on the panel"
        member = _member(session, panelist)
    if member is None:
        return _render(request, db, lang, now, panelist, status=409, error=NOT_ON_PANEL.in_(lang))
    try:
        with db.transaction(panelist.actor) as session:
            quote = service.withdraw_quote(session, session.merge(member), quote_id, now=now)
            done = Message(
                f"已撤回报价：{quote.route} {quote.container} {quote.amount}。",
                f"Quote withdrawn: {quote.route} {quote.container} {quote.amount}.",
            )
    except Conflict as exc:  # the window has closed
        return _render(request, db, lang, now, panelist, status=409, error=exc.in_(lang))
    return _render(request, db, lang, now, panelist, saved=done.in_(lang))
