"""indices: the freight index's panel members, their quotes, releases with their values, and
restatements

Revision ID: 0006_indices_freight
Revises: 0005_stats_registers
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from silkhub.stores.operational import UTCDateTime

revision = "0006_indices_freight"
down_revision = "0005_stats_registers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_freight_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("release_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("basket", sa.Integer(), nullable=False),
        sa.Column("methodology_version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("quotes", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("approved_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_freight_releases")),
        sa.UniqueConstraint("week", name=op.f("uq_index_freight_releases_week")),
    )
    with op.batch_alter_table("index_freight_releases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_index_freight_releases_release_at"), ["release_at"], unique=False
        )

    op.create_table(
        "index_freight_restatements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("old_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("new_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("restated_by", sa.String(length=200), nullable=False),
        sa.Column("restated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["index_freight_releases.id"],
            name=op.f("fk_index_freight_restatements_release_id_index_freight_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_freight_restatements")),
    )
    with op.batch_alter_table("index_freight_restatements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_index_freight_restatements_release_id"), ["release_id"], unique=False
        )

    op.create_table(
        "index_freight_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("carried_forward", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["index_freight_releases.id"],
            name=op.f("fk_index_freight_values_release_id_index_freight_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_freight_values")),
        sa.UniqueConstraint(
            "release_id", "series", name=op.f("uq_index_freight_values_release_id")
        ),
    )
    with op.batch_alter_table("index_freight_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_index_freight_values_release_id"), ["release_id"], unique=False
        )

    op.create_table(
        "index_panel_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("joined_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_index_panel_members_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_panel_members")),
        sa.UniqueConstraint("code", name=op.f("uq_index_panel_members_code")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_index_panel_members_organisation_id")),
    )
    op.create_table(
        "index_freight_quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("route", sa.String(length=10), nullable=False),
        sa.Column("container", sa.String(length=6), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["index_panel_members.id"],
            name=op.f("fk_index_freight_quotes_member_id_index_panel_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_freight_quotes")),
    )
    with op.batch_alter_table("index_freight_quotes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_index_freight_quotes_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_index_freight_quotes_week_member", ["week", "member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("index_freight_quotes", schema=None) as batch_op:
        batch_op.drop_index("ix_index_freight_quotes_week_member")
        batch_op.drop_index(batch_op.f("ix_index_freight_quotes_member_id"))

    op.drop_table("index_freight_quotes")
    op.drop_table("index_panel_members")
    with op.batch_alter_table("index_freight_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_freight_values_release_id"))

    op.drop_table("index_freight_values")
    with op.batch_alter_table("index_freight_restatements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_freight_restatements_release_id"))

    op.drop_table("index_freight_restatements")
    with op.batch_alter_table("index_freight_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_freight_releases_release_at"))

    op.drop_table("index_freight_releases")
