"""Timeline events: frozen dataclasses with a stable ``name``.

Every state change of an incident is one of these; the same objects feed the database
timeline, Slack rendering, the post-mortem and the tests. ``payload()`` / ``from_record()``
turn them into JSON-able dicts and back, so the stored timeline can be replayed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar

EVENT_TYPES: dict[str, type["Event"]] = {}

_BASE_FIELDS = ("incident", "actor", "at")


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened to incident ``incident`` (its number), done by ``actor`` at ``at``."""

    name: ClassVar[str] = "event"
    #: True for events that change no state of the incident but its ``updated_at``.
    timeline_only: ClassVar[bool] = False
    incident: int
    actor: str
    at: datetime

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name in EVENT_TYPES:
            raise TypeError(f"duplicate event name {cls.name!r}")
        EVENT_TYPES[cls.name] = cls

    def payload(self) -> dict[str, Any]:
        """Everything but the base fields, JSON-able (datetimes as ISO-8601, tuples as lists)."""
        return {
            f.name: _to_json(getattr(self, f.name))
            for f in fields(self)
            if f.name not in _BASE_FIELDS
        }

    @staticmethod
    def from_record(
        name: str, *, incident: int, actor: str, at: datetime, payload: dict[str, Any]
    ) -> "Event":
        """Rebuild an event from its stored form; unknown names raise ``KeyError``."""
        cls = EVENT_TYPES[name]
        kwargs = {field_name: _from_json(payload[field_name], annotation)
                  for field_name, annotation in _payload_fields(cls) if field_name in payload}
        return cls(incident=incident, actor=actor, at=at, **kwargs)


@functools.cache
def _payload_fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(name, annotation) of the fields an event class keeps in its payload (computed once:
    ``dataclasses.fields`` on every stored event read was a tenth of a long replay)."""
    return tuple((f.name, str(f.type)) for f in fields(cls) if f.name not in _BASE_FIELDS)


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value


def _from_json(value: Any, annotation: str) -> Any:
    if value is None:
        return None
    if annotation.startswith("datetime"):
        return datetime.fromisoformat(value)
    if annotation.startswith("tuple"):
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


@dataclass(frozen=True, kw_only=True)
class IncidentDeclared(Event):
    name: ClassVar[str] = "incident.declared"
    title: str
    crisis_type: str
    severity: str
    description: str = ""
    source: str = "slack"
    #: A confidential incident: private channel, redacted announcement, reads for insiders.
    confidential: bool = False


@dataclass(frozen=True, kw_only=True)
class SeverityChanged(Event):
    name: ClassVar[str] = "incident.severity_changed"
    old: str
    new: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class RoleAssigned(Event):
    name: ClassVar[str] = "role.assigned"
    role: str
    user: str
    previous: str | None = None


@dataclass(frozen=True, kw_only=True)
class StageAdvanced(Event):
    name: ClassVar[str] = "stage.advanced"
    from_stage: str
    to_stage: str
    forced: bool = False
    open_required: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TaskAdded(Event):
    name: ClassVar[str] = "task.added"
    task_no: int
    text_en: str
    text_zh: str
    stage: str
    owner_role: str | None
    due_at: datetime | None = None
    required: bool = False
    template: str | None = None


@dataclass(frozen=True, kw_only=True)
class TaskAssigned(Event):
    name: ClassVar[str] = "task.assigned"
    task_no: int
    user: str


@dataclass(frozen=True, kw_only=True)
class TaskCompleted(Event):
    name: ClassVar[str] = "task.completed"
    task_no: int
    late: bool = False


@dataclass(frozen=True, kw_only=True)
class FactAdded(Event):
    name: ClassVar[str] = "fact.added"
    fact_no: int
    text: str


@dataclass(frozen=True, kw_only=True)
class FactConfirmed(Event):
    name: ClassVar[str] = "fact.confirmed"
    fact_no: int


@dataclass(frozen=True, kw_only=True)
class FactTranslated(Event):
    """A version of fact ``fact_no`` in ``lang`` (``en`` or ``zh``)."""

    name: ClassVar[str] = "fact.translated"
    fact_no: int
    lang: str
    text: str


@dataclass(frozen=True, kw_only=True)
class FactRetracted(Event):
    name: ClassVar[str] = "fact.retracted"
    fact_no: int
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class NoteAdded(Event):
    name: ClassVar[str] = "note.added"
    #: Changes no state of the incident but its ``updated_at`` (lives on the timeline only).
    timeline_only: ClassVar[bool] = True
    text: str
    tag: str | None = None


@dataclass(frozen=True, kw_only=True)
class ImpactRecorded(Event):
    name: ClassVar[str] = "impact.recorded"
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class MessageCaptured(Event):
    """A Slack message added to the timeline (shortcut or :pushpin: reaction)."""

    name: ClassVar[str] = "message.captured"
    #: Changes no state of the incident but its ``updated_at`` (lives on the timeline only).
    timeline_only: ClassVar[bool] = True
    author: str
    text: str
    permalink: str
    posted_at: datetime


@dataclass(frozen=True, kw_only=True)
class StatementPublished(Event):
    name: ClassVar[str] = "statement.published"
    statement_id: int
    audience: str
    kind: str
    lang: str
    channel: str = ""
    version: int = 0


@dataclass(frozen=True, kw_only=True)
class IncidentResolved(Event):
    name: ClassVar[str] = "incident.resolved"
    summary: str = ""
    from_stage: str = ""


@dataclass(frozen=True, kw_only=True)
class IncidentReopened(Event):
    name: ClassVar[str] = "incident.reopened"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class IncidentClosed(Event):
    name: ClassVar[str] = "incident.closed"


@dataclass(frozen=True, kw_only=True)
class PostmortemPublished(Event):
    name: ClassVar[str] = "postmortem.published"
    version: int


@dataclass(frozen=True, kw_only=True)
class ReminderSent(Event):
    """A reminder went to the incident channel (``clock``: a clock key or ``task:<n>``)."""

    name: ClassVar[str] = "reminder.sent"
    #: Changes no state of the incident but its ``updated_at`` (lives on the timeline only).
    timeline_only: ClassVar[bool] = True
    kind: str
    clock: str
    due_at: datetime
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class StatementDrafted(Event):
    """A statement draft (version 1) rendered from ``template``; lint findings are not stored."""

    name: ClassVar[str] = "statement.drafted"
    statement_id: int
    version: int = 1
    audience: str
    kind: str
    lang: str
    text: str
    template: str = ""
    #: A correction: the published statement this one withdraws and replaces once it is
    #: itself published (0: not a correction), and why.
    corrects: int = 0
    correction_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class StatementEdited(Event):
    """A new version of a statement's text; earlier approvals no longer count."""

    name: ClassVar[str] = "statement.edited"
    statement_id: int
    version: int
    text: str


@dataclass(frozen=True, kw_only=True)
class StatementSubmitted(Event):
    name: ClassVar[str] = "statement.submitted"
    statement_id: int
    version: int
    #: The incident's severity at submission: its approval rule is frozen from here on
    #: (a later severity change may make it stricter, never looser). Empty on old events.
    severity: str = ""


@dataclass(frozen=True, kw_only=True)
class StatementApproved(Event):
    """``actor`` approved ``version`` under ``role`` (the role counted towards the rule)."""

    name: ClassVar[str] = "statement.approved"
    statement_id: int
    version: int
    role: str


@dataclass(frozen=True, kw_only=True)
class StatementRejected(Event):
    name: ClassVar[str] = "statement.rejected"
    statement_id: int
    version: int
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AlertFired(Event):
    """A monitor's alert (``fingerprint``) joined the incident: the first time, or firing again
    after it resolved. Plain repeats of a firing alert only bump the alerts table."""

    name: ClassVar[str] = "alert.fired"
    monitor: str
    fingerprint: str
    title: str
    severity: str | None = None
    value: float | None = None
    threshold: float | None = None
    url: str = ""
    observed_at: datetime
    first_seen: datetime
    labels: dict[str, Any] = field(default_factory=dict)
    #: What the source says beyond the title (Alertmanager/Grafana ``description``).
    description: str = ""
    #: ``{"runbook": url, "silence": url, "dashboard": url, …}``
    links: dict[str, str] = field(default_factory=dict)
    #: The source's own rendering of the value when it is not one number (``valueString``).
    value_text: str = ""
    #: Alerts of the same notification the source did not send (``truncatedAlerts``).
    truncated: int = 0


@dataclass(frozen=True, kw_only=True)
class AlertResolved(Event):
    name: ClassVar[str] = "alert.resolved"
    monitor: str
    fingerprint: str
    observed_at: datetime


@dataclass(frozen=True, kw_only=True)
class FollowupAdded(Event):
    """An action item for after the incident (``/crisis followup <text> [@owner]``)."""

    name: ClassVar[str] = "followup.added"
    item_no: int
    text: str
    owner: str | None = None


@dataclass(frozen=True, kw_only=True)
class FollowupDone(Event):
    """Action item ``item_no`` marked done (``/crisis followup done <n>``), also long after the
    incident was resolved or closed; ``actor`` and ``at`` say who and when."""

    name: ClassVar[str] = "followup.done"
    item_no: int


@dataclass(frozen=True, kw_only=True)
class FollowupReopened(Event):
    """Action item ``item_no`` open again (``/crisis followup reopen <n>``)."""

    name: ClassVar[str] = "followup.reopened"
    item_no: int


@dataclass(frozen=True, kw_only=True)
class LessonsConfirmed(Event):
    """The lessons of a resolved incident, confirmed for the knowledge base (post-mortem close)."""

    name: ClassVar[str] = "lessons.confirmed"
    lessons: tuple[str, ...] = ()


# Paging events (page sent, acknowledged, escalated) live with paging; importing them here
# registers them for every reader of the timeline.
from bot.domain import paging as _paging  # noqa: F401
from bot.domain import publishing as _publishing  # noqa: F401
