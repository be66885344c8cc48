"""outbox: background jobs and their attempts

Revision ID: 0002_outbox
Revises: 0001_initial
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import silkhub.stores.operational

revision = "0002_outbox"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("run_after", silkhub.stores.operational.UTCDateTime(), nullable=False),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("locked_until", silkhub.stores.operational.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", silkhub.stores.operational.UTCDateTime(), nullable=False),
        sa.Column("finished_at", silkhub.stores.operational.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'dead')",
            name=op.f("ck_outbox_jobs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_jobs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_jobs_idempotency_key")),
    )
    op.create_index(op.f("ix_outbox_jobs_status_run_after"), "outbox_jobs", ["status", "run_after"])
    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("started_at", silkhub.stores.operational.UTCDateTime(), nullable=False),
        sa.Column("finished_at", silkhub.stores.operational.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('running', 'succeeded', 'failed', 'dead', 'abandoned')",
            name=op.f("ck_outbox_attempts_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["outbox_jobs.id"],
            name=op.f("fk_outbox_attempts_job_id_outbox_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
        sa.UniqueConstraint("job_id", "number", name=op.f("uq_outbox_attempts_job_id_number")),
    )


def downgrade() -> None:
    op.drop_table("outbox_attempts")
    op.drop_index(op.f("ix_outbox_jobs_status_run_after"), table_name="outbox_jobs")
    op.drop_table("outbox_jobs")
