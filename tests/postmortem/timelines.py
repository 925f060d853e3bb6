"""Hand-built timelines for post-mortem tests: stored records, as the timeline table holds them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from bot.adapters.rendering.postmortem import PostmortemInput, SignalSample, TimelineRecord

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class TimelineBuilder:
    """``b = TimelineBuilder(); b.add(30, "role.assigned", role="comms", user="U2")`` —
    times in minutes after the declaration at ``T0``."""

    def __init__(self, *, severity: str = "S", crisis_type: str = "brand_reputation",
                 source: str = "slack", title: str = "Influencer video claims burns") -> None:
        self.records: list[TimelineRecord] = []
        self.samples: list[SignalSample] = []
        self.add(0, "incident.declared", title=title, crisis_type=crisis_type,
                 severity=severity, description="", source=source)

    def add(self, minutes: float, name: str, *, actor: str = "ULEAD", **payload: Any) -> "TimelineBuilder":
        self.records.append(TimelineRecord(name, actor, at(minutes), payload))
        return self

    def team(self, **minutes: float) -> "TimelineBuilder":
        for role, when in minutes.items():
            self.add(when, "role.assigned", role=role, user="U" + role.upper(), previous=None)
        return self

    def sample(self, minutes: float, series: str, value: float, monitor: str = "weibo") -> "TimelineBuilder":
        self.samples.append(SignalSample(monitor, series, at(minutes), value))
        return self

    def build(self, number: int = 1) -> PostmortemInput:
        records = sorted(self.records, key=lambda r: r.at)  # stable: same-time order kept
        return PostmortemInput(number, tuple(records), tuple(self.samples))


#: Severity S counts the team as assembled once these are filled (playbooks/severities.yaml).
S_TEAM = ("commander", "comms", "spokesperson", "legal")
