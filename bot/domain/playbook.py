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
class TaskTemplate:
    """A task a playbook instantiates when its stage starts."""

    id: str
    stage: Phase
    text: LocalText
    owner: Role
    due: timedelta | None = None
    due_from: DueFrom = DueFrom.STAGE
    required: bool = False
    severities: frozenset[Severity] | None = None

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

    def tasks_for(self, stage: Phase, severity: Severity) -> tuple[TaskTemplate, ...]:
        return tuple(t for t in self.tasks if t.stage == stage and t.applies_to(severity))

    def clocks_for(self, severity: Severity) -> tuple[ClockSpec, ...]:
        return tuple(c for c in self.clocks if c.applies_to(severity))


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every playbook plus the severity policy: what the services need to run incidents."""

    playbooks: dict[str, Playbook]
    policy: SeverityPolicy
    stages: tuple[Phase, ...] = field(default=STAGES)

    def playbook(self, key: str) -> Playbook:
        try:
            return self.playbooks[key]
        except KeyError:
            known = ", ".join(sorted(self.playbooks)) or "none loaded"
            raise KeyError(f"unknown crisis type `{key}`; known types: {known}") from None
