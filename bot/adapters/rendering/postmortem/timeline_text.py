"""One plain-text line per timeline record, for the report's timeline section.

Reads the stored payload, so it describes events of any feature; names it does not know
are shown with their payload's short fields.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

_P = Mapping[str, Any]


def _g(p: _P, key: str, default: str = "") -> str:
    value = p.get(key)
    return default if value is None else str(value)


_TEXTS: dict[str, Callable[[_P], str]] = {
    "incident.declared": lambda p: f"Declared ({_g(p, 'severity')}, {_g(p, 'crisis_type')}): {_g(p, 'title')}"
    + (f" — opened by {_g(p, 'source')}" if _g(p, "source", "slack") != "slack" else ""),
    "incident.severity_changed": lambda p: f"Severity {_g(p, 'old')} → {_g(p, 'new')}"
    + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "role.assigned": lambda p: f"{_g(p, 'role')} → {_g(p, 'user')}"
    + (f" (was {_g(p, 'previous')})" if p.get("previous") else ""),
    "stage.advanced": lambda p: f"Stage {_g(p, 'from_stage')} → {_g(p, 'to_stage')}"
    + (" (forced)" if p.get("forced") else ""),
    "task.added": lambda p: f"Task #{_g(p, 'task_no')} added: {_g(p, 'text_en')}",
    "task.assigned": lambda p: f"Task #{_g(p, 'task_no')} assigned to {_g(p, 'user')}",
    "task.completed": lambda p: f"Task #{_g(p, 'task_no')} done" + (" (late)" if p.get("late") else ""),
    "fact.added": lambda p: f"Fact #{_g(p, 'fact_no')}: {_g(p, 'text')}",
    "fact.confirmed": lambda p: f"Fact #{_g(p, 'fact_no')} confirmed",
    "fact.translated": lambda p: f"Fact #{_g(p, 'fact_no')} in {_g(p, 'lang')}: {_g(p, 'text')}",
    "fact.retracted": lambda p: f"Fact #{_g(p, 'fact_no')} retracted"
    + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "note.added": lambda p: ("Note" + (f" [{_g(p, 'tag')}]" if p.get("tag") else "")
                             + f": {_g(p, 'text')}"),
    "impact.recorded": lambda p: "Impact: " + ", ".join(
        f"{k}={v}" for k, v in dict(p.get("figures") or {}).items()),
    "message.captured": lambda p: f"Message by {_g(p, 'author')}: {_g(p, 'text')}",
    "statement.drafted": lambda p: f"Statement #{_g(p, 'statement_id')} drafted "
    f"({_g(p, 'audience')}, {_g(p, 'kind')}, {_g(p, 'lang')}) v{_g(p, 'version')}",
    "statement.edited": lambda p: f"Statement #{_g(p, 'statement_id')} edited → v{_g(p, 'version')}",
    "statement.submitted": lambda p: f"Statement #{_g(p, 'statement_id')} v{_g(p, 'version')} submitted for approval",
    "statement.approved": lambda p: f"Statement #{_g(p, 'statement_id')} v{_g(p, 'version')} approved"
    + (f" as {_g(p, 'role')}" if p.get("role") else ""),
    "statement.rejected": lambda p: f"Statement #{_g(p, 'statement_id')} v{_g(p, 'version')} rejected"
    + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "statement.published": lambda p: f"Statement #{_g(p, 'statement_id')} published to "
    f"{_g(p, 'audience')} ({_g(p, 'kind')}, {_g(p, 'lang')})"
    + (f" v{_g(p, 'version')}" if p.get("version") is not None else "")
    + (f" in {_g(p, 'channel')}" if p.get("channel") else ""),
    "alert.fired": lambda p: f"Alert fired: {_g(p, 'monitor')} — {_g(p, 'title')}"
    + (f" (value {_g(p, 'value')}, threshold {_g(p, 'threshold')})" if p.get("value") is not None else ""),
    "alert.resolved": lambda p: f"Alert resolved: {_g(p, 'monitor')}",
    "reminder.sent": lambda p: f"Reminder sent: {_g(p, 'clock') or _g(p, 'kind')}",
    "followup.added": lambda p: f"Action item #{_g(p, 'item_no')}: {_g(p, 'text')}"
    + (f" (owner {_g(p, 'owner')})" if p.get("owner") else ""),
    "incident.resolved": lambda p: "Resolved" + (f": {_g(p, 'summary')}" if p.get("summary") else ""),
    "incident.reopened": lambda p: "Reopened" + (f": {_g(p, 'reason')}" if p.get("reason") else ""),
    "incident.closed": lambda p: "Closed",
    "postmortem.published": lambda p: f"Post-mortem v{_g(p, 'version')} published",
}


def describe(name: str, payload: _P) -> str:
    text = _TEXTS.get(name)
    if text is not None:
        return text(payload)
    short = ", ".join(f"{k}={v}" for k, v in payload.items()
                      if isinstance(v, (str, int, float)) and len(str(v)) <= 60)
    return f"{name}" + (f" ({short})" if short else "")
