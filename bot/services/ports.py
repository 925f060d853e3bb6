"""The interfaces services need from storage and the outside world (implemented in adapters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Sequence

from bot.domain.events import Event
from bot.domain.incident import Incident
from bot.domain.reminders import DesiredReminder


@dataclass(frozen=True, slots=True)
class IncidentSummary:
    """One row of an incident listing, read without replaying the timeline."""

    number: int
    title: str
    crisis_type: str
    severity: str
    stage: str
    status: str
    declared_at: datetime
    declared_by: str
    resolved_at: datetime | None
    open_tasks: int

    @property
    def id(self) -> str:
        return f"INC-{self.number}"


class IncidentRepository(Protocol):
    def next_number(self) -> int:
        """A number no other incident has or will get, even under concurrent declares."""

    def add(self, incident: Incident) -> None: ...

    def get(self, number: int, *, reuse: Incident | None = None) -> Incident:
        """Load and lock the incident for the rest of the transaction; raises ``NotFound``.
        ``reuse``: the same incident as just read by this process, which the repository may
        use instead of reading it again if it is provably the stored state."""

    def save(self, incident: Incident) -> None: ...

    def list(self, *, open_only: bool = False) -> list[IncidentSummary]: ...

    def count_declared(self, *, by: str, since: datetime) -> int:
        """How many incidents ``by`` (an actor id) declared at or after ``since``."""


class TimelineRepository(Protocol):
    def append(self, events: Sequence[Event]) -> None: ...

    def for_incident(self, number: int, *, last: int | None = None) -> list[Event]:
        """The incident's events, oldest first; only the ``last`` N when given."""


class IdempotencyKeys(Protocol):
    def claim(self, key: str, *, scope: str, at: datetime) -> bool:
        """True the first time ``key`` is seen, False afterwards (``ON CONFLICT DO NOTHING``)."""

    def record_result(self, key: str, result: str) -> None:
        """Remember what the first request under ``key`` produced (e.g. the incident number)."""

    def result_of(self, key: str) -> str | None: ...


class Outbox(Protocol):
    def add(
        self, kind: str, payload: dict[str, Any], *, at: datetime, incident: int | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        """Store an effect to deliver after commit; a repeated ``dedupe_key`` is ignored."""


class UnitOfWork(Protocol):
    """One database transaction: commit on success, roll back on any error."""

    incidents: IncidentRepository
    timeline: TimelineRepository
    idempotency: IdempotencyKeys
    outbox: Outbox
    reminders: "ReminderStore"

    def __enter__(self) -> "UnitOfWork": ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...


class EffectPlanner(Protocol):
    """Turns recorded events into follow-up effects (Slack messages...) stored in the same
    transaction, e.g. in an outbox; called after the state is saved, before commit."""

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[Event]) -> None: ...

    def committed(self) -> None:
        """Called after the transaction committed (e.g. to wake the effect dispatcher)."""


@dataclass(frozen=True, slots=True)
class StoredReminder:
    """A row of the reminders table. ``status``: pending, sent, cancelled or expired."""

    id: int
    incident: int
    key: str
    kind: str
    clock: str
    due_at: datetime
    mentions: tuple[str, ...]
    status: str
    scheduled_at: datetime


class ReminderStore(Protocol):
    """The reminders table, inside a unit of work."""

    def for_incident(self, number: int) -> list[StoredReminder]: ...

    def add(self, number: int, reminders: Sequence[DesiredReminder], *, at: datetime) -> None:
        """Store new pending reminders of incident ``number`` (planned at ``at``)."""

    def reschedule(self, reminder_id: int, reminder: DesiredReminder, *, at: datetime) -> None:
        """Set due time, kind and mentions, and make it pending again."""

    def set_status(self, reminder_id: int, status: str, *, at: datetime) -> None: ...

    def claim_next(self, *, now: datetime, exclude: frozenset[int]) -> StoredReminder | None:
        """The earliest pending reminder due at ``now``, locked for this transaction; rows
        another transaction holds are skipped (``FOR UPDATE SKIP LOCKED``)."""

    def lock_incident(self, number: int) -> bool:
        """Lock the incident row unless another transaction holds it (then ``False``)."""

    def incidents_to_sync(self) -> list[int]:
        """Incidents whose reminders may still matter (not closed)."""
