"""Coverage: of the organisations an item or a bulletin was meant for (its target lists), how
many of each kind were reached by at least one channel, how many read it, and who was not
reached and why. Everything is counted from the delivery log, never entered by hand.

An organisation is *reached* when at least one of its people has a delivery of the thing that
was sent, opened or read; it has *read* it when one was opened (e-mail) or read (inbox).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.accounts.models import ORG_KIND_NAMES, Organisation, OrgKind
from silkhub.alerts.audience import target_list, target_organisations
from silkhub.alerts.deliveries import delivery_log
from silkhub.alerts.models import (
    AlertItem,
    Bulletin,
    BulletinEntry,
    Delivery,
    DeliveryStatus,
    ItemStatus,
)
from silkhub.core.errors import Message

REACHED = (DeliveryStatus.SENT.value, DeliveryStatus.OPENED.value, DeliveryStatus.READ.value)
READ = (DeliveryStatus.OPENED.value, DeliveryStatus.READ.value)

#: Kinds as the totals' sentence counts them.
COUNTED = {
    OrgKind.DEPARTMENT.value: Message("个政府部门", "government departments"),
    OrgKind.ENTERPRISE.value: Message("家企业", "enterprises"),
    OrgKind.SERVICE_AGENCY.value: Message("家服务机构", "service agencies"),
}

SINGULAR = {
    "government departments": "government department",
    "enterprises": "enterprise",
    "service agencies": "service agency",
}

REASONS = {
    "no_subscriber": Message("无订阅人员", "No one there subscribes"),
    "queued": Message("排队待发", "Queued"),
    "retrying": Message("发送失败，重试中", "Failed, retrying"),
    "dead": Message("发送失败，已停止", "Failed, stopped"),
}


@dataclass
class KindCoverage:
    kind: str
    targeted: int = 0
    reached: int = 0
    read: int = 0


@dataclass
class NotReached:
    organisation_id: int
    name_zh: str
    name_en: str
    kind: str
    reason: str  # a key of REASONS
    detail: str | None = None


@dataclass
class Coverage:
    kinds: dict[str, KindCoverage] = field(default_factory=dict)
    not_reached: list[NotReached] = field(default_factory=list)

    @property
    def targeted(self) -> int:
        return sum(k.targeted for k in self.kinds.values())

    @property
    def reached(self) -> int:
        return sum(k.reached for k in self.kinds.values())


def _targets(session: Session, codes: Iterable[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for code in codes:
        found.update(target_organisations(session, target_list(session, code)))
    return found


def _coverage(
    session: Session, targets: dict[int, str], *, item_id: int | None, bulletin_id: int | None
) -> Coverage:
    states = delivery_log(session, item_id=item_id, bulletin_id=bulletin_id)
    reached: set[int] = set()
    read: set[int] = set()
    why: dict[int, tuple[str, str | None]] = {}
    for s in states:
        org = s.delivery.organisation_id
        if org is None:
            continue
        if s.state in REACHED:
            reached.add(org)
        if s.state in READ:
            read.add(org)
        if s.state in ("queued", "retrying", "dead") and org not in why:
            why[org] = (s.state, s.error)
    result = Coverage()
    for org_kind in OrgKind:  # the kinds in a fixed order: departments first
        if org_kind.value in targets.values():
            result.kinds[org_kind.value] = KindCoverage(org_kind.value)
    for org, kind in targets.items():
        k = result.kinds[kind]
        k.targeted += 1
        k.reached += org in reached
        k.read += org in read
    missing = [org for org in targets if org not in reached]
    if missing:
        names = {
            row[0]: row[1:]
            for row in session.execute(
                select(Organisation.id, Organisation.name_zh, Organisation.name_en).where(
                    Organisation.id.in_(missing)
                )
            )
        }
        for org in sorted(missing):
            reason, detail = why.get(org, ("no_subscriber", None))
            zh, en = names.get(org, ("", ""))
            result.not_reached.append(NotReached(org, zh, en, targets[org], reason, detail))
    return result


def of_item(session: Session, item: AlertItem) -> Coverage:
    return _coverage(
        session, _targets(session, item.target_lists.split()), item_id=item.id, bulletin_id=None
    )


def of_bulletin(session: Session, bulletin: Bulletin) -> Coverage:
    codes = bulletin.series.target_lists.split()
    return _coverage(session, _targets(session, codes), item_id=None, bulletin_id=bulletin.id)


@dataclass
class PeriodTotals:
    """The source document's sentence, counted: N issues, M items pushed, who was reached."""

    start: datetime
    end: datetime
    bulletins: int
    items: int
    deliveries: int
    kinds: dict[str, KindCoverage]

    def sentence(self, lang: str) -> str:
        """ "61 issues, 3119 items pushed, reaching 38 government departments, ..." with
        "reached/targeted" wherever someone on a list was not reached."""
        parts = []
        for kind, k in self.kinds.items():
            name = COUNTED.get(kind, ORG_KIND_NAMES[OrgKind(kind)]).in_(lang)
            count = str(k.reached) if k.reached == k.targeted else f"{k.reached}/{k.targeted}"
            if lang == "en" and k.targeted == 1:
                name = SINGULAR.get(name, name)
            parts.append(f"{count} {name}" if lang == "en" else f"{count}{name}")
        if not parts:  # a period whose bulletins had no one to reach
            if lang == "en":
                return f"{_count(self.bulletins, 'issue')}, {_count(self.items, 'item')} pushed."
            return f"编发{self.bulletins}期，推送信息{self.items}条。"
        if lang == "en":
            reached = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
            issues, items = _count(self.bulletins, "issue"), _count(self.items, "item")
            return f"{issues}, {items} pushed, reaching {reached}."
        return f"编发{self.bulletins}期，推送信息{self.items}条，覆盖" + "、".join(parts) + "。"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def period_totals(session: Session, start: datetime, end: datetime) -> PeriodTotals:
    """Bulletins published in [start, end), the items they carried, and the organisations of
    their series' target lists reached by at least one of them."""
    bulletins = list(
        session.scalars(
            select(Bulletin).where(
                Bulletin.published_at >= start,
                Bulletin.published_at < end,
                Bulletin.status == ItemStatus.PUBLISHED.value,
            )
        )
    )
    ids = [b.id for b in bulletins]
    items = 0
    deliveries = 0
    reached: set[int] = set()
    read: set[int] = set()
    targets: dict[int, str] = {}
    if ids:
        items = (
            session.scalar(
                select(func.count(func.distinct(BulletinEntry.item_id))).where(
                    BulletinEntry.bulletin_id.in_(ids)
                )
            )
            or 0
        )
        codes = {c for b in bulletins for c in b.series.target_lists.split()}
        targets = _targets(session, sorted(codes))
        rows = session.execute(
            select(Delivery.organisation_id, Delivery.status, func.count())
            .where(Delivery.bulletin_id.in_(ids))
            .group_by(Delivery.organisation_id, Delivery.status)
        ).all()
        for org, status, count in rows:
            deliveries += count
            if org is not None and status in REACHED:
                reached.add(org)
            if org is not None and status in READ:
                read.add(org)
    kinds = {o.value: KindCoverage(o.value) for o in OrgKind if o.value in targets.values()}
    for org, kind in targets.items():
        k = kinds[kind]
        k.targeted += 1
        k.reached += org in reached
        k.read += org in read
    return PeriodTotals(start, end, len(bulletins), items, deliveries, kinds)


def coverage_csv(coverage: Coverage, lang: str) -> str:
    """The export: one row per kind, then the organisations not reached."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "targeted", "reached", "read"])
    for k in coverage.kinds.values():
        writer.writerow([k.kind, k.targeted, k.reached, k.read])
    writer.writerow([])
    writer.writerow(["organisation_id", "organisation", "kind", "reason", "detail"])
    for n in coverage.not_reached:
        name = n.name_en if lang == "en" else n.name_zh
        writer.writerow(
            [n.organisation_id, name, n.kind, REASONS[n.reason].in_(lang), n.detail or ""]
        )
    return out.getvalue()
