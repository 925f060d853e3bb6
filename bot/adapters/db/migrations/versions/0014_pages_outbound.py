"""Paging threads (one per role of an incident) and the outbound delivery outbox.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, Json, UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pages",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False, server_default="declared"),
        sa.Column("user_id", sa.String(80), nullable=False, server_default=""),
        sa.Column("layer", sa.Integer, nullable=False, server_default="0"),
        sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
        sa.Column("paged", Json, nullable=False),
        sa.Column("exec_paged", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("first_sent_at", UTCDateTime),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("due_at", UTCDateTime, index=True),
        sa.Column("acked_by", sa.String(80)),
        sa.Column("acked_at", UTCDateTime),
        sa.UniqueConstraint("incident", "role", name="uq_pages_incident_role"),
    )
    op.create_table(
        "outbound",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number")),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(120), nullable=False, server_default=""),
        sa.Column("channel", sa.String(80), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("dedupe_key", sa.String(200), unique=True),
        sa.Column("status", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_at", UTCDateTime, nullable=False, index=True),
        sa.Column("last_error", sa.String(300), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
    )


def downgrade() -> None:
    op.drop_table("outbound")
    op.drop_table("pages")
