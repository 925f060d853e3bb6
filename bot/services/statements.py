"""Statement use cases: draft from a template, edit, submit, approve, reject, publish.

Each runs through :meth:`IncidentService.apply` (load, domain, save events, plan effects, commit
— one transaction). Templates are rendered by a :class:`StatementDrafter` (an adapter), inside
the transaction so the draft reflects the incident as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.incident import Incident
from bot.domain.roles import Actor
from bot.domain.severity import ApprovalRule
from bot.domain.statement_lint import Finding, LintRules, Variant
from bot.domain.statements import review_severity
from bot.services.incidents import IncidentService, Outcome


class Draft(Protocol):
    text: str
    template: str


class StatementDrafter(Protocol):
    """Renders the template for (audience, kind, lang) against an incident."""

    def render(
        self, incident: Incident, *, audience: str, kind: str, lang: str, now: datetime
    ) -> Draft: ...


@dataclass
class StatementService:
    incidents: IncidentService
    drafter: StatementDrafter
    lint: LintRules
    #: The configured contact channel per audience (``StatementSettings.contacts``).
    contact: str | Mapping[str, str] = ""

    def rule(self, incident: Incident, statement_id: int | None = None) -> ApprovalRule:
        """Approvals statement ``statement_id`` needs: the rule of the severity it was submitted
        under, or of the current severity when that is higher (stricter, never looser). Without
        a statement (or before submission): the current severity's rule."""
        statement = incident.statements.get(statement_id) if statement_id is not None else None
        severity = review_severity(statement, incident.severity)
        return self.incidents.catalog.policy.level(severity).approvals

    def findings(
        self, incident: Incident, statement_id: int, variant: Variant | None = None
    ) -> list[Finding]:
        return incident.lint_statement(
            statement_id, rules=self.lint, contact=self.contact, variant=variant
        )

    def draft(
        self,
        number: int,
        *,
        audience: str,
        kind: str,
        lang: str,
        actor: Actor,
        idempotency_key: str | None = None,
    ) -> Outcome:
        def change(incident: Incident, now: datetime):
            rendered = self.drafter.render(
                incident, audience=audience, kind=kind, lang=lang, now=now
            )
            return incident.draft_statement(
                audience=audience,
                kind=kind,
                lang=lang,
                text=rendered.text,
                template=rendered.template,
                actor=actor,
                at=now,
            )

        return self.incidents.apply(number, change, idempotency_key=idempotency_key)

    def edit(
        self,
        number: int,
        statement_id: int,
        text: str,
        *,
        actor: Actor,
        version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self.incidents.apply(
            number,
            lambda inc, now: inc.edit_statement(
                statement_id, text, actor=actor, at=now, version=version
            ),
            idempotency_key=idempotency_key,
        )

    def correct(
        self, number: int, statement_id: int, reason: str, *, actor: Actor,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Draft a correction of a published statement (see bot.domain.statement_corrections)."""
        return self.incidents.apply(
            number,
            lambda inc, now: inc.correct_statement(statement_id, reason, actor=actor, at=now),
            idempotency_key=idempotency_key,
        )

    def submit(
        self, number: int, statement_id: int, *, actor: Actor, idempotency_key: str | None = None
    ) -> Outcome:
        return self.incidents.apply(
            number,
            lambda inc, now: inc.submit_statement(statement_id, actor=actor, at=now),
            idempotency_key=idempotency_key,
        )

    def approve(
        self,
        number: int,
        statement_id: int,
        *,
        actor: Actor,
        version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self.incidents.apply(
            number,
            lambda inc, now: inc.approve_statement(
                statement_id,
                rule=self.rule(inc, statement_id),
                lint=self.lint,
                contact=self.contact,
                actor=actor,
                at=now,
                version=version,
            ),
            idempotency_key=idempotency_key,
        )

    def reject(
        self,
        number: int,
        statement_id: int,
        reason: str,
        *,
        actor: Actor,
        version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self.incidents.apply(
            number,
            lambda inc, now: inc.reject_statement(
                statement_id, reason, rule=self.rule(inc, statement_id), actor=actor, at=now,
                version=version
            ),
            idempotency_key=idempotency_key,
        )

    def publish(
        self,
        number: int,
        statement_id: int,
        *,
        channel: str,
        actor: Actor,
        version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome:
        return self.incidents.apply(
            number,
            lambda inc, now: inc.publish_statement(
                statement_id,
                channel=channel,
                rule=self.rule(inc, statement_id),
                lint=self.lint,
                contact=self.contact,
                actor=actor,
                at=now,
                version=version,
            ),
            idempotency_key=idempotency_key,
        )
