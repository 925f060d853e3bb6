"""One plain-text line per timeline record, for the report's timeline section.

Reads the stored payload, so it describes events of any feature; names it does not know
are shown with their payload's short fields. With a :class:`Readable` (the Markdown and HTML
versions) keys and Slack user ids become words; without one the machine values stay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.adapters.rendering.formatting import Readable

_P = Mapping[str, Any]
_Text = Callable[[_P, Readable], str]


def _g(p: _P, key: str, default: str = "") -> str:
    value = p.get(key)
    return default if value is None else str(value)


def _statement(p: _P, r: Readable) -> str:
    return f"{r.audience(_g(p, 'audience'))}, {r.kind(_g(p, 'kind'))}, {r.language(_g(p, 'lang'))}"


def _unit(p: _P) -> str:
    """A ``change`` rule compares percentages."""
    return "%" if dict(p.get("labels") or {}).get("rule") == "change" else ""


_TEXTS: dict[str, _Text] = {
    "incident.declared": lambda p, r: f"Declared ({_g(p, 'severity')}, {r.crisis_type(_g(p, 'crisis_type'))}): "
    f"{_g(p, 'title')}"
    + (f" — opened by {r.person(_g(p, 'source'))}" if _g(p, "source", "slack") != "slack" else ""),
    "incident.severity_changed": lambda p, r: f"Severity {_g(p, 'old')} → {_g(p, 'new')}"
    + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "role.assigned": lambda p, r: f"{r.role(_g(p, 'role'))}: {r.person(_g(p, 'user'))}"
    + (f" (was {r.person(_g(p, 'previous'))})" if p.get("previous") else ""),
    "stage.advanced": lambda p, r: f"Stage {r.stage(_g(p, 'from_stage'))} → {r.stage(_g(p, 'to_stage'))}"
    + (" (forced)" if p.get("forced") else ""),
    "task.added": lambda p, r: f"Task #{_g(p, 'task_no')} added: {_g(p, 'text_en')}",
    "task.assigned": lambda p, r: f"Task #{_g(p, 'task_no')} assigned to {r.person(_g(p, 'user'))}",
    "task.completed": lambda p, r: f"Task #{_g(p, 'task_no')} done" + (" (late)" if p.get("late") else ""),
    "fact.added": lambda p, r: f"Fact #{_g(p, 'fact_no')}: {_g(p, 'text')}",
    "fact.confirmed": lambda p, r: f"Fact #{_g(p, 'fact_no')} confirmed",
    "fact.translated": lambda p, r: f"Fact #{_g(p, 'fact_no')} in {r.language(_g(p, 'lang'))}: "
    f"{_g(p, 'text')}",
    "fact.retracted": lambda p, r: f"Fact #{_g(p, 'fact_no')} retracted"
    + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "note.added": lambda p, r: ("Note" + (f" [{_g(p, 'tag')}]" if p.get("tag") else "")
                                + f": {_g(p, 'text')}"),
    "impact.recorded": lambda p, r: "Impact: " + r.impact(dict(p.get("figures") or {})),
    "message.captured": lambda p, r: f"Message by {r.person(_g(p, 'author'))}: {_g(p, 'text')}",
    "statement.drafted": lambda p, r: f"Statement #{_g(p, 'statement_id')} drafted "
    f"({_statement(p, r)}) v{_g(p, 'version')}",
    "statement.edited": lambda p, r: f"Statement #{_g(p, 'statement_id')} edited → v{_g(p, 'version')}",
    "statement.submitted": lambda p, r: f"Statement #{_g(p, 'statement_id')} v{_g(p, 'version')} "
    "submitted for approval",
    "statement.approved": lambda p, r: f"Statement #{_g(p, 'statement_id')} v{_g(p, 'version')} approved"
    + (f" by the {r.role(_g(p, 'role'))}" if p.get("role") else ""),
    "statement.rejected": lambda p, r: f"Statement #{_g(p, 'statement_id')} v{_g(p, 'version')} rejected"
    + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "statement.published": lambda p, r: f"Statement #{_g(p, 'statement_id')}"
    + (f" v{_g(p, 'version')}" if p.get("version") is not None else "")
    + f" published ({_statement(p, r)})"
    + (f" to {_g(p, 'channel')}" if p.get("channel") else ""),
    "alert.fired": lambda p, r: f"Alert fired: {_g(p, 'monitor')} — {_g(p, 'title')}"
    + (f" (value {r.figure(p.get('value'))}{_unit(p)}, threshold {r.figure(p.get('threshold'))}{_unit(p)})"
       if p.get("value") is not None else ""),
    "alert.resolved": lambda p, r: f"Alert resolved: {_g(p, 'monitor')}",
    "reminder.sent": lambda p, r: f"Reminder sent: {(_g(p, 'clock') or _g(p, 'kind')).replace('_', ' ')}",
    "followup.added": lambda p, r: f"Action item #{_g(p, 'item_no')}: {_g(p, 'text')}"
    + (f" (owner {r.person(_g(p, 'owner'))})" if p.get("owner") else ""),
    "followup.done": lambda p, r: f"Action item #{_g(p, 'item_no')} done",
    "followup.reopened": lambda p, r: f"Action item #{_g(p, 'item_no')} reopened",
    "incident.resolved": lambda p, r: "Resolved" + (f": {_g(p, 'summary')}" if p.get("summary") else ""),
    "incident.reopened": lambda p, r: "Reopened" + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "incident.closed": lambda p, r: "Closed",
    "postmortem.published": lambda p, r: f"Post-mortem v{_g(p, 'version')} published",
}


class _Machine(Readable):
    """No translation: the stored keys and ids as they are (the JSON's timeline text)."""

    def person(self, actor: str | None) -> str:
        return actor or ""

    def role(self, role: str) -> str:
        return role

    def crisis_type(self, key: str) -> str:
        return key

    def stage(self, stage: str) -> str:
        return stage

    def audience(self, audience: str) -> str:
        return audience

    def kind(self, kind: str) -> str:
        return kind

    def language(self, code: str) -> str:
        return code


_MACHINE = _Machine()

# Paging (bot.domain.paging): pages sent, acknowledged, escalated.
_TEXTS.update({
    "page.sent": lambda p, r: f"Paged {r.person(_g(p, 'user'))} as {r.role(_g(p, 'role'))} "
    f"({_g(p, 'reason')}, page {_g(p, 'attempt', '1')}"
    + (f", via {', '.join(map(str, p.get('channels') or []))}" if p.get("channels") else "") + ")",
    "page.acknowledged": lambda p, r: f"{r.person(_g(p, 'user'))} acknowledged the page for "
    f"{r.role(_g(p, 'role'))} ({_g(p, 'via')}, after {int(float(p.get('seconds') or 0))} s)",
    "page.escalated": lambda p, r: f"Page for {r.role(_g(p, 'role'))} escalated from "
    f"{r.person(_g(p, 'from_user'))} to "
    + (r.person(_g(p, "to_user")) if p.get("to_user") else "nobody (everyone was paged)"),
    "statement.delivered": lambda p, r: f"Statement #{_g(p, 'statement_id')} "
    f"v{_g(p, 'version')} → {_g(p, 'target')}: {_g(p, 'status')}"
    + (f" ({_g(p, 'error')})" if p.get("error") else ""),
})


def describe(name: str, payload: _P, r: Readable | None = None) -> str:
    text = _TEXTS.get(name)
    if text is not None:
        return text(payload, r or _MACHINE)
    short = ", ".join(f"{k}={v}" for k, v in payload.items()
                      if isinstance(v, (str, int, float)) and len(str(v)) <= 60)
    return f"{name}" + (f" ({short})" if short else "")
