"""Slack: the effects outbox and each incident's channel, card and checklist messages.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, Json, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=True, unique=True),
        sa.Column("status", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "slack_incidents",
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
        sa.Column("channel_id", sa.String(40), nullable=False, unique=True),
        sa.Column("channel_name", sa.String(80), nullable=False),
        sa.Column("card_ts", sa.String(40), nullable=True),
        sa.Column("checklist_ts", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("slack_incidents")
    op.drop_index("ix_outbox_status_next", table_name="outbox")
    op.drop_table("outbox")
