"""The playbook model: the tasks and clocks a crisis type brings, stage by stage.

Playbooks are data (``playbooks/*.yaml``); :mod:`bot.adapters.playbooks` loads and validates
them into these frozen objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from bot.domain.lifecycle import STAGES, Phase
from bot.domain.roles import Role
from bot.domain.severity import Severity, SeverityPolicy
from bot.domain.text import LocalText


class DueFrom(StrEnum):
    """What a due offset counts from."""

    DECLARED = "declared"
    STAGE = "stage"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class PublicClaim:
    """What a statement may say about a task: ``done`` once the task is done (past tense; holds
    ``{time}`` and may hold ``{authority}``), ``pending`` while it is open (or nothing)."""

    done: LocalText
    pending: LocalText | None = None

    def render(self, *, lang: str, done: bool, time: str, authority: str) -> str:
        text = self.done if done else self.pending
        if text is None:
            return ""
        return text.get(lang).replace("{time}", time).replace("{authority}", authority)


#: Placeholders a public claim may use.
CLAIM_PLACEHOLDERS = ("{time}", "{authority}")


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    """A task a playbook instantiates when its stage starts — or, with ``track``, at
    declaration whatever the stage (communication runs alongside assess and respond)."""

    id: str
    stage: Phase
    text: LocalText
    owner: Role
    due: timedelta | None = None
    due_from: DueFrom = DueFrom.STAGE
    required: bool = False
    severities: frozenset[Severity] | None = None
    public_claim: PublicClaim | None = None
    track: bool = False

    def applies_to(self, severity: Severity) -> bool:
        return self.severities is None or severity in self.severities


@dataclass(frozen=True, slots=True)
class ClockSpec:
    """A type-specific deadline, e.g. a regulator report within 24 h of declaration."""

    key: str
    label: LocalText
    within: timedelta
    due_from: DueFrom = DueFrom.DECLARED
    met_by_task: str | None = None
    severities: frozenset[Severity] | None = None

    def applies_to(self, severity: Severity) -> bool:
        return self.severities is None or severity in self.severities


@dataclass(frozen=True, slots=True)
class Playbook:
    """One crisis type: its name, default severity, tasks per stage and regulatory clocks."""

    key: str
    name: LocalText
    description: LocalText
    default_severity: Severity
    tasks: tuple[TaskTemplate, ...]
    clocks: tuple[ClockSpec, ...] = ()
    covers: tuple[str, ...] = ()
    #: Incidents of this type are confidential unless declared otherwise (private channel,
    #: redacted announcement, reads only for people in the incident).
    confidential: bool = False
    #: Roles this crisis type adds to every severity's invite and assemble lists.
    invite: tuple[Role, ...] = ()
    assemble: tuple[Role, ...] = ()

    def tasks_for(self, stage: Phase, severity: Severity) -> tuple[TaskTemplate, ...]:
        """The stage's tasks plus every ``track`` task: those run from declaration, never gated
        behind an earlier stage (the incident adds each template once)."""
        return tuple(
            t for t in self.tasks if (t.stage == stage or t.track) and t.applies_to(severity)
        )

    def task_template(self, template_id: str | None) -> TaskTemplate | None:
        return next((t for t in self.tasks if t.id == template_id), None)

    def clocks_for(self, severity: Severity) -> tuple[ClockSpec, ...]:
        return tuple(c for c in self.clocks if c.applies_to(severity))


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every playbook plus the severity policy: what the services need to run incidents."""

    playbooks: dict[str, Playbook]
    policy: SeverityPolicy
    stages: tuple[Phase, ...] = field(default=STAGES)

    def invite_for(self, crisis_type: str, severity: Severity) -> tuple[Role, ...]:
        """The severity's invite list plus the crisis type's own roles."""
        base = self.policy.level(severity).invite
        extra = self.playbooks[crisis_type].invite if crisis_type in self.playbooks else ()
        return (*base, *(r for r in extra if r not in base))

    def assemble_for(self, crisis_type: str, severity: Severity) -> tuple[Role, ...]:
        base = self.policy.level(severity).assemble
        extra = self.playbooks[crisis_type].assemble if crisis_type in self.playbooks else ()
        return (*base, *(r for r in extra if r not in base))

    def for_source(self, source: str | None) -> Catalog:
        """The catalog an incident from ``source`` runs on: a drill's (``drill:x40``) has every
        clock compressed by its factor (see :mod:`bot.domain.drills`); any other, this one."""
        from bot.domain.drills import scaled_catalog

        return scaled_catalog(self, source)

    def playbook(self, key: str) -> Playbook:
        try:
            return self.playbooks[key]
        except KeyError:
            known = ", ".join(sorted(self.playbooks)) or "none loaded"
            raise KeyError(f"unknown crisis type `{key}`; known types: {known}") from None
