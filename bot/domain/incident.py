"""The incident aggregate.

Every public method validates, builds the timeline event(s) describing the change and applies
them through :meth:`Incident._record`; state is never changed any other way, so the stored
timeline replays into the same incident (:meth:`Incident.replay`). Methods return the events
they recorded; the services persist them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from bot.domain import events as ev
from bot.domain.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    StageBlocked,
)
from bot.domain.impact import parse_impact
from bot.domain.lifecycle import (
    STAGES,
    Phase,
    Status,
    allowed_from,
    check_transition,
    next_stage,
    status_of,
)
from bot.domain.permissions import Standing, effective_roles
from bot.domain.playbook import DueFrom, Playbook, TaskTemplate
from bot.domain.records import Fact, FactStatus, RoleAssignment, SeverityChange, Task
from bot.domain.roles import ROLE_LABELS, Actor, Role
from bot.domain.severity import Severity
from bot.domain import statements as st
from bot.domain.incident_statements import StatementCommands
from bot.domain.text import LocalText

#: Notes starting with one of these tags prefill the post-mortem sections.
NOTE_TAGS = ("worked", "didnt", "cause", "lesson")
_NOTE_TAG = re.compile(r"^\s*(worked|didnt|didn't|cause|lesson)\s*:\s*", re.IGNORECASE)

MAX_TITLE = 150
MAX_TEXT = 3000

#: Who may set severity SS, resolve, close or reopen (besides the bot itself).
PRIVILEGED = frozenset({Role.COMMANDER, Role.EXEC})
#: Who may confirm or translate facts (the public record): commander, comms, legal, exec.
FACT_STANDING = frozenset({Role.COMMANDER, Role.COMMS, Role.LEGAL, Role.EXEC})


def incident_id(number: int) -> str:
    return f"INC-{number}"


def parse_incident_id(text: str) -> int:
    """``"INC-7"``, ``"inc-7"`` or ``"7"`` → 7; anything else raises :class:`InvalidInput`."""
    match = re.fullmatch(r"(?:inc-)?(\d{1,9})", text.strip().lower())
    if not match:
        raise InvalidInput(f"`{text}` is not an incident id; write it as INC-7.")
    return int(match.group(1))


@dataclass
class Incident(StatementCommands):
    """State of one incident. Build it with :meth:`declare` or :meth:`replay`, never directly."""

    number: int
    title: str
    crisis_type: str
    severity: Severity
    description: str
    declared_at: datetime
    declared_by: str
    phase: Phase = Phase.ASSESS
    stage: Phase = Phase.ASSESS
    stage_entered_at: dict[Phase, datetime] = field(default_factory=dict)
    roles: dict[Role, RoleAssignment] = field(default_factory=dict)
    role_first_filled: dict[Role, datetime] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    impact: dict[str, Any] = field(default_factory=dict)
    severity_history: list[SeverityChange] = field(default_factory=list)
    statements_published: list[datetime] = field(default_factory=list)
    #: Publications to an outside audience (customers, media, partners, regulators): what meets
    #: the golden 4 hours.
    external_published: list[datetime] = field(default_factory=list)
    resolved_at: datetime | None = None
    resolution: str = ""
    closed_at: datetime | None = None
    postmortem_published_at: datetime | None = None
    source: str = "slack"
    #: Monitor alerts still firing, by fingerprint (what the card lists as "signals firing").
    firing: dict[str, ev.AlertFired] = field(default_factory=dict)
    pending: list[ev.Event] = field(default_factory=list, repr=False, compare=False)
    #: When the latest event happened (by the clock of whoever recorded it).
    updated_at: datetime | None = field(default=None, compare=False)
    statements: dict[int, st.Statement] = field(default_factory=dict)
    followups: list[ev.FollowupAdded] = field(default_factory=list)
    #: Action items marked done, by item number (who and when: the event).
    followups_done: dict[int, ev.FollowupDone] = field(default_factory=dict)
    #: Private channel, redacted announcement, reads only for people in the incident.
    confidential: bool = False

    # ---------------------------------------------------------------- creation

    @classmethod
    def declare(
        cls,
        *,
        number: int,
        title: str,
        playbook: Playbook,
        severity: Severity | None,
        description: str,
        actor: Actor,
        at: datetime,
        source: str = "slack",
        confidential: bool | None = None,
    ) -> "Incident":
        """Declare incident ``number``; the first stage's playbook tasks are added at once.
        ``confidential`` None takes the playbook's default."""
        title = _clean(title, "title", MAX_TITLE)
        if not title:
            raise InvalidInput("An incident needs a title, e.g. `/crisis declare Checkout failing`.")
        declared = ev.IncidentDeclared(
            incident=number,
            actor=actor.id,
            at=at,
            title=title,
            crisis_type=playbook.key,
            severity=(severity or playbook.default_severity).value,
            description=_clean(description, "description", MAX_TEXT),
            source=source,
            confidential=playbook.confidential if confidential is None else bool(confidential),
        )
        incident = cls._from_declared(declared)
        incident.pending.append(declared)
        incident._instantiate_stage_tasks(playbook, Phase.ASSESS, actor=actor, at=at)
        return incident

    @classmethod
    def replay(cls, events: list[ev.Event]) -> "Incident":
        """Rebuild an incident from its full timeline (first event must be the declaration)."""
        if not events or not isinstance(events[0], ev.IncidentDeclared):
            raise ValueError("a timeline starts with incident.declared")
        incident = cls._from_declared(events[0])
        for event in events[1:]:
            incident._apply(event)
        return incident

    def catch_up(self, events: list[ev.Event]) -> "Incident":
        """Apply stored events recorded after this state was saved (a snapshot's tail)."""
        for event in events:
            self._apply(event)
        return self

    @classmethod
    def _from_declared(cls, event: ev.IncidentDeclared) -> "Incident":
        severity = Severity(event.severity)
        return cls(
            number=event.incident,
            title=event.title,
            crisis_type=event.crisis_type,
            severity=severity,
            description=event.description,
            declared_at=event.at,
            declared_by=event.actor,
            stage_entered_at={Phase.ASSESS: event.at},
            severity_history=[SeverityChange(severity.value, event.at)],
            source=event.source,
            confidential=event.confidential,
        )

    # ---------------------------------------------------------------- queries

    @property
    def id(self) -> str:
        return incident_id(self.number)

    @property
    def status(self) -> Status:
        return status_of(self.phase)

    @property
    def is_active(self) -> bool:
        return self.status is Status.ACTIVE

    def holder(self, role: Role) -> str | None:
        assignment = self.roles.get(role)
        return assignment.user if assignment else None

    def roles_of(self, user: str) -> frozenset[Role]:
        return frozenset(r for r, a in self.roles.items() if a.user == user)

    def effective_roles(self, actor: Actor) -> frozenset[Role]:
        """The roles that count for ``actor`` here: those held in this incident, plus exec for
        an executive of the roster. Other roster roles only seed defaults at declaration."""
        return effective_roles(self.roles_of(actor.id), actor.roles)

    def standing(self, actor: Actor, *, in_channel: bool = False,
                 restrict_reads: bool = False) -> Standing:
        """The actor's standing for the permission table (:mod:`bot.domain.permissions`)."""
        return Standing(
            user=actor.id, incident_roles=self.roles_of(actor.id), roster_roles=actor.roles,
            in_channel=in_channel, commander=self.holder(Role.COMMANDER),
            reads_restricted=self.confidential or restrict_reads, is_system=actor.is_system,
        )

    def task(self, no: int) -> Task:
        for task in self.tasks:
            if task.no == no:
                return task
        raise NotFound(f"{self.id} has no task #{no}; `/crisis stage` lists the tasks.")

    def fact(self, no: int) -> Fact:
        for fact in self.facts:
            if fact.no == no:
                return fact
        raise NotFound(f"{self.id} has no fact #{no}; `/crisis status` lists the facts.")

    def open_tasks(self, stage: Phase | None = None) -> list[Task]:
        return [t for t in self.tasks if t.is_open and (stage is None or t.stage == stage)]

    def blocking_tasks(self) -> list[Task]:
        """Open required tasks of the current stage: what stops ``/crisis stage next``."""
        return [t for t in self.open_tasks(self.stage) if t.required]

    def confirmed_facts(self) -> list[Fact]:
        return [f for f in self.facts if f.status is FactStatus.CONFIRMED]

    # ---------------------------------------------------------------- commands

    def change_severity(
        self, new: Severity, *, playbook: Playbook, actor: Actor, at: datetime, reason: str = ""
    ) -> list[ev.Event]:
        self._require_active("change its severity")
        if new == self.severity:
            raise Conflict(f"{self.id} is already severity {new.value}.")
        # Severity decides the approval rule and who is invited: any change, either way, is
        # for the commander or an executive.
        self._require_privileged(actor, "change the severity")
        mark = len(self.pending)
        self._record(
            ev.SeverityChanged(
                incident=self.number, actor=actor.id, at=at, old=self.severity.value,
                new=new.value, reason=_clean(reason, "reason", MAX_TEXT),
            )
        )
        # A higher severity can bring tasks the lower one did not need (e.g. exec sign-off).
        self._instantiate_stage_tasks(playbook, self.stage, actor=actor, at=at)
        return self.pending[mark:]

    def assign_role(self, role: Role, user: str, *, actor: Actor, at: datetime) -> list[ev.Event]:
        if self.status is Status.CLOSED:
            raise Conflict(f"{self.id} is closed; roles can no longer change.")
        user = user.strip()
        if not user:
            raise InvalidInput("Name the person to assign, e.g. `/crisis role comms @maria`.")
        current = self.holder(role)
        if current == user:
            raise Conflict(f"<@{user}> is already the {ROLE_LABELS[role][0]} of {self.id}.")
        vacant = self.holder(Role.COMMANDER) is None
        if not (role is Role.COMMANDER and vacant and user == actor.id):
            # Roles carry rights (approving statements, severity, resolving), so only the
            # commander or an executive hands them out. While there is no commander, one may
            # take command themselves (the declarer; a roster commander on a monitor-opened
            # incident, as the permission table admits).
            self._require_privileged(actor, "assign roles")
        return self._record(
            ev.RoleAssigned(
                incident=self.number, actor=actor.id, at=at, role=role.value, user=user,
                previous=current,
            )
        )

    def advance_stage(
        self, *, playbook: Playbook, actor: Actor, at: datetime, force: bool = False
    ) -> list[ev.Event]:
        """Move to the next working stage; refused while required tasks are open unless forced."""
        self._require_active("advance its stage")
        target = next_stage(self.stage)
        if target is Phase.RESOLVED:
            raise InvalidInput(
                f"{self.id} is in its last stage (`recover`); resolve it with `/crisis resolve`."
            )
        check_transition(self.phase, target)
        blocking = self.blocking_tasks()
        if blocking and not force:
            raise StageBlocked(self.stage.value, tuple((t.no, t.text.en) for t in blocking))
        # Who may advance at all is the permission table's row (commander or exec); the
        # aggregate itself guards the force, which skips required tasks.
        if force and not self.effective_roles(actor) & PRIVILEGED:
            raise NotPermitted(
                f"Only the commander or an executive of {self.id} can force a stage advance "
                "past open required tasks."
            )
        mark = len(self.pending)
        self._record(
            ev.StageAdvanced(
                incident=self.number, actor=actor.id, at=at, from_stage=self.stage.value,
                to_stage=target.value, forced=bool(blocking),
                open_required=tuple(t.no for t in blocking),
            )
        )
        self._instantiate_stage_tasks(playbook, target, actor=actor, at=at)
        return self.pending[mark:]

    def add_task(
        self,
        text: str,
        *,
        actor: Actor,
        at: datetime,
        owner_role: Role | None = None,
        due_at: datetime | None = None,
        required: bool = False,
    ) -> list[ev.Event]:
        self._require_active("take new tasks")
        text = _clean(text, "task", MAX_TEXT)
        if not text:
            raise InvalidInput("Describe the task, e.g. `/crisis task add Call the logistics partner`.")
        return self._record(
            ev.TaskAdded(
                incident=self.number, actor=actor.id, at=at, task_no=self._next_task_no(),
                text_en=text, text_zh=text, stage=self.stage.value,
                owner_role=owner_role.value if owner_role else None, due_at=due_at,
                required=required,
            )
        )

    def assign_task(self, no: int, user: str, *, actor: Actor, at: datetime) -> list[ev.Event]:
        task = self.task(no)
        if not task.is_open:
            raise Conflict(f"Task #{no} is already done.")
        if task.assignee == user:
            raise Conflict(f"Task #{no} is already assigned to <@{user}>.")
        return self._record(
            ev.TaskAssigned(incident=self.number, actor=actor.id, at=at, task_no=no, user=user)
        )

    def complete_task(self, no: int, *, actor: Actor, at: datetime) -> list[ev.Event]:
        task = self.task(no)
        if not task.is_open:
            raise Conflict(f"Task #{no} was already completed by <@{task.done_by}>.")
        late = task.due_at is not None and at > task.due_at
        return self._record(
            ev.TaskCompleted(incident=self.number, actor=actor.id, at=at, task_no=no, late=late)
        )

    def add_fact(self, text: str, *, actor: Actor, at: datetime) -> list[ev.Event]:
        text = _clean(text, "fact", MAX_TEXT)
        if not text:
            raise InvalidInput("State the fact, e.g. `/crisis fact Batch 2024-11 is affected`.")
        return self._record(
            ev.FactAdded(
                incident=self.number, actor=actor.id, at=at, fact_no=len(self.facts) + 1, text=text
            )
        )

    def confirm_fact(self, no: int, *, actor: Actor, at: datetime) -> list[ev.Event]:
        fact = self.fact(no)
        if fact.status is not FactStatus.UNCONFIRMED:
            raise Conflict(f"Fact #{no} is already {fact.status.value}.")
        return self._record(
            ev.FactConfirmed(incident=self.number, actor=actor.id, at=at, fact_no=no)
        )

    def translate_fact(
        self, no: int, *, lang: str, text: str, actor: Actor, at: datetime
    ) -> list[ev.Event]:
        """Add or replace fact ``no``'s version in ``lang``; the same standing as confirming."""
        self._require_fact_standing(actor, "translate facts")
        fact = self.fact(no)
        lang = (lang or "").strip().lower()
        if lang not in ("en", "zh"):
            raise InvalidInput(f"`{lang}` is not a fact language; use en or zh.")
        text = _clean(text, "fact", MAX_TEXT)
        if not text:
            raise InvalidInput(f"Give the text, e.g. `/crisis fact {no} zh 批次2411-B受影响`.")
        if fact.status is FactStatus.RETRACTED:
            raise Conflict(f"Fact #{no} is retracted; it takes no translation.")
        if fact.text_in(lang) == text:
            raise Conflict(f"Fact #{no} already reads that in {lang}.")
        return self._record(
            ev.FactTranslated(incident=self.number, actor=actor.id, at=at, fact_no=no,
                              lang=lang, text=text)
        )

    def retract_fact(
        self, no: int, *, actor: Actor, at: datetime, reason: str = ""
    ) -> list[ev.Event]:
        fact = self.fact(no)
        if fact.status is FactStatus.RETRACTED:
            raise Conflict(f"Fact #{no} is already retracted.")
        return self._record(
            ev.FactRetracted(
                incident=self.number, actor=actor.id, at=at, fact_no=no,
                reason=_clean(reason, "reason", MAX_TEXT),
            )
        )

    def add_note(self, text: str, *, actor: Actor, at: datetime) -> list[ev.Event]:
        text = _clean(text, "note", MAX_TEXT)
        tag = None
        match = _NOTE_TAG.match(text)
        if match:
            tag = match.group(1).lower().replace("'", "")
            text = text[match.end():].strip()
        if not text:
            raise InvalidInput("Write the note, e.g. `/crisis note lesson: pre-approve templates`.")
        return self._record(
            ev.NoteAdded(incident=self.number, actor=actor.id, at=at, text=text, tag=tag)
        )

    def record_impact(self, raw: dict[str, str], *, actor: Actor, at: datetime) -> list[ev.Event]:
        figures = parse_impact(raw)
        return self._record(
            ev.ImpactRecorded(incident=self.number, actor=actor.id, at=at, figures=figures)
        )

    def capture_message(
        self, *, author: str, text: str, permalink: str, posted_at: datetime, actor: Actor,
        at: datetime,
    ) -> list[ev.Event]:
        """Add a Slack message to the timeline (shortcut or :pushpin: reaction)."""
        return self._record(
            ev.MessageCaptured(
                incident=self.number, actor=actor.id, at=at, author=author,
                text=_clean(text, "message", MAX_TEXT), permalink=permalink, posted_at=posted_at,
            )
        )

    def record_statement_published(
        self, *, statement_id: int, audience: str, kind: str, lang: str, channel: str,
        actor: Actor, at: datetime, version: int = 0,
    ) -> list[ev.Event]:
        """A statement went out; meets the first-statement clock and restarts the update cadence."""
        return self._record(
            ev.StatementPublished(
                incident=self.number, actor=actor.id, at=at, statement_id=statement_id,
                audience=audience, kind=kind, lang=lang, channel=channel, version=version,
            )
        )

    # Statement commands (draft_statement, approve_statement, …) come from the
    # StatementCommands mixin in bot.domain.incident_statements.

    def resolve(self, *, actor: Actor, at: datetime, summary: str = "") -> list[ev.Event]:
        self._require_privileged(actor, "resolve the incident")
        _expect(check_transition(self.phase, Phase.RESOLVED), "resolve", self.phase, Phase.RESOLVED)
        return self._record(
            ev.IncidentResolved(
                incident=self.number, actor=actor.id, at=at,
                summary=_clean(summary, "summary", MAX_TEXT), from_stage=self.stage.value,
            )
        )

    def reopen(self, *, actor: Actor, at: datetime, reason: str = "") -> list[ev.Event]:
        self._require_privileged(actor, "reopen the incident")
        _expect(check_transition(self.phase, Phase.RECOVER), "reopen", self.phase, Phase.RECOVER)
        return self._record(
            ev.IncidentReopened(
                incident=self.number, actor=actor.id, at=at, reason=_clean(reason, "reason", MAX_TEXT)
            )
        )

    def close(self, *, actor: Actor, at: datetime) -> list[ev.Event]:
        self._require_privileged(actor, "close the incident")
        _expect(check_transition(self.phase, Phase.CLOSED), "close", self.phase, Phase.CLOSED)
        return self._record(ev.IncidentClosed(incident=self.number, actor=actor.id, at=at))

    def record_postmortem_published(
        self, *, version: int, actor: Actor, at: datetime
    ) -> list[ev.Event]:
        if self.resolved_at is None:
            raise Conflict(f"{self.id} is not resolved yet; the post-mortem comes after.")
        return self._record(
            ev.PostmortemPublished(incident=self.number, actor=actor.id, at=at, version=version)
        )

    def record_reminder_sent(
        self, *, kind: str, clock: str, due_at: datetime, mentions: tuple[str, ...],
        actor: Actor, at: datetime,
    ) -> list[ev.Event]:
        """A reminder was sent (the post-mortem counts them against missed clocks)."""
        return self._record(
            ev.ReminderSent(
                incident=self.number, actor=actor.id, at=at, kind=kind, clock=clock,
                due_at=due_at, mentions=tuple(mentions),
            )
        )

    def record_alert_fired(
        self, *, monitor: str, fingerprint: str, title: str, severity: str | None,
        value: float | None, threshold: float | None, url: str, observed_at: datetime,
        first_seen: datetime, labels: dict[str, Any], actor: Actor, at: datetime,
        description: str = "", links: dict[str, str] | None = None, value_text: str = "",
        truncated: int = 0,
    ) -> list[ev.Event]:
        """A monitor alert joins the incident (also while resolved: it may prompt a reopen)."""
        if self.status.value == "closed":
            raise Conflict(f"{self.id} is closed; alerts open a new incident instead.")
        return self._record(
            ev.AlertFired(
                incident=self.number, actor=actor.id, at=at, monitor=monitor,
                fingerprint=fingerprint, title=_clean(title, "alert title", MAX_TITLE),
                severity=severity, value=value, threshold=threshold, url=url,
                observed_at=observed_at, first_seen=first_seen, labels=dict(labels),
                description=description[:1000], links=dict(links or {}),
                value_text=value_text[:300], truncated=max(0, truncated),
            )
        )

    def record_alert_resolved(
        self, *, monitor: str, fingerprint: str, observed_at: datetime, actor: Actor, at: datetime
    ) -> list[ev.Event]:
        return self._record(
            ev.AlertResolved(
                incident=self.number, actor=actor.id, at=at, monitor=monitor,
                fingerprint=fingerprint, observed_at=observed_at,
            )
        )

    def add_followup(
        self, text: str, *, owner: str | None, actor: Actor, at: datetime
    ) -> list[ev.Event]:
        """An action item with an optional owner, listed in the post-mortem."""
        text = _clean(text, "follow-up", MAX_TEXT)
        if not text:
            raise InvalidInput("Describe the follow-up, e.g. `/crisis followup Pre-approve "
                               "holding statements @maria`.")
        return self._record(
            ev.FollowupAdded(
                incident=self.number, actor=actor.id, at=at, item_no=len(self.followups) + 1,
                text=text, owner=(owner or "").strip() or None,
            )
        )

    def followup(self, no: int) -> ev.FollowupAdded:
        for item in self.followups:
            if item.item_no == no:
                return item
        raise NotFound(f"{self.id} has no action item #{no}; the post-mortem lists them.")

    def complete_followup(self, no: int, *, actor: Actor, at: datetime) -> list[ev.Event]:
        """Mark action item ``no`` done; allowed in every phase (items are done weeks later)."""
        self.followup(no)
        if no in self.followups_done:
            raise Conflict(f"Action item #{no} of {self.id} is already done.")
        return self._record(ev.FollowupDone(incident=self.number, actor=actor.id, at=at,
                                            item_no=no))

    def reopen_followup(self, no: int, *, actor: Actor, at: datetime) -> list[ev.Event]:
        """Open a done action item again."""
        self.followup(no)
        if no not in self.followups_done:
            raise Conflict(f"Action item #{no} of {self.id} is still open.")
        return self._record(ev.FollowupReopened(incident=self.number, actor=actor.id, at=at,
                                                item_no=no))

    def confirm_lessons(self, lessons: list[str], *, actor: Actor, at: datetime) -> list[ev.Event]:
        """Confirm the lessons for the knowledge base (once resolved; the latest counts)."""
        if self.is_active:
            raise Conflict(f"{self.id} is not resolved yet; its lessons are confirmed after.")
        cleaned = tuple(_clean(x, "lesson", MAX_TEXT) for x in lessons if x and x.strip())
        if len(cleaned) > 30:
            raise InvalidInput("At most 30 lessons, one per line.")
        return self._record(
            ev.LessonsConfirmed(incident=self.number, actor=actor.id, at=at, lessons=cleaned))

    # ---------------------------------------------------------------- internals

    def _require_active(self, doing: str) -> None:
        if not self.is_active:
            raise Conflict(f"{self.id} is {self.status.value}; it can no longer {doing}.")

    def _require_privileged(self, actor: Actor, doing: str) -> None:
        if actor.is_system:
            return
        if self.effective_roles(actor) & PRIVILEGED:
            return
        raise NotPermitted(
            f"Only the commander or an executive can {doing}. "
            f"Ask <@{self.holder(Role.COMMANDER)}>." if self.holder(Role.COMMANDER)
            else f"Only the commander or an executive can {doing}; assign a commander first "
            "with `/crisis role commander @someone`."
        )

    def _require_fact_standing(self, actor: Actor, doing: str) -> None:
        """Confirming-level standing: commander, comms, legal or exec."""
        if actor.is_system or (self.roles_of(actor.id) | actor.roles) & FACT_STANDING:
            return
        raise NotPermitted(f"Only the commander, comms lead, legal counsel or an executive can {doing}.")

    def _next_task_no(self) -> int:
        return len(self.tasks) + 1

    def _instantiate_stage_tasks(
        self, playbook: Playbook, stage: Phase, *, actor: Actor, at: datetime
    ) -> None:
        present = {t.template for t in self.tasks if t.template}
        for template in playbook.tasks_for(stage, self.severity):
            if template.id in present:
                continue
            self._record(
                ev.TaskAdded(
                    incident=self.number, actor=actor.id, at=at, task_no=self._next_task_no(),
                    text_en=template.text.en, text_zh=template.text.zh, stage=template.stage.value,
                    owner_role=template.owner.value, due_at=self._due_at(template, at),
                    required=template.required, template=template.id,
                )
            )

    def _due_at(self, template: TaskTemplate, at: datetime) -> datetime | None:
        if template.due is None:
            return None
        base = self.declared_at if template.due_from is DueFrom.DECLARED else at
        return base + template.due

    def record_stateless(self, event: ev.Event) -> list[ev.Event]:
        """Record an event that changes no state of the incident (``stateless``: pages sent
        and acknowledged), so it joins the timeline in the incident's transaction."""
        if not getattr(event, "stateless", False) or event.incident != self.number:
            raise ValueError(f"{event.name} is not a stateless event of {self.id}")
        return self._record(event)

    def _record(self, event: ev.Event) -> list[ev.Event]:
        self._apply(event)
        self.pending.append(event)
        return [event]

    def _apply(self, event: ev.Event) -> None:
        handler: Callable[[Any], None] | None = getattr(
            self, "_on_" + event.name.replace(".", "_"), None
        )
        if handler is None and getattr(event, "stateless", False):
            return  # recorded for the timeline only (bot.domain.paging)
        if handler is None:
            raise ValueError(f"no handler for event {event.name}")
        handler(event)
        self.updated_at = max(self.updated_at or event.at, event.at)

    def _on_incident_declared(self, event: ev.IncidentDeclared) -> None:
        raise ValueError("an incident is declared once")

    def _on_incident_severity_changed(self, event: ev.SeverityChanged) -> None:
        self.severity = Severity(event.new)
        self.severity_history.append(SeverityChange(event.new, event.at))

    def _on_role_assigned(self, event: ev.RoleAssigned) -> None:
        role = Role(event.role)
        self.roles[role] = RoleAssignment(role, event.user, event.at, event.actor)
        self.role_first_filled.setdefault(role, event.at)

    def _on_stage_advanced(self, event: ev.StageAdvanced) -> None:
        self.stage = self.phase = Phase(event.to_stage)
        self.stage_entered_at[self.stage] = event.at

    def _on_task_added(self, event: ev.TaskAdded) -> None:
        self.tasks.append(
            Task(
                no=event.task_no, text=LocalText(event.text_en, event.text_zh),
                stage=Phase(event.stage),
                owner_role=Role(event.owner_role) if event.owner_role else None,
                created_at=event.at, due_at=event.due_at, required=event.required,
                template=event.template,
            )
        )

    def _on_task_assigned(self, event: ev.TaskAssigned) -> None:
        self.task(event.task_no).assignee = event.user

    def _on_task_completed(self, event: ev.TaskCompleted) -> None:
        task = self.task(event.task_no)
        task.done_at, task.done_by = event.at, event.actor

    def _on_fact_added(self, event: ev.FactAdded) -> None:
        self.facts.append(Fact(event.fact_no, event.text, event.actor, event.at))

    def _on_fact_confirmed(self, event: ev.FactConfirmed) -> None:
        fact = self.fact(event.fact_no)
        fact.status, fact.decided_by, fact.decided_at = FactStatus.CONFIRMED, event.actor, event.at

    def _on_fact_translated(self, event: ev.FactTranslated) -> None:
        self.fact(event.fact_no).translations[event.lang] = event.text

    def _on_fact_retracted(self, event: ev.FactRetracted) -> None:
        fact = self.fact(event.fact_no)
        fact.status, fact.decided_by, fact.decided_at = FactStatus.RETRACTED, event.actor, event.at
        fact.reason = event.reason

    def _on_note_added(self, event: ev.NoteAdded) -> None:
        """Notes live on the timeline only."""

    def _on_message_captured(self, event: ev.MessageCaptured) -> None:
        """Captured messages live on the timeline only."""

    def _on_impact_recorded(self, event: ev.ImpactRecorded) -> None:
        self.impact.update(event.figures)

    def _on_statement_published(self, event: ev.StatementPublished) -> None:
        self.statements_published.append(event.at)
        if event.audience in st.EXTERNAL_AUDIENCES:
            self.external_published.append(event.at)
        st.apply(self.statements, event)

    def _on_incident_resolved(self, event: ev.IncidentResolved) -> None:
        self.phase = Phase.RESOLVED
        self.resolved_at, self.resolution = event.at, event.summary

    def _on_incident_reopened(self, event: ev.IncidentReopened) -> None:
        self.phase = self.stage = Phase.RECOVER
        self.stage_entered_at[Phase.RECOVER] = event.at
        self.resolved_at = None
        self.postmortem_published_at = None  # the next resolution needs its own post-mortem

    def _on_incident_closed(self, event: ev.IncidentClosed) -> None:
        self.phase, self.closed_at = Phase.CLOSED, event.at

    def _on_postmortem_published(self, event: ev.PostmortemPublished) -> None:
        self.postmortem_published_at = self.postmortem_published_at or event.at

    def _on_reminder_sent(self, event: ev.ReminderSent) -> None:
        """Reminders live on the timeline only."""

    def _on_alert_fired(self, event: ev.AlertFired) -> None:
        self.firing[event.fingerprint] = event

    def _on_alert_resolved(self, event: ev.AlertResolved) -> None:
        self.firing.pop(event.fingerprint, None)

    def _on_followup_added(self, event: ev.FollowupAdded) -> None:
        self.followups.append(event)

    def _on_followup_done(self, event: ev.FollowupDone) -> None:
        self.followups_done[event.item_no] = event

    def _on_followup_reopened(self, event: ev.FollowupReopened) -> None:
        self.followups_done.pop(event.item_no, None)

    def _on_lessons_confirmed(self, event: ev.LessonsConfirmed) -> None:
        """Confirmed lessons live on the timeline and in the knowledge base."""


def _expect(kind: str, wanted: str, current: Phase, target: Phase) -> None:
    """The table allows the move, but as another kind (``communicate → recover`` is an advance,
    not a reopen): refuse it here so each command only makes its own kind of move."""
    if kind != wanted:
        raise InvalidTransition(current.value, target.value, allowed_from(current))


def _clean(text: str, what: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"The {what} is {len(text)} characters long; the limit is {limit}.")
    return text


__all__ = ["Incident", "incident_id", "parse_incident_id", "NOTE_TAGS", "STAGES"]
