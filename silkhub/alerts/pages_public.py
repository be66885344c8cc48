"""The alerts' public pages: the list of items with its filters (``/{lang}/alerts``), one item
with its versions (``/{lang}/alerts/{uid}``), the bulletins' archive and one bulletin.

Each reads as the person asking (``pages_common.page_reader``): the public sees public items,
people of registered organisations also the registered-only ones, people of government
departments everything published. Staff read the list and the archive as a department
would (what has gone out, whatever its confidentiality): their drafts are on the desk.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from silkhub.alerts import bulletins, service
from silkhub.alerts.cap import Category, Severity
from silkhub.alerts.models import (
    CONFIDENTIALITY_NAMES,
    ITEM_KIND_NAMES,
    STATUS_NAMES,
    AlertItem,
    Bulletin,
    Confidentiality,
    ItemKind,
    ItemStatus,
)
from silkhub.alerts.pages_common import (
    Db,
    Lang,
    attachment_rows,
    category_text,
    country_text,
    entry_counts,
    local_time,
    markdown,
    page_reader,
    severity_of,
    summary,
    tabs,
)
from silkhub.alerts.readers import Reader
from silkhub.alerts.schemas import CERTAINTY_NAMES, URGENCY_NAMES
from silkhub.core import countries as country_names
from silkhub.core import groups as country_groups
from silkhub.core.errors import Message, NotFound, SilkhubError
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
FEED = "/feeds/alerts.atom"

#: The facets whose change a version's row names, in this order.
_FACETS: tuple[tuple[str, Message], ...] = (
    ("title", Message("标题", "title")),
    ("body", Message("正文", "text")),
    ("advice", Message("建议", "advice")),
    ("countries", Message("国家", "countries")),
    ("groups", Message("国家组", "country groups")),
    ("category", Message("类别", "category")),
    ("severity", Message("级别", "severity")),
    ("urgency", Message("紧迫性", "urgency")),
    ("certainty", Message("确定性", "certainty")),
    ("valid_from", Message("生效时间", "valid from")),
    ("valid_until", Message("失效时间", "valid until")),
    ("hs_codes", Message("HS 编码", "HS codes")),
    ("sources", Message("来源", "sources")),
    ("notice", Message("通报信息", "notification facts")),
    ("confidentiality", Message("保密级别", "confidentiality")),
    ("target_lists", Message("目标名单", "target lists")),
)


def _published_reader(reader: Reader) -> Reader:
    """Staff see everything that went out on the public pages, not their drafts."""
    if not reader.staff:
        return reader
    return Reader(Confidentiality.GOVERNMENT, user_id=reader.user_id)


def _choices(lang: str) -> dict[str, Any]:
    return {
        "kinds": [(k.value, ITEM_KIND_NAMES[k].in_(lang)) for k in ItemKind],
        "categories": [(c.value, c.label.in_(lang)) for c in Category],
        "severities": [(s.value, s.label.in_(lang)) for s in Severity],
    }


@router.get("/{lang}/alerts")
def list_page(
    request: Request,
    lang: Lang,
    db: Db,
    kind: str = "",
    country: str = "",
    category: str = "",
    severity: str = "",
    hs: str = "",
    q: str = "",
    page: int = 1,
) -> Response:
    errors: dict[str, list[str]] = {}
    choices = _choices(lang)
    # Unknown codes are told next to their field and left out, rather than answering nothing.
    kind = kind if kind in {k for k, _ in choices["kinds"]} else ""
    category = category if category in {c for c, _ in choices["categories"]} else ""
    severity = severity if severity in {s for s, _ in choices["severities"]} else ""
    code = ""
    if country.strip():
        found = country_names.try_resolve(country.strip())
        if found is None:
            errors["country"] = [
                Message(
                    f"无法识别国家“{country.strip()}”。", f"Unknown country {country.strip()!r}."
                ).in_(lang)
            ]
        else:
            code = found.alpha2
    prefix = hs.strip().replace(".", "")
    if prefix and not (prefix.isdigit() and 2 <= len(prefix) <= 10):
        wrong = Message("HS 编码前缀为 2 至 10 位数字。", "An HS prefix has 2 to 10 digits.")
        errors["hs"] = [wrong.in_(lang)]
        prefix = ""
    page = max(page, 1)
    with db.reading() as session:
        reader = _published_reader(page_reader(request, session))
        items, total = service.list_items(
            session,
            reader,
            kind=kind or None,
            country=code or None,
            category=category or None,
            severity=severity or None,
            hs=prefix or None,
            q=q.strip() or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        rows = [summary(i, lang) for i in items]
    pages = max(1, -(-total // PAGE_SIZE))
    query = {
        k: v
        for k, v in (
            ("kind", kind),
            ("country", country.strip()),
            ("category", category),
            ("severity", severity),
            ("hs", hs.strip()),
            ("q", q.strip()),
        )
        if v
    }
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "query": query,
        "filters": {
            "kind": kind,
            "country": country.strip(),
            "category": category,
            "severity": severity,
            "hs": hs.strip(),
            "q": q.strip(),
        },
        "errors": errors,
        "feed": FEED,
        **choices,
    }
    return templates_of(request).render(request, "alerts/list.html", context)


# --- the bulletins -------------------------------------------------------------------------


def _bulletin_row(b: Bulletin, lang: str, count: int) -> dict[str, Any]:
    return {
        "series": b.series.code,
        "number": b.number,
        "title": b.title_en if lang == "en" else b.title_zh,
        "period": f"{local_time(b.period_from, lang, day=True)} – "
        f"{local_time(b.period_to, lang, day=True)}",
        "published": local_time(b.published_at, lang),
        "status": b.status,
        "status_label": STATUS_NAMES[ItemStatus(b.status)].in_(lang),
        "count": count,
        "href": f"/{lang}/alerts/bulletins/{b.series.code}/{b.number}",
    }


@router.get("/{lang}/alerts/bulletins")
def bulletins_page(request: Request, lang: Lang, db: Db, series: str = "") -> Response:
    with db.reading() as session:
        reader = page_reader(request, session)
        found = bulletins.list_bulletins(session, reader)
        counts = entry_counts(session, (b.id for b in found))
        groups: dict[str, dict[str, Any]] = {}
        for b in found:
            s = b.series
            group = groups.setdefault(
                s.code,
                {
                    "code": s.code,
                    "name": s.name_en if lang == "en" else s.name_zh,
                    "confidentiality": CONFIDENTIALITY_NAMES[
                        Confidentiality(s.confidentiality)
                    ].in_(lang),
                    "demo": s.demo,
                    "bulletins": [],
                },
            )
            group["bulletins"].append(_bulletin_row(b, lang, counts.get(b.id, 0)))
    shown = sorted(groups.values(), key=lambda g: g["code"])
    context = {
        "tabs": tabs(request),
        "series": shown,
        "chosen": series if series in groups else "",
    }
    return templates_of(request).render(request, "alerts/bulletins.html", context)


@router.get("/{lang}/alerts/bulletins/{series}/{number}")
def bulletin_page(request: Request, lang: Lang, db: Db, series: str, number: int) -> Response:
    with db.reading() as session:
        b = bulletins.get_bulletin(session, series, number, page_reader(request, session))
        context = {
            "tabs": tabs(request),
            "bulletin": _bulletin_row(b, lang, len(b.entries)),
            # to_html escapes every text and renders Markdown without raw HTML.
            "html": Markup(bulletins.to_html(b, lang)),  # noqa: S704
            "pdf": f"/api/alerts/bulletins/{series}/{number}?format=pdf&lang={lang}",
            "series_name": b.series.name_en if lang == "en" else b.series.name_zh,
            "demo": b.series.demo,
        }
    return templates_of(request).render(request, "alerts/bulletin.html", context)


# --- one item ------------------------------------------------------------------------------


def _changes(before: dict[str, Any] | None, after: dict[str, Any], lang: str) -> str:
    """What a version changed from the one before it, named by facet."""
    if before is None:
        return ""
    changed = [label.in_(lang) for key, label in _FACETS if before.get(key) != after.get(key)]
    sep = "、" if lang == "zh" else ", "
    return sep.join(changed)


_MSG_TYPES = {
    "Alert": Message("首次发布", "First issue"),
    "Update": Message("更新", "Update"),
    "Cancel": Message("撤销", "Cancellation"),
}


def _versions(session: Session, uid: str, reader: Reader, lang: str) -> list[dict[str, Any]]:
    rows = []
    before: dict[str, Any] | None = None
    for v in service.versions_of(session, uid, reader):
        rows.append(
            {
                "number": v.number,
                "msg_type": _MSG_TYPES.get(v.msg_type, Message(v.msg_type, v.msg_type)).in_(lang),
                "cancel": v.msg_type == "Cancel",
                "published": local_time(v.published_at, lang),
                "created": local_time(v.created_at, lang),
                "changed": _changes(before, v.content, lang),
                "note": v.note or "",
                "cap": v.published_at is not None,
            }
        )
        before = v.content
    return rows


def _cap_name(names: dict[str, Message], code: str | None, lang: str) -> str:
    """A CAP code's word in the reader's language (a code unknown to silkhub as it is)."""
    if not code:
        return ""
    return names[code].in_(lang) if code in names else code


def _bi(content: dict[str, Any], key: str, lang: str) -> str:
    text = content.get(key) or {}
    other = "zh" if lang == "en" else "en"
    return str(text.get(lang) or text.get(other) or "") if isinstance(text, dict) else ""


def _original(session: Session, item: AlertItem, reader: Reader) -> dict[str, str] | None:
    """The notification an addendum (corrigendum, revision) belongs to, if the reader may
    read it."""
    if item.original_id is None:
        return None
    original = session.get(AlertItem, item.original_id)
    if original is None:
        return None
    try:
        service.get_item(session, original.uid, reader)
    except NotFound:
        return None
    return {"uid": original.uid, "symbol": original.symbol or original.uid}


def _item_context(
    session: Session, view: service.ItemView, reader: Reader, lang: str
) -> dict[str, Any]:
    item, version = view.item, view.version
    content: dict[str, Any] = version.content
    notice = content.get("notice")
    groups = []
    for code in content.get("groups") or []:
        try:
            groups.append(country_groups.group(code).name(lang))
        except SilkhubError:
            groups.append(code)
    return {
        **summary(item, lang),
        "title": _bi(content, "title", lang),
        "body": markdown(_bi(content, "body", lang)),
        "advice": markdown(_bi(content, "advice", lang)) if _bi(content, "advice", lang) else "",
        "countries": country_text(content.get("countries") or [], lang),
        "groups": ("、" if lang == "zh" else ", ").join(groups),
        "category": category_text(content.get("category"), lang),
        "severity": severity_of(content.get("severity"), lang),
        "urgency": _cap_name(URGENCY_NAMES, content.get("urgency"), lang),
        "certainty": _cap_name(CERTAINTY_NAMES, content.get("certainty"), lang),
        "valid_from": local_time(content.get("valid_from"), lang),
        "valid_until": local_time(content.get("valid_until"), lang),
        "hs_codes": content.get("hs_codes") or [],
        "sources": content.get("sources") or [],
        "attachments": attachment_rows(item.uid, content, lang),
        "notice": notice,
        "notice_dates": {
            k: local_time(notice.get(k), lang, day=True)
            for k in ("comment_deadline", "proposed_adoption", "entry_into_force")
        }
        if notice
        else {},
        "original": _original(session, item, reader),
        "version": version.number,
        "version_published": version.published_at is not None,
        "cap": (
            f"/api/alerts/items/{item.uid}/cap.xml?version={version.number}"
            if item.kind == ItemKind.ALERT.value and version.published_at is not None
            else None
        ),
        "cancel_reason": version.note if version.msg_type == "Cancel" else None,
    }


@router.get("/{lang}/alerts/{uid}")
def item_page(request: Request, lang: Lang, db: Db, uid: str) -> Response:
    with db.reading() as session:
        reader = page_reader(request, session)
        view = service.get_item(session, uid, reader)
        context = {
            "tabs": tabs(request),
            "item": _item_context(session, view, reader, lang),
            "versions": _versions(session, uid, reader, lang),
            "staff": reader.staff,
        }
    return templates_of(request).render(request, "alerts/item.html", context)
