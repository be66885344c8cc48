"""stats: an import may be computed by silkhub (from tracked logistics events) rather than a file

Revision ID: 0009_stats_computed
Revises: 0008_logistics
Create Date: 2026-11-28

``stats_imports.computed_from`` names what silkhub computed the vintage from
(``logistics_events``); null for a file someone imported. The statistics state it wherever
they say which vintage a figure used.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_stats_computed"
down_revision = "0008_logistics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stats_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("computed_from", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stats_imports", schema=None) as batch_op:
        batch_op.drop_column("computed_from")
