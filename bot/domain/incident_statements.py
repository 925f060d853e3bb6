"""The statement commands of the incident aggregate, as a mixin of
:class:`~bot.domain.incident.Incident`.

The rules live in :mod:`bot.domain.statements`; these methods only find the statement, check
who may act and record the event through ``Incident._record``, like every other command.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain import events as ev
from bot.domain import statements as st
from bot.domain.errors import Conflict
from bot.domain.lifecycle import Status
from bot.domain.roles import Actor, Role
from bot.domain.severity import ApprovalRule, Severity
from bot.domain.statement_corrections import check_correction, check_correction_publishable
from bot.domain.statement_lint import Finding, LintRules, Variant, lint_text

#: Contact channels per audience (``{"customers": ..., "media": ...}``), or one for all.
Contacts = str | Mapping[str, str]

if TYPE_CHECKING:
    from bot.domain.records import Fact


class StatementCommands:
    """Draft, edit, submit, approve, reject and publish statements; mixed into ``Incident``."""

    # Provided by Incident (declared here for type checkers only).
    if TYPE_CHECKING:
        number: int
        facts: list[Fact]
        statements: dict[int, st.Statement]

        @property
        def id(self) -> str: ...
        @property
        def status(self) -> Status: ...
        def roles_of(self, user: str) -> frozenset[Role]: ...
        def effective_roles(self, actor: Actor) -> frozenset[Role]: ...
        severity: Severity
        def _record(self, event: ev.Event) -> list[ev.Event]: ...
        def record_statement_published(self, **kwargs: Any) -> list[ev.Event]: ...

    def statement(self, statement_id: int) -> st.Statement:
        return st.find(self.statements, statement_id, self.id)

    def lint_statement(
        self, statement_id: int, *, rules: LintRules, contact: Contacts,
        variant: Variant | None = None,
    ) -> list[Finding]:
        """Lint statement ``statement_id``. ``contact`` maps each audience to its configured
        contact channel (a missing one is an error for that audience); a plain string is one
        channel for every audience and checks no configuration."""
        statement = self.statement(statement_id)
        if isinstance(contact, str):
            channel, audience = contact, None
        else:
            channel, audience = contact.get(statement.audience, ""), statement.audience
        return lint_text(statement.text, kind=statement.kind, lang=statement.lang,
                         facts=self.facts, contact=channel, rules=rules, variant=variant,
                         audience=audience)

    def draft_statement(
        self, *, audience: str, kind: str, lang: str, text: str, template: str, actor: Actor,
        at: datetime,
    ) -> list[ev.Event]:
        if self.status is Status.CLOSED:
            raise Conflict(f"{self.id} is closed; it takes no new statements.")
        st.check_writer(roles=self.effective_roles(actor), is_system=actor.is_system,
                        doing="draft statements")
        text = st.check_new(audience=audience, kind=kind, lang=lang, text=text)
        return self._record(
            ev.StatementDrafted(
                incident=self.number, actor=actor.id, at=at, statement_id=len(self.statements) + 1,
                version=1, audience=audience, kind=kind, lang=lang, text=text, template=template,
            )
        )

    def correct_statement(
        self, statement_id: int, reason: str, *, actor: Actor, at: datetime,
    ) -> list[ev.Event]:
        """Draft a correction of published statement ``statement_id``: its text to edit, the
        same audience, kind and language, reviewed like any statement."""
        if self.status is Status.CLOSED:
            raise Conflict(f"{self.id} is closed; it takes no new statements.")
        original = self.statement(statement_id)
        st.check_writer(roles=self.effective_roles(actor), is_system=actor.is_system,
                        doing="draft corrections")
        reason = check_correction(original, reason, self.statements)
        return self._record(
            ev.StatementDrafted(
                incident=self.number, actor=actor.id, at=at, statement_id=len(self.statements) + 1,
                version=1, audience=original.audience, kind=original.kind, lang=original.lang,
                text=original.text, template=original.template, corrects=original.id,
                correction_reason=reason,
            )
        )

    def edit_statement(
        self, statement_id: int, text: str, *, actor: Actor, at: datetime,
        version: int | None = None,
    ) -> list[ev.Event]:
        statement = self.statement(statement_id)
        st.check_writer(roles=self.effective_roles(actor), is_system=actor.is_system,
                        doing="edit statements")
        text = st.check_edit(statement, text, version=version)
        return self._record(
            ev.StatementEdited(incident=self.number, actor=actor.id, at=at,
                               statement_id=statement_id, version=statement.version + 1, text=text)
        )

    def submit_statement(self, statement_id: int, *, actor: Actor, at: datetime) -> list[ev.Event]:
        statement = self.statement(statement_id)
        st.check_writer(roles=self.effective_roles(actor), is_system=actor.is_system,
                        doing="submit statements")
        st.check_submit(statement)
        return self._record(
            ev.StatementSubmitted(incident=self.number, actor=actor.id, at=at,
                                  statement_id=statement_id, version=statement.version,
                                  severity=self.severity.value)
        )

    def approve_statement(
        self, statement_id: int, *, rule: ApprovalRule, lint: LintRules, contact: Contacts,
        actor: Actor, at: datetime, version: int | None = None,
    ) -> list[ev.Event]:
        statement = self.statement(statement_id)
        role = st.check_approval(
            statement, approver=actor.id, approver_roles=self.effective_roles(actor),
            rule=rule, version=version,
            findings=self.lint_statement(statement_id, rules=lint, contact=contact),
        )
        return self._record(
            ev.StatementApproved(incident=self.number, actor=actor.id, at=at,
                                 statement_id=statement_id, version=statement.version, role=role)
        )

    def reject_statement(
        self, statement_id: int, reason: str, *, rule: ApprovalRule, actor: Actor, at: datetime,
        version: int | None = None,
    ) -> list[ev.Event]:
        statement = self.statement(statement_id)
        reason = st.check_reject(
            statement, rejecter=actor.id, rejecter_roles=self.effective_roles(actor),
            rule=rule, reason=reason, version=version,
        )
        return self._record(
            ev.StatementRejected(incident=self.number, actor=actor.id, at=at,
                                 statement_id=statement_id, version=statement.version, reason=reason)
        )

    def publish_statement(
        self, statement_id: int, *, channel: str, rule: ApprovalRule, lint: LintRules,
        contact: Contacts, actor: Actor, at: datetime, version: int | None = None,
    ) -> list[ev.Event]:
        """Record that an approved statement went out on ``channel`` (checked again here: a
        fact retracted after approval blocks it)."""
        statement = self.statement(statement_id)
        check_correction_publishable(statement, self.statements)
        channel = st.check_publish(
            statement, publisher_roles=self.effective_roles(actor), version=version,
            is_system=actor.is_system, rule=rule, channel=channel,
            findings=self.lint_statement(statement_id, rules=lint, contact=contact,
                                         variant=lint.variant_for(channel or "")),
        )
        return self.record_statement_published(
            statement_id=statement_id, audience=statement.audience, kind=statement.kind,
            lang=statement.lang, channel=channel, actor=actor, at=at, version=statement.version,
        )

    # ---------------------------------------------------------------- appliers

    def _on_statement_drafted(self, event: ev.StatementDrafted) -> None:
        st.apply(self.statements, event)

    def _on_statement_edited(self, event: ev.StatementEdited) -> None:
        st.apply(self.statements, event)

    def _on_statement_submitted(self, event: ev.StatementSubmitted) -> None:
        st.apply(self.statements, event)

    def _on_statement_approved(self, event: ev.StatementApproved) -> None:
        st.apply(self.statements, event)

    def _on_statement_rejected(self, event: ev.StatementRejected) -> None:
        st.apply(self.statements, event)
