"""Monitors: alerts (one row per monitor + fingerprint), alert groups, snoozes, signal samples.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Dedup under concurrency rests on the keys here, not on any in-process lock: ``alerts`` is
unique per (monitor, fingerprint) and ``alert_groups`` per group key; an alert that opens an
incident first claims its group row (``INSERT … ON CONFLICT DO NOTHING`` then
``SELECT … FOR UPDATE``), so concurrent copies queue on that row and find the incident.
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, Json, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_groups",
        sa.Column("group_key", sa.String(200), primary_key=True),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("monitor", sa.String(120), nullable=False),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.Column("group_key", sa.String(200), nullable=False),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(2), nullable=True),
        sa.Column("count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("last_value", sa.Float, nullable=True),
        sa.Column("threshold", sa.Float, nullable=True),
        sa.Column("url", sa.Text, nullable=False, server_default=""),
        sa.Column("labels", Json, nullable=False),
        sa.UniqueConstraint("monitor", "fingerprint", name="uq_alerts_monitor_fingerprint"),
    )
    op.create_index("ix_alerts_incident", "alerts", ["incident"])
    op.create_table(
        "monitor_snoozes",
        sa.Column("monitor", sa.String(120), primary_key=True),
        sa.Column("until", UTCDateTime, nullable=False),
        sa.Column("snoozed_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "signal_samples",
        sa.Column("monitor", sa.String(120), primary_key=True),
        sa.Column("series", sa.String(60), primary_key=True),
        sa.Column("at", UTCDateTime, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("signal_samples")
    op.drop_table("monitor_snoozes")
    op.drop_index("ix_alerts_incident", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("alert_groups")
