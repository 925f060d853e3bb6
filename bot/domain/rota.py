"""The duty rota: who holds each crisis role right now, and next.

Pure: the standard library and :mod:`zoneinfo` only. A role has ordered **layers** (the first
is the primary duty, the next ones are who paging escalates to); a layer is one or more
**rotations** (the first that covers a moment decides) or a list of explicit **shifts**
(imported from iCalendar). **Overrides** put someone on a layer for a while and win over the
rotation (the newest override first).

Handoffs are wall-clock times in the rotation's zone, so they follow daylight-saving changes:
a handoff inside a skipped hour happens when the clocks jump; one inside a repeated hour
happens at its first occurrence.

>>> from datetime import datetime, time, timezone
>>> r = Rotation(members=("U1", "U2"), period="daily", handoff=time(9), tz="Asia/Shanghai",
...              start=date(2026, 1, 5))
>>> r.holder_at(datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc))   # 09:00 Shanghai
'U1'
>>> r.holder_at(datetime(2026, 1, 6, 0, 59, tzinfo=timezone.utc))  # 08:59 next day
'U1'
>>> r.holder_at(datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc))
'U2'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PERIODS = ("daily", "weekly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or ``ValueError`` naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone `{name}`; use an IANA name like Asia/Shanghai") from None


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``at`` on ``day`` in ``tz``: the first occurrence of a
    repeated time, the moment the clocks jump for a skipped one."""
    first = datetime.combine(day, at, tzinfo=tz)
    second = first.replace(fold=1)
    a, b = first.astimezone(UTC), second.astimezone(UTC)
    if a.astimezone(tz).replace(tzinfo=None) == first.replace(tzinfo=None) or a == b:
        return min(a, b)
    # Skipped: the wall time does not exist. The jump lies between the two readings.
    lo, hi = min(a, b), max(a, b)
    after = hi.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


@dataclass(frozen=True)
class Hours:
    """When a rotation is on duty at all: weekdays (0 = Monday) and a daily window, possibly
    overnight (``20:00-08:00``; the day is the one the window starts on)."""

    days: frozenset[int] = frozenset(range(7))
    start: time = time(0)
    end: time = time(0)  # equal to start: all day

    def covers(self, local: datetime) -> bool:
        t, day = local.time().replace(tzinfo=None), local.weekday()
        if self.start == self.end:
            return day in self.days
        if self.start < self.end:
            return day in self.days and self.start <= t < self.end
        if t >= self.start:
            return day in self.days
        return t < self.end and (day - 1) % 7 in self.days


@dataclass(frozen=True)
class Rotation:
    """Members take turns, one period each, handing over at ``handoff`` (wall time in ``tz``);
    weekly rotations hand over on ``handoff_day`` (0 = Monday). ``start``: the date the first
    member's turn begins."""

    members: tuple[str, ...]
    period: str = "weekly"
    handoff: time = time(9)
    tz: str = "UTC"
    handoff_day: int = 0
    start: date = date(2026, 1, 5)
    hours: Hours = field(default_factory=Hours)

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ValueError(f"period must be daily or weekly, not `{self.period}`")
        zone(self.tz)
        if not self.members:
            raise ValueError("a rotation needs at least one member")

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.tz)

    def shift_start(self, at: datetime) -> tuple[date, datetime]:
        """The date of the handoff that began the turn running at ``at``, and its instant."""
        tz = self.zone
        day = at.astimezone(tz).date()
        if self.period == "weekly":
            day -= timedelta(days=(day.weekday() - self.handoff_day) % 7)
        step = timedelta(days=7 if self.period == "weekly" else 1)
        begin = local_instant(day, self.handoff, tz)
        while begin > at:
            day -= step
            begin = local_instant(day, self.handoff, tz)
        return day, begin

    def next_handoff(self, at: datetime) -> datetime:
        day, _ = self.shift_start(at)
        step = timedelta(days=7 if self.period == "weekly" else 1)
        return local_instant(day + step, self.handoff, self.zone)

    def turn_at(self, at: datetime) -> str:
        """Whose turn it is at ``at`` (ignoring ``hours``)."""
        day, _ = self.shift_start(at)
        anchor = self.start
        if self.period == "weekly":
            anchor -= timedelta(days=(anchor.weekday() - self.handoff_day) % 7)
            index = (day - anchor).days // 7
        else:
            index = (day - anchor).days
        return self.members[index % len(self.members)]

    def holder_at(self, at: datetime) -> str | None:
        if not self.hours.covers(at.astimezone(self.zone)):
            return None
        return self.turn_at(at)


@dataclass(frozen=True)
class Shift:
    """One explicit turn (from an iCalendar import or an override): ``[start, end)``."""

    user: str
    start: datetime
    end: datetime

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class Layer:
    """One escalation level of a role: rotations (the first covering wins) or explicit shifts."""

    name: str
    rotations: tuple[Rotation, ...] = ()
    shifts: tuple[Shift, ...] = ()

    def holder_at(self, at: datetime) -> str | None:
        for rotation in self.rotations:
            holder = rotation.holder_at(at)
            if holder:
                return holder
        for shift in self.shifts:
            if shift.covers(at):
                return shift.user
        return None


@dataclass(frozen=True)
class Override:
    """``user`` holds ``role`` on layer ``layer`` (0 = primary) during ``[start, end)``."""

    role: str
    user: str
    start: datetime
    end: datetime
    layer: int = 0
    by: str = ""
    reason: str = ""

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class Duty:
    """Who holds a role at a moment, and why."""

    role: str
    user: str
    layer: int
    #: When this duty begins (set for a *next* duty; None for the current one).
    start: datetime | None
    #: When it ends (the next change of holder; None: no change within five weeks).
    until: datetime | None
    override: bool = False


@dataclass(frozen=True)
class Gap:
    role: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Rota:
    """Every role's layers, plus the overrides (from the config and from ``/crisis oncall``)."""

    roles: dict[str, tuple[Layer, ...]] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    tz: str = "UTC"

    def with_overrides(self, overrides: tuple[Override, ...] | list[Override]) -> Rota:
        return Rota(roles=self.roles, overrides=self.overrides + tuple(overrides), tz=self.tz)

    def has(self, role: str) -> bool:
        return role in self.roles

    def holder(self, role: str, at: datetime, *, layer: int = 0) -> str | None:
        for override in reversed(self.overrides):
            if override.role == role and override.layer == layer and override.covers(at):
                return override.user
        layers = self.roles.get(role, ())
        if layer >= len(layers):
            return None
        return layers[layer].holder_at(at)

    def on_duty(self, role: str, at: datetime, *, layer: int = 0) -> Duty | None:
        """Who holds ``role`` on ``layer`` at ``at``, and until when (the next change)."""
        user = self.holder(role, at, layer=layer)
        if user is None:
            return None
        override = any(o.role == role and o.layer == layer and o.covers(at) and o.user == user
                       for o in self.overrides)
        return Duty(role=role, user=user, layer=layer, start=None,
                    until=self.change_after(role, at, layer=layer), override=override)

    def next_on_duty(self, role: str, at: datetime, *, layer: int = 0,
                     horizon: timedelta = timedelta(days=35)) -> Duty | None:
        """The next holder after the current one (or after the current gap)."""
        current = self.holder(role, at, layer=layer)
        moment = at
        end = at + horizon
        while moment < end:
            change = self.change_after(role, moment, layer=layer, horizon=end - moment)
            if change is None:
                return None
            user = self.holder(role, change, layer=layer)
            if user is not None and user != current:
                duty = self.on_duty(role, change, layer=layer)
                assert duty is not None
                return Duty(role=role, user=user, layer=layer, start=change, until=duty.until,
                            override=duty.override)
            moment = change
        return None

    def change_after(self, role: str, at: datetime, *, layer: int = 0,
                     horizon: timedelta = timedelta(days=35)) -> datetime | None:
        """The first moment after ``at`` when the holder of ``role`` changes (None within the
        horizon: no change)."""
        current = self.holder(role, at, layer=layer)
        for moment in self._candidates(role, at, at + horizon, layer=layer):
            if self.holder(role, moment, layer=layer) != current:
                return moment
        return None

    def _candidates(self, role: str, start: datetime, end: datetime, *, layer: int) -> list[datetime]:
        """Every moment in ``(start, end]`` when a holder may change: handoffs, hour edges,
        shift and override edges."""
        points: set[datetime] = set()
        layers = self.roles.get(role, ())
        if layer < len(layers):
            for rotation in layers[layer].rotations:
                tz = rotation.zone
                day = start.astimezone(tz).date() - timedelta(days=1)
                last = end.astimezone(tz).date() + timedelta(days=1)
                while day <= last:
                    edges = [rotation.hours.start, rotation.hours.end]
                    if rotation.period == "daily" or day.weekday() == rotation.handoff_day:
                        edges.append(rotation.handoff)
                    edges.append(time(0))  # a day boundary (weekday-limited hours)
                    for edge in edges:
                        points.add(local_instant(day, edge, tz))
                    day += timedelta(days=1)
            for shift in layers[layer].shifts:
                points.update((shift.start, shift.end))
        for override in self.overrides:
            if override.role == role and override.layer == layer:
                points.update((override.start, override.end))
        return sorted(p for p in points if start < p <= end)

    def gaps(self, role: str, start: datetime, end: datetime) -> list[Gap]:
        """Stretches of ``[start, end)`` when nobody holds ``role`` on the primary layer."""
        gaps: list[Gap] = []
        moments = [start] + self._candidates(role, start, end, layer=0)
        for i, moment in enumerate(moments):
            following = moments[i + 1] if i + 1 < len(moments) else end
            if moment >= end:
                break
            if self.holder(role, moment) is None:
                if gaps and gaps[-1].end == moment:
                    gaps[-1] = Gap(role, gaps[-1].start, following)
                else:
                    gaps.append(Gap(role, moment, following))
        return gaps


def parse_clock(text: str) -> time:
    """``09:00`` → time(9, 0); ``ValueError`` otherwise."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise ValueError(f"`{text}` is not a time of day like 09:00") from None


def parse_hours(text: str, days: list[str] | None = None) -> Hours:
    """``08:00-20:00`` and weekday names (``mon``…``sun``) → :class:`Hours`."""
    window = (text or "").strip()
    if window:
        try:
            first, second = window.split("-")
        except ValueError:
            raise ValueError(f"hours `{window}` must look like 08:00-20:00") from None
        start, end = parse_clock(first), parse_clock(second)
    else:
        start = end = time(0)
    numbers = frozenset(range(7))
    if days is not None:
        try:
            numbers = frozenset(WEEKDAYS.index(str(d).strip().lower()[:3]) for d in days)
        except ValueError:
            raise ValueError(f"days must be weekday names ({', '.join(WEEKDAYS)})") from None
    return Hours(days=numbers, start=start, end=end)
