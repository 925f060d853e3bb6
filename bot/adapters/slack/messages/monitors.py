"""Monitor and alert wording: snoozes, fired/resolved lines, reopen offers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.adapters.rendering.formatting import number
from bot.adapters.slack.escape import (
    link,
    mention,
)
from bot.adapters.slack.messages.core import _t, fmt_time
from bot.domain import events as ev
from bot.domain.incident import Incident
from bot.domain.severity import Severity

SNOOZE_NOT_PERMITTED = (
    "Only people listed as commander or exec in the site roster can snooze a monitor."
)
SNOOZE_UNAVAILABLE = "Monitors are not enabled on this crisisbot."
LABEL_SIGNALS_FIRING = "Signals still firing"


def snoozed(monitor: str, until: datetime, *, by: str) -> str:
    return (f"🔕 {mention(by)} snoozed monitor `{_t(monitor)}` until {fmt_time(until)}: its alerts "
            "are recorded as snoozed and open no incident.")


def _alert_value(value: float | None, threshold: float | None, labels: Any = None) -> str:
    """`` — value 968.18% (threshold 300%)``: a ``change`` rule compares percentages."""
    if value is None:
        return ""
    unit = "%" if (labels or {}).get("rule") == "change" else ""
    limit = f" (threshold {number(threshold)}{unit})" if threshold is not None else ""
    return f" — value {number(value)}{unit}{limit}"


def _alert_fired(e: ev.AlertFired, who: str, inc: Incident | None, lang: str) -> str:
    source = f" ({link(e.url, 'source')})" if e.url else ""
    line = (f"📈 {who}: monitor *{_t(e.monitor)}* fired: {_t(e.title)}"
            f"{_alert_value(e.value, e.threshold, e.labels)}{source}")
    if inc is not None and not inc.is_active:
        line += f" · 🔁 INC-{e.incident} was resolved, but this signal fired again."
    elif inc is not None and e.severity:
        try:
            higher = Severity(e.severity).rank > inc.severity.rank
        except ValueError:
            higher = False
        if higher:
            line += (f" · ⬆️ The alert is severity {_t(e.severity)}, above the incident's "
                     f"{inc.severity.value}: raise it with `/crisis sev {_t(e.severity)}`?")
    return line


def _alert_resolved(e: ev.AlertResolved, who: str, inc: Incident | None, lang: str) -> str:
    still = len(inc.firing) if inc is not None else 0
    rest = f" ({still} signal(s) still firing)" if still else " (no signal firing any more)"
    return f"📉 {who}: monitor *{_t(e.monitor)}* resolved{rest if inc is not None else ''}"




def signals_firing_text(incident: Incident, *, now: datetime, limit: int = 8) -> str:
    """The card's list of monitor signals still firing, newest first."""
    firing = sorted(incident.firing.values(), key=lambda e: e.at, reverse=True)
    lines = [
        f"• *{_t(e.monitor)}*: {_t(e.title)}{_alert_value(e.value, e.threshold, e.labels)}, "
        f"since {fmt_time(e.first_seen, now=now)}"
        for e in firing[:limit]
    ]
    if len(firing) > limit:
        lines.append(f"… and {len(firing) - limit} more")
    return f"*{LABEL_SIGNALS_FIRING}*\n" + "\n".join(lines)

REOPEN_REASON = "a monitor signal fired again after the resolution"
BUTTON_REOPEN = "Reopen incident"


def reopen_offer_text(incident: Incident) -> str:
    return (f"🔁 A monitor signal of *{incident.id}* fired again after it was resolved. If the "
            "crisis is back, the commander or an executive can reopen it here.")
