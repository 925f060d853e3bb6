"""Publishing a statement to its audience's targets (the dark site, a CMS webhook, e-mail
lists, a Slack channel): the timeline records each target's outcome.

Pure: the event only; the targets are site config and the deliveries are adapters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.domain.events import Event

#: Delivery states shown on the statement card: ``live`` (the dark site), ``sent``
#: (delivered), ``pending`` (queued or being retried), ``failed`` (given up).
STATES = ("live", "sent", "pending", "failed")


@dataclass(frozen=True, kw_only=True)
class StatementDelivered(Event):
    """Statement ``statement_id`` version ``version`` reached ``target`` (or failed to)."""

    name: ClassVar[str] = "statement.delivered"
    stateless: ClassVar[bool] = True
    statement_id: int
    version: int
    target: str
    kind: str          # site | webhook | smtp | slack
    status: str        # live | sent | failed
    error: str = ""
