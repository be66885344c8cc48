"""stats: flagship projects, indicators, targets and entries; the footprint abroad and its
reported totals

Revision ID: 0005_stats_registers
Revises: 0004_stats_imports
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from silkhub.stores.operational import UTCDateTime

revision = "0005_stats_registers"
down_revision = "0004_stats_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_stats_projects_code")),
    )
    op.create_table(
        "stats_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=True),
        sa.Column("value_field", sa.String(length=60), nullable=True),
        sa.Column("group_code", sa.String(length=40), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=True),
        sa.Column("note_zh", sa.Text(), nullable=False),
        sa.Column("note_en", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["stats_projects.id"],
            name=op.f("fk_stats_indicators_project_id_stats_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_stats_indicators_code")),
    )
    op.create_index(op.f("ix_stats_indicators_project_id"), "stats_indicators", ["project_id"])
    op.create_table(
        "stats_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["stats_indicators.id"],
            name=op.f("fk_stats_targets_indicator_id_stats_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_targets")),
        sa.UniqueConstraint("indicator_id", "period", name=op.f("uq_stats_targets_indicator_id")),
    )
    op.create_index(op.f("ix_stats_targets_indicator_id"), "stats_targets", ["indicator_id"])
    op.create_table(
        "stats_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("at_least", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.Column("entered_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["stats_indicators.id"],
            name=op.f("fk_stats_entries_indicator_id_stats_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_entries")),
    )
    op.create_index(op.f("ix_stats_entries_indicator_id"), "stats_entries", ["indicator_id"])
    op.create_table(
        "stats_footprint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=True),
        sa.Column("since", sa.Integer(), nullable=True),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "latitude >= -90 AND latitude <= 90",
            name=op.f("ck_stats_footprint_latitude_range"),
        ),
        sa.CheckConstraint(
            "longitude >= -180 AND longitude <= 180",
            name=op.f("ck_stats_footprint_longitude_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_footprint")),
        sa.UniqueConstraint("code", name=op.f("uq_stats_footprint_code")),
    )
    op.create_index(op.f("ix_stats_footprint_kind"), "stats_footprint", ["kind"])
    op.create_index(op.f("ix_stats_footprint_country"), "stats_footprint", ["country"])
    op.create_table(
        "stats_reported_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("at_least", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_reported_totals")),
        sa.UniqueConstraint("kind", "measure", "as_of", name=op.f("uq_stats_reported_totals_kind")),
    )


def downgrade() -> None:
    op.drop_table("stats_reported_totals")
    op.drop_table("stats_footprint")
    op.drop_table("stats_entries")
    op.drop_table("stats_targets")
    op.drop_table("stats_indicators")
    op.drop_table("stats_projects")
