"""The ``pages`` table read for the paging service (written by the paging planner)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import sessionmaker

from bot.adapters.outbound.store import PageRow
from bot.domain.paging import Thread
from bot.services.paging import ThreadRecord


def to_record(row: PageRow) -> ThreadRecord:
    return ThreadRecord(id=row.id, incident=row.incident, status=row.status, reason=row.reason,
                        thread=Thread(role=row.role, user=row.user_id, layer=row.layer,
                                      attempt=row.attempt, sent_at=row.sent_at,
                                      first_sent_at=row.first_sent_at,
                                      paged=tuple(row.paged or ()), exec_paged=row.exec_paged,
                                      acked_by=row.acked_by))


class SqlPages:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def due(self, *, now: datetime) -> list[ThreadRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(PageRow).where(
                PageRow.status.in_(("due", "open")),
                or_(PageRow.due_at.is_(None), PageRow.due_at <= now)).order_by(PageRow.id)).all()
            return [to_record(r) for r in rows]

    def for_incident(self, number: int) -> list[ThreadRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(PageRow).where(PageRow.incident == number)
                                   .order_by(PageRow.id)).all()
            return [to_record(r) for r in rows]
