"""A person's portal inbox: what was delivered to them on the inbox channel, newest first,
with whether they have read it (reading it is the read receipt)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.accounts.service import Principal
from silkhub.alerts.models import AlertItem, Bulletin, Channel, Delivery
from silkhub.alerts.readers import reader_for


@dataclass(frozen=True)
class InboxEntry:
    delivery_id: int
    delivered_at: datetime
    read_at: datetime | None
    kind: str  # "item" or "bulletin"
    title_zh: str
    title_en: str
    link: str  # without the language prefix: "alerts/SH-ALERT-2020-00001"
    severity: str | None
    version: int | None

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "delivered_at": self.delivered_at,
            "read": self.read_at is not None,
            "read_at": self.read_at,
            "kind": self.kind,
            "title": self.title_en if lang == "en" else self.title_zh,
            "severity": self.severity,
            "version": self.version,
            "link": f"/{lang}/{self.link}",
        }


def entries(
    session: Session, user: Principal, *, limit: int = 50, unread_only: bool = False
) -> list[InboxEntry]:
    reader = reader_for(session, user)
    query = (
        select(Delivery, AlertItem, Bulletin)
        .join(AlertItem, AlertItem.id == Delivery.item_id, isouter=True)
        .join(Bulletin, Bulletin.id == Delivery.bulletin_id, isouter=True)
        .where(Delivery.user_id == user.user_id, Delivery.channel == Channel.INBOX.value)
        .order_by(Delivery.queued_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(Delivery.read_at.is_(None))
    found: list[InboxEntry] = []
    for delivery, item, bulletin in session.execute(query).all():
        if item is not None:
            # Confidentiality is checked again at reading: a person who moved to another
            # organisation no longer reads what their old one could.
            if not reader.may_read(item.confidentiality):
                continue
            found.append(
                InboxEntry(
                    delivery.id,
                    delivery.queued_at,
                    delivery.read_at,
                    "item",
                    item.title_zh,
                    item.title_en,
                    f"alerts/{item.uid}",
                    item.severity,
                    delivery.item_version,
                )
            )
        elif bulletin is not None:
            if not reader.may_read(bulletin.series.confidentiality):
                continue
            found.append(
                InboxEntry(
                    delivery.id,
                    delivery.queued_at,
                    delivery.read_at,
                    "bulletin",
                    bulletin.title_zh,
                    bulletin.title_en,
                    f"alerts/bulletins/{bulletin.series.code}/{bulletin.number}",
                    None,
                    None,
                )
            )
    return found


def entry(session: Session, user: Principal, delivery_id: int) -> InboxEntry | None:
    """One entry of the person's inbox, as ``entries`` shows it (None when it is not theirs,
    not an inbox delivery, or no longer readable by them): what the portal opens, so that a
    person can open only their own deliveries."""
    found = session.scalar(
        select(Delivery.queued_at).where(
            Delivery.id == delivery_id,
            Delivery.user_id == user.user_id,
            Delivery.channel == Channel.INBOX.value,
        )
    )
    if found is None:
        return None
    # The same reading as the list, narrowed to deliveries queued at that moment: one rule
    # for what a person may open, however old the entry.
    query_limit = session.scalar(
        select(func.count()).where(
            Delivery.user_id == user.user_id,
            Delivery.channel == Channel.INBOX.value,
            Delivery.queued_at >= found,
        )
    )
    for e in entries(session, user, limit=max(int(query_limit or 0), 1)):
        if e.delivery_id == delivery_id:
            return e
    return None
