"""An index for the gateway's scan: the pending effects of each incident by kind.

The gateway reads the oldest pending effect of each incident and the newest card update on
every wake-up (``OutboxStore.heads``); with this index both are answered from the index,
whatever the backlog (a burst can leave thousands of channel messages waiting for Slack's
pace of one per second per channel).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_status_incident_kind", "outbox", ["status", "incident", "kind", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_status_incident_kind", table_name="outbox")
