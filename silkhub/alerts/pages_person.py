"""A signed-in person's alerts pages: the inbox (``/{lang}/alerts/inbox``), where opening an
entry is its read receipt, and the subscriptions page (``/{lang}/alerts/subscriptions``):
delivery preferences, subscriptions, the private feed's address.

Every form is a plain POST with the CSRF token, answered with the page again (or, opening an
inbox entry, a redirect to what it delivered); the services' problems are shown next to the
fields they name, in the reader's language.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from silkhub.accounts.service import Principal
from silkhub.alerts import audience, deliveries, inbox
from silkhub.alerts.cap import Category, Severity
from silkhub.alerts.models import ITEM_KIND_NAMES, BulletinSeries, Channel, ItemKind
from silkhub.alerts.pages_common import (
    Csrf,
    Db,
    Lang,
    Person,
    Posted,
    codes_of,
    country_text,
    field_errors,
    local_time,
    page_reader,
    severity_of,
    tabs,
    text_of,
)
from silkhub.core import groups as country_groups
from silkhub.core.errors import InvalidInput, Message, NotFound, SilkhubError
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

INBOX_SIZE = 100
_LIST = re.compile(r"[,，;；、\n]+")

_CHANNELS = {
    Channel.EMAIL.value: Message("电子邮件", "E-mail"),
    Channel.WEBHOOK.value: Message("Webhook", "Webhook"),
    Channel.INBOX.value: Message("门户收件箱", "Portal inbox"),
}


# --- the inbox -------------------------------------------------------------------------------


@router.get("/{lang}/alerts/inbox")
def inbox_page(request: Request, lang: Lang, person: Person, db: Db) -> Response:
    with db.reading() as session:
        found = inbox.entries(session, person, limit=INBOX_SIZE)
    rows = [
        {
            **e.to_dict(lang),
            "when": local_time(e.delivered_at, lang),
            "read_when": local_time(e.read_at, lang),
            "severity": severity_of(e.severity, lang),
        }
        for e in found
    ]
    # Unread first, each group newest first (``entries`` gives newest first; sorting is stable).
    rows.sort(key=lambda r: r["read"])
    context = {
        "tabs": tabs(request),
        "rows": rows,
        "unread": sum(1 for r in rows if not r["read"]),
    }
    return templates_of(request).render(request, "alerts/inbox.html", context)


@router.post("/{lang}/alerts/inbox/{delivery_id}/open", dependencies=[Csrf])
def open_entry(request: Request, lang: Lang, person: Person, db: Db, delivery_id: int) -> Response:
    """Mark the entry read (the read receipt; the first reading counts) and go to it."""
    with db.transaction(person.actor) as session:
        found = inbox.entry(session, person, delivery_id)
        if found is None:
            raise NotFound(Message("收件箱中没有这一条。", "No such entry in your inbox."))
        deliveries.mark_read(session, delivery_id, person.user_id)
    return RedirectResponse(f"/{lang}/{found.link}", status_code=303)


# --- subscriptions ---------------------------------------------------------------------------


def _series(db: Database, request: Request, lang: str) -> list[tuple[str, str]]:
    """The bulletin series this person may read (a restricted series' name is not public)."""
    with db.reading() as session:
        reader = page_reader(request, session)
        rows = session.scalars(select(BulletinSeries).order_by(BulletinSeries.code)).all()
        return [
            (s.code, s.name_en if lang == "en" else s.name_zh)
            for s in rows
            if reader.may_read(s.confidentiality)
        ]


def _subscription_rows(db: Database, person: Principal, lang: str) -> list[dict[str, Any]]:
    sep = "、" if lang == "zh" else ", "
    with db.reading() as session:
        rows = audience.subscriptions_of(session, person.user_id)
        out = []
        for s in rows:
            groups = []
            for code in s.groups.split():
                try:
                    groups.append(country_groups.group(code).name(lang))
                except SilkhubError:
                    groups.append(code)
            out.append(
                {
                    "id": s.id,
                    "kinds": sep.join(
                        ITEM_KIND_NAMES[ItemKind(k)].in_(lang) for k in s.kinds.split()
                    ),
                    "countries": country_text(s.countries.split(), lang),
                    "groups": sep.join(groups),
                    "categories": sep.join(
                        Category(c).label.in_(lang) for c in s.categories.split()
                    ),
                    "min_severity": severity_of(s.min_severity, lang),
                    "hs_prefixes": " ".join(s.hs_prefixes.split()),
                    "series": " ".join(s.series.split()),
                }
            )
    return out


def _render(
    request: Request,
    db: Database,
    lang: str,
    person: Principal,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    with db.transaction(person.actor) as session:
        sub = audience.subscriber_of(session, person.user_id)
        prefs = {
            "channels": sub.channels.split(),
            "language": sub.language,
            "digest": sub.digest,
            "digest_hour": sub.digest_hour,
            "webhook_url": sub.webhook_url or "",
            "email_unsubscribed": sub.email_unsubscribed_at is not None,
            "private_feed": sub.feed_token_hash is not None,
        }
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "prefs": prefs,
        "channels": [(c, label.in_(lang)) for c, label in _CHANNELS.items()],
        "hours": list(range(24)),
        "subscriptions": _subscription_rows(db, person, lang),
        "kinds": [(k.value, ITEM_KIND_NAMES[k].in_(lang)) for k in ItemKind],
        "categories": [(c.value, c.label.in_(lang)) for c in Category],
        "severities": [(s.value, s.label.in_(lang)) for s in Severity],
        "groups": [(g.code, g.name(lang)) for g in country_groups.groups()],
        "series": _series(db, request, lang),
        "pref_errors": {},
        "sub_errors": {},
        "sub_form": {},
        **extra,
    }
    return templates_of(request).render(
        request, "alerts/subscriptions.html", context, status=status
    )


@router.get("/{lang}/alerts/subscriptions")
def subscriptions_page(request: Request, lang: Lang, person: Person, db: Db) -> Response:
    return _render(request, db, lang, person)


@router.post("/{lang}/alerts/subscriptions/preferences", dependencies=[Csrf])
def save_preferences(
    request: Request, lang: Lang, person: Person, db: Db, form: Posted
) -> Response:
    data: dict[str, Any] = {
        "channels": codes_of(form, "channels"),
        "language": text_of(form, "language"),
        "digest": text_of(form, "digest") == "on",
        "digest_hour": text_of(form, "digest_hour"),
        "webhook_url": text_of(form, "webhook_url"),
    }
    try:
        with db.transaction(person.actor) as session:
            before = audience.subscriber_of(session, person.user_id).webhook_secret
            sub = audience.set_preferences(session, person.user_id, data)
            # A new receiver gets a new secret: shown this once, as an API token is.
            secret = sub.webhook_secret if sub.webhook_secret != before else None
    except InvalidInput as exc:
        return _render(
            request,
            db,
            lang,
            person,
            status=exc.status,
            pref_error=exc.in_(lang),
            pref_errors=field_errors(exc.problems, lang),
        )
    done = Message("已保存推送设置。", "Your delivery preferences are saved.")
    return _render(request, db, lang, person, done=done.in_(lang), webhook_secret=secret)


@router.post("/{lang}/alerts/subscriptions", dependencies=[Csrf])
def add_subscription(
    request: Request, lang: Lang, person: Person, db: Db, form: Posted
) -> Response:
    data: dict[str, Any] = {
        "kinds": codes_of(form, "kinds"),
        # Names may hold spaces ("United Kingdom"): split on commas and the like only.
        "countries": [c.strip() for c in _LIST.split(text_of(form, "countries")) if c.strip()],
        "groups": codes_of(form, "groups"),
        "categories": codes_of(form, "categories"),
        "min_severity": text_of(form, "min_severity") or None,
        "hs_prefixes": [p for c in _LIST.split(text_of(form, "hs_prefixes")) for p in c.split()],
        "series": codes_of(form, "series"),
    }
    try:
        with db.transaction(person.actor) as session:
            audience.subscribe(session, person.user_id, data)
    except InvalidInput as exc:
        return _render(
            request,
            db,
            lang,
            person,
            status=exc.status,
            sub_error=exc.in_(lang),
            sub_errors=field_errors(exc.problems, lang),
            sub_form=data,
        )
    done = Message("已添加订阅。", "Subscription added.")
    return _render(request, db, lang, person, done=done.in_(lang))


@router.post("/{lang}/alerts/subscriptions/{subscription_id}/remove", dependencies=[Csrf])
def remove_subscription(
    request: Request, lang: Lang, person: Person, db: Db, subscription_id: int
) -> Response:
    with db.transaction(person.actor) as session:
        audience.remove_subscription(session, person.user_id, subscription_id)
    done = Message("已取消该订阅。", "Subscription removed.")
    return _render(request, db, lang, person, done=done.in_(lang))


@router.post("/{lang}/alerts/subscriptions/feed", dependencies=[Csrf])
def new_feed(request: Request, lang: Lang, person: Person, db: Db) -> Response:
    settings: Settings = request.app.state.settings
    with db.transaction(person.actor) as session:
        token = audience.issue_feed_token(session, person.user_id)
    # The secret is stored hashed: this answer is the only time the address can be shown.
    url = f"{settings.base_url.rstrip('/')}/feeds/private/{token}.atom"
    done = Message(
        "已生成新的私人订阅源地址，旧地址即时失效。",
        "A new private feed address is made; the old one no longer works.",
    )
    return _render(request, db, lang, person, done=done.in_(lang), feed_url=url)


@router.post("/{lang}/alerts/subscriptions/feed/revoke", dependencies=[Csrf])
def revoke_feed(request: Request, lang: Lang, person: Person, db: Db) -> Response:
    with db.transaction(person.actor) as session:
        audience.revoke_feed_token(session, person.user_id)
    done = Message("私人订阅源地址已撤销。", "Your private feed address is revoked.")
    return _render(request, db, lang, person, done=done.in_(lang))
