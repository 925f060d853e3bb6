"""Slack effects of statement events, stored in the command's transaction (outbox).

A new draft or version posts the statement card (text, status, lint, buttons) into the incident
channel; each review step refreshes that card in place (status, approvals); a publication also
posts the approved text to the site's comms channel when one is set.
The one-line timeline entries come from :class:`~bot.adapters.slack.planner.SlackEffects`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Sequence

from bot.adapters.slack import messages
from bot.adapters.slack.blocks.statement import statement_card
from bot.adapters.slack.ids import Block, encode_statement_ref
from bot.adapters.drills.planning import drill_publication
from bot.domain import events as ev
from bot.domain.drills import is_drill_source
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog
from bot.domain.statement_lint import LintRules
from bot.domain.statements import Statement
from bot.services.ports import UnitOfWork


#: Steps after which the statement's card in the channel is refreshed in place.
_REVIEW_STEPS = (
    ev.StatementSubmitted,
    ev.StatementApproved,
    ev.StatementRejected,
    ev.StatementPublished,
)


class StatementEffects:
    """The :class:`~bot.services.ports.EffectPlanner` for statements."""

    def __init__(
        self, *, catalog: Catalog, lint: LintRules, contact: str | Mapping[str, str],
        comms_channel: str | None,
        extra_blocks: Callable[[UnitOfWork, Incident, Statement, dict[str, Any]], dict[str, Any]]
        | None = None,
    ) -> None:
        self.catalog = catalog
        self.lint = lint
        self.contact = contact
        self.comms_channel = comms_channel
        #: Adds to a refreshed card (the publish targets' delivery state).
        self.extra_blocks = extra_blocks

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[ev.Event]) -> None:
        for event in events:
            if isinstance(event, (ev.StatementDrafted, ev.StatementEdited)):
                card = self._card(incident, incident.statement(event.statement_id))
                uow.outbox.add("post_message", card, at=event.at, incident=incident.number)
            elif isinstance(event, _REVIEW_STEPS):
                self._refresh_card(uow, incident, event.statement_id, event)
            elif isinstance(event, (ev.FactConfirmed, ev.FactRetracted)):
                # The facts register changes what lint finds in every statement still in review.
                for statement in incident.statements.values():
                    if not statement.publications:
                        self._refresh_card(uow, incident, statement.id, event)
            if isinstance(event, ev.StatementPublished) and is_drill_source(incident.source):
                uow.outbox.add("post_message", drill_publication(incident, event), at=event.at,
                               incident=incident.number)  # a drill publishes nowhere
            elif isinstance(event, ev.StatementPublished) and self.comms_channel:
                statement = incident.statements.get(event.statement_id)
                if statement is not None:
                    text = messages.statement_published_to_comms(
                        statement, incident_id=incident.id, channel=event.channel
                    )
                    uow.outbox.add(
                        "post_message",
                        {"channel": self.comms_channel, "text": text},
                        at=event.at,
                        incident=incident.number,
                    )

    def refresh_card(
        self, uow: UnitOfWork, incident: Incident, statement_id: int, event: ev.Event
    ) -> None:
        """Update the statement's card in the channel (found by its block id)."""
        self._refresh_card(uow, incident, statement_id, event)

    def _refresh_card(
        self, uow: UnitOfWork, incident: Incident, statement_id: int, event: ev.Event
    ) -> None:
        statement = incident.statements.get(statement_id)
        if statement is None:
            return
        card = self._card(incident, statement)
        if self.extra_blocks is not None:
            card = self.extra_blocks(uow, incident, statement, card)
        block_id = f"{Block.STATEMENT_ACTIONS.value}|" + encode_statement_ref(
            incident.number, statement.id, statement.version
        )
        uow.outbox.add(
            "update_statement_card",
            {"block_id": block_id, **card},
            at=event.at,
            incident=incident.number,
        )

    def _card(self, incident: Incident, statement: Statement) -> dict[str, Any]:
        rule = self.catalog.policy.level(incident.severity).approvals
        findings = incident.lint_statement(statement.id, rules=self.lint, contact=self.contact)
        return statement_card(
            incident_id=incident.id,
            number=incident.number,
            statement=statement,
            rule=rule,
            findings=findings,
        )

    def committed(self) -> None:
        """Nothing to do: the Slack planner wakes the gateway."""
