"""An item as the outside world receives it: its CAP 1.2 document and Atom feeds (the public
feed, and each person's private one).

CAP identifiers: a message per published version. The first is the item's uid; later versions
are ``<uid>.<n>`` and reference every earlier published version (CAP ``references``), so a
receiver can follow an update or a cancellation back to the alert it changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.alerts.cap import CapArea, CapInfo, CapMessage, Category, Severity, cap_document
from silkhub.alerts.models import (
    AlertItem,
    AlertVersion,
    Confidentiality,
    Delivery,
    ItemKind,
    ItemStatus,
)
from silkhub.alerts.readers import PUBLIC, Reader
from silkhub.core import countries as country_names
from silkhub.core.errors import Message, NotFound

EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
RESTRICTIONS = {
    Confidentiality.REGISTERED.value: "Registered organisations of the hub only",
    Confidentiality.GOVERNMENT.value: "Government departments only",
}


def sender_of(base_url: str) -> str:
    """CAP's sender: an address-like identifier of this hub (no spaces, commas or '<&')."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"alerts@{host}"


def cap_identifier(uid: str, number: int) -> str:
    return uid if number == 1 else f"{uid}.{number}"


def _published(item: AlertItem) -> list[AlertVersion]:
    return [v for v in item.versions if v.published_at is not None]


def cap_message(item: AlertItem, version: AlertVersion, base_url: str) -> CapMessage:
    if item.kind != ItemKind.ALERT.value:
        raise NotFound(
            Message("只有风险提示有 CAP 文档。", "Only risk alerts have a CAP document."),
            code="no_cap",
        )
    if version.published_at is None:
        raise NotFound(Message("此版本尚未发布。", "This version is not published."), code="no_cap")
    sender = sender_of(base_url)
    content = version.content
    earlier = [v for v in _published(item) if v.number < version.number]
    refs = [
        (sender, cap_identifier(item.uid, v.number), v.published_at)
        for v in earlier
        if v.published_at is not None
    ]
    web = f"{base_url.rstrip('/')}/en/alerts/{item.uid}"
    infos = []
    codes = item.countries.split()
    for lang, cap_lang, sender_name in (
        ("zh", "zh-CN", "丝路枢纽综合服务中心"),
        ("en", "en-US", "silkhub service centre"),
    ):
        title = content["title"].get(lang) or content["title"].get("zh") or ""
        infos.append(
            CapInfo(
                language=cap_lang,
                category=Category(content.get("category") or "other"),
                event=Category(content.get("category") or "other").label.in_(lang),
                urgency=content.get("urgency") or "Unknown",
                severity=Severity(content.get("severity") or "blue"),
                certainty=content.get("certainty") or "Unknown",
                headline=title,
                description=content["body"].get(lang) or content["body"].get("zh") or "",
                instruction=(content.get("advice") or {}).get(lang) or "",
                sender_name=sender_name,
                areas=[CapArea(country_names.get(code).name(lang), code) for code in codes],
                effective=_moment(content.get("valid_from")),
                expires=_moment(content.get("valid_until")),
                web=web if lang == "en" else web.replace("/en/", "/zh/"),
            )
        )
    scope = "Public" if item.confidentiality == Confidentiality.PUBLIC.value else "Restricted"
    return CapMessage(
        identifier=cap_identifier(item.uid, version.number),
        sender=sender,
        sent=version.published_at,
        msg_type=version.msg_type,
        scope=scope,
        restriction=RESTRICTIONS.get(item.confidentiality),
        references=refs,
        note=version.note if version.msg_type == "Cancel" else None,
        infos=infos,
    )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def cap_xml(item: AlertItem, version: AlertVersion, base_url: str) -> bytes:
    return cap_document(cap_message(item, version, base_url))


# --- feeds ---------------------------------------------------------------------------------


def published_alerts(session: Session, reader: Reader, limit: int = 100) -> list[AlertItem]:
    """Alerts ``reader`` may read, newest publication first (cancelled ones included: the
    cancellation is news too)."""
    allowed = [c.value for c in Confidentiality if reader.may_read(c.value) and not reader.staff]
    if reader.staff:
        allowed = [c.value for c in Confidentiality]
    query = (
        select(AlertItem)
        .where(
            AlertItem.published_version.is_not(None),
            AlertItem.status.in_([ItemStatus.PUBLISHED.value, ItemStatus.CANCELLED.value]),
            AlertItem.confidentiality.in_(allowed),
        )
        .order_by(AlertItem.updated_at.desc(), AlertItem.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


ATOM = "http://www.w3.org/2005/Atom"


class _Atom:
    """A small RFC 4287 writer on lxml. Not feedgen (used for the index releases): feedgen
    1.0.0 drops ``rel`` and ``type`` from entry links (lkiesow/python-feedgen#135, open), and
    every alert entry needs ``rel="alternate" type="application/cap+xml"``."""

    def __init__(self, title: str, feed_id: str, self_href: str, alternate: str, lang: str) -> None:
        self.root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
        self.root.set(
            "{http://www.w3.org/XML/1998/namespace}lang", "en" if lang == "en" else "zh-CN"
        )
        self._text(self.root, "id", feed_id)
        self._text(self.root, "title", title)
        self.updated = self._text(self.root, "updated", EPOCH.isoformat())
        author = etree.SubElement(self.root, f"{{{ATOM}}}author")
        self._text(author, "name", "silkhub")
        self._link(self.root, self_href, "self", "application/atom+xml")
        self._link(self.root, alternate, "alternate", "text/html")

    @staticmethod
    def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ATOM}}}{tag}")
        element.text = text
        return element

    @staticmethod
    def _link(parent: etree._Element, href: str, rel: str, media_type: str) -> None:
        etree.SubElement(parent, f"{{{ATOM}}}link", href=href, rel=rel, type=media_type)

    def entry(
        self,
        entry_id: str,
        title: str,
        links: Sequence[tuple[str, str]],
        published: datetime,
        updated: datetime,
        summary: str,
        category: str | None,
    ) -> None:
        entry = etree.SubElement(self.root, f"{{{ATOM}}}entry")
        self._text(entry, "id", entry_id)
        self._text(entry, "title", title)
        self._text(entry, "published", published.astimezone(UTC).isoformat())
        self._text(entry, "updated", updated.astimezone(UTC).isoformat())
        for href, media_type in links:
            self._link(entry, href, "alternate", media_type)
        self._text(entry, "summary", summary)
        if category:
            etree.SubElement(entry, f"{{{ATOM}}}category", term=category)

    def bytes(self, updated: datetime) -> bytes:
        self.updated.text = updated.astimezone(UTC).isoformat()
        data: bytes = etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
        return data


def _add_entries(feed: _Atom, items: Iterable[AlertItem], base: str, lang: str) -> None:
    for item in items:
        version = next(v for v in item.versions if v.number == item.published_version)
        content = version.content
        cancelled = version.msg_type == "Cancel"
        prefix = ("[Cancelled] " if lang == "en" else "[撤销] ") if cancelled else ""
        links = [(f"{base}/{lang}/alerts/{item.uid}", "text/html")]
        if item.kind == ItemKind.ALERT.value:
            links.append(
                (
                    f"{base}/api/alerts/items/{item.uid}/cap.xml?version={version.number}",
                    "application/cap+xml",
                )
            )
        published = item.published_at or version.published_at or EPOCH
        feed.entry(
            f"{base}/alerts/{cap_identifier(item.uid, version.number)}",
            prefix + (content["title"].get(lang) or content["title"].get("zh") or ""),
            links,
            published,
            version.published_at or published,
            content["body"].get(lang) or content["body"].get("zh") or "",
            item.category,
        )


def public_feed(session: Session, base_url: str, lang: str) -> bytes:
    """``/feeds/alerts.atom``: public alerts only, whoever asks (a feed is cached and
    forwarded, so it is never personalised)."""
    base = base_url.rstrip("/")
    items = published_alerts(session, PUBLIC)
    feed = _Atom(
        "风险提示" if lang != "en" else "Risk alerts",
        f"{base}/feeds/alerts.atom",
        f"{base}/feeds/alerts.atom",
        f"{base}/{lang}/alerts",
        lang,
    )
    _add_entries(feed, items, base, lang)
    return feed.bytes(max((i.updated_at for i in items), default=EPOCH))


def private_feed(
    session: Session, user_id: int, reader: Reader, base_url: str, lang: str, token: str
) -> bytes:
    """A person's feed: the items delivered to them (their inbox), newest first."""
    base = base_url.rstrip("/")
    ids = select(Delivery.item_id).where(Delivery.user_id == user_id, Delivery.item_id.is_not(None))
    items: Sequence[AlertItem] = [
        i
        for i in session.scalars(
            select(AlertItem)
            .where(AlertItem.id.in_(ids))
            .order_by(AlertItem.updated_at.desc())
            .limit(200)
        )
        if reader.may_read(i.confidentiality) and i.published_version is not None
    ]
    feed = _Atom(
        "我的风险提示" if lang != "en" else "My alerts",
        f"{base}/feeds/private/{user_id}",
        f"{base}/feeds/private/{token}.atom",
        f"{base}/{lang}/alerts/inbox",
        lang,
    )
    _add_entries(feed, items, base, lang)
    return feed.bytes(max((i.updated_at for i in items), default=EPOCH))
