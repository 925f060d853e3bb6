"""Apply the Alembic migrations programmatically (``crisisbot db upgrade``, ``serve`` on start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from bot.adapters.db.leader import NAMESPACE

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


#: Advisory-lock key held while migrating, so replicas starting together migrate one at a time.
MIGRATION_LOCK = (NAMESPACE, 1)


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Upgrade the schema to ``revision``; returns the revision now applied.

    On PostgreSQL a session advisory lock serialises concurrent upgrades (two replicas starting
    at once): the second waits, then finds nothing left to do.
    """
    config = _config(engine)
    if engine.dialect.name != "postgresql":
        command.upgrade(config, revision)
        return current_revision(engine) or ""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
        lock.execute(text("SELECT pg_advisory_lock(:a, :b)"),
                     {"a": MIGRATION_LOCK[0], "b": MIGRATION_LOCK[1]})
        try:
            command.upgrade(config, revision)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:a, :b)"),
                         {"a": MIGRATION_LOCK[0], "b": MIGRATION_LOCK[1]})
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str:
    return ScriptDirectory.from_config(_config(engine)).get_current_head() or ""
