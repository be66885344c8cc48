"""What the alerts pages share: their dependencies, the reader every page reads as, the tabs
under the page title, and how items, severities, times and problems are printed.

Every page asks ``readers.reader_for`` who is reading, through ``page_reader``: the pages
show exactly what the API would give the same person, and a restricted item is "not found"
for someone who may not read it (its existence is itself not public).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi import Depends, Request
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.alerts.bulletins import markdown_html
from silkhub.alerts.cap import Category, Severity
from silkhub.alerts.models import (
    CONFIDENTIALITY_NAMES,
    ITEM_KIND_NAMES,
    STATUS_NAMES,
    AlertItem,
    BulletinEntry,
    Confidentiality,
    ItemKind,
    ItemStatus,
)
from silkhub.alerts.readers import STAFF_ROLES, Reader, reader_for
from silkhub.core import countries as country_names
from silkhub.core.errors import Message, Problem, SilkhubError
from silkhub.core.formatting import format_number
from silkhub.stores.database import Database
from silkhub.web.i18n import LOCALES, request_language
from silkhub.web.security import app_db, check_form_csrf, require_roles, resolve_principal
from silkhub.web.templating import page_language

__all__ = [
    "HUB_ZONE",
    "TABS",
    "Csrf",
    "Db",
    "Lang",
    "Person",
    "Posted",
    "Staff",
    "codes_of",
    "country_text",
    "entry_counts",
    "field_errors",
    "form_data",
    "local_time",
    "markdown",
    "page_reader",
    "principal_or_none",
    "problem_rows",
    "severity_of",
    "summary",
    "tabs",
]

Lang = Annotated[str, Depends(page_language)]
Db = Annotated[Database, Depends(app_db)]
Csrf = Depends(check_form_csrf)
Person = Annotated[Principal, Depends(require_roles())]
#: The desk and the coverage page: editors and approvers (what each may do there is the
#: service's decision, shown on the page when it refuses).
Staff = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]

#: Times are shown in the hub's own time zone, as the editors and the bulletins count days.
HUB_ZONE = ZoneInfo("Asia/Shanghai")

#: Signed-in only, any role.
SIGNED_IN: tuple[Role, ...] = ()

#: The alerts pages' own tabs: (path after /{lang}, label, who: None for everyone, else the
#: roles of which one is needed, none meaning any signed-in person).
TABS: tuple[tuple[str, Message, tuple[Role, ...] | None], ...] = (
    ("/alerts", Message("风险提示", "Alerts"), None),
    ("/alerts/bulletins", Message("简报", "Bulletins"), None),
    ("/alerts/inbox", Message("收件箱", "Inbox"), SIGNED_IN),
    ("/alerts/subscriptions", Message("我的订阅", "Subscriptions"), SIGNED_IN),
    ("/alerts/desk", Message("编辑台", "Desk"), STAFF_ROLES),
    ("/alerts/coverage", Message("覆盖统计", "Coverage"), STAFF_ROLES),
)


def principal_or_none(request: Request) -> Principal | None:
    try:
        return resolve_principal(request)
    except SilkhubError:
        return None


def page_reader(request: Request, session: Session) -> Reader:
    """Who reads this page, as the confidentiality rules see them."""
    return reader_for(session, principal_or_none(request))


def tabs(request: Request) -> list[dict[str, Any]]:
    """The tabs this person sees, the one the page is under marked."""
    lang = request_language(request)
    principal = principal_or_none(request)
    here = request.url.path
    shown: list[dict[str, Any]] = []
    for path, label, roles in TABS:
        if roles is not None and (principal is None or (roles and not principal.has(*roles))):
            continue
        href = f"/{lang}{path}"
        shown.append({"href": href, "label": label.in_(lang), "current": False})
    under = [t for t in shown if here == t["href"] or here.startswith(t["href"] + "/")]
    if under:
        max(under, key=lambda t: len(t["href"]))["current"] = True
    return shown


async def form_data(request: Request) -> FormData:
    """The posted form (read once: the CSRF check has read it already)."""
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]


# --- printing ------------------------------------------------------------------------------

_PATTERNS = {"zh": "yyyy年M月d日 HH:mm", "en": "d MMM yyyy, HH:mm"}
_DAY_PATTERNS = {"zh": "yyyy年M月d日", "en": "d MMM yyyy"}


def local_time(at: datetime | str | None, lang: str, *, day: bool = False) -> str:
    """A moment in the hub's time zone as the reader's language writes it ("" for none)."""
    if at is None or at == "":
        return ""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    pattern = (_DAY_PATTERNS if day else _PATTERNS)[lang]
    return format_datetime(moment, pattern, tzinfo=HUB_ZONE, locale=LOCALES[lang])


def severity_of(code: str | None, lang: str) -> dict[str, str] | None:
    """A severity as the pages show it: its colour AND its word (never colour alone)."""
    if not code:
        return None
    level = Severity(code)
    return {"code": level.value, "label": level.label.in_(lang), "cap": level.cap}


def category_text(code: str | None, lang: str) -> str:
    return Category(code).label.in_(lang) if code else ""


def country_text(codes: Iterable[str], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    names = []
    for code in codes:
        try:
            names.append(country_names.get(code).name(lang))
        except SilkhubError:
            names.append(code)
    return sep.join(names)


def markdown(text: str | None) -> Markup:
    """An item's Markdown as HTML; ``markdown_html`` renders no raw HTML, so it is safe."""
    return Markup(markdown_html(text or ""))  # noqa: S704 - markdown-it escapes raw HTML


def summary(item: AlertItem, lang: str) -> dict[str, Any]:
    """An item as a list row."""
    return {
        "uid": item.uid,
        "kind": item.kind,
        "kind_label": ITEM_KIND_NAMES[ItemKind(item.kind)].in_(lang),
        "status": item.status,
        "status_label": STATUS_NAMES[ItemStatus(item.status)].in_(lang),
        "title": item.title_en if lang == "en" else item.title_zh,
        "countries": country_text(item.countries.split(), lang),
        "category": category_text(item.category, lang),
        "severity": severity_of(item.severity, lang),
        "confidentiality": item.confidentiality,
        "confidentiality_label": CONFIDENTIALITY_NAMES[Confidentiality(item.confidentiality)].in_(
            lang
        ),
        "symbol": item.symbol,
        "published": local_time(item.published_at, lang),
        "publish_at": local_time(item.publish_at, lang),
        "updated": local_time(item.updated_at, lang),
        "demo": item.demo,
        "cancelled": item.status == ItemStatus.CANCELLED.value,
    }


def entry_counts(session: Session, bulletin_ids: Iterable[int]) -> dict[int, int]:
    """How many items each bulletin carries, counted in one query: loading every issue's
    entries (each with its item) to count them took most of the archive's time."""
    ids = list(bulletin_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(BulletinEntry.bulletin_id, func.count())
        .where(BulletinEntry.bulletin_id.in_(ids))
        .group_by(BulletinEntry.bulletin_id)
    ).all()
    return {int(bulletin_id): int(count) for bulletin_id, count in rows}


def problem_rows(problems: Sequence[Problem], lang: str) -> list[dict[str, str]]:
    """Problems as the table of an upload's report: file, row, field, message."""
    return [
        {
            "file": p.location.file or "",
            "row": "" if p.location.row is None else str(p.location.row),
            "field": p.location.field or p.location.column or "",
            "message": p.message.in_(lang),
            "value": "" if p.value is None else str(p.value),
        }
        for p in problems
    ]


def field_errors(problems: Sequence[Problem], lang: str) -> dict[str, list[str]]:
    """Each problem's message under the form field it is about: ``countries[2]`` and
    ``title.en`` belong to the fields ``countries`` and ``title_en``."""
    found: dict[str, list[str]] = {}
    for p in problems:
        name = (p.location.field or "").split("[", 1)[0].replace(".", "_")
        text = p.message.in_(lang)
        if p.value not in (None, "") and str(p.value) not in text:
            text = f"{text} ({p.value})"
        found.setdefault(name, []).append(text)
    return found


def codes_of(form: FormData | Mapping[str, Any], name: str) -> list[str]:
    """Every value of a field sent several times (check boxes), without empty ones."""
    values: list[Any]
    if isinstance(form, FormData):
        values = list(form.getlist(name))
    else:
        raw = form.get(name)
        values = raw if isinstance(raw, list) else [raw]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def file_size(size: int, lang: str) -> str:
    """A file's size as people read it: "12.3 KB", "1.2 MB"."""
    if size >= 1024 * 1024:
        return f"{format_number(size / 1024 / 1024, lang, 1)} MB"
    return f"{format_number(max(size, 1) / 1024, lang, 1)} KB"


def attachment_rows(uid: str, content: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    """The files a version lists, each with its download address (which checks who reads)."""
    return [
        {
            "href": f"/api/alerts/items/{uid}/attachments/{a['id']}",
            "filename": a.get("filename") or "",
            "media_type": a.get("media_type") or "",
            "size": file_size(int(a.get("size") or 0), lang),
        }
        for a in content.get("attachments") or []
    ]
