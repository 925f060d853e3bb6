"""Monitor and alert wording: snoozes, fired/resolved lines, the card's signal list, reopen
offers, test notifications."""

from __future__ import annotations

from collections.abc import Iterable
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
LABEL_SIGNALS_AFTER_RESOLUTION = "Signals still firing after resolution"
SOURCE_NAMES = {"grafana": "Grafana", "alertmanager": "Alertmanager"}
LINK_LABELS = {"source": "source", "panel": "panel", "dashboard": "dashboard",
               "silence": "silence", "runbook": "runbook", "alertmanager": "alertmanager"}
#: Labels that never tell two alerts apart usefully (internal or the alert's own name).
_HIDDEN_LABELS = frozenset({"alertname", "severity", "crisis_type", "__alert_rule_uid__",
                            "__alert_rule_title__", "grafana_folder"})
#: Shown for a lone alert too: the labels people use to find the broken thing.
_IDENTITY_LABELS = ("instance", "pod", "host", "rulename", "service", "job", "region", "channel")
#: Budgets of the card's signal list: Slack's section text is 3,000 characters.
MAX_SIGNAL_LINE = 700
MAX_SIGNALS_TEXT = 2900
#: Which links a signal line keeps first when they do not all fit.
_LINK_ORDER = ("runbook", "panel", "dashboard", "source", "silence", "alertmanager")


def clip(text: str, limit: int) -> str:
    """The one place signal text is cut to fit Slack (swap for a UTF-16 aware helper)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def snoozed(monitor: str, until: datetime, *, by: str) -> str:
    return (f"🔕 {mention(by)} snoozed monitor `{_t(monitor)}` until {fmt_time(until)}: its alerts "
            "are recorded as snoozed and open no incident.")


def monitor_test_received(source: str) -> str:
    name = SOURCE_NAMES.get(source, source)
    return (f"✅ {_t(name)} contact point works: crisisbot received its test notification "
            "(nothing was opened).")


def still_firing_after_resolution(count: int) -> str:
    return (f"⚠️ {count} signal{'s' if count != 1 else ''} still firing after resolution. "
            "crisisbot keeps counting their re-sends quietly; a signal that fires anew "
            "will offer a reopen.")


def _alert_value(value: float | None, threshold: float | None, value_text: str = "",
                 labels: Any = None) -> str:
    """`` — value 968.18% (threshold 300%)``: a ``change`` rule compares percentages; with no
    number, Grafana's ``valueString``."""
    if value is None:
        return f" — {_t(clip(value_text, 120))}" if value_text else ""
    unit = "%" if (labels or {}).get("rule") == "change" else ""
    limit = f" (threshold {number(threshold)}{unit})" if threshold is not None else ""
    return f" — value {number(value)}{unit}{limit}"


def _links(links: dict[str, str], url: str = "") -> str:
    pairs = list(links.items()) or ([("source", url)] if url else [])
    return " · ".join(link(u, LINK_LABELS.get(k, k)) for k, u in pairs if u)


def _truncated(count: int) -> str:
    return f" · +{count} alert{'s' if count != 1 else ''} Alertmanager did not send" if count else ""


def _alert_fired(e: ev.AlertFired, who: str, inc: Incident | None, lang: str) -> str:
    links = _links(e.links, e.url)
    source = f" ({links})" if links else ""
    line = (f"📈 {who}: monitor *{_t(clip(e.monitor, 120))}* fired: {_t(e.title)}"
            f"{_alert_value(e.value, e.threshold, e.value_text, e.labels)}{source}"
            f"{_truncated(e.truncated)}")
    if e.description:
        line += f"\n> {_t(clip(e.description, 300))}"
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
    return f"📉 {who}: monitor *{_t(clip(e.monitor, 120))}* resolved{rest if inc is not None else ''}"


def distinguishing_labels(alerts: Iterable[ev.AlertFired]) -> dict[str, list[str]]:
    """Per fingerprint, the label names worth showing: those whose values differ across the
    alerts (not shared by the whole group); for a lone alert, its identity labels."""
    firing = list(alerts)
    names = {k for e in firing for k in e.labels if k not in _HIDDEN_LABELS and not k.startswith("__")}
    if len(firing) > 1:
        varying = sorted(k for k in names if len({str(e.labels.get(k, "")) for e in firing}) > 1)
    else:
        varying = [k for k in _IDENTITY_LABELS if k in names]
    return {e.fingerprint: [k for k in varying if k in e.labels] for e in firing}


def signal_line(e: ev.AlertFired, label_names: list[str], *, now: datetime) -> str:
    """``• *monitor*: title — instance=a, pod=b — value 7.3 · since 09:30 UTC · links``."""
    labels = ", ".join(f"{k}={e.labels[k]}" for k in label_names)
    parts = [f"• *{_t(clip(e.monitor, 80))}*: {_t(clip(e.title, 120))}"]
    if labels:
        parts.append(f" — {_t(clip(labels, 120))}")
    parts.append(_alert_value(e.value, e.threshold, e.value_text, e.labels))
    parts.append(f", since {fmt_time(e.first_seen, now=now)}")
    text = "".join(parts) + _truncated(e.truncated)
    pairs = dict(e.links) or ({"source": e.url} if e.url else {})
    ordered = sorted(pairs.items(), key=lambda kv: _LINK_ORDER.index(kv[0]) if kv[0] in _LINK_ORDER else 99)
    # Links are never cut in the middle: each goes whole, most useful first, while it fits.
    for label, url in ordered:
        piece = " · " + link(url, LINK_LABELS.get(label, label))
        if len(text) + len(piece) <= MAX_SIGNAL_LINE:
            text += piece
    return text


def signals_firing_text(incident: Incident, *, now: datetime, limit: int = 8) -> str:
    """The card's list of monitor signals still firing, newest first, each telling its
    instance apart (labels not shared by the group), its value, start and links."""
    firing = sorted(incident.firing.values(), key=lambda e: e.at, reverse=True)
    shown = distinguishing_labels(firing)
    label = LABEL_SIGNALS_FIRING if incident.is_active else LABEL_SIGNALS_AFTER_RESOLUTION
    text = f"*{label}*"
    for count, e in enumerate(firing[:limit]):
        line = signal_line(e, shown[e.fingerprint], now=now)
        if len(text) + len(line) + 40 > MAX_SIGNALS_TEXT:
            limit = count
            break
        text += "\n" + line
    if len(firing) > limit:
        text += f"\n… and {len(firing) - limit} more"
    return text

REOPEN_REASON = "a monitor signal fired again after the resolution"
BUTTON_REOPEN = "Reopen incident"


def reopen_offer_text(incident: Incident) -> str:
    return (f"🔁 A monitor signal of *{incident.id}* fired again after it was resolved. If the "
            "crisis is back, the commander or an executive can reopen it here.")
