"""Severity levels and the policy each one carries (SPEC §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.domain.roles import Role
from bot.domain.text import LocalText


class Severity(StrEnum):
    """SS = nationwide trending, S = trending in a vertical, A = local flare-up."""

    SS = "SS"
    S = "S"
    A = "A"

    @property
    def rank(self) -> int:
        """Higher is more severe: SS=3, S=2, A=1."""
        return {"SS": 3, "S": 2, "A": 1}[self.value]

    @classmethod
    def parse(cls, value: str) -> "Severity":
        cleaned = value.strip().upper()
        try:
            return cls(cleaned)
        except ValueError:
            raise ValueError(f"unknown severity `{value}`; use SS, S or A") from None


@dataclass(frozen=True, slots=True)
class ApprovalRule:
    """Who must approve a statement: one approver per role in ``roles``, or ``people`` distinct people."""

    roles: tuple[Role, ...] = ()
    people: int = 0

    def describe(self) -> str:
        if self.roles:
            return " + ".join(r.value for r in self.roles)
        return f"{self.people} different people"


@dataclass(frozen=True, slots=True)
class SeverityLevel:
    """Targets and team composition for one severity."""

    severity: Severity
    label: LocalText
    description: LocalText
    team_within: timedelta
    update_every: timedelta
    approvals: ApprovalRule
    invite: tuple[Role, ...]
    assemble: tuple[Role, ...]


@dataclass(frozen=True, slots=True)
class SeverityPolicy:
    """All severity levels plus the clocks that apply to every incident."""

    levels: dict[Severity, SeverityLevel]
    first_statement_within: timedelta = timedelta(hours=4)
    postmortem_within: timedelta = timedelta(hours=72)

    def level(self, severity: Severity) -> SeverityLevel:
        return self.levels[severity]
