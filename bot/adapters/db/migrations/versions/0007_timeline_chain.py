"""Tamper-evident timeline: a hash chain per incident, and no INSERT OR REPLACE on SQLite.

Existing events are chained in their stored order (the append-only triggers are switched off
for that one backfill, inside this migration's transaction).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.domain.chain import GENESIS, canonical, link

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NO_REPLACE_SQLITE = """CREATE TRIGGER timeline_no_replace BEFORE INSERT ON timeline
    WHEN EXISTS (SELECT 1 FROM timeline WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'timeline is append-only: INSERT OR REPLACE refused'); END"""
NO_UPDATE_SQLITE = """CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
       BEGIN SELECT RAISE(ABORT, 'timeline is append-only: UPDATE refused'); END"""


def upgrade() -> None:
    op.add_column("timeline", sa.Column("chain_hash", sa.String(64)))
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE timeline DISABLE TRIGGER timeline_no_update_delete")
    else:
        op.execute("DROP TRIGGER timeline_no_update")
    _backfill(op.get_bind())
    if postgres:
        op.execute("ALTER TABLE timeline ENABLE TRIGGER timeline_no_update_delete")
    else:
        op.execute(NO_UPDATE_SQLITE)
        op.execute(NO_REPLACE_SQLITE)


def _backfill(bind) -> None:
    from bot.adapters.db.types import Json, UTCDateTime

    timeline = sa.table("timeline", sa.column("id", sa.Integer), sa.column("incident", sa.Integer),
                        sa.column("name", sa.String), sa.column("actor", sa.String),
                        sa.column("occurred_at", UTCDateTime), sa.column("payload", Json),
                        sa.column("chain_hash", sa.String))
    heads: dict[int, str] = {}
    rows = bind.execute(sa.select(timeline.c.id, timeline.c.incident, timeline.c.name,
                                  timeline.c.actor, timeline.c.occurred_at, timeline.c.payload)
                        .order_by(timeline.c.id)).all()
    for row_id, incident, name, actor, at, payload in rows:
        heads[incident] = link(heads.get(incident, GENESIS), canonical(
            incident=incident, name=name, actor=actor, at=at, payload=payload))
        bind.execute(sa.update(timeline).where(timeline.c.id == row_id)
                     .values(chain_hash=heads[incident]))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS timeline_no_replace")
        op.execute("DROP TRIGGER IF EXISTS timeline_no_update")
        op.execute("DROP TRIGGER IF EXISTS timeline_no_delete")
    with op.batch_alter_table("timeline") as batch:
        batch.drop_column("chain_hash")
    if op.get_bind().dialect.name != "postgresql":
        op.execute(NO_UPDATE_SQLITE)
        op.execute("""CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
       BEGIN SELECT RAISE(ABORT, 'timeline is append-only: DELETE refused'); END""")
