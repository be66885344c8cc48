"""alerts: items and their versions, attachments, bulletin series and issues, the audience
(profiles, target lists, subscribers, subscriptions) and the delivery log

Revision ID: 0007_alerts
Revises: 0006_indices_freight
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from silkhub.stores.operational import UTCDateTime

revision = "0007_alerts"
down_revision = "0006_indices_freight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_bulletin_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("confidentiality", sa.String(length=12), nullable=False),
        sa.Column("target_lists", sa.Text(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_bulletin_series")),
        sa.UniqueConstraint("code", name=op.f("uq_alert_bulletin_series_code")),
    )
    op.create_table(
        "alert_target_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_target_lists")),
        sa.UniqueConstraint("code", name=op.f("uq_alert_target_lists_code")),
    )
    op.create_table(
        "alert_audience_profiles",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("outward_investment_musd", sa.Float(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_alert_audience_profiles_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_alert_audience_profiles")),
    )
    op.create_table(
        "alert_target_members",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["alert_target_lists.id"],
            name=op.f("fk_alert_target_members_list_id_alert_target_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_alert_target_members_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "organisation_id", name=op.f("pk_alert_target_members")),
    )
    op.create_table(
        "alert_bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("period_from", UTCDateTime(), nullable=False),
        sa.Column("period_to", UTCDateTime(), nullable=False),
        sa.Column("title_zh", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("intro_zh", sa.Text(), nullable=False),
        sa.Column("intro_en", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("compiled_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["compiled_by"],
            ["users.id"],
            name=op.f("fk_alert_bulletins_compiled_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["alert_bulletin_series.id"],
            name=op.f("fk_alert_bulletins_series_id_alert_bulletin_series"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_bulletins")),
        sa.UniqueConstraint("series_id", "number", name=op.f("uq_alert_bulletins_series_id")),
    )
    with op.batch_alter_table("alert_bulletins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_bulletins_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "alert_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("confidentiality", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("title_zh", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("countries", sa.Text(), nullable=False),
        sa.Column("hs_codes", sa.Text(), nullable=False),
        sa.Column("symbol", sa.String(length=80), nullable=True),
        sa.Column("original_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", UTCDateTime(), nullable=True),
        sa.Column("valid_until", UTCDateTime(), nullable=True),
        sa.Column("target_lists", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("publish_at", UTCDateTime(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["users.id"],
            name=op.f("fk_alert_items_approver_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_alert_items_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["original_id"],
            ["alert_items.id"],
            name=op.f("fk_alert_items_original_id_alert_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_items")),
        sa.UniqueConstraint("symbol", name=op.f("uq_alert_items_symbol")),
        sa.UniqueConstraint("uid", name=op.f("uq_alert_items_uid")),
    )
    with op.batch_alter_table("alert_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_items_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_items_publish_at"), ["publish_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alert_items_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_alert_items_status"), ["status"], unique=False)

    op.create_table(
        "alert_subscribers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channels", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("webhook_secret", sa.String(length=100), nullable=True),
        sa.Column("feed_token_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "email_unsubscribed_at",
            UTCDateTime(),
            nullable=True,
        ),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_alert_subscribers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_subscribers")),
        sa.UniqueConstraint("feed_token_hash", name=op.f("uq_alert_subscribers_feed_token_hash")),
    )
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.String(length=60), nullable=False),
        sa.Column("countries", sa.Text(), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("min_severity", sa.String(length=10), nullable=True),
        sa.Column("hs_prefixes", sa.Text(), nullable=False),
        sa.Column("series", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_alert_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscriptions")),
    )
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_subscriptions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "alert_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["alert_items.id"],
            name=op.f("fk_alert_attachments_item_id_alert_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_alert_attachments_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_attachments")),
    )
    with op.batch_alter_table("alert_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_attachments_item_id"), ["item_id"], unique=False)

    op.create_table(
        "alert_bulletin_entries",
        sa.Column("bulletin_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["alert_bulletins.id"],
            name=op.f("fk_alert_bulletin_entries_bulletin_id_alert_bulletins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["alert_items.id"],
            name=op.f("fk_alert_bulletin_entries_item_id_alert_items"),
        ),
        sa.PrimaryKeyConstraint("bulletin_id", "item_id", name=op.f("pk_alert_bulletin_entries")),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("item_version", sa.Integer(), nullable=True),
        sa.Column("bulletin_id", sa.Integer(), nullable=True),
        sa.Column("digest_period", sa.String(length=20), nullable=True),
        sa.Column("digest_items", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["alert_bulletins.id"],
            name=op.f("fk_alert_deliveries_bulletin_id_alert_bulletins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["alert_items.id"],
            name=op.f("fk_alert_deliveries_item_id_alert_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_alert_deliveries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_alert_deliveries_idempotency_key")),
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_deliveries_bulletin", ["bulletin_id", "status"], unique=False
        )
        batch_op.create_index("ix_alert_deliveries_item", ["item_id", "status"], unique=False)
        batch_op.create_index(
            "ix_alert_deliveries_user", ["user_id", "channel", "status"], unique=False
        )

    op.create_table(
        "alert_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("msg_type", sa.String(length=10), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_alert_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["alert_items.id"],
            name=op.f("fk_alert_versions_item_id_alert_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_versions")),
        sa.UniqueConstraint("item_id", "number", name=op.f("uq_alert_versions_item_id")),
    )


def downgrade() -> None:
    op.drop_table("alert_versions")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_user")
        batch_op.drop_index("ix_alert_deliveries_item")
        batch_op.drop_index("ix_alert_deliveries_bulletin")

    op.drop_table("alert_deliveries")
    op.drop_table("alert_bulletin_entries")
    with op.batch_alter_table("alert_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_attachments_item_id"))

    op.drop_table("alert_attachments")
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_subscriptions_user_id"))

    op.drop_table("alert_subscriptions")
    op.drop_table("alert_subscribers")
    with op.batch_alter_table("alert_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_items_status"))
        batch_op.drop_index(batch_op.f("ix_alert_items_published_at"))
        batch_op.drop_index(batch_op.f("ix_alert_items_publish_at"))
        batch_op.drop_index(batch_op.f("ix_alert_items_kind"))

    op.drop_table("alert_items")
    with op.batch_alter_table("alert_bulletins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_bulletins_published_at"))

    op.drop_table("alert_bulletins")
    op.drop_table("alert_target_members")
    op.drop_table("alert_audience_profiles")
    op.drop_table("alert_target_lists")
    op.drop_table("alert_bulletin_series")
