"""The SQL unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.alerts import SqlAlertRepository
from bot.adapters.db.engine import read_only
from bot.adapters.db.outbox import SqlOutbox
from bot.adapters.db.reminders import SqlReminders
from bot.adapters.db.snapshots import SnapshotWriter
from bot.adapters.db.repositories import (
    SqlIdempotencyKeys,
    SqlIncidentRepository,
    SqlTimelineRepository,
)


class SqlUnitOfWork:
    """``with SqlUnitOfWork(sessions) as uow: …; uow.commit()`` — anything uncommitted is rolled back."""

    def __init__(self, sessions: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._sessions = sessions
        self.read_only = read_only

    def __enter__(self) -> "SqlUnitOfWork":
        self.session = self._sessions()
        self._snapshots = SnapshotWriter(self.session)
        self.incidents = SqlIncidentRepository(self.session, self._snapshots,
                                               lock=not self.read_only)
        self.timeline = SqlTimelineRepository(self.session, self._snapshots)
        self.idempotency = SqlIdempotencyKeys(self.session)
        self.outbox = SqlOutbox(self.session)
        self.reminders = SqlReminders(self.session)
        self.alerts = SqlAlertRepository(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        # Snapshots of the incidents changed go into the same transaction as their events.
        self._snapshots.flush()
        self.session.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def uow_factory(engine: Engine):
    """A zero-argument factory of units of work bound to ``engine``."""
    sessions = session_factory(engine)
    return lambda: SqlUnitOfWork(sessions)


def read_uow_factory(engine: Engine):
    """Units of work that only read: no write lock on SQLite, no row locks on PostgreSQL
    (an incident is read as its snapshot + the events after it, both committed)."""
    sessions = session_factory(read_only(engine))
    return lambda: SqlUnitOfWork(sessions, read_only=True)
