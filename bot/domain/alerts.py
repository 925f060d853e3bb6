"""Monitor alerts as the domain sees them, whatever webhook or poller they came from.

An :class:`Alert` is one signal at one moment: ``firing`` or ``resolved``, named by the monitor
that raised it and a ``fingerprint`` stable across repeats. A :class:`Route` is what the site's
routing rules decide for it: the crisis type and severity of the incident it may open, the
group key that decides which alerts share an incident, or ``ignore``.

:func:`transition` is the per-fingerprint state machine (Alertmanager's semantics): a firing
alert with the ``starts_at`` already stored is a *repeat*, a new ``starts_at`` or firing after
resolved is a *re-fire* (README, "Alert states").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.severity import Severity

MAX_MONITOR = 255
MAX_FINGERPRINT = 200
MAX_TITLE = 150
IGNORE = "ignore"

#: Label values (``severity: critical``) and the level they give; ``ignore`` drops the alert.
#: The site config's ``monitors.severity_labels`` adds to and overrides these.
DEFAULT_SEVERITY_LABELS: dict[str, str] = {
    "page": "SS", "emergency": "SS", "disaster": "SS",
    "critical": "S", "error": "S", "high": "S", "major": "S",
    "warning": "A", "warn": "A", "medium": "A", "minor": "A", "low": "A",
    "info": IGNORE, "informational": IGNORE, "none": IGNORE,
}


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class AlertAction(StrEnum):
    """What happened to one alert (the webhook's ``action``)."""

    OPENED = "opened"
    LINKED = "linked"
    DEDUPLICATED = "deduplicated"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """``starts_at``: when the source says this firing began (Alertmanager's ``startsAt``);
    ``group``: the source's own grouping (Alertmanager ``groupKey``, Grafana rule), used unless
    a route sets ``group_by``; ``links``: ``(label, url)`` pairs shown on the card;
    ``truncated``: alerts of the same notification the source did not send."""

    monitor: str
    fingerprint: str
    status: AlertStatus
    title: str
    observed_at: datetime
    severity: Severity | None = None
    severity_ignored: bool = False
    crisis_type: str | None = None
    value: float | None = None
    value_text: str = ""
    threshold: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    url: str = ""
    starts_at: datetime | None = None
    group: str = ""
    description: str = ""
    links: tuple[tuple[str, str], ...] = ()
    truncated: int = 0

    @property
    def firing(self) -> bool:
        return self.status is AlertStatus.FIRING


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """Where an alert goes. ``ignore`` drops it; otherwise ``group_key`` names its incident."""

    crisis_type: str
    severity: Severity
    group_key: str
    ignore: bool = False


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    """One entry of a webhook answer: ``{"incident": "INC-7" | None, "action": …}``."""

    incident: int | None
    action: AlertAction

    def as_json(self) -> dict[str, Any]:
        return {
            "incident": f"INC-{self.incident}" if self.incident is not None else None,
            "action": self.action.value,
        }


def severity_from_label(value: str | None, table: Mapping[str, str]) -> Severity | str | None:
    """``"critical"`` -> ``Severity.S`` through ``table`` (case-insensitive), ``SS``/``S``/``A``
    as themselves, :data:`IGNORE` for values mapped to ``ignore``, else ``None``."""
    if not value:
        return None
    key = value.strip().lower()
    mapped = table.get(key)
    if mapped is not None:
        return IGNORE if mapped == IGNORE else Severity.parse(mapped)
    try:
        return Severity.parse(value)
    except ValueError:
        return None


class Transition(StrEnum):
    """What an incoming alert does to its fingerprint's stored state."""

    FIRE = "fire"          # first firing, or firing again after resolved / a new starts_at
    REPEAT = "repeat"      # the same firing re-sent: counted, nothing else
    RESOLVE = "resolve"    # firing -> resolved
    STALE = "stale"        # a resolve of an older firing (earlier starts_at): ignored
    NOTHING = "nothing"    # resolved while unknown or already resolved


def transition(
    *, stored_status: str | None, stored_starts_at: datetime | None, incoming: Alert,
    incident_active: bool,
) -> Transition:
    """The state table (README "Alert states"). ``stored_status`` is ``None`` (never seen),
    ``firing``, ``resolved`` or ``snoozed``. Without a ``starts_at`` (generic webhooks, polled
    rules) a firing alert repeats only while its incident is active."""
    if incoming.firing:
        if stored_status != "firing":
            return Transition.FIRE
        if incoming.starts_at is None or stored_starts_at is None:
            return Transition.REPEAT if incident_active else Transition.FIRE
        return Transition.REPEAT if incoming.starts_at == stored_starts_at else Transition.FIRE
    if stored_status not in ("firing", "snoozed"):
        return Transition.NOTHING
    if (incoming.starts_at is not None and stored_starts_at is not None
            and incoming.starts_at < stored_starts_at):
        return Transition.STALE
    return Transition.RESOLVE
