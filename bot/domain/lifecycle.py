"""The incident lifecycle as a transition table.

assess → respond → communicate → recover → resolved → closed. Any working stage may be
resolved directly (a false alarm, a quick fix); a resolved incident may be reopened into
``recover`` (an alert re-fires) or closed; ``closed`` is final. Everything else raises
:class:`~bot.domain.errors.InvalidTransition`.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import InvalidTransition


class Phase(StrEnum):
    ASSESS = "assess"
    RESPOND = "respond"
    COMMUNICATE = "communicate"
    RECOVER = "recover"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Status(StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"
    CLOSED = "closed"


#: The four working stages, in order.
STAGES: tuple[Phase, ...] = (Phase.ASSESS, Phase.RESPOND, Phase.COMMUNICATE, Phase.RECOVER)

#: (from, to) -> the kind of move; the only moves the lifecycle allows.
TRANSITIONS: dict[tuple[Phase, Phase], str] = {
    (Phase.ASSESS, Phase.RESPOND): "advance",
    (Phase.RESPOND, Phase.COMMUNICATE): "advance",
    (Phase.COMMUNICATE, Phase.RECOVER): "advance",
    (Phase.RECOVER, Phase.RESOLVED): "resolve",
    (Phase.ASSESS, Phase.RESOLVED): "resolve",
    (Phase.RESPOND, Phase.RESOLVED): "resolve",
    (Phase.COMMUNICATE, Phase.RESOLVED): "resolve",
    (Phase.RESOLVED, Phase.RECOVER): "reopen",
    (Phase.RESOLVED, Phase.CLOSED): "close",
}


def allowed_from(phase: Phase) -> tuple[str, ...]:
    return tuple(to.value for (frm, to) in TRANSITIONS if frm == phase)


def check_transition(current: Phase, target: Phase) -> str:
    """Return the kind of move (``advance``, ``resolve``, ``reopen``, ``close``) or raise."""
    kind = TRANSITIONS.get((current, target))
    if kind is None:
        raise InvalidTransition(current.value, target.value, allowed_from(current))
    return kind


def next_stage(phase: Phase) -> Phase:
    """The stage after ``phase`` in the working order; after ``recover`` comes ``resolved``."""
    if phase in STAGES:
        index = STAGES.index(phase)
        return STAGES[index + 1] if index + 1 < len(STAGES) else Phase.RESOLVED
    raise InvalidTransition(phase.value, "next stage", allowed_from(phase))


def status_of(phase: Phase) -> Status:
    if phase is Phase.RESOLVED:
        return Status.RESOLVED
    if phase is Phase.CLOSED:
        return Status.CLOSED
    return Status.ACTIVE
