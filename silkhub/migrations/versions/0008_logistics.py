"""logistics: track-and-trace events (every version), their references, transports and stops,
subscriptions

Revision ID: 0008_logistics
Revises: 0007_alerts
Create Date: 2026-11-28

The partial unique index ``uq_logistics_events_current`` holds at most one current version
per (sender, eventID) on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from silkhub.stores.operational import UTCDateTime

revision = "0008_logistics"
down_revision = "0007_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logistics_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=400), nullable=False),
        sa.Column("event_id", sa.String(length=500), nullable=False),
        sa.Column(
            "event_updated_at",
            UTCDateTime(),
            nullable=False,
        ),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("is_retracted", sa.Boolean(), nullable=False),
        sa.Column("event_type", sa.String(length=10), nullable=True),
        sa.Column("classifier", sa.String(length=3), nullable=True),
        sa.Column("type_code", sa.String(length=4), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=True),
        sa.Column("event_at", UTCDateTime(), nullable=True),
        sa.Column("un_locode", sa.String(length=5), nullable=True),
        sa.Column("facility_type", sa.String(length=10), nullable=True),
        sa.Column("equipment_reference", sa.String(length=11), nullable=True),
        sa.Column("size_type", sa.String(length=4), nullable=True),
        sa.Column("transport_ref", sa.String(length=100), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("received_by", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_events")),
        sa.UniqueConstraint(
            "sender",
            "event_id",
            "event_updated_at",
            name="uq_logistics_events_sender_event_id_updated",
        ),
    )
    with op.batch_alter_table("logistics_events", schema=None) as batch_op:
        batch_op.create_index("ix_logistics_events_event_id", ["event_id"], unique=False)
        batch_op.create_index(
            "ix_logistics_events_transport_ref", ["transport_ref", "un_locode"], unique=False
        )
        batch_op.create_index(
            "uq_logistics_events_current",
            ["sender", "event_id"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "logistics_transports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("service", sa.String(length=50), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("vessel_imo", sa.String(length=7), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_transports")),
        sa.UniqueConstraint("mode", "reference", name="uq_logistics_transports_mode_ref"),
    )
    op.create_table(
        "logistics_event_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_row_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_row_id"],
            ["logistics_events.id"],
            name=op.f("fk_logistics_event_refs_event_row_id_logistics_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_event_refs")),
    )
    with op.batch_alter_table("logistics_event_refs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_logistics_event_refs_event_row_id"), ["event_row_id"], unique=False
        )
        batch_op.create_index(
            "ix_logistics_event_refs_kind_reference",
            ["kind", "reference", "event_row_id"],
            unique=False,
        )

    op.create_table(
        "logistics_transport_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transport_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("un_locode", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("planned_arrival", UTCDateTime(), nullable=True),
        sa.Column(
            "planned_departure",
            UTCDateTime(),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["transport_id"],
            ["logistics_transports.id"],
            name=op.f("fk_logistics_transport_stops_transport_id_logistics_transports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_transport_stops")),
        sa.UniqueConstraint("transport_id", "sequence", name="uq_logistics_transport_stops_seq"),
    )

    op.create_table(
        "logistics_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("callback_url", sa.String(length=2000), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column(
            "secret_rotated_at",
            UTCDateTime(),
            nullable=True,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_logistics_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_subscriptions")),
    )
    with op.batch_alter_table("logistics_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_logistics_subscriptions_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("logistics_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_logistics_subscriptions_user_id"))

    op.drop_table("logistics_subscriptions")
    op.drop_table("logistics_transport_stops")
    with op.batch_alter_table("logistics_event_refs", schema=None) as batch_op:
        batch_op.drop_index("ix_logistics_event_refs_kind_reference")
        batch_op.drop_index(batch_op.f("ix_logistics_event_refs_event_row_id"))

    op.drop_table("logistics_event_refs")
    op.drop_table("logistics_transports")
    with op.batch_alter_table("logistics_events", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_logistics_events_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index("ix_logistics_events_transport_ref")
        batch_op.drop_index("ix_logistics_events_event_id")

    op.drop_table("logistics_events")
