"""Foundation: incidents, append-only timeline, idempotency keys, counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, Json, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
       BEGIN SELECT RAISE(ABORT, 'timeline is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
       BEGIN SELECT RAISE(ABORT, 'timeline is append-only: DELETE refused'); END""",
]

APPEND_ONLY_POSTGRES = [
    """CREATE FUNCTION timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'timeline is append-only: % refused', TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END $$""",
    """CREATE TRIGGER timeline_no_update_delete BEFORE UPDATE OR DELETE ON timeline
       FOR EACH ROW EXECUTE FUNCTION timeline_append_only()""",
    """CREATE TRIGGER timeline_no_truncate BEFORE TRUNCATE ON timeline
       FOR EACH STATEMENT EXECUTE FUNCTION timeline_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer)),
        [{"name": "incident", "value": 0}],
    )
    op.create_table(
        "incidents",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("crisis_type", sa.String(60), nullable=False),
        sa.Column("severity", sa.String(2), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("declared_at", UTCDateTime, nullable=False),
        sa.Column("declared_by", sa.String(80), nullable=False),
        sa.Column("resolved_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("open_tasks", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_incidents_status", "incidents", ["status"])
    op.create_table(
        "timeline",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("payload", Json, nullable=False),
    )
    op.create_index("ix_timeline_incident_id", "timeline", ["incident", "id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("result", sa.Text),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    statements = (
        APPEND_ONLY_POSTGRES if op.get_bind().dialect.name == "postgresql" else APPEND_ONLY_SQLITE
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS timeline_no_truncate ON timeline")
        op.execute("DROP TRIGGER IF EXISTS timeline_no_update_delete ON timeline")
        op.execute("DROP FUNCTION IF EXISTS timeline_append_only()")
    op.drop_table("idempotency_keys")
    op.drop_table("timeline")
    op.drop_table("incidents")
    op.drop_table("counters")
