"""Crisis-team roles and the actor who performs an action."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """The nine roles of a crisis team (SPEC §1)."""

    COMMANDER = "commander"
    COMMS = "comms"
    SPOKESPERSON = "spokesperson"
    LEGAL = "legal"
    CS = "cs"
    OPS = "ops"
    SECURITY = "security"
    SCRIBE = "scribe"
    EXEC = "exec"

    @classmethod
    def parse(cls, value: str) -> "Role":
        """Return the role named ``value`` (case-insensitive) or raise ``ValueError``."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            names = ", ".join(r.value for r in cls)
            raise ValueError(f"unknown role `{value}`; roles are: {names}") from None


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.COMMANDER: ("Incident commander", "事件指挥官"),
    Role.COMMS: ("Comms lead", "传播负责人"),
    Role.SPOKESPERSON: ("Spokesperson", "新闻发言人"),
    Role.LEGAL: ("Legal counsel", "法务"),
    Role.CS: ("Customer-service lead", "客服负责人"),
    Role.OPS: ("Operations / supply-chain lead", "运营/供应链负责人"),
    Role.SECURITY: ("Security lead", "安全负责人"),
    Role.SCRIBE: ("Scribe", "记录员"),
    Role.EXEC: ("Executive sponsor", "高管发起人"),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs an action.

    ``id`` is a Slack user id (``U…``) for people, or ``system:<name>`` for the bot itself
    (monitors, scheduler). ``roles`` are roles the actor holds outside the incident (for
    example an executive listed in the site roster); roles held inside the incident are looked
    up on the incident itself.
    """

    id: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(id=f"system:{name}")

    @property
    def is_system(self) -> bool:
        return self.id.startswith("system:")
