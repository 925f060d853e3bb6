"""The reminders table, over one SQLAlchemy session (one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from bot.adapters.db.models import IncidentRow, ReminderRow
from bot.domain.reminders import DesiredReminder
from bot.services.ports import StoredReminder

_FOR_INCIDENT = (select(*ReminderRow.__table__.c)
                 .where(ReminderRow.__table__.c.incident == bindparam("number"))
                 .order_by(ReminderRow.__table__.c.id))


_ADD = insert(ReminderRow.__table__)


class SqlReminders:
    """``uow.reminders``. On PostgreSQL due rows are claimed with ``FOR UPDATE SKIP LOCKED``;
    on SQLite every transaction starts with ``BEGIN IMMEDIATE``, which serialises writers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_incident(self, number: int) -> list[StoredReminder]:
        # Plain rows, not ORM objects: every change of an incident reads all of its reminders.
        return [StoredReminder(id=r.id, incident=r.incident, key=r.key, kind=r.kind,
                               clock=r.clock, due_at=r.due_at, mentions=tuple(r.mentions or ()),
                               status=r.status, scheduled_at=r.scheduled_at)
                for r in self.session.execute(_FOR_INCIDENT, {"number": number})]

    def add(self, number: int, reminders: Sequence[DesiredReminder], *, at: datetime) -> None:
        # One statement for all (an incident opens with some thirty reminders), compiled once.
        if reminders:
            self.session.execute(_ADD, [
                {"incident": number, "key": r.key, "status": "pending", "scheduled_at": at,
                 **_fields(r)} for r in reminders])

    def reschedule(self, reminder_id: int, reminder: DesiredReminder, *, at: datetime) -> None:
        self.session.execute(update(ReminderRow).where(ReminderRow.id == reminder_id).values(
            status="pending", scheduled_at=at, done_at=None, **_fields(reminder),
        ))

    def set_status(self, reminder_id: int, status: str, *, at: datetime) -> None:
        self.session.execute(update(ReminderRow).where(ReminderRow.id == reminder_id).values(
            status=status, done_at=at,
        ))

    def claim_next(self, *, now: datetime, exclude: frozenset[int]) -> StoredReminder | None:
        query = (
            select(ReminderRow)
            .where(ReminderRow.status == "pending", ReminderRow.due_at <= now)
            .order_by(ReminderRow.due_at, ReminderRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if exclude:
            query = query.where(ReminderRow.id.notin_(sorted(exclude)))
        row = self.session.execute(query).scalar_one_or_none()
        return _stored(row) if row is not None else None

    def lock_incident(self, number: int) -> bool:
        found = self.session.execute(
            select(IncidentRow.number).where(IncidentRow.number == number)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        return found is not None

    def incidents_to_sync(self) -> list[int]:
        return list(self.session.execute(
            select(IncidentRow.number).where(IncidentRow.status != "closed")
            .order_by(IncidentRow.number)
        ).scalars())


def _fields(reminder: DesiredReminder) -> dict[str, object]:
    return dict(kind=reminder.kind.value, clock=reminder.clock, due_at=reminder.due_at,
                mentions=list(reminder.mentions))


def _stored(row: ReminderRow) -> StoredReminder:
    return StoredReminder(
        id=row.id, incident=row.incident, key=row.key, kind=row.kind, clock=row.clock,
        due_at=row.due_at, mentions=tuple(row.mentions or ()), status=row.status,
        scheduled_at=row.scheduled_at,
    )
