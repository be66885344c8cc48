"""Tables of the indices capability: the freight index's panel, its members' quotes, the
releases with their values, and restatements.

Quotes are never changed in place: a correction is a new quote (the latest of a member counts,
see ``freight_clean``), a withdrawal stamps ``withdrawn_at``. A release is a row written when a
compiler approves a week; its values become visible to anyone but compilers only at
``release_at`` (the embargo is a filter on that time in every read, so it holds even when no
worker runs at the release time).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.stores.operational import Base, utcnow

#: The name of the composite among a release's series (route codes are the others).
COMPOSITE = "COMPOSITE"


class PanelMember(Base):
    """A carrier or forwarder on the freight index's panel (an organisation of kind
    ``panel_member``), with the weight its quotes carry before the cap."""

    __tablename__ = "index_panel_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), unique=True
    )
    #: The member's code in releases and cleaning records (not its name: quotes are
    #: confidential, a release shows no one's prices).
    code: Mapped[str] = mapped_column(String(20), unique=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class FreightQuote(Base):
    """One all-in spot rate of one member for one route and container type in one week."""

    __tablename__ = "index_freight_quotes"
    __table_args__ = (Index("ix_index_freight_quotes_week_member", "week", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("index_panel_members.id", ondelete="RESTRICT"), index=True
    )
    week: Mapped[str] = mapped_column(String(8))  # ISO week code, "2020-W23"
    route: Mapped[str] = mapped_column(String(10))
    container: Mapped[str] = mapped_column(String(6))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(200))
    #: form, csv, api, restatement (a compiler's correction after the window) or demo.
    source: Mapped[str] = mapped_column(String(12))
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)


class FreightRelease(Base):
    """An approved week of the freight index, public from ``release_at``."""

    __tablename__ = "index_freight_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[str] = mapped_column(String(8), unique=True)
    release_at: Mapped[datetime] = mapped_column(index=True)
    basket: Mapped[int] = mapped_column(Integer)
    methodology_version: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the methodology file the values were computed with.
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: How many quotes the week's computation read, and what cleaning set aside.
    quotes: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    values: Mapped[list[FreightValue]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="FreightValue.series"
    )


class FreightValue(Base):
    """A released figure: the composite (``COMPOSITE``) or a route's index."""

    __tablename__ = "index_freight_values"
    __table_args__ = (UniqueConstraint("release_id", "series"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("index_freight_releases.id", ondelete="CASCADE"), index=True
    )
    series: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    #: A cell of the route had too few members and carried its average forward.
    carried_forward: Mapped[bool] = mapped_column(Boolean, default=False)


class FreightRestatement(Base):
    """A released value changed after its release: both values, who, when and why."""

    __tablename__ = "index_freight_restatements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("index_freight_releases.id", ondelete="CASCADE"), index=True
    )
    series: Mapped[str] = mapped_column(String(10))
    old_value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    new_value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reason: Mapped[str] = mapped_column(Text)
    restated_by: Mapped[str] = mapped_column(String(200))
    restated_at: Mapped[datetime] = mapped_column(default=utcnow)
