"""The drill calendar: a monthly slot (the first Tuesday at 15:00 in a zone) and which scenario
of the rotation is due. Pure: local times are given and returned naive; the adapter converts.

>>> Schedule(weekday=1, week=1, hour=15, minute=0).occurrence(2026, 12)
datetime.datetime(2026, 12, 1, 15, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: An overdue drill is flagged within this long of its slot (not a month-old one at first start).
OVERDUE_WINDOW = timedelta(days=7)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class Schedule:
    weekday: int  # 0 = Monday
    week: int     # 1..4: the first… fourth such weekday of the month
    hour: int
    minute: int

    def occurrence(self, year: int, month: int) -> datetime:
        first = datetime(year, month, 1, self.hour, self.minute)
        offset = (self.weekday - first.weekday()) % 7
        return first + timedelta(days=offset + 7 * (self.week - 1))

    def next_after(self, local: datetime) -> datetime:
        """The first slot at or after ``local`` (naive local time)."""
        year, month = local.year, local.month
        for _ in range(3):
            slot = self.occurrence(year, month)
            if slot >= local.replace(tzinfo=None):
                return slot
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise AssertionError("unreachable")  # pragma: no cover

    def previous_before(self, local: datetime) -> datetime:
        """The last slot strictly before ``local``."""
        year, month = local.year, local.month
        for _ in range(3):
            slot = self.occurrence(year, month)
            if slot < local.replace(tzinfo=None):
                return slot
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        raise AssertionError("unreachable")  # pragma: no cover


def rotation_index(slot: datetime) -> int:
    """Which scenario of the rotation a monthly slot runs: months since 2000-01 (stable)."""
    return (slot.year - 2000) * 12 + slot.month - 1


@dataclass(frozen=True, slots=True)
class CalendarNotice:
    """Something the calendar says: ``kind`` is ``reminder`` (``before`` it) or ``overdue``."""

    kind: str
    slot: datetime
    scenario: str | None
    before: timedelta | None = None

    @property
    def key(self) -> str:
        extra = f":{int(self.before.total_seconds())}" if self.before is not None else ""
        return f"drill:{self.slot:%Y-%m-%dT%H:%M}:{self.kind}{extra}"


def due_notices(*, schedule: Schedule, rotation: tuple[str, ...], now_local: datetime,
                reminders: tuple[timedelta, ...], grace: timedelta,
                started_since: bool) -> list[CalendarNotice]:
    """What the calendar has to say at ``now_local``: reminders whose time has come (within the
    hour before the slot they remind of), and the overdue flag once ``grace`` has passed since the
    last slot with no drill started since it (``started_since``)."""
    out: list[CalendarNotice] = []
    nxt = schedule.next_after(now_local)
    scenario = rotation[rotation_index(nxt) % len(rotation)] if rotation else None
    for before in reminders:
        if nxt - before <= now_local.replace(tzinfo=None) < nxt:
            out.append(CalendarNotice("reminder", nxt, scenario, before))
    last = schedule.previous_before(now_local)
    since = now_local.replace(tzinfo=None) - last
    if not started_since and grace <= since < OVERDUE_WINDOW:
        prev = rotation[rotation_index(last) % len(rotation)] if rotation else None
        out.append(CalendarNotice("overdue", last, prev))
    return out
