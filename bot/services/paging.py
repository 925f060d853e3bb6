"""Paging use cases: send due pages (first page, repeat, escalation) and acknowledgements.

The threads themselves (one per assembled role of an incident) are created and updated by the
paging effect planner in the transaction of the events that cause them, so this service reads
them, decides with :func:`bot.domain.paging.next_step`, and records the outcome through
:meth:`IncidentService.apply` — one transaction per page, with an idempotency key, so two
replicas never send the same page twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.incident import Incident
from bot.domain.paging import (
    EXEC_LAYER,
    GiveUp,
    PageAcknowledged,
    PageEscalated,
    PagePolicy,
    PageSent,
    Step,
    Thread,
    next_step,
)
from bot.domain.roles import Actor, Role
from bot.services.incidents import IncidentService
from bot.services.oncall import DutyService

PAGER = Actor.system("pager")


@dataclass(frozen=True)
class ThreadRecord:
    id: int
    incident: int
    status: str        # due | open | acked | exhausted | cancelled
    reason: str        # declared | raised: why the first page goes out
    thread: Thread


class PageStore(Protocol):
    def due(self, *, now: datetime) -> list[ThreadRecord]: ...

    def for_incident(self, number: int) -> list[ThreadRecord]: ...


class PagingService:
    def __init__(self, *, incidents: IncidentService, store: PageStore, duty: DutyService,
                 policy: PagePolicy, clock: Callable[[], datetime],
                 channels_of: Callable[[str], tuple[str, ...]] = lambda user: ()) -> None:
        self.incidents = incidents
        self.store = store
        self.duty = duty
        self.policy = policy
        self.clock = clock
        self.channels_of = channels_of

    def tick(self) -> int:
        """Send every page that is due; returns how many threads moved."""
        now = self.clock()
        moved = 0
        for record in self.store.due(now=now):
            incident = self.incidents.get(record.incident)
            if not incident.is_active:
                continue
            step = next_step(record.thread, policy=self.policy, severity=incident.severity.value,
                             now=now, holder=self._holder(incident, record.thread.role, now),
                             exec_user=self._exec(incident, now), first_reason=record.reason)
            if step is None:
                continue
            self._record(record, step)
            moved += 1
        return moved

    def _holder(self, incident: Incident, role: str, now: datetime) -> Callable[[int], str | None]:
        def holder(layer: int) -> str | None:
            if layer == 0:
                held = incident.roles.get(Role(role))
                return held.user if held else self.duty.layer_holder(Role(role), 0, at=now)
            if layer >= max(self.duty.layers_of(Role(role)), 1):
                return None
            return self.duty.layer_holder(Role(role), layer, at=now)
        return holder

    def _exec(self, incident: Incident, now: datetime) -> str | None:
        held = incident.roles.get(Role.EXEC)
        if held:
            return held.user
        return self.duty.layer_holder(Role.EXEC, 0, at=now)

    def _record(self, record: ThreadRecord, step: Step | GiveUp) -> None:
        thread = record.thread
        key = f"page:{record.id}:{len(thread.paged)}:{thread.layer}:{thread.attempt}"

        def change(incident: Incident, now: datetime) -> list:
            events = []
            waited = (now - thread.sent_at).total_seconds() if thread.sent_at else 0.0
            if isinstance(step, GiveUp):
                events += incident.record_stateless(PageEscalated(
                    incident=incident.number, actor=PAGER.id, at=now, role=thread.role,
                    from_user=thread.user, to_user="", layer=thread.layer,
                    waited_seconds=waited))
                return events
            if step.escalated_from and step.reason in ("escalated", "exec"):
                events += incident.record_stateless(PageEscalated(
                    incident=incident.number, actor=PAGER.id, at=now, role=thread.role,
                    from_user=step.escalated_from, to_user=step.user,
                    layer=step.layer, waited_seconds=waited))
            events += incident.record_stateless(PageSent(
                incident=incident.number, actor=PAGER.id, at=now, role=thread.role,
                user=step.user, layer=step.layer, attempt=step.attempt, reason=step.reason,
                channels=("slack",) + self.channels_of(step.user)))
            return events

        self.incidents.apply(record.incident, change, idempotency_key=key)

    def acknowledge(self, number: int, *, user: str, via: str) -> list[str]:
        """``user`` acknowledges every open page of ``number`` they were sent; returns the
        roles acknowledged (empty: nothing of theirs was waiting)."""
        roles = []
        for record in self.store.for_incident(number):
            thread = record.thread
            if record.status not in ("open", "due", "exhausted") or user not in thread.paged:
                continue

            def change(incident: Incident, now: datetime, thread: Thread = thread) -> list:
                first = thread.first_sent_at or now
                return incident.record_stateless(PageAcknowledged(
                    incident=incident.number, actor=user, at=now, role=thread.role, user=user,
                    via=via, seconds=max((now - first).total_seconds(), 0.0)))

            outcome = self.incidents.apply(number, change,
                                           idempotency_key=f"page-ack:{record.id}:{thread.first_sent_at}")
            if not outcome.duplicate:
                roles.append(thread.role)
        return roles


__all__ = ["EXEC_LAYER", "PAGER", "PageStore", "PagingService", "ThreadRecord"]
