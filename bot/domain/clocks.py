"""Deadlines as pure functions of (incident, playbook, severity policy, now).

Each :class:`Clock` has a due time and a state: ``met`` (satisfied on time), ``missed``
(satisfied late, or still open past its due time) or ``pending`` (open, not yet due). Clocks
that have not started yet (the post-mortem clock before resolution, a clock counted from a
stage not yet reached) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.incident import Incident
from bot.domain.playbook import DueFrom, Playbook
from bot.domain.severity import SeverityPolicy
from bot.domain.text import LocalText


class ClockState(StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Clock:
    key: str
    label: LocalText
    due_at: datetime
    state: ClockState
    met_at: datetime | None = None

    def time_left(self, now: datetime) -> timedelta:
        """Negative once overdue."""
        return self.due_at - now


def _state(due_at: datetime, met_at: datetime | None, now: datetime) -> ClockState:
    if met_at is not None:
        return ClockState.MET if met_at <= due_at else ClockState.MISSED
    return ClockState.MISSED if now > due_at else ClockState.PENDING


def team_assembled_at(
    incident: Incident, policy: SeverityPolicy, playbook: Playbook | None = None
) -> datetime | None:
    """When the last role the severity (and the crisis type's playbook) needs was first filled;
    ``None`` while one is empty.

    A later handover does not move it: the team was assembled when it first was.
    """
    needed = (*policy.level(incident.severity).assemble, *(playbook.assemble if playbook else ()))
    times = []
    for role in needed:
        filled = incident.role_first_filled.get(role)
        if filled is None:
            return None
        times.append(filled)
    return max(times, default=incident.declared_at)


def team_assembly_clock(
    incident: Incident, policy: SeverityPolicy, now: datetime, playbook: Playbook | None = None
) -> Clock:
    due = incident.declared_at + policy.level(incident.severity).team_within
    met = team_assembled_at(incident, policy, playbook)
    return Clock(
        "team_assembly", LocalText("Team assembled", "团队集结"), due, _state(due, met, now), met
    )


def first_external_statement_at(incident: Incident) -> datetime | None:
    """When the first statement to an outside audience (customers, media, partners,
    regulators) went out; an employee memo does not meet the golden 4 hours."""
    return min(incident.external_published, default=None)


def first_statement_clock(incident: Incident, policy: SeverityPolicy, now: datetime) -> Clock:
    due = incident.declared_at + policy.first_statement_within
    met = first_external_statement_at(incident)
    return Clock(
        "first_statement", LocalText("First statement (golden 4 h)", "首次声明（黄金4小时）"),
        due, _state(due, met, now), met,
    )


def update_cadence_clock(incident: Incident, policy: SeverityPolicy, now: datetime) -> Clock | None:
    """Next stakeholder update, counted from the last published statement.

    Starts once the first statement is out (before that the first-statement clock applies)
    and stops when the incident is resolved.
    """
    if not incident.statements_published or not incident.is_active:
        return None
    last = incident.statements_published[-1]
    due = last + policy.level(incident.severity).update_every
    return Clock(
        "stakeholder_update", LocalText("Stakeholder update", "利益相关方更新"),
        due, _state(due, None, now), None,
    )


def regulatory_clocks(incident: Incident, playbook: Playbook, now: datetime) -> list[Clock]:
    clocks = []
    for spec in playbook.clocks_for(incident.severity):
        if spec.due_from is DueFrom.RESOLVED:
            if incident.resolved_at is None:
                continue
            base = incident.resolved_at
        else:
            base = incident.declared_at
        met = None
        if spec.met_by_task:
            done = [t.done_at for t in incident.tasks if t.template == spec.met_by_task and t.done_at]
            met = min(done) if done else None
        due = base + spec.within
        clocks.append(Clock(spec.key, spec.label, due, _state(due, met, now), met))
    return clocks


def postmortem_clock(incident: Incident, policy: SeverityPolicy, now: datetime) -> Clock | None:
    if incident.resolved_at is None:
        return None
    due = incident.resolved_at + policy.postmortem_within
    met = incident.postmortem_published_at
    return Clock(
        "postmortem", LocalText("Post-mortem (72 h)", "复盘报告（72小时）"),
        due, _state(due, met, now), met,
    )


def all_clocks(
    incident: Incident, *, playbook: Playbook, policy: SeverityPolicy, now: datetime
) -> list[Clock]:
    """Every clock that applies to ``incident`` at ``now``, ordered by due time."""
    clocks: list[Clock | None] = [
        team_assembly_clock(incident, policy, now, playbook),
        first_statement_clock(incident, policy, now),
        update_cadence_clock(incident, policy, now),
        *regulatory_clocks(incident, playbook, now),
        postmortem_clock(incident, policy, now),
    ]
    return sorted((c for c in clocks if c is not None), key=lambda c: c.due_at)
