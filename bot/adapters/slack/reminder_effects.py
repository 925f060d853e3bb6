"""Puts each sent reminder's message in the outbox, in the transaction that marks it sent."""

from __future__ import annotations

import threading
from typing import Sequence

from bot.adapters.slack.reminder_messages import reminder_message
from bot.domain import events as ev
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog
from bot.services.ports import UnitOfWork


class SlackReminderEffects:
    """The :class:`~bot.services.ports.EffectPlanner` for ``reminder.sent`` events."""

    def __init__(self, *, catalog: Catalog, wake: threading.Event | None = None) -> None:
        self.catalog = catalog
        self.wake = wake or threading.Event()

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[ev.Event]) -> None:
        reminders = [e for e in events if isinstance(e, ev.ReminderSent)]
        if not reminders:
            return  # most commands: and then no playbook lookup (it may have been removed)
        catalog = self.catalog.for_source(incident.source)  # a drill's clocks are compressed
        playbook = catalog.playbook(incident.crisis_type)
        for event in reminders:
            body = reminder_message(event, incident=incident, playbook=playbook,
                                    policy=catalog.policy, now=event.at)
            # The dedupe key makes a second message for the same reminder impossible even if
            # two transactions ever recorded it.
            uow.outbox.add(
                "post_message", {"text": body["text"], "blocks": body["blocks"]}, at=event.at,
                incident=incident.number,
                dedupe_key=f"reminder:{incident.number}:{event.clock}:{event.kind}:"
                           f"{event.due_at.isoformat()}",
            )

    def committed(self) -> None:
        self.wake.set()
