"""Statements: drafts, versions, review and publication — pure rules, event-sourced.

A statement lives inside its incident and is rebuilt from the ``statement.*`` timeline
events (:func:`apply`). Statement ids are per-incident integers 1, 2, 3…

Flow: drafted (v1) → submitted for review → approved by whoever the severity's
:class:`~bot.domain.severity.ApprovalRule` asks for → published. An edit makes a new version,
clears the approvals and sends the statement back to draft. A rejection (with a reason) waits
for an edit. The ``check_*`` functions raise a :class:`~bot.domain.errors.DomainError` with the
reason, or return what the event should record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Iterable

from bot.domain import events as ev
from bot.domain.errors import Conflict, DomainError, InvalidInput, NotFound, NotPermitted
from bot.domain.roles import Role
from bot.domain.severity import ApprovalRule, Severity
from bot.domain.statement_lint import Finding, errors

AUDIENCES: tuple[str, ...] = ("customers", "media", "partners", "regulators", "employees")
#: ``recall`` and ``breach`` are the type-specific notices (product recall, data breach);
#: ``clarification`` (辟谣) says what is false and what is true, ``qa`` is the media Q&A kit.
KINDS: tuple[str, ...] = (
    "holding", "update", "resolution", "recall", "breach", "clarification", "qa",
)
#: ``zh`` is Simplified Chinese; ``zh-Hant`` (Traditional), ``zh-HK`` and ``zh-TW`` (with regional
#: wording) are converted from it.
LANGS: tuple[str, ...] = ("en", "zh", "zh-Hant", "zh-HK", "zh-TW")
#: Audiences outside the company: only a statement to one of them meets the golden 4 hours.
EXTERNAL_AUDIENCES: frozenset[str] = frozenset({"customers", "media", "partners", "regulators"})
#: Slack plain-text inputs (the Edit modal) hold 3000 characters; statements stay editable.
MAX_STATEMENT = 3000

#: Roles that may publish an approved statement (besides the bot itself).
PUBLISHERS = frozenset({Role.COMMANDER, Role.COMMS, Role.SPOKESPERSON, Role.EXEC})


class StatementState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    PUBLISHED = "published"


class StatementBlocked(DomainError):
    """Approval or publication refused because of lint errors; ``findings`` says which."""

    code = "statement_blocked"

    def __init__(self, message: str, findings: Iterable[Finding]) -> None:
        self.findings = tuple(findings)
        lines = "\n".join(f"• {f.text('en')}" for f in self.findings)
        super().__init__(f"{message}\n{lines}" if lines else message)


@dataclass(frozen=True, slots=True)
class Approval:
    user: str
    role: str
    version: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Publication:
    channel: str
    version: int
    at: datetime
    by: str


@dataclass
class Statement:
    id: int
    audience: str
    kind: str
    lang: str
    template: str
    text: str
    drafted_by: str
    drafted_at: datetime
    version: int = 1
    state: StatementState = StatementState.DRAFT
    authors: list[str] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    submitted_at: datetime | None = None
    #: Severity when submitted: the approval rule is frozen from there (see review_severity).
    submitted_severity: str = ""
    rejection: tuple[str, str] | None = None  # (who, reason) for the current version
    publications: list[Publication] = field(default_factory=list)
    #: Corrections (see bot.domain.statement_corrections): the statement this one corrects,
    #: and why; on the corrected one, the correction that withdrew it once it was published.
    corrects: int = 0
    correction_reason: str = ""
    corrected_by: int = 0
    corrected_at: datetime | None = None

    @property
    def ref(self) -> str:
        return f"#{self.id}"

    def current_approvals(self) -> list[Approval]:
        return [a for a in self.approvals if a.version == self.version]

    def missing(self, rule: ApprovalRule) -> list[str]:
        """What the rule still needs: role names, or ``"person"`` once per missing person."""
        done = self.current_approvals()
        if rule.roles:
            covered = {a.role for a in done}
            return [r.value for r in rule.roles if r.value not in covered]
        return ["person"] * max(0, rule.people - len({a.user for a in done}))

    def is_approved(self, rule: ApprovalRule) -> bool:
        return self.state in (
            StatementState.IN_REVIEW,
            StatementState.PUBLISHED,
        ) and not self.missing(rule)

    def status(self, rule: ApprovalRule) -> str:
        """``draft`` · ``in_review`` · ``approved`` · ``rejected`` · ``published``."""
        if self.state is StatementState.IN_REVIEW and not self.missing(rule):
            return "approved"
        return self.state.value


def review_severity(statement: Statement | None, current: Severity) -> Severity:
    """The severity whose approval rule applies to ``statement``: the one it was submitted
    under, unless the incident has since become more severe (stricter, never looser)."""
    if statement is None or not statement.submitted_severity:
        return current
    submitted = Severity(statement.submitted_severity)
    return submitted if submitted.rank > current.rank else current


# ------------------------------------------------------------------------- checks


def parse_lang(lang: str) -> str:
    """The canonical spelling of a statement language (``zh-hant`` → ``zh-Hant``)."""
    for known in LANGS:
        if known.casefold() == (lang or "").strip().casefold():
            return known
    raise InvalidInput(f"`{lang}` is not a statement language; use one of {', '.join(LANGS)}.")


def check_new(*, audience: str, kind: str, lang: str, text: str) -> str:
    """Validate a new draft; returns the cleaned text."""
    if audience not in AUDIENCES:
        raise InvalidInput(f"`{audience}` is not an audience; use one of {', '.join(AUDIENCES)}.")
    if kind not in KINDS:
        raise InvalidInput(f"`{kind}` is not a statement kind; use one of {', '.join(KINDS)}.")
    if lang not in LANGS:
        raise InvalidInput(f"`{lang}` is not a statement language; use one of {', '.join(LANGS)}.")
    return _clean_text(text)


def check_writer(*, roles: frozenset[Role], is_system: bool, doing: str) -> None:
    """Drafting, editing and submitting are for the crisis team (anyone holding a role)."""
    if not is_system and not roles:
        raise NotPermitted(f"Only members of the crisis team (people holding a role) can {doing}; "
                           "ask the commander for a role with `/crisis role <role> @you`.")


def check_edit(statement: Statement, text: str, *, version: int | None = None) -> str:
    _check_version(statement, version)
    if statement.state is StatementState.PUBLISHED:
        raise Conflict(
            f"Statement {statement.ref} is published and can no longer change; "
            "draft an update instead."
        )
    text = _clean_text(text)
    if text == statement.text:
        raise Conflict(
            f"That is the text of statement {statement.ref} v{statement.version} "
            "already; nothing changed."
        )
    return text


def check_submit(statement: Statement) -> None:
    if statement.state is StatementState.IN_REVIEW:
        raise Conflict(f"Statement {statement.ref} v{statement.version} is already in review.")
    if statement.state is StatementState.REJECTED:
        raise Conflict(f"Statement {statement.ref} was rejected; edit it before submitting again.")
    if statement.state is StatementState.PUBLISHED:
        raise Conflict(f"Statement {statement.ref} is already published.")


def check_approval(
    statement: Statement,
    *,
    approver: str,
    approver_roles: frozenset[Role],
    rule: ApprovalRule,
    findings: Iterable[Finding],
    version: int | None = None,
) -> str:
    """Who may approve, and under which role; returns the role to record."""
    ref = statement.ref
    _check_version(statement, version)
    if statement.state is StatementState.DRAFT:
        raise Conflict(
            f"Statement {ref} v{statement.version} is a draft; submit it for review "
            f"first (`/crisis statement submit {statement.id}`)."
        )
    if statement.state is StatementState.REJECTED:
        raise Conflict(f"Statement {ref} was rejected; it needs an edit before anyone approves it.")
    if statement.state is StatementState.PUBLISHED:
        raise Conflict(f"Statement {ref} is already published.")
    if approver in statement.authors:
        raise NotPermitted(
            f"You wrote statement {ref}; someone else must approve it "
            "(nobody approves their own draft)."
        )
    done = statement.current_approvals()
    if any(a.user == approver for a in done):
        raise Conflict(f"You already approved statement {ref} v{statement.version}.")
    missing = statement.missing(rule)
    if not missing:
        raise Conflict(
            f"Statement {ref} v{statement.version} already has every approval it needs "
            f"({rule.describe()}); it can be published."
        )
    blocking = errors(findings)
    if blocking:
        raise StatementBlocked(
            f"Statement {ref} v{statement.version} has lint errors and cannot "
            "be approved until they are fixed:",
            blocking,
        )
    if rule.roles:
        for role in rule.roles:
            if role.value in missing and role in approver_roles:
                return role.value
        raise NotPermitted(
            f"Statement {ref} still needs approval from {' + '.join(missing)}; you hold "
            f"{_roles_text(approver_roles)}. Each required role approves once, by its holder."
        )
    if not approver_roles:
        raise NotPermitted(
            f"Only members of the crisis team (people holding a role) can review statement {ref}."
        )
    return _first(approver_roles).value


def check_reject(
    statement: Statement,
    *,
    rejecter: str,
    rejecter_roles: frozenset[Role],
    rule: ApprovalRule,
    reason: str,
    version: int | None = None,
) -> str:
    """Returns the cleaned reason."""
    _check_version(statement, version)
    if statement.state is not StatementState.IN_REVIEW:
        raise Conflict(
            f"Only a statement in review can be rejected; statement {statement.ref} is "
            f"{statement.state.value.replace('_', ' ')}."
        )
    if rejecter in statement.authors:
        raise NotPermitted(f"You wrote statement {statement.ref}; edit it instead of rejecting it.")
    allowed = set(rule.roles) if rule.roles else set(Role)
    if not (rejecter_roles & allowed):
        raise NotPermitted(
            f"Only a reviewer ({rule.describe()}) can reject statement {statement.ref}."
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(
            "Say why the statement is rejected, e.g. "
            f"`/crisis statement reject {statement.id} the refund date is not confirmed`."
        )
    if len(reason) > 1000:
        raise InvalidInput(f"The reason is {len(reason)} characters long; the limit is 1000.")
    return reason


def check_publish(
    statement: Statement,
    *,
    publisher_roles: frozenset[Role],
    is_system: bool,
    rule: ApprovalRule,
    findings: Iterable[Finding],
    channel: str,
    version: int | None = None,
) -> str:
    """Returns the cleaned channel name."""
    ref = statement.ref
    _check_version(statement, version)
    channel = " ".join((channel or "").split())[:80] or "unspecified"
    if not is_system and not (publisher_roles & PUBLISHERS):
        raise NotPermitted(
            f"Only the commander, comms lead, spokesperson or an executive can "
            f"publish statement {ref}."
        )
    if statement.state in (StatementState.DRAFT, StatementState.REJECTED):
        raise Conflict(
            f"Statement {ref} v{statement.version} is not approved "
            f"({statement.state.value}); it needs {rule.describe()} first."
        )
    missing = statement.missing(rule)
    if missing:
        need = ", ".join(missing) if rule.roles else f"{len(missing)} more approval(s)"
        raise Conflict(
            f"Statement {ref} v{statement.version} still needs approval: {need} "
            f"(rule: {rule.describe()})."
        )
    if any(
        p.channel.casefold() == channel.casefold() and p.version == statement.version
        for p in statement.publications
    ):
        raise Conflict(f"Statement {ref} v{statement.version} was already published to {channel}.")
    blocking = errors(findings)
    if blocking:
        raise StatementBlocked(f"Statement {ref} cannot be published:", blocking)
    return channel


def _check_version(statement: Statement, version: int | None) -> None:
    if version is not None and version != statement.version:
        raise Conflict(
            f"Statement {statement.ref} changed since this was shown (v{version}); "
            f"it is now v{statement.version}. Review the latest version."
        )


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A statement needs some text.")
    if len(text) > MAX_STATEMENT:
        raise InvalidInput(
            f"The statement is {len(text)} characters long; the limit is {MAX_STATEMENT}."
        )
    return text


def _first(roles: frozenset[Role]) -> Role:
    return next(r for r in Role if r in roles)


def _roles_text(roles: frozenset[Role]) -> str:
    return " + ".join(r.value for r in Role if r in roles) if roles else "no role"


# ------------------------------------------------------------------------- state


def find(statements: dict[int, Statement], statement_id: int, incident_label: str) -> Statement:
    try:
        return statements[statement_id]
    except KeyError:
        raise NotFound(f"{incident_label} has no statement #{statement_id}.") from None


def apply(statements: dict[int, Statement], event: ev.Event) -> None:
    """Apply one ``statement.*`` event (except ``statement.published`` without a known id)."""
    if isinstance(event, ev.StatementDrafted):
        statements[event.statement_id] = Statement(
            id=event.statement_id,
            audience=event.audience,
            kind=event.kind,
            lang=event.lang,
            template=event.template,
            text=event.text,
            drafted_by=event.actor,
            drafted_at=event.at,
            version=event.version,
            authors=[event.actor],
            corrects=event.corrects,
            correction_reason=event.correction_reason,
        )
        return
    statement = statements.get(getattr(event, "statement_id", 0))
    if statement is None:
        return  # a publication recorded before statements were tracked
    if isinstance(event, ev.StatementEdited):
        statement.text, statement.version = event.text, event.version
        statement.state, statement.rejection, statement.submitted_at = (
            StatementState.DRAFT,
            None,
            None,
        )
        statement.submitted_severity = ""
        if event.actor not in statement.authors:
            statement.authors.append(event.actor)
    elif isinstance(event, ev.StatementSubmitted):
        statement.state, statement.submitted_at = StatementState.IN_REVIEW, event.at
        statement.submitted_severity = event.severity
    elif isinstance(event, ev.StatementApproved):
        statement.approvals.append(Approval(event.actor, event.role, event.version, event.at))
    elif isinstance(event, ev.StatementRejected):
        statement.state, statement.rejection = StatementState.REJECTED, (event.actor, event.reason)
    elif isinstance(event, ev.StatementPublished):
        statement.state = StatementState.PUBLISHED
        statement.publications.append(
            Publication(event.channel, event.version or statement.version, event.at, event.actor)
        )
        corrected = statements.get(statement.corrects) if statement.corrects else None
        if corrected is not None and not corrected.corrected_by:
            corrected.corrected_by, corrected.corrected_at = statement.id, event.at
