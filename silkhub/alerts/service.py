"""The alerts capability's editorial services: write, submit, approve, publish (now or at a
time), update and cancel items, and read them as a given reader.

The workflow::

    draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
      ▲                  │ (approver ≠ author)     └──schedule──▶ scheduled ──(time)──▶ published
      └────reject────────┘
    published ──edit──▶ a new draft version (readers keep seeing the published one) ──▶ … ──▶
    published again as a CAP ``Update``;  published ──cancel──▶ cancelled (a CAP ``Cancel``)

Every change is made through the ORM in the caller's transaction, so the audit log records who
did what and when; every version is kept. Publishing queues the deliveries in the same
transaction (``deliveries.queue_item``), so an item is published if and only if its deliveries
are queued.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.alerts import deliveries
from silkhub.alerts.models import (
    AlertItem,
    AlertVersion,
    Confidentiality,
    ItemKind,
    ItemStatus,
)
from silkhub.alerts.readers import Reader
from silkhub.alerts.schemas import ItemContent, original_symbol, parse_content
from silkhub.core.errors import (
    Conflict,
    InvalidInput,
    Location,
    Message,
    NotFound,
    PermissionDenied,
)
from silkhub.stores.operational import utcnow
from silkhub.stores.outbox import enqueue

__all__ = [
    "ItemView",
    "approve",
    "cancel",
    "create_item",
    "edit_item",
    "get_item",
    "list_items",
    "publish",
    "publish_due",
    "reject",
    "search_items",
    "submit",
    "versions_of",
]

PUBLISH_JOB = "alerts.publish"


@dataclass(frozen=True)
class ItemView:
    """An item as one reader sees it: the published version for readers, the latest for staff
    when ``latest`` is asked."""

    item: AlertItem
    version: AlertVersion

    @property
    def content(self) -> dict[str, Any]:
        return self.version.content


def _require(user: Principal, *roles: Role) -> None:
    if not user.has(*roles):
        needed = ", ".join(r.value for r in roles)
        raise PermissionDenied(
            Message(
                f"此操作需要以下角色之一：{needed}。", f"This needs one of these roles: {needed}."
            )
        )


def _kind(value: str) -> ItemKind:
    try:
        return ItemKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in ItemKind)
        raise InvalidInput(
            Message(f"条目类型应为 {kinds} 之一。", f"The kind must be one of {kinds}."),
            code="bad_kind",
        ) from None


def _checked(kind: ItemKind, data: Mapping[str, Any], where: Location | None) -> ItemContent:
    content, report = parse_content(data, kind=kind, where=where)
    report.raise_if_invalid()
    return content


def _next_uid(session: Session, kind: ItemKind, year: int) -> str:
    prefix = f"SH-{kind.value.upper()}-{year}-"
    last = session.scalar(select(func.max(AlertItem.uid)).where(AlertItem.uid.like(f"{prefix}%")))
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _apply_facets(item: AlertItem, content: ItemContent) -> None:
    """Copy what lists and matching filter on from ``content`` to the item's columns."""
    item.title_zh = content.title.zh or content.title.en
    item.title_en = content.title.en or content.title.zh
    item.category = content.category.value if content.category else None
    item.severity = content.severity.value if content.severity else None
    when = (content.valid_from or utcnow()).date()
    item.countries = " ".join(sorted(content.all_countries(when)))
    item.hs_codes = " ".join(content.hs_codes)
    item.valid_from = content.valid_from
    item.valid_until = content.valid_until
    item.confidentiality = content.confidentiality.value
    item.target_lists = " ".join(content.target_lists)
    item.symbol = content.notice.symbol if content.notice else None
    item.updated_at = utcnow()


def _link_original(session: Session, item: AlertItem, content: ItemContent) -> None:
    if content.notice is None or content.notice.notice_type == "new":
        item.original_id = None
        return
    symbol = original_symbol(content.notice.symbol)
    original = session.scalar(select(AlertItem).where(AlertItem.symbol == symbol))
    if original is None:
        raise InvalidInput(
            Message(
                f"找不到原通报 {symbol}：请先录入原通报。",
                f"The original notification {symbol} is not here: add it first.",
            ),
            code="unknown_original",
        )
    item.original_id = original.id


def create_item(
    session: Session,
    user: Principal,
    kind: str,
    data: Mapping[str, Any],
    *,
    where: Location | None = None,
    demo: bool = False,
) -> AlertItem:
    """A new draft (version 1) written by ``user``."""
    _require(user, Role.EDITOR)
    item_kind = _kind(kind)
    content = _checked(item_kind, data, where)
    if content.notice is not None:
        taken = session.scalar(
            select(AlertItem.id).where(AlertItem.symbol == content.notice.symbol)
        )
        if taken is not None:
            raise Conflict(
                Message(
                    f"通报 {content.notice.symbol} 已存在。",
                    f"Notification {content.notice.symbol} exists already.",
                ),
                code="duplicate_symbol",
            )
    now = utcnow()
    item = AlertItem(
        uid=_next_uid(session, item_kind, now.year),
        kind=item_kind.value,
        status=ItemStatus.DRAFT.value,
        version=1,
        author_id=user.user_id,
        demo=demo,
        created_at=now,
    )
    _apply_facets(item, content)
    _link_original(session, item, content)
    item.versions.append(
        AlertVersion(number=1, content=content.to_json(), created_by=user.user_id, created_at=now)
    )
    session.add(item)
    session.flush()
    return item


def _load(session: Session, uid: str) -> AlertItem:
    item = session.scalar(select(AlertItem).where(AlertItem.uid == uid))
    if item is None:
        raise NotFound(Message(f"没有编号为 {uid} 的条目。", f"No item {uid}."), code="no_item")
    return item


def _current(item: AlertItem) -> AlertVersion:
    return item.versions[-1]


def _status(item: AlertItem, *allowed: ItemStatus, action: Message) -> None:
    if ItemStatus(item.status) not in allowed:
        now = ItemStatus(item.status).value
        raise Conflict(
            Message(
                f"条目 {item.uid} 当前状态为 {now}，不能{action.zh}。",
                f"Item {item.uid} is {now}: it cannot be {action.en}.",
            ),
            code="bad_status",
        )


def edit_item(
    session: Session,
    user: Principal,
    uid: str,
    data: Mapping[str, Any],
    *,
    note: str | None = None,
) -> AlertItem:
    """Change an item's content. A draft is rewritten in place; a published item gets a new
    draft version (readers keep seeing the published one until that is published)."""
    _require(user, Role.EDITOR)
    item = _load(session, uid)
    _status(
        item,
        ItemStatus.DRAFT,
        ItemStatus.PUBLISHED,
        action=Message("修改（请先退回草稿）", "edited (reject it to a draft first)"),
    )
    content = _checked(ItemKind(item.kind), data, None)
    current = _current(item)
    stored = content.to_json()
    # Attachments are added one by one (``attachments.add``), not sent with the text: an edit
    # keeps those of the version it starts from.
    stored["attachments"] = list(current.content.get("attachments") or [])
    if current.published_at is None:
        current.content = stored
        current.created_by = user.user_id
        current.note = note
    else:
        item.versions.append(
            AlertVersion(
                number=current.number + 1,
                content=stored,
                note=note,
                created_by=user.user_id,
                msg_type="Update",
            )
        )
        item.version = current.number + 1
        item.status = ItemStatus.DRAFT.value
        item.approver_id = None
    if item.published_version is None:
        _apply_facets(item, content)
        _link_original(session, item, content)
    session.flush()
    return item


def submit(session: Session, user: Principal, uid: str) -> AlertItem:
    _require(user, Role.EDITOR)
    item = _load(session, uid)
    _status(item, ItemStatus.DRAFT, action=Message("提交审核", "submitted"))
    item.status = ItemStatus.SUBMITTED.value
    item.updated_at = utcnow()
    return item


def reject(session: Session, user: Principal, uid: str, note: str) -> AlertItem:
    """Send a submitted or approved item back to its author, with the reason."""
    _require(user, Role.APPROVER)
    item = _load(session, uid)
    _status(item, ItemStatus.SUBMITTED, ItemStatus.APPROVED, action=Message("退回", "rejected"))
    item.status = ItemStatus.DRAFT.value
    item.approver_id = None
    _current(item).note = note
    item.updated_at = utcnow()
    return item


def approve(session: Session, user: Principal, uid: str) -> AlertItem:
    """Approve the submitted version; the approver may not be the one who wrote it."""
    _require(user, Role.APPROVER)
    item = _load(session, uid)
    _status(item, ItemStatus.SUBMITTED, action=Message("审核", "approved"))
    if _current(item).created_by == user.user_id:
        raise PermissionDenied(
            Message("不能审核自己撰写的条目。", "You cannot approve what you wrote."),
            code="approver_is_author",
        )
    item.status = ItemStatus.APPROVED.value
    item.approver_id = user.user_id
    item.updated_at = utcnow()
    return item


def publish(
    session: Session,
    user: Principal,
    uid: str,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
) -> AlertItem:
    """Publish an approved item now, or schedule it for ``at`` (a job publishes it then)."""
    _require(user, Role.APPROVER, Role.EDITOR)
    item = _load(session, uid)
    _status(item, ItemStatus.APPROVED, action=Message("发布", "published"))
    now = now or utcnow()
    if at is not None and at > now:
        item.status = ItemStatus.SCHEDULED.value
        item.publish_at = at
        enqueue(
            session,
            PUBLISH_JOB,
            {"uid": item.uid, "version": item.version},
            idempotency_key=f"{PUBLISH_JOB}:{item.uid}:v{item.version}",
            run_after=at,
            now=now,
        )
        return item
    _go_out(session, item, now)
    return item


def _go_out(session: Session, item: AlertItem, now: datetime) -> None:
    version = _current(item)
    version.published_at = now
    if item.published_version is not None and version.msg_type == "Alert":
        version.msg_type = "Update"
    content, _ = parse_content(version.content, kind=ItemKind(item.kind))
    _apply_facets(item, content)
    item.status = ItemStatus.PUBLISHED.value
    item.published_version = version.number
    item.published_at = item.published_at or now
    item.publish_at = None
    session.flush()
    deliveries.queue_item(session, item, now=now)


def publish_due(session: Session, uid: str, version: int, now: datetime) -> bool:
    """The scheduled publication of ``uid`` (the outbox job's handler): publishes it if it is
    still scheduled at that version; a cancelled or re-edited schedule does nothing."""
    item = _load(session, uid)
    if item.status != ItemStatus.SCHEDULED.value or item.version != version:
        return False
    _go_out(session, item, now)
    return True


def cancel(
    session: Session, user: Principal, uid: str, reason: str, *, now: datetime | None = None
) -> AlertItem:
    """Withdraw a published item: a new version, CAP ``Cancel``, delivered like an update."""
    _require(user, Role.APPROVER)
    item = _load(session, uid)
    _status(item, ItemStatus.PUBLISHED, ItemStatus.SCHEDULED, action=Message("撤销", "cancelled"))
    if not reason.strip():
        raise InvalidInput(
            Message("撤销须说明理由。", "Say why it is cancelled."),
            code="missing_reason",
        )
    now = now or utcnow()
    if item.status == ItemStatus.SCHEDULED.value:
        item.status = ItemStatus.APPROVED.value
        item.publish_at = None
        return item
    published = next(v for v in item.versions if v.number == item.published_version)
    version = AlertVersion(
        number=_current(item).number + 1,
        content=dict(published.content),
        msg_type="Cancel",
        note=reason,
        created_by=user.user_id,
        created_at=now,
        published_at=now,
    )
    item.versions.append(version)
    item.version = version.number
    item.published_version = version.number
    item.status = ItemStatus.CANCELLED.value
    item.cancelled_at = now
    item.updated_at = now
    session.flush()
    deliveries.queue_item(session, item, now=now)
    return item


# --- reads ---------------------------------------------------------------------------------


def _visible(query: Any, reader: Reader) -> Any:
    if reader.staff:
        return query
    allowed = [c.value for c in Confidentiality if reader.may_read(c.value)]
    return query.where(
        AlertItem.published_version.is_not(None), AlertItem.confidentiality.in_(allowed)
    )


def get_item(session: Session, uid: str, reader: Reader, *, latest: bool = False) -> ItemView:
    """The item as ``reader`` may see it (not found, rather than forbidden, when they may not:
    a restricted item's existence is itself not public)."""
    item = session.scalar(_visible(select(AlertItem).where(AlertItem.uid == uid), reader))
    if item is None:
        raise NotFound(Message(f"没有编号为 {uid} 的条目。", f"No item {uid}."), code="no_item")
    number = item.version if (latest and reader.staff) else item.published_version
    if number is None:
        number = item.version
    version = next(v for v in item.versions if v.number == number)
    return ItemView(item, version)


def versions_of(session: Session, uid: str, reader: Reader) -> Sequence[AlertVersion]:
    """Every version a reader may see: staff see drafts, others what was published."""
    view = get_item(session, uid, reader)
    return [v for v in view.item.versions if reader.staff or v.published_at is not None]


def list_items(
    session: Session,
    reader: Reader,
    *,
    kind: str | None = None,
    country: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    hs: str | None = None,
    q: str | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AlertItem], int]:
    """Items ``reader`` may see, newest first, with the total before paging."""
    query = _visible(select(AlertItem), reader)
    if kind:
        query = query.where(AlertItem.kind == kind)
    if country:
        query = query.where(
            or_(
                AlertItem.countries == country,
                AlertItem.countries.like(f"{country} %"),
                AlertItem.countries.like(f"% {country}"),
                AlertItem.countries.like(f"% {country} %"),
            )
        )
    if category:
        query = query.where(AlertItem.category == category)
    if severity:
        query = query.where(AlertItem.severity == severity)
    if status and reader.staff:
        query = query.where(AlertItem.status == status)
    if hs:
        query = query.where(
            or_(AlertItem.hs_codes.like(f"{hs}%"), AlertItem.hs_codes.like(f"% {hs}%"))
        )
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(
            or_(
                AlertItem.title_zh.like(pattern),
                AlertItem.title_en.ilike(pattern),
                AlertItem.symbol.like(pattern),
                AlertItem.uid == q.strip(),
            )
        )
    if published_from:
        query = query.where(AlertItem.published_at >= published_from)
    if published_to:
        query = query.where(AlertItem.published_at < published_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = (
        query.order_by(AlertItem.published_at.desc().nulls_first(), AlertItem.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(ordered)), total


def search_items(
    session: Session,
    reader: Reader,
    terms: Sequence[str],
    *,
    countries: Sequence[str] = (),
    limit: int = 30,
) -> list[AlertItem]:
    """Published items ``reader`` may read whose title (either language) or symbol holds every
    term, or that concern one of ``countries``; newest first."""
    query = _visible(select(AlertItem), reader).where(AlertItem.published_version.is_not(None))
    matches = []
    if terms:
        matches.append(
            and_(
                *[
                    or_(
                        AlertItem.title_zh.like(f"%{term}%"),
                        AlertItem.title_en.ilike(f"%{term}%"),
                        AlertItem.symbol.ilike(f"%{term}%"),
                        AlertItem.uid.ilike(f"%{term}%"),
                    )
                    for term in terms
                ]
            )
        )
    for code in countries:
        matches.append(
            or_(
                AlertItem.countries == code,
                AlertItem.countries.like(f"{code} %"),
                AlertItem.countries.like(f"% {code}"),
                AlertItem.countries.like(f"% {code} %"),
            )
        )
    if not matches:
        return []
    ordered = query.where(or_(*matches)).order_by(AlertItem.published_at.desc()).limit(limit)
    return list(session.scalars(ordered))
