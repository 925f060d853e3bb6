"""Knowledge base: one row per case (our resolved incidents and imported historical cases).

``revision`` rises with every write (taken from the ``counters`` row ``kb``, whose row lock
orders writers), so each process's in-memory search index loads only what changed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, Json, UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_cases",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("revision", BigId, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("incident", sa.Integer, nullable=True),
        sa.Column("crisis_type", sa.String(60), nullable=False),
        sa.Column("severity", sa.String(2), nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("doc", Json, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_kb_cases_revision", "kb_cases", ["revision"], unique=True)
    op.bulk_insert(
        sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer)),
        [{"name": "kb", "value": 0}],
    )


def downgrade() -> None:
    op.drop_index("ix_kb_cases_revision", table_name="kb_cases")
    op.drop_table("kb_cases")
    op.execute("DELETE FROM counters WHERE name = 'kb'")
