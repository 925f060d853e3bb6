"""Reminders: keep the table in step with each incident, and send the ones that are due.

* :class:`ReminderPlanner` is an effect planner: after every command, in the command's
  transaction, it syncs the incident's rows to :func:`~bot.domain.reminders.desired_reminders`
  (insert new keys, re-time changed ones, cancel the ones that became moot).
* :class:`ReminderService.send_due` is what the ticker calls. Each due reminder is handled in
  its own transaction: claim the row (``FOR UPDATE SKIP LOCKED``; SQLite serialises writers),
  lock its incident, re-check it is still wanted, then mark it sent, record ``reminder.sent``
  on the timeline and let the planners put the Slack message in the outbox — all or nothing,
  so a reminder goes out exactly once across replicas and crashes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from bot.domain.drills import scale_reminders
from bot.domain.events import Event, ReminderSent
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog
from bot.domain.reminders import DesiredReminder, ReminderSettings, desired_reminders
from bot.domain.roles import Actor
from bot.services.ports import EffectPlanner, StoredReminder, UnitOfWork

log = logging.getLogger(__name__)

#: Who sends reminders, on the timeline.
SCHEDULER = Actor.system("scheduler")

PENDING, SENT, CANCELLED, EXPIRED = "pending", "sent", "cancelled", "expired"


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: int = 0
    retimed: int = 0
    cancelled: int = 0


def plan_sync(
    stored: Sequence[StoredReminder], desired: Sequence[DesiredReminder]
) -> tuple[list[DesiredReminder], list[tuple[StoredReminder, DesiredReminder]], list[StoredReminder]]:
    """What to insert, re-time (or revive) and cancel so ``stored`` matches ``desired``.

    Rows already sent or expired are final: their key is never sent again.
    """
    by_key = {r.key: r for r in stored}
    wanted = {d.key for d in desired}
    insert: list[DesiredReminder] = []
    retime: list[tuple[StoredReminder, DesiredReminder]] = []
    for reminder in desired:
        row = by_key.get(reminder.key)
        if row is None:
            insert.append(reminder)
        elif row.status == CANCELLED or (row.status == PENDING and (
            row.due_at != reminder.due_at or row.mentions != reminder.mentions
            or row.kind != reminder.kind.value or row.clock != reminder.clock
        )):
            retime.append((row, reminder))
    cancel = [r for r in stored if r.status == PENDING and r.key not in wanted]
    return insert, retime, cancel


def sync_reminders(
    uow: UnitOfWork, incident: Incident, *, catalog: Catalog, settings: ReminderSettings,
    at: datetime,
) -> SyncResult:
    """Bring the incident's reminder rows in line with its state (inside ``uow``)."""
    catalog = catalog.for_source(incident.source)  # a drill's clocks are compressed
    settings = scale_reminders(settings, incident.source)
    try:
        playbook = catalog.playbook(incident.crisis_type)
    except KeyError:
        # The playbook was removed from the catalog: keep the rows as they are rather than
        # refuse every command on the incident.
        log.warning("no playbook %r for INC-%s; its reminders are left as they are",
                    incident.crisis_type, incident.number)
        return SyncResult()
    desired = desired_reminders(incident, playbook=playbook, policy=catalog.policy,
                                settings=settings)
    insert, retime, cancel = plan_sync(uow.reminders.for_incident(incident.number), desired)
    uow.reminders.add(incident.number, insert, at=at)
    for row, reminder in retime:
        uow.reminders.reschedule(row.id, reminder, at=at)
    for row in cancel:
        uow.reminders.set_status(row.id, CANCELLED, at=at)
    return SyncResult(len(insert), len(retime), len(cancel))


@dataclass
class ReminderPlanner:
    """The :class:`~bot.services.ports.EffectPlanner` that keeps the reminders table in sync."""

    catalog: Catalog
    settings: ReminderSettings

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[Event]) -> None:
        if all(e.timeline_only or getattr(e, "stateless", False) for e in events):
            return  # notes, captures, reminders sent: nothing a reminder depends on changed
        sync_reminders(uow, incident, catalog=self.catalog, settings=self.settings,
                       at=events[-1].at)

    def committed(self) -> None:
        """Nothing to wake: the ticker polls the table."""


@dataclass
class ReminderService:
    uow_factory: Callable[[], UnitOfWork]
    catalog: Catalog
    clock: Callable[[], datetime]
    settings: ReminderSettings = field(default_factory=ReminderSettings)
    planners: Sequence[EffectPlanner] = field(default_factory=tuple)

    def send_due(self, *, now: datetime | None = None, limit: int = 500) -> list[ReminderSent]:
        """Send every reminder due at ``now`` (the injected clock by default), each in its own
        transaction; returns the ``reminder.sent`` events recorded by this call."""
        now = now or self.clock()
        sent: list[ReminderSent] = []
        skipped: set[int] = set()
        for _ in range(limit):
            with self.uow_factory() as uow:
                row = uow.reminders.claim_next(now=now, exclude=frozenset(skipped))
                if row is None:
                    break
                if not uow.reminders.lock_incident(row.incident):
                    # A command is changing this incident right now: leave the reminder for the
                    # next tick rather than wait while holding the row.
                    skipped.add(row.id)
                    continue
                event = self._send_one(uow, row, now)
                if event is not None:
                    sent.append(event)
        return sent

    def resync(self, *, now: datetime | None = None) -> int:
        """Sync every incident that is not closed (at start-up, after a settings change);
        returns how many rows changed."""
        now = now or self.clock()
        with self.uow_factory() as uow:
            numbers = uow.reminders.incidents_to_sync()
        changed = 0
        for number in numbers:
            with self.uow_factory() as uow:
                incident = uow.incidents.get(number)
                result = sync_reminders(uow, incident, catalog=self.catalog,
                                        settings=self.settings, at=now)
                uow.commit()
            changed += result.added + result.retimed + result.cancelled
        return changed

    # ------------------------------------------------------------------ internals

    def _send_one(self, uow: UnitOfWork, row: StoredReminder, now: datetime) -> ReminderSent | None:
        incident = uow.incidents.get(row.incident)
        # Re-derive first: the row may be moot or re-timed by a state the planner never saw
        # (an older release, changed settings).
        sync_reminders(uow, incident, catalog=self.catalog, settings=self.settings, at=now)
        rows = uow.reminders.for_incident(row.incident)
        current = next((r for r in rows if r.id == row.id), None)
        if current is None or current.status != PENDING or current.due_at > now:
            uow.commit()
            return None
        became_due = max(current.due_at, current.scheduled_at)
        if now - became_due > self.settings.late_within or _superseded(current, rows, now):
            log.warning("reminder %s of INC-%s dropped unsent (due %s)", current.key,
                        current.incident, current.due_at.isoformat())
            uow.reminders.set_status(current.id, EXPIRED, at=now)
            uow.commit()
            return None
        events = incident.record_reminder_sent(
            kind=current.kind, clock=current.clock, due_at=current.due_at,
            mentions=current.mentions, actor=SCHEDULER, at=now,
        )
        uow.reminders.set_status(current.id, SENT, at=now)
        pending = tuple(incident.pending)
        uow.incidents.save(incident)
        uow.timeline.append(pending)
        for planner in self.planners:
            planner.plan(uow, incident, pending)
        uow.commit()
        incident.pending.clear()
        for planner in self.planners:
            planner.committed()
        event = events[0]
        assert isinstance(event, ReminderSent)
        log.info("sent reminder %s of INC-%s (due %s)", current.key, current.incident,
                 current.due_at.isoformat())
        return event


def _superseded(current: StoredReminder, rows: Sequence[StoredReminder], now: datetime) -> bool:
    """A later reminder of the same clock is also due (the bot was down through both, e.g.
    "first statement in 1 h" and "first statement overdue"): only the latest is worth sending.
    Escalations are never folded into the reminders they escalate."""
    if current.kind == "escalation":
        return False
    return any(
        r.status == PENDING and r.clock == current.clock and r.kind != "escalation"
        and current.due_at < r.due_at <= now
        for r in rows
    )
