"""Monitor alerts as the domain sees them, whatever webhook or poller they came from.

An :class:`Alert` is one signal at one moment: ``firing`` or ``resolved``, named by the monitor
that raised it and a ``fingerprint`` stable across repeats. A :class:`Route` is what the site's
routing rules decide for it: the crisis type and severity of the incident it may open, the
group key that decides which alerts share an incident, or ``ignore``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.severity import Severity

MAX_MONITOR = 120
MAX_FINGERPRINT = 200
MAX_TITLE = 150


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
    monitor: str
    fingerprint: str
    status: AlertStatus
    title: str
    observed_at: datetime
    severity: Severity | None = None
    crisis_type: str | None = None
    value: float | None = None
    threshold: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    url: str = ""

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
