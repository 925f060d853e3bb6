"""From a statement command, button or modal to one :class:`StatementService` call and a reply.

Synchronous, like :class:`~bot.adapters.slack.handlers.CommandHandler`: the listeners ``ack()``
first and run these in a worker thread.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack import commands as c
from bot.adapters.slack import messages
from bot.adapters.slack.blocks.statement import statement_card
from bot.adapters.slack.handlers import CommandHandler, Reply, error_reply
from bot.adapters.slack.statement_commands import DraftStatement, StatementAction, parse_statement
from bot.domain.incident import Incident
from bot.domain.statements import Statement
from bot.services.incidents import Outcome
from bot.services.statements import StatementService


class StatementHandler:
    def __init__(self, *, service: StatementService, commands: CommandHandler) -> None:
        self.service = service
        self.commands = commands

    # ------------------------------------------------------------------ entry points

    def handle(
        self, command: c.Statement, *, user_id: str, channel_id: str | None, key: str | None = None
    ) -> Reply:
        """``/crisis statement …``; never raises (errors become a reply)."""
        try:
            parsed = parse_statement(command)
            number = self.commands.incident_for(parsed, channel_id)
            if isinstance(parsed, DraftStatement):
                return self.draft(
                    number,
                    audience=parsed.audience,
                    kind=parsed.kind,
                    lang=parsed.lang,
                    user_id=user_id,
                    key=key,
                    channel_id=channel_id,
                )
            return self.act(parsed, number=number, user_id=user_id, key=key, channel_id=channel_id)
        except Exception as exc:  # noqa: BLE001 - every error gets an answer
            return error_reply(exc)

    def draft(
        self,
        number: int,
        *,
        audience: str,
        kind: str,
        lang: str,
        user_id: str,
        key: str | None = None,
        channel_id: str | None = None,
        row: str = "statement draft",
    ) -> Reply:
        try:
            self.authorize(row, number, user_id=user_id, channel_id=channel_id)
            outcome = self.service.draft(
                number,
                audience=audience,
                kind=kind,
                lang=lang,
                actor=self.commands.actor(user_id),
                idempotency_key=key,
            )
            if outcome.duplicate:
                return Reply(messages.ALREADY_DONE)
            statement = self._latest(outcome)
            errors = sum(f.is_error for f in self.service.findings(outcome.incident, statement.id))
            return Reply(messages.statement_drafted_reply(statement, errors))
        except Exception as exc:  # noqa: BLE001
            return error_reply(exc)

    def act(
        self,
        action: StatementAction,
        *,
        number: int,
        user_id: str,
        version: int | None = None,
        key: str | None = None,
        channel_id: str | None = None,
    ) -> Reply:
        """Submit, approve, reject, publish, edit or show statement ``action.statement_id``."""
        try:
            self.authorize(f"statement {action.verb}", number, user_id=user_id,
                           channel_id=channel_id)
            if action.verb == "show":
                return self.show(number, action.statement_id)
            if action.verb == "list":
                return self.list(number)
            outcome = self._apply(action, number=number, user_id=user_id, version=version, key=key)
            if action.verb == "correct" and not outcome.duplicate:  # the reply is the new draft
                statement = self._latest(outcome)
                errors = sum(f.is_error for f in self.service.findings(outcome.incident, statement.id))
                return Reply(messages.statement_drafted_reply(statement, errors))
            return self._done(outcome, action.statement_id)
        except Exception as exc:  # noqa: BLE001
            return error_reply(exc)

    def click(
        self,
        action: StatementAction,
        *,
        number: int,
        user_id: str,
        version: int | None,
        key: str | None,
        channel_id: str | None = None,
    ) -> tuple[Reply, bool]:
        """A button on the statement card: ``(reply, True)`` where the reply is the refreshed
        card when the action changed the statement, ``(reply, False)`` for a refusal or repeat."""
        try:
            self.authorize(f"button:statement_{action.verb}", number, user_id=user_id,
                           channel_id=channel_id)
            outcome = self._apply(action, number=number, user_id=user_id, version=version, key=key)
        except Exception as exc:  # noqa: BLE001
            return error_reply(exc), False
        if outcome.duplicate:
            return Reply(messages.ALREADY_DONE), False
        return self.show(number, action.statement_id), True

    def _apply(
        self,
        action: StatementAction,
        *,
        number: int,
        user_id: str,
        version: int | None,
        key: str | None,
    ) -> Outcome:
        actor = self.commands.actor(user_id)
        sid, k = action.statement_id, {"idempotency_key": key}
        if action.verb == "submit":
            outcome = self.service.submit(number, sid, actor=actor, **k)
        elif action.verb == "approve":
            outcome = self.service.approve(number, sid, actor=actor, version=version, **k)
        elif action.verb == "reject":
            outcome = self.service.reject(
                number, sid, action.text, actor=actor, version=version, **k
            )
        elif action.verb == "publish":
            outcome = self.service.publish(
                number, sid, channel=action.text, actor=actor, version=version, **k
            )
        elif action.verb == "correct":
            outcome = self.service.correct(number, sid, action.text, actor=actor, **k)
        elif action.verb == "edit":
            outcome = self.service.edit(number, sid, action.text, actor=actor, version=version, **k)
        else:
            raise ValueError(f"unknown statement action {action.verb!r}")
        return outcome

    def show(self, number: int, statement_id: int) -> Reply:
        incident = self.service.incidents.get(number)
        card = self.card(incident, incident.statement(statement_id))
        return Reply(card["text"], card["blocks"])

    def list(self, number: int) -> Reply:
        incident = self.service.incidents.get(number)
        rule = self.service.rule(incident)
        return Reply(messages.statement_list(incident.id, list(incident.statements.values()),
                                             rule=rule))

    def authorize(self, row: str, number: int, *, user_id: str, channel_id: str | None) -> None:
        """The permission table's row ``row`` for ``user_id`` (raises ``Refused``)."""
        self.commands.authorize(row, number, actor=self.commands.actor(user_id),
                                channel_id=channel_id)

    def statement(self, number: int, statement_id: int, *, user_id: str) -> Statement:
        """The statement behind an *Edit* button, for whoever may edit it."""
        self.authorize("button:statement_edit", number, user_id=user_id, channel_id=None)
        return self.service.incidents.get(number).statement(statement_id)

    def card(self, incident: Incident, statement: Statement) -> dict[str, Any]:
        return statement_card(
            incident_id=incident.id,
            number=incident.number,
            statement=statement,
            rule=self.service.rule(incident, statement.id),
            findings=self.service.findings(incident, statement.id),
        )

    # ------------------------------------------------------------------ internals

    def _done(self, outcome: Outcome, statement_id: int) -> Reply:
        if outcome.duplicate:
            return Reply(messages.ALREADY_DONE)
        incident = outcome.incident
        statement = incident.statement(statement_id)
        rule = self.service.rule(incident, statement_id)
        lines = [messages.describe_event(e, incident=incident) for e in outcome.events[:3]]
        lines.append(
            messages.statement_status_line(
                statement,
                status=statement.status(rule),
                missing=statement.missing(rule),
                rule=rule.describe(),
            )
        )
        if any(e.name == "statement.edited" for e in outcome.events):  # lint runs on every edit
            lines.append(
                messages.statement_findings(
                    self.service.findings(incident, statement_id), statement.lang
                )
            )
        return Reply(":white_check_mark: " + "\n".join(lines))

    @staticmethod
    def _latest(outcome: Outcome) -> Statement:
        return outcome.incident.statements[max(outcome.incident.statements)]
