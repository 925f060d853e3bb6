"""Incident use cases.

Every method: open a unit of work, load (and lock) the incident, call the domain, save the
incident and append its events, let the effect planners add their effects, commit — all or
nothing. Each returns an :class:`Outcome` with the events it recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Mapping, Sequence

from bot.domain.errors import InvalidInput
from bot.domain.events import Event
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.services.ports import EffectPlanner, IncidentSummary, UnitOfWork


@dataclass(frozen=True, slots=True)
class Outcome:
    """The incident after the change and the events recorded. ``duplicate`` means the
    idempotency key had been seen: nothing was changed."""

    incident: Incident
    events: tuple[Event, ...] = ()
    duplicate: bool = False


@dataclass
class IncidentService:
    uow_factory: Callable[[], UnitOfWork]
    catalog: Catalog
    clock: Callable[[], datetime]
    planners: Sequence[EffectPlanner] = field(default_factory=tuple)
    #: Units of work for the reads below (no write lock); ``uow_factory`` when not given.
    read_uow_factory: Callable[[], UnitOfWork] | None = None
    _just_read: threading.local = field(default_factory=threading.local, init=False, repr=False)
    _batch: threading.local = field(default_factory=threading.local, init=False, repr=False)

    # ------------------------------------------------------------------ declare

    def declare(
        self,
        *,
        title: str,
        crisis_type: str,
        actor: Actor,
        severity: Severity | None = None,
        description: str = "",
        roles: Mapping[Role, str] | None = None,
        source: str = "slack",
        idempotency_key: str | None = None,
        confidential: bool | None = None,
    ) -> Outcome:
        """Declare an incident; ``roles`` pre-assigns roles (the roster, the declarer as commander).
        ``confidential`` None takes the playbook's default."""
        try:
            playbook = self.catalog.for_source(source).playbook(crisis_type)  # drills: compressed
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0])) from None
        now = self.clock()
        with self.uow_factory() as uow:
            if idempotency_key and not uow.idempotency.claim(
                idempotency_key, scope="declare", at=now
            ):
                first = uow.idempotency.result_of(idempotency_key)
                return Outcome(incident=uow.incidents.get(int(first or 0)), duplicate=True)
            number = uow.incidents.next_number()
            if idempotency_key:
                uow.idempotency.record_result(idempotency_key, str(number))
            incident = Incident.declare(
                number=number, title=title, playbook=playbook, severity=severity,
                description=description, actor=actor, at=now, source=source,
                confidential=confidential,
            )
            # The commander first: who leads may then hand out the roster's other roles.
            for role, user in sorted((roles or {}).items(), key=lambda r: r[0] is not Role.COMMANDER):
                incident.assign_role(role, user, actor=actor, at=now)
            uow.incidents.add(incident)
            return self._finish(uow, incident)

    # ------------------------------------------------------------------ changes

    def change_severity(
        self, number: int, severity: Severity, *, actor: Actor, reason: str = "",
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.change_severity(
                severity, playbook=self._playbook(inc), actor=actor, at=now, reason=reason
            ),
        )

    def assign_role(
        self, number: int, role: Role, user: str, *, actor: Actor,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key, lambda inc, now: inc.assign_role(role, user, actor=actor, at=now)
        )

    def advance_stage(
        self, number: int, *, actor: Actor, force: bool = False,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.advance_stage(
                playbook=self._playbook(inc), actor=actor, at=now, force=force
            ),
        )

    def add_task(
        self, number: int, text: str, *, actor: Actor, owner_role: Role | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.add_task(text, actor=actor, at=now, owner_role=owner_role),
        )

    def assign_task(
        self, number: int, task_no: int, user: str, *, actor: Actor,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.assign_task(task_no, user, actor=actor, at=now),
        )

    def complete_task(
        self, number: int, task_no: int, *, actor: Actor, idempotency_key: str | None = None
    ) -> Outcome:
        return self._run(
            number, idempotency_key, lambda inc, now: inc.complete_task(task_no, actor=actor, at=now)
        )

    def add_fact(
        self, number: int, text: str, *, actor: Actor, idempotency_key: str | None = None
    ) -> Outcome:
        return self._run(
            number, idempotency_key, lambda inc, now: inc.add_fact(text, actor=actor, at=now)
        )

    def confirm_fact(
        self, number: int, fact_no: int, *, actor: Actor, idempotency_key: str | None = None
    ) -> Outcome:
        return self._run(
            number, idempotency_key, lambda inc, now: inc.confirm_fact(fact_no, actor=actor, at=now)
        )

    def translate_fact(
        self, number: int, fact_no: int, *, lang: str, text: str, actor: Actor,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.translate_fact(fact_no, lang=lang, text=text, actor=actor, at=now),
        )

    def retract_fact(
        self, number: int, fact_no: int, *, actor: Actor, reason: str = "",
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.retract_fact(fact_no, actor=actor, at=now, reason=reason),
        )

    def add_note(
        self, number: int, text: str, *, actor: Actor, idempotency_key: str | None = None
    ) -> Outcome:
        return self._run(
            number, idempotency_key, lambda inc, now: inc.add_note(text, actor=actor, at=now)
        )

    def record_impact(
        self, number: int, figures: Mapping[str, str], *, actor: Actor,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.record_impact(dict(figures), actor=actor, at=now),
        )

    def capture_message(
        self, number: int, *, author: str, text: str, permalink: str, posted_at: datetime,
        actor: Actor, idempotency_key: str | None = None,
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.capture_message(
                author=author, text=text, permalink=permalink, posted_at=posted_at,
                actor=actor, at=now,
            ),
        )

    def resolve(
        self, number: int, *, actor: Actor, summary: str = "", idempotency_key: str | None = None
    ) -> Outcome:
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.resolve(actor=actor, at=now, summary=summary),
        )

    def reopen(
        self, number: int, *, actor: Actor, reason: str = "", idempotency_key: str | None = None
    ) -> Outcome:
        return self._run(
            number, idempotency_key, lambda inc, now: inc.reopen(actor=actor, at=now, reason=reason)
        )

    def close(self, number: int, *, actor: Actor, idempotency_key: str | None = None) -> Outcome:
        return self._run(number, idempotency_key, lambda inc, now: inc.close(actor=actor, at=now))

    def add_followup(
        self, number: int, text: str, *, owner: str | None, actor: Actor,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Add an action item (``/crisis followup <text> [@owner]``)."""
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.add_followup(text, owner=owner, actor=actor, at=now),
        )

    def complete_followup(
        self, number: int, *, item_no: int, actor: Actor, idempotency_key: str | None = None,
    ) -> Outcome:
        """Mark an action item done (``/crisis followup done <n>``), in any phase."""
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.complete_followup(item_no, actor=actor, at=now),
        )

    def reopen_followup(
        self, number: int, *, item_no: int, actor: Actor, idempotency_key: str | None = None,
    ) -> Outcome:
        """Open a done action item again (``/crisis followup reopen <n>``)."""
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.reopen_followup(item_no, actor=actor, at=now),
        )

    def publish_postmortem(
        self, number: int, *, version: int, actor: Actor, idempotency_key: str | None = None
    ) -> Outcome:
        """Record that post-mortem ``version`` was published (the planner uploads its files)."""
        return self._run(
            number, idempotency_key,
            lambda inc, now: inc.record_postmortem_published(version=version, actor=actor, at=now),
        )

    @contextmanager
    def reusing(self, incident: Incident) -> Iterator[None]:
        """The next change in this thread to ``incident``'s number may start from
        ``incident``, just read (say, for a permission check), instead of reading the same
        state again: the repository uses it only if the stored snapshot is still the one it
        was restored from, checked under the row lock."""
        self._just_read.incident = incident
        try:
            yield
        finally:
            self._just_read.__dict__.pop("incident", None)

    @contextmanager
    def together(self, number: int) -> Iterator[Incident]:
        """Changes to incident ``number`` made in this thread inside the block share one
        transaction: the incident is loaded (and locked) once, each change applies to the
        state the one before left, and everything they recorded is saved, planned (one
        channel message for all) and committed once, at the end — or not at all if the block
        raises. Yields the incident, for checks against that state. For bursts of commands
        to one incident (the command workers); :meth:`reusing` applies as for one change.
        Only changes to ``number`` belong in the block (another raises RuntimeError)."""
        reuse = self._just_read.__dict__.pop("incident", None)
        with self.uow_factory() as uow:
            incident = uow.incidents.get(
                number, reuse=reuse if reuse is not None and reuse.number == number else None)
            self._batch.open = (uow, incident)
            try:
                yield incident
            finally:
                self._batch.__dict__.pop("open", None)
            if incident.pending:
                self._finish(uow, incident)

    # ------------------------------------------------------------------ reads

    def _reading(self) -> UnitOfWork:
        return (self.read_uow_factory or self.uow_factory)()

    def get(self, number: int) -> Incident:
        with self._reading() as uow:
            return uow.incidents.get(number)

    def timeline(self, number: int, *, last: int | None = None) -> list[Event]:
        """The incident's events, oldest first (only the ``last`` N when given)."""
        with self._reading() as uow:
            uow.incidents.get(number)  # raises NotFound for an unknown incident
            return uow.timeline.for_incident(number, last=last)

    def list(self, *, open_only: bool = False) -> list[IncidentSummary]:
        with self._reading() as uow:
            return uow.incidents.list(open_only=open_only)

    def apply(
        self, number: int, change: Callable[[Incident, datetime], list[Event]], *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Run ``change(incident, now)`` in one transaction, like every method above; for use
        cases that live in their own service (statements)."""
        return self._run(number, idempotency_key, change)

    # ------------------------------------------------------------------ internals

    def _playbook(self, incident: Incident):
        return self.catalog.for_source(incident.source).playbook(incident.crisis_type)

    def _run(
        self,
        number: int,
        idempotency_key: str | None,
        change: Callable[[Incident, datetime], list[Event]],
    ) -> Outcome:
        now = self.clock()
        batch = self._batch.__dict__.get("open")
        if batch is not None:
            if batch[1].number != number:  # its own transaction would wait for the block's
                raise RuntimeError(
                    f"a change to INC-{number} inside together(INC-{batch[1].number})")
            return self._run_together(*batch, idempotency_key, change, now)
        reuse = self._just_read.__dict__.pop("incident", None)
        if reuse is not None and reuse.number != number:
            reuse = None
        with self.uow_factory() as uow:
            # The row lock first, then the key: the order :meth:`together` takes them in, so
            # two replicas given the same command can never wait for each other.
            incident = uow.incidents.get(number, reuse=reuse)
            if idempotency_key and not uow.idempotency.claim(idempotency_key, scope="command",
                                                             at=now):
                return Outcome(incident=incident, duplicate=True)
            change(incident, now)
            return self._finish(uow, incident)

    @staticmethod
    def _run_together(uow: UnitOfWork, incident: Incident, idempotency_key: str | None,
                      change: Callable[[Incident, datetime], list[Event]],
                      now: datetime) -> Outcome:
        """One change inside :meth:`together`: recorded, not yet committed."""
        if idempotency_key and not uow.idempotency.claim(idempotency_key, scope="command", at=now):
            return Outcome(incident=incident, duplicate=True)
        before = len(incident.pending)
        change(incident, now)
        return Outcome(incident=incident, events=tuple(incident.pending[before:]))

    def _finish(self, uow: UnitOfWork, incident: Incident) -> Outcome:
        events = tuple(incident.pending)
        uow.incidents.save(incident)
        uow.timeline.append(events)
        for planner in self.planners:
            planner.plan(uow, incident, events)
        uow.commit()
        incident.pending.clear()
        for planner in self.planners:
            planner.committed()
        return Outcome(incident=incident, events=events)

