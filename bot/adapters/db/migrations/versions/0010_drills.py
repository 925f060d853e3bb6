"""Drills: runs, the injects each run fired (one row each: never fired twice) and the drill
calendar's sent reminders and flags.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, Json, UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drill_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("scenario", sa.String(80), nullable=False, index=True),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), unique=True),
        sa.Column("team", Json, nullable=False),
        sa.Column("started_by", sa.String(80), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("represents_s", sa.Integer, nullable=False),
        sa.Column("scale_s", sa.Integer),
        sa.Column("paused_at", UTCDateTime),
        sa.Column("paused_total_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("ended_at", UTCDateTime),
        sa.Column("score", sa.Float),
        sa.Column("scorecard", Json),
    )
    op.create_table(
        "drill_injects",
        sa.Column("run", BigId, sa.ForeignKey("drill_runs.id"), primary_key=True),
        sa.Column("no", sa.Integer, primary_key=True),
        sa.Column("fired_at", UTCDateTime, nullable=False),
        sa.Column("early", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "drill_calendar",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("sent_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("drill_calendar")
    op.drop_table("drill_injects")
    op.drop_table("drill_runs")
