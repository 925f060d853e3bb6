"""Alert states: the source's ``starts_at`` per alert, and monitor names up to 255 characters.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

``alerts.starts_at`` tells a repeat (the same ``startsAt``) from a re-fire (a new one).
SQLite ignores VARCHAR lengths, so the widening only runs on PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WIDENED = (("alerts", "monitor"), ("monitor_snoozes", "monitor"), ("signal_samples", "monitor"))


def upgrade() -> None:
    op.add_column("alerts", sa.Column("starts_at", UTCDateTime, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.String(255), existing_type=sa.String(120),
                            existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.String(120), existing_type=sa.String(255),
                            existing_nullable=False)
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("starts_at")
