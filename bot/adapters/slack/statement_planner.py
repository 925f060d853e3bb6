"""Slack effects of statement events, stored in the command's transaction (outbox).

A new draft or version posts the statement card (text, status, lint, buttons) into the incident
channel; a publication posts the approved text to the site's comms channel when one is set.
The one-line timeline entries come from :class:`~bot.adapters.slack.planner.SlackEffects`.
"""

from __future__ import annotations

from typing import Sequence

from bot.adapters.slack import messages
from bot.adapters.slack.blocks.statement import statement_card
from bot.domain import events as ev
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog
from bot.domain.statement_lint import LintRules
from bot.services.ports import UnitOfWork


class StatementEffects:
    """The :class:`~bot.services.ports.EffectPlanner` for statements."""

    def __init__(
        self, *, catalog: Catalog, lint: LintRules, contact: str, comms_channel: str | None
    ) -> None:
        self.catalog = catalog
        self.lint = lint
        self.contact = contact
        self.comms_channel = comms_channel

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[ev.Event]) -> None:
        for event in events:
            add = lambda **payload: uow.outbox.add(
                "post_message",
                payload,
                at=event.at,  # noqa: E731
                incident=incident.number,
            )
            if isinstance(event, (ev.StatementDrafted, ev.StatementEdited)):
                statement = incident.statement(event.statement_id)
                rule = self.catalog.policy.level(incident.severity).approvals
                findings = incident.lint_statement(
                    statement.id, rules=self.lint, contact=self.contact
                )
                add(
                    **statement_card(
                        incident_id=incident.id,
                        number=incident.number,
                        statement=statement,
                        rule=rule,
                        findings=findings,
                    )
                )
            elif isinstance(event, ev.StatementPublished) and self.comms_channel:
                statement = incident.statements.get(event.statement_id)
                if statement is not None:
                    add(
                        channel=self.comms_channel,
                        text=messages.statement_published_to_comms(
                            statement, incident_id=incident.id, channel=event.channel
                        ),
                    )

    def committed(self) -> None:
        """Nothing to do: the Slack planner wakes the gateway."""
