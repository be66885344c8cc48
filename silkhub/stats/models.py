"""Tables of the statistics capability in the operational store.

The observations themselves live in the analytical store (Parquet); here is the record of
each import — a vintage — and the periods it published, which is what makes a figure
traceable to a file and revisions queryable as of a date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.stores.operational import Base, utcnow


class StatsImport(Base):
    """One file imported into one dataset: a vintage.

    ``vintage`` tags the rows it wrote. It is not the row id: SQLite may hand a rolled-back id
    out again, and rows written by an import whose transaction failed must never be taken for
    another import's. It is the import's time in microseconds, kept increasing.
    """

    __tablename__ = "stats_imports"
    __table_args__ = (UniqueConstraint("dataset", "sha256"), UniqueConstraint("vintage"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vintage: Mapped[int] = mapped_column(BigInteger)
    dataset: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(300))  # the file's name as uploaded
    sha256: Mapped[str] = mapped_column(String(64))
    sheet: Mapped[str | None] = mapped_column(String(100), nullable=True)
    encoding: Mapped[str | None] = mapped_column(String(40), nullable=True)
    mapping: Mapped[str] = mapped_column(String(300))  # mapping file name, or "default"
    rows: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the file's footnotes
    #: When the figures were published (default: when imported). Queries "as published on a
    #: date" see only vintages published by then.
    published_at: Mapped[datetime] = mapped_column(index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200))
    stored_as: Mapped[str] = mapped_column(String(300))  # copy of the file, under data_dir
    #: What silkhub computed this vintage from (``logistics_events``: the tracked train runs'
    #: events), or null for a file someone imported. Figures say which they used.
    computed_from: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)

    periods: Mapped[list[StatsVintagePeriod]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StatsVintagePeriod.period"
    )


class StatsVintagePeriod(Base):
    """A period (month) that an import published figures for."""

    __tablename__ = "stats_vintage_periods"
    __audit__ = False  # written with its import, which is audited
    __table_args__ = (UniqueConstraint("import_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("stats_imports.id", ondelete="CASCADE"), index=True
    )
    dataset: Mapped[str] = mapped_column(String(40), index=True)
    vintage: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column()


# The registers' tables live in their own module; imported here so that the migrations see
# every table of the capability through silkhub.registry.load_models().
from silkhub.stats.registers_models import (  # noqa: E402
    StatsEntry,
    StatsFootprint,
    StatsIndicator,
    StatsProject,
    StatsReportedTotal,
    StatsTarget,
)

__all__ = [
    "StatsEntry",
    "StatsFootprint",
    "StatsImport",
    "StatsIndicator",
    "StatsProject",
    "StatsReportedTotal",
    "StatsTarget",
    "StatsVintagePeriod",
]
