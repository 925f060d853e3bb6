"""What a post-mortem is built from: stored timeline records and monitor signal samples.

Records are read as stored (name, actor, at, payload dict), not as domain events, so events
added by other features (alerts, statement drafts, reminders) count even where the domain of
this build does not know them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class TimelineRecord:
    """One stored timeline row: ``payload`` is the event's ``payload()`` dict."""

    name: str
    actor: str
    at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SignalSample:
    """One monitor reading: ``series`` is ``mentions``, ``negative``, ``neutral`` or ``positive``
    for social monitors, or any metric name for others."""

    monitor: str
    series: str
    at: datetime
    value: float


@dataclass(frozen=True)
class PostmortemInput:
    """Everything one report is computed from; the same input always gives the same report."""

    incident: int
    records: tuple[TimelineRecord, ...]
    samples: tuple[SignalSample, ...] = ()

    def digest(self, *, lang: str) -> str:
        """A stable hash of the input (post-mortem publications left out: publishing a
        report must not change what the next build of the same data shows)."""
        import hashlib
        import json

        h = hashlib.sha256(f"{self.incident}|{lang}".encode())
        for r in self.records:
            if r.name == "postmortem.published":
                continue
            h.update(json.dumps([r.name, r.actor, r.at.isoformat(), r.payload],
                                sort_keys=True, default=str, ensure_ascii=False).encode())
        for s in self.samples:
            h.update(f"|{s.monitor}|{s.series}|{s.at.isoformat()}|{s.value!r}".encode())
        return h.hexdigest()
