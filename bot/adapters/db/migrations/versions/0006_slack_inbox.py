"""The transactional inbox of slash commands (stored before Slack gets its ack).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_inbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(80), nullable=False, unique=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("channel_id", sa.String(40)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("response_url", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("lease_until", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("done_at", UTCDateTime),
    )
    op.create_index("ix_slack_inbox_status_lease", "slack_inbox", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_slack_inbox_status_lease", table_name="slack_inbox")
    op.drop_table("slack_inbox")
