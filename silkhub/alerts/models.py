"""Tables of the alerts capability: items (risk alerts, TBT and SPS notifications, briefs, news)
and every version of each, bulletins, the audience (profiles, target lists, subscribers and
their subscriptions) and the delivery log.

Items are never edited in place once published: an edit is a new ``AlertVersion`` and the
item's columns are a copy of the current version's facets, kept so that lists and matching need
no JSON. Subscription filters are space-separated codes (like an API token's roles): matching
one item against 100,000 subscriptions reads them once and compares sets in memory, which is
faster than any join (``matching.py``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.core.errors import Message
from silkhub.stores.operational import Base, utcnow


class ItemKind(StrEnum):
    ALERT = "alert"  # 风险提示
    TBT = "tbt"  # WTO TBT notification
    SPS = "sps"  # WTO SPS notification
    BRIEF = "brief"  # 简报
    NEWS = "news"


ITEM_KIND_NAMES: dict[ItemKind, Message] = {
    ItemKind.ALERT: Message("风险提示", "Risk alert"),
    ItemKind.TBT: Message("TBT 通报", "TBT notification"),
    ItemKind.SPS: Message("SPS 通报", "SPS notification"),
    ItemKind.BRIEF: Message("简报", "Brief"),
    ItemKind.NEWS: Message("资讯", "News"),
}


class ItemStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SCHEDULED = "scheduled"  # approved, goes out at ``publish_at``
    PUBLISHED = "published"
    CANCELLED = "cancelled"


STATUS_NAMES: dict[ItemStatus, Message] = {
    ItemStatus.DRAFT: Message("草稿", "Draft"),
    ItemStatus.SUBMITTED: Message("待审核", "Submitted"),
    ItemStatus.APPROVED: Message("已审核", "Approved"),
    ItemStatus.SCHEDULED: Message("定时发布", "Scheduled"),
    ItemStatus.PUBLISHED: Message("已发布", "Published"),
    ItemStatus.CANCELLED: Message("已撤销", "Cancelled"),
}


class Confidentiality(StrEnum):
    """Who may read an item, least restricted first."""

    PUBLIC = "public"
    REGISTERED = "registered"  # people of registered organisations
    GOVERNMENT = "government"  # people of government departments

    @property
    def rank(self) -> int:
        return _CONFIDENTIALITY_RANK[self]


_CONFIDENTIALITY_RANK = {
    Confidentiality.PUBLIC: 0,
    Confidentiality.REGISTERED: 1,
    Confidentiality.GOVERNMENT: 2,
}

CONFIDENTIALITY_NAMES: dict[Confidentiality, Message] = {
    Confidentiality.PUBLIC: Message("公开", "Public"),
    Confidentiality.REGISTERED: Message("仅注册机构", "Registered organisations only"),
    Confidentiality.GOVERNMENT: Message("仅政府部门", "Government departments only"),
}


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    INBOX = "inbox"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # a temporary failure; the outbox tries again
    DEAD = "dead"  # a permanent failure, or the retries ran out
    OPENED = "opened"  # an e-mail's read receipt (the tracking image)
    READ = "read"  # opened in the portal inbox

    @property
    def reached(self) -> bool:
        return self in _REACHED


_REACHED = frozenset({DeliveryStatus.SENT, DeliveryStatus.OPENED, DeliveryStatus.READ})


class AlertItem(Base):
    """An item as readers see it now: the facets of its current version, its status and who
    wrote and approved it."""

    __tablename__ = "alert_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The public identifier, also CAP's ``identifier``: ``SH-ALERT-2020-0001``.
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True, default=ItemStatus.DRAFT.value)
    confidentiality: Mapped[str] = mapped_column(String(12), default=Confidentiality.PUBLIC.value)
    version: Mapped[int] = mapped_column(Integer, default=1)  # the current version's number
    #: The version readers see (None until first published; an edit of a published item is a
    #: new draft version that readers do not see until it is published in turn).
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(20), nullable=True)
    severity: Mapped[str | None] = mapped_column(String(10), nullable=True)
    countries: Mapped[str] = mapped_column(Text, default="")  # ISO alpha-2, space-separated
    hs_codes: Mapped[str] = mapped_column(Text, default="")  # space-separated
    #: WTO document symbol of a TBT/SPS notification (``G/TBT/N/EU/1234/Add.1``).
    symbol: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    original_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_items.id", ondelete="RESTRICT"), nullable=True
    )
    valid_from: Mapped[datetime | None] = mapped_column(nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(nullable=True)
    #: Target lists (codes, space-separated) the item's coverage is counted against.
    target_lists: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    publish_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)

    versions: Mapped[list[AlertVersion]] = relationship(
        back_populates="item", order_by="AlertVersion.number", cascade="all, delete-orphan"
    )


class AlertVersion(Base):
    """One version of an item's content, as written; never changed once published."""

    __tablename__ = "alert_versions"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("alert_items.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    #: CAP message type of this version when published: Alert, Update or Cancel.
    msg_type: Mapped[str] = mapped_column(String(10), default="Alert")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it changed
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True)

    item: Mapped[AlertItem] = relationship(back_populates="versions")


class Attachment(Base):
    """A file attached to an item (a notice's full text, an embassy's circular). The bytes are
    stored once by their SHA-256 under the data directory; a version lists the attachments it
    carries in its content, so readers get only those of the version they may see."""

    __tablename__ = "alert_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("alert_items.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class BulletinSeries(Base):
    """A numbered series, such as 《境外疫情防控热点动态》, and whom it addresses."""

    __tablename__ = "alert_bulletin_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    confidentiality: Mapped[str] = mapped_column(String(12), default=Confidentiality.PUBLIC.value)
    #: Target lists (codes, space-separated) coverage is counted against.
    target_lists: Mapped[str] = mapped_column(Text, default="")
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Bulletin(Base):
    __tablename__ = "alert_bulletins"
    __table_args__ = (UniqueConstraint("series_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("alert_bulletin_series.id"))
    number: Mapped[int] = mapped_column(Integer)
    period_from: Mapped[datetime] = mapped_column()
    period_to: Mapped[datetime] = mapped_column()
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    intro_zh: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=ItemStatus.DRAFT.value)
    compiled_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)

    series: Mapped[BulletinSeries] = relationship()
    entries: Mapped[list[BulletinEntry]] = relationship(
        order_by="BulletinEntry.position", cascade="all, delete-orphan"
    )


class BulletinEntry(Base):
    __tablename__ = "alert_bulletin_entries"

    bulletin_id: Mapped[int] = mapped_column(
        ForeignKey("alert_bulletins.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("alert_items.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    item: Mapped[AlertItem] = relationship(lazy="joined")


class AudienceProfile(Base):
    """What target-list rules know of an organisation beyond its kind."""

    __tablename__ = "alert_audience_profiles"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    #: Investment abroad, millions of US dollars ("enterprises with over 10 million abroad").
    outward_investment_musd: Mapped[float | None] = mapped_column(Float, nullable=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class TargetList(Base):
    """A list of organisations an item or a series must reach: by rule (``rule``: organisation
    kind and a minimum investment abroad) or by upload (``members``)."""

    __tablename__ = "alert_target_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class TargetMember(Base):
    __tablename__ = "alert_target_members"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("alert_target_lists.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )


class Subscriber(Base):
    """A person's delivery preferences: channels, language, immediate or a daily digest."""

    __tablename__ = "alert_subscribers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    channels: Mapped[str] = mapped_column(String(60), default="email inbox")
    language: Mapped[str] = mapped_column(String(2), default="zh")
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)  # Asia/Shanghai
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: SHA-256 of the private feed's secret (the secret itself is shown once).
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    email_unsubscribed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Subscription(Base):
    """What a person wants: every filter left empty matches everything on that facet."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kinds: Mapped[str] = mapped_column(String(60), default="")
    countries: Mapped[str] = mapped_column(Text, default="")  # alpha-2 codes
    groups: Mapped[str] = mapped_column(Text, default="")  # country-group codes
    categories: Mapped[str] = mapped_column(Text, default="")
    #: The least severe level wanted (items without a severity always match).
    min_severity: Mapped[str | None] = mapped_column(String(10), nullable=True)
    hs_prefixes: Mapped[str] = mapped_column(Text, default="")
    series: Mapped[str] = mapped_column(Text, default="")  # bulletin series codes
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One thing sent to one person on one channel: an item's version, a bulletin, or a digest.

    ``idempotency_key`` is unique: a second publish of the same version, a second digest of the
    same period, a retry, all meet the first row instead of sending twice.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        Index("ix_alert_deliveries_item", "item_id", "status"),
        Index("ix_alert_deliveries_bulletin", "bulletin_id", "status"),
        Index("ix_alert_deliveries_user", "user_id", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_items.id", ondelete="CASCADE"), nullable=True
    )
    item_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bulletin_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_bulletins.id", ondelete="CASCADE"), nullable=True
    )
    #: A digest's period (``2020-05-06``) and the items it carries (ids, space-separated).
    digest_period: Mapped[str | None] = mapped_column(String(20), nullable=True)
    digest_items: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(nullable=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
