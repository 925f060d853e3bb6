"""Paging people outside Slack, and escalating when nobody acknowledges.

Pure. One **thread** per role of an incident: the role's on-duty holder is paged; without an
acknowledgement within the severity's timeout they are paged again (``repeats`` times), then
the next layer of the role's rota is paged, then the executive. :func:`next_step` decides the
next page from the thread and the clock; the timeline records each page, acknowledgement and
escalation (:class:`PageSent`, :class:`PageAcknowledged`, :class:`PageEscalated`).

>>> from datetime import datetime, timedelta, timezone
>>> policy = PagePolicy(timeouts={"SS": timedelta(minutes=5)}, repeats=1)
>>> t0 = datetime(2026, 1, 5, 2, tzinfo=timezone.utc)
>>> thread = Thread(role="comms", user="U1", layer=0, attempt=1, sent_at=t0, paged=("U1",))
>>> next_step(thread, policy=policy, severity="SS", now=t0 + timedelta(minutes=5),
...           holder=lambda layer: {0: "U1", 1: "U2"}.get(layer), exec_user="U9").reason
'repeat'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from bot.domain.events import Event


@dataclass(frozen=True, kw_only=True)
class PageSent(Event):
    """``user`` was paged for ``role`` (layer 0 = primary duty; ``exec``: the last resort)."""

    name: ClassVar[str] = "page.sent"
    stateless: ClassVar[bool] = True
    role: str
    user: str
    layer: int = 0
    attempt: int = 1
    reason: str = "declared"   # declared | raised | repeat | escalated | exec
    channels: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PageAcknowledged(Event):
    """``user`` acknowledged the page for ``role`` (``via``: slack or link), ``seconds`` after
    the role's first page."""

    name: ClassVar[str] = "page.acknowledged"
    stateless: ClassVar[bool] = True
    role: str
    user: str
    via: str = "slack"
    seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class PageEscalated(Event):
    """Nobody acknowledged in time: paging moves from ``from_user`` to ``to_user`` (empty when
    nobody is left to page)."""

    name: ClassVar[str] = "page.escalated"
    stateless: ClassVar[bool] = True
    role: str
    from_user: str
    to_user: str = ""
    layer: int = 0
    waited_seconds: float = 0.0


PAGING_EVENTS = (PageSent, PageAcknowledged, PageEscalated)


@dataclass(frozen=True)
class PagePolicy:
    """``timeouts``: severity -> how long a page waits for an acknowledgement; severities not
    listed page nobody. ``repeats``: pages to the same person again before escalating."""

    timeouts: dict[str, timedelta] = field(default_factory=dict)
    repeats: int = 1

    def pages(self, severity: str) -> bool:
        return severity in self.timeouts

    def timeout(self, severity: str) -> timedelta | None:
        return self.timeouts.get(severity)


@dataclass(frozen=True)
class Thread:
    """The paging of one role in one incident, as far as it got."""

    role: str
    user: str = ""
    layer: int = 0
    attempt: int = 0           # pages sent to ``user`` on ``layer`` (0: none yet)
    sent_at: datetime | None = None
    first_sent_at: datetime | None = None
    paged: tuple[str, ...] = ()
    exec_paged: bool = False
    acked_by: str | None = None


@dataclass(frozen=True)
class Step:
    """The next page: to ``user`` on ``layer`` (``exec`` for the executive)."""

    user: str
    layer: int
    attempt: int
    reason: str
    escalated_from: str | None = None


@dataclass(frozen=True)
class GiveUp:
    """Everyone was paged and nobody acknowledged."""

    from_user: str
    reason: str = "exhausted"


EXEC_LAYER = 99


def due_at(thread: Thread, *, policy: PagePolicy, severity: str) -> datetime | None:
    """When the thread needs its next decision (None: acknowledged, or no paging)."""
    timeout = policy.timeout(severity)
    if thread.acked_by or timeout is None:
        return None
    if thread.sent_at is None:
        return datetime.min  # the first page: now
    return thread.sent_at + timeout


def next_step(thread: Thread, *, policy: PagePolicy, severity: str, now: datetime,
              holder: Callable[[int], str | None], exec_user: str | None,
              first_reason: str = "declared") -> Step | GiveUp | None:
    """What to do for ``thread`` at ``now``: a page, giving up, or nothing yet.

    ``holder(layer)`` is who holds the role on that layer of the rota now (layer 0: the
    incident's holder of the role)."""
    if thread.acked_by or not policy.pages(severity):
        return None
    if thread.sent_at is None:
        user = holder(0)
        if user:
            return Step(user=user, layer=0, attempt=1, reason=first_reason)
        return _escalate(thread, holder=holder, exec_user=exec_user, from_layer=0)
    timeout = policy.timeout(severity)
    assert timeout is not None
    if now < thread.sent_at + timeout:
        return None
    if thread.layer != EXEC_LAYER and thread.attempt <= policy.repeats:
        return Step(user=thread.user, layer=thread.layer, attempt=thread.attempt + 1,
                    reason="repeat")
    if thread.layer == EXEC_LAYER and thread.attempt <= policy.repeats:
        return Step(user=thread.user, layer=EXEC_LAYER, attempt=thread.attempt + 1,
                    reason="repeat")
    return _escalate(thread, holder=holder, exec_user=exec_user, from_layer=thread.layer + 1)


def _escalate(thread: Thread, *, holder: Callable[[int], str | None], exec_user: str | None,
              from_layer: int) -> Step | GiveUp:
    if thread.layer != EXEC_LAYER:
        layer = from_layer
        while layer < EXEC_LAYER:
            user = holder(layer)
            if user is None:
                break
            if user != thread.user:
                return Step(user=user, layer=layer, attempt=1, reason="escalated",
                            escalated_from=thread.user or None)
            layer += 1
        if exec_user and not thread.exec_paged and exec_user not in thread.paged:
            return Step(user=exec_user, layer=EXEC_LAYER, attempt=1, reason="exec",
                        escalated_from=thread.user or None)
    return GiveUp(from_user=thread.user)


def waited(thread: Thread, now: datetime) -> timedelta:
    return now - thread.sent_at if thread.sent_at else timedelta(0)
