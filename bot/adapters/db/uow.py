"""The SQL unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.alerts import SqlAlertRepository
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

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> "SqlUnitOfWork":
        self.session = self._sessions()
        self._snapshots = SnapshotWriter(self.session)
        self.incidents = SqlIncidentRepository(self.session, self._snapshots)
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
        # Snapshots of the incidents changed go into the same transaction as their events.
        self._snapshots.flush()
        self.session.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def uow_factory(engine: Engine):
    """A zero-argument factory of units of work bound to ``engine``."""
    sessions = session_factory(engine)
    return lambda: SqlUnitOfWork(sessions)
