"""What the alert use case needs from storage (implemented by ``bot.adapters.db.alerts``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.alerts import Alert
from bot.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """The stored state of one alert (monitor + fingerprint)."""

    monitor: str
    fingerprint: str
    group_key: str
    incident: int | None
    status: str
    count: int
    first_seen: datetime
    starts_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IncidentState:
    """The listing columns of an incident, read without replaying its timeline."""

    status: str
    severity: str
    resolved_at: datetime | None


class AlertRepository(Protocol):
    def bump_firing(
        self, *, monitor: str, fingerprint: str, value: float | None, at: datetime,
        starts_at: datetime | None = None, severity_rank: int = 0, repeats: int = 1,
    ) -> int | None:
        """The hot duplicate path: count ``repeats`` repeats (count + repeats, last value, last
        seen) and return
        its incident; else change nothing. With ``starts_at`` a repeat is the stored firing
        with that ``starts_at`` (whatever its incident's status) that is not more severe
        (``severity_rank``, 0 = none) than its still active incident; without, a firing alert
        on an active incident."""

    def claim_group(self, group_key: str, *, at: datetime) -> int | None:
        """Create the group row if missing and lock it; return its current incident."""

    def set_group(self, group_key: str, *, incident: int, at: datetime) -> None: ...

    def find(self, *, monitor: str, fingerprint: str) -> AlertRecord | None:
        """The alert's row, locked for the rest of the transaction."""

    def save(
        self, alert: Alert, *, group_key: str, incident: int | None, status: str, count: int,
        first_seen: datetime,
    ) -> None:
        """Insert or overwrite the alert's row."""

    def mark_resolved(self, *, monitor: str, fingerprint: str, at: datetime) -> None: ...

    def incident_state(self, number: int) -> IncidentState | None: ...

    def snoozed_until(self, monitor: str, *, now: datetime) -> datetime | None: ...

    def snooze(self, monitor: str, *, until: datetime, by: str, at: datetime) -> None: ...


class AlertUnitOfWork(UnitOfWork, Protocol):
    alerts: AlertRepository


class SampleStore(Protocol):
    def store_samples(self, monitor: str, rows: Sequence[tuple[str, datetime, float]]) -> int:
        """Insert or update ``(series, at, value)`` samples of ``monitor``; returns how many."""
