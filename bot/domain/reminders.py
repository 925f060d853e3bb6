"""Which reminders an incident should have, as a pure function of its state.

:func:`desired_reminders` looks at an incident, its playbook, the severity policy and the
:class:`ReminderSettings` and returns every reminder that should exist right now — each with a
stable ``key``, its due time and who to mention. Storage keeps a table in step with that set
after every command: new keys are inserted, changed due times re-timed, keys that disappeared
(statement published, task done, severity changed, incident resolved) cancelled. A key that was
already sent is never sent again.

Keys are stable across re-timing (``first_statement:-15m`` stays the same key when the severity
changes) and change when a new cycle starts (``update_due:3`` after the third statement), so
"sent once" and "re-timed" fall out of the key alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.clocks import (
    first_external_statement_at,
    postmortem_clock,
    regulatory_clocks,
    team_assembled_at,
)
from bot.domain.durations import format_duration
from bot.domain.errors import NotFound
from bot.domain.incident import Incident
from bot.domain.playbook import DueFrom, Playbook
from bot.domain.roles import Role
from bot.domain.severity import SeverityPolicy
from bot.domain.text import LocalText


class ReminderKind(StrEnum):
    TEAM_ASSEMBLY = "team_assembly"
    FIRST_STATEMENT = "first_statement"
    UPDATE_DUE = "update_due"
    TASK_DUE = "task_due"
    TASK_OVERDUE = "task_overdue"
    REGULATORY = "regulatory"
    POSTMORTEM_DUE = "postmortem_due"
    ESCALATION = "escalation"


#: Clock names used in reminder ``clock`` fields (those of :mod:`bot.domain.clocks`).
TEAM_CLOCK = "team_assembly"
FIRST_STATEMENT_CLOCK = "first_statement"
UPDATE_CLOCK = "stakeholder_update"
POSTMORTEM_CLOCK = "postmortem"
TASK_CLOCK_PREFIX = "task:"


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """Offsets and grace periods (site config section ``reminders:``).

    ``late_within``: a reminder the bot could not send on time (the process was down) is still
    sent after a restart if it became due at most this long ago; older ones are dropped.
    ``exec_sponsors``: who to mention for escalations when the incident has no executive sponsor
    (the site roster's ``exec``).
    """

    first_statement_before: tuple[timedelta, ...] = (timedelta(minutes=60), timedelta(minutes=15))
    task_due_soon: timedelta = timedelta(minutes=30)
    regulatory_before: tuple[timedelta, ...] = (
        timedelta(hours=24), timedelta(hours=4), timedelta(hours=1),
    )
    postmortem_before: timedelta = timedelta(hours=24)
    escalation_grace: timedelta = timedelta(minutes=30)
    late_within: timedelta = timedelta(hours=6)
    exec_sponsors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DesiredReminder:
    """A reminder that should exist: ``key`` is unique within its incident."""

    kind: ReminderKind
    key: str
    clock: str
    due_at: datetime
    mentions: tuple[str, ...]


def task_clock(task_no: int) -> str:
    return f"{TASK_CLOCK_PREFIX}{task_no}"


def desired_reminders(
    incident: Incident,
    *,
    playbook: Playbook,
    policy: SeverityPolicy,
    settings: ReminderSettings,
) -> list[DesiredReminder]:
    """Every reminder ``incident`` should have, ordered by due time.

    Time does not enter: whether a reminder is due is the scheduler's business, whether it is
    still wanted depends only on the incident's state.
    """
    out: list[DesiredReminder] = []
    grace = settings.escalation_grace
    commander = _holders(incident, Role.COMMANDER)
    escalate_to = _unique(_exec(incident, settings) + commander)

    def add(kind: ReminderKind, key: str, clock: str, due: datetime, mentions: list[str]) -> None:
        out.append(DesiredReminder(kind, key, clock, due, tuple(_unique(mentions))))

    def escalation(clock: str, due: datetime, suffix: str = "") -> None:
        add(ReminderKind.ESCALATION, f"escalation:{clock}{suffix}", clock, due + grace, escalate_to)

    if incident.is_active:
        level = policy.level(incident.severity)
        # Team assembly: at the severity's deadline, while a needed role is still unfilled.
        if team_assembled_at(incident, policy, playbook) is None:
            due = incident.declared_at + level.team_within
            add(ReminderKind.TEAM_ASSEMBLY, "team_assembly", TEAM_CLOCK, due,
                commander + _exec(incident, settings))
            escalation(TEAM_CLOCK, due)

        statement_owners = _holders(incident, Role.COMMS, Role.SPOKESPERSON) or commander
        if first_external_statement_at(incident) is None:
            due = incident.declared_at + policy.first_statement_within
            for before in sorted(set(settings.first_statement_before), reverse=True):
                if due - before > incident.declared_at:
                    add(ReminderKind.FIRST_STATEMENT, f"first_statement:-{format_duration(before)}",
                        FIRST_STATEMENT_CLOCK, due - before, statement_owners)
            add(ReminderKind.FIRST_STATEMENT, "first_statement:due", FIRST_STATEMENT_CLOCK, due,
                statement_owners + commander)
            escalation(FIRST_STATEMENT_CLOCK, due)
        else:
            # Any statement after the first restarts the cadence: a new cycle, a new key.
            cycle = len(incident.statements_published)
            due = incident.statements_published[-1] + level.update_every
            add(ReminderKind.UPDATE_DUE, f"update_due:{cycle}", UPDATE_CLOCK, due, statement_owners)
            escalation(UPDATE_CLOCK, due, f":{cycle}")

        for task in incident.tasks:
            if not task.is_open or task.due_at is None:
                continue
            owner = _task_owner(incident, task.assignee, task.owner_role) or commander
            clock = task_clock(task.no)
            soon = task.due_at - settings.task_due_soon
            if soon > task.created_at:
                add(ReminderKind.TASK_DUE, f"task_due:{task.no}", clock, soon, owner)
            add(ReminderKind.TASK_OVERDUE, f"task_overdue:{task.no}", clock, task.due_at, owner)
            escalation(clock, task.due_at)

    if incident.closed_at is None:
        # A legal deadline does not stop when the incident is resolved: only meeting it (or
        # closing the incident) ends these.
        specs = {s.key: s for s in playbook.clocks_for(incident.severity)}
        for clock in regulatory_clocks(incident, playbook, incident.declared_at):
            if clock.met_at is not None:
                continue
            spec = specs[clock.key]
            started = clock.due_at - spec.within
            owner = _regulatory_owner(incident, playbook, spec.met_by_task) or commander
            offsets = [b for b in sorted(set(settings.regulatory_before), reverse=True)
                       if clock.due_at - b > started]
            for index, before in enumerate(offsets):
                # Escalating as it nears: the first reminder goes to the owner, later ones
                # bring in the commander too.
                who = owner if index == 0 else owner + commander
                add(ReminderKind.REGULATORY, f"regulatory:{clock.key}:-{format_duration(before)}",
                    clock.key, clock.due_at - before, who)
            add(ReminderKind.REGULATORY, f"regulatory:{clock.key}:due", clock.key, clock.due_at,
                owner + commander)
            escalation(clock.key, clock.due_at)

        pm = postmortem_clock(incident, policy, incident.declared_at)
        if pm is not None and pm.met_at is None and incident.resolved_at is not None:
            # Keys carry the resolution time: a reopened and re-resolved incident gets new ones.
            stamp = int(incident.resolved_at.timestamp())
            who = _holders(incident, Role.COMMANDER, Role.SCRIBE)
            before = settings.postmortem_before
            if pm.due_at - before > incident.resolved_at:
                add(ReminderKind.POSTMORTEM_DUE, f"postmortem:{stamp}:-{format_duration(before)}",
                    POSTMORTEM_CLOCK, pm.due_at - before, who)
            add(ReminderKind.POSTMORTEM_DUE, f"postmortem:{stamp}:due", POSTMORTEM_CLOCK,
                pm.due_at, who)
            escalation(POSTMORTEM_CLOCK, pm.due_at, f":{stamp}")

    return sorted(out, key=lambda r: (r.due_at, r.key))


@dataclass(frozen=True, slots=True)
class ClockDue:
    """What a reminder is about: the clock's label and its due time."""

    label: LocalText
    due_at: datetime | None


def clock_due(
    incident: Incident, clock: str, *, playbook: Playbook, policy: SeverityPolicy
) -> ClockDue:
    """The label and current due time of ``clock`` (a clock key or ``task:<n>``)."""
    if clock.startswith(TASK_CLOCK_PREFIX):
        try:
            task = incident.task(int(clock[len(TASK_CLOCK_PREFIX):]))
        except (ValueError, NotFound):
            return ClockDue(LocalText(clock, clock), None)
        return ClockDue(task.text, task.due_at)
    level = policy.level(incident.severity)
    if clock == TEAM_CLOCK:
        return ClockDue(LocalText("Team assembled", "团队集结"),
                        incident.declared_at + level.team_within)
    if clock == FIRST_STATEMENT_CLOCK:
        return ClockDue(LocalText("First statement (golden 4 h)", "首次声明（黄金4小时）"),
                        incident.declared_at + policy.first_statement_within)
    if clock == UPDATE_CLOCK:
        last = incident.statements_published[-1] if incident.statements_published else None
        return ClockDue(LocalText("Stakeholder update", "利益相关方更新"),
                        last + level.update_every if last else None)
    if clock == POSTMORTEM_CLOCK:
        due = incident.resolved_at + policy.postmortem_within if incident.resolved_at else None
        return ClockDue(LocalText("Post-mortem (72 h)", "复盘报告（72小时）"), due)
    for spec in playbook.clocks:
        if spec.key == clock:
            if spec.due_from is DueFrom.RESOLVED:
                base = incident.resolved_at
            else:
                base = incident.declared_at
            return ClockDue(spec.label, base + spec.within if base else None)
    return ClockDue(LocalText(clock, clock), None)


def unfilled_roles(incident: Incident, policy: SeverityPolicy) -> list[Role]:
    """Roles the severity needs for the team to count as assembled that nobody holds."""
    return [r for r in policy.level(incident.severity).assemble if incident.holder(r) is None]


def _holders(incident: Incident, *roles: Role) -> list[str]:
    return _unique([h for h in (incident.holder(r) for r in roles) if h])


def _exec(incident: Incident, settings: ReminderSettings) -> list[str]:
    holder = incident.holder(Role.EXEC)
    return [holder] if holder else list(settings.exec_sponsors)


def _task_owner(incident: Incident, assignee: str | None, owner_role: Role | None) -> list[str]:
    if assignee:
        return [assignee]
    return _holders(incident, owner_role) if owner_role else []


def _regulatory_owner(incident: Incident, playbook: Playbook, template: str | None) -> list[str]:
    if template:
        for task in incident.tasks:
            if task.template == template:
                found = _task_owner(incident, task.assignee, task.owner_role)
                if found:
                    return found
        for spec in playbook.tasks:
            if spec.id == template:
                found = _holders(incident, spec.owner)
                if found:
                    return found
    return _holders(incident, Role.LEGAL)


def _unique(users: list[str]) -> list[str]:
    seen: list[str] = []
    for user in users:
        if user and user not in seen:
            seen.append(user)
    return seen
