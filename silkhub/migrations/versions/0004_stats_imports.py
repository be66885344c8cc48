"""stats: imports (vintages) and the periods each published

Revision ID: 0004_stats_imports
Revises: 0003_accounts
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from silkhub.stores.operational import UTCDateTime

revision = "0004_stats_imports"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vintage", sa.BigInteger(), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("encoding", sa.String(length=40), nullable=True),
        sa.Column("mapping", sa.String(length=300), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("stored_as", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_imports")),
        sa.UniqueConstraint("dataset", "sha256", name=op.f("uq_stats_imports_dataset")),
        sa.UniqueConstraint("vintage", name=op.f("uq_stats_imports_vintage")),
    )
    op.create_index(op.f("ix_stats_imports_dataset"), "stats_imports", ["dataset"])
    op.create_index(op.f("ix_stats_imports_published_at"), "stats_imports", ["published_at"])
    op.create_table(
        "stats_vintage_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("vintage", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["stats_imports.id"],
            name=op.f("fk_stats_vintage_periods_import_id_stats_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_vintage_periods")),
        sa.UniqueConstraint("import_id", "period", name=op.f("uq_stats_vintage_periods_import_id")),
    )
    op.create_index(
        op.f("ix_stats_vintage_periods_import_id"), "stats_vintage_periods", ["import_id"]
    )
    op.create_index(op.f("ix_stats_vintage_periods_dataset"), "stats_vintage_periods", ["dataset"])


def downgrade() -> None:
    op.drop_table("stats_vintage_periods")
    op.drop_table("stats_imports")
