"""One error hierarchy for everything the domain refuses.

Every error carries a ``code`` (stable, for tests and metrics) and a human message that the
adapters show as-is; :mod:`bot.domain.messages` is not needed to explain a refusal.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a request the domain refuses, with a message meant for the person asking."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """The request itself is malformed (empty title, unknown role, bad number...)."""

    code = "invalid_input"


class NotFound(DomainError):
    """The incident, task or fact named does not exist."""

    code = "not_found"


class InvalidTransition(DomainError):
    """The lifecycle does not allow moving from one phase to another."""

    code = "invalid_transition"

    def __init__(self, current: str, target: str, allowed: tuple[str, ...]) -> None:
        options = ", ".join(allowed) if allowed else "none: the incident is closed"
        super().__init__(
            f"An incident in `{current}` cannot move to `{target}`. Allowed next: {options}."
        )
        self.current = current
        self.target = target
        self.allowed = allowed


class StageBlocked(DomainError):
    """Advancing is refused while required tasks of the current stage are open."""

    code = "stage_blocked"

    def __init__(self, stage: str, blocking: tuple[tuple[int, str], ...]) -> None:
        lines = "; ".join(f"#{no} {text}" for no, text in blocking)
        super().__init__(
            f"Stage {stage.capitalize()} still has {len(blocking)} open required "
            f"task{'' if len(blocking) == 1 else 's'}: {lines}. "
            "Complete them, or the commander can force the advance."
        )
        self.stage = stage
        self.blocking = blocking


class NotPermitted(DomainError):
    """The actor does not hold a role that allows the action."""

    code = "not_permitted"


class Conflict(DomainError):
    """The state changed underneath the request (already done, already confirmed...)."""

    code = "conflict"
