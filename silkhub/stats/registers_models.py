"""Tables of the statistics capability's two registers.

The flagship-project register: the ten flagship projects (十大标志性工程) of the hub, the
indicators each is judged by, their targets, and the values entered by hand for indicators no
dataset holds. The footprint register: the hub's places abroad (cooperation zones, industrial
parks, service stations, sister cities, Silk Road colleges) with coordinates for the map, and
the totals reported for each kind (the register need not list all 500 sister-city pairs to
say that there are 500).

Every value is stored in its dimension's base unit (whole yuan, whole US dollars, tonnes,
TEU, items; a ratio as a fraction), as the datasets store theirs, so a measured value and a
target compare without conversion. Periods are stored as canonical codes of
``silkhub.core.periods`` ("2020", "2020-YTD05").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.stores.operational import Base, utcnow

#: Kinds of place in the footprint register.
FOOTPRINT_KINDS: tuple[str, ...] = ("zone", "park", "service_station", "sister_city", "college")

#: How an indicator gets its value: computed from a dataset, or entered with a source.
METHODS: tuple[str, ...] = ("measure", "entered")


class StatsProject(Base):
    """A flagship project (标志性工程) of the hub."""

    __tablename__ = "stats_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)  # the article's order, 1..10
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)  # lead department
    source: Mapped[str] = mapped_column(String(500))

    indicators: Mapped[list[StatsIndicator]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="StatsIndicator.ordinal",
    )


class StatsIndicator(Base):
    """What a project is judged by: measured from a dataset, or entered with a source.

    A measured indicator names a ``MeasureQuery``: ``dataset``, ``value_field``,
    ``group_code`` and ``filters``; ``period_kind`` (year, ytd, quarter, month), when set, is
    the kind of period its targets and entries are for.
    """

    __tablename__ = "stats_indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("stats_projects.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(60), unique=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))  # a code of silkhub.core.units, for display
    method: Mapped[str] = mapped_column(String(20))  # "measure" or "entered"
    dataset: Mapped[str | None] = mapped_column(String(40), nullable=True)
    value_field: Mapped[str | None] = mapped_column(String(60), nullable=True)
    group_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    period_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note_zh: Mapped[str] = mapped_column(Text, default="")
    note_en: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500))

    project: Mapped[StatsProject] = relationship(back_populates="indicators")


class StatsTarget(Base):
    """An indicator's target for a period, in base units."""

    __tablename__ = "stats_targets"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("stats_indicators.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(20))  # canonical period code
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(500))


class StatsEntry(Base):
    """A value entered for an indicator no dataset holds; the latest for a period counts.

    ``at_least`` marks a lower bound: the source says "over", "more than" or "met".
    """

    __tablename__ = "stats_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("stats_indicators.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    at_least: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(500))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    entered_by: Mapped[str] = mapped_column(String(200))


class StatsFootprint(Base):
    """A place of the hub abroad, with coordinates for the map.

    ``country`` is the foreign country the item belongs to (alpha-2): where a zone, station,
    sister city or college is; for an industrial cooperation park in Zhejiang, the partner
    country it is built with (its coordinates are then in Zhejiang). ``synthetic`` items are
    demonstration data, never facts.
    """

    __tablename__ = "stats_footprint"
    __table_args__ = (
        CheckConstraint("latitude >= -90 AND latitude <= 90", name="latitude_range"),
        CheckConstraint("longitude >= -180 AND longitude <= 180", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(200), nullable=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    partner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    since: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class StatsReportedTotal(Base):
    """A total reported for a kind of footprint ("500 pairs of sister cities"), beside the
    items mapped. ``measure`` says what is counted: "items", "countries" (20 colleges in 16
    countries) or "projects" (300+ projects in the parks); ``at_least`` for "over"/"多"."""

    __tablename__ = "stats_reported_totals"
    __table_args__ = (UniqueConstraint("kind", "measure", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    measure: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer)
    at_least: Mapped[bool] = mapped_column(Boolean, default=False)
    as_of: Mapped[str] = mapped_column(String(20))  # period code: "2020"
    source: Mapped[str] = mapped_column(String(500))
