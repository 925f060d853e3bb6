"""Incident snapshots: the replayed state and the id of the last event it includes.

No backfill: an incident without a snapshot is replayed, and its next change stores one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_snapshots",
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
        sa.Column("schema", sa.String(40), nullable=False),
        sa.Column("last_event", BigId, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("incident_snapshots")
