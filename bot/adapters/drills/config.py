"""The ``drills:`` section of the site config.

```yaml
drills:
  channel: crisis-drills              # announcements of drills go here, never to announce_channel
  facilitators: [U05FACIL]            # may start, control and end drills (besides roster commanders/execs)
  schedule: {every: month, weekday: tuesday, week: 1, time: "15:00", zone: Asia/Shanghai}
  rotation: [cosmetic-allergy-viral, courier-strike-festival, ...]   # default: every scenario, by name
  reminders: [24h, 1h]                # before each scheduled drill
  grace: 2h                           # due and not started this long: the execs are told
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.drill_calendar import WEEKDAYS, Schedule
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput

KNOWN = frozenset({"channel", "facilitators", "schedule", "rotation", "reminders", "grace"})


@dataclass(frozen=True)
class DrillSettings:
    channel: str | None = None
    facilitators: tuple[str, ...] = ()
    schedule: Schedule | None = None
    rotation: tuple[str, ...] = ()
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    grace: timedelta = timedelta(hours=2)
    zone: str = "UTC"
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def is_facilitator(self, user: str) -> bool:
        return user in self.facilitators


def drill_settings(site: Any, *, source: str = "site config") -> DrillSettings:
    """The site's ``drills:`` section (defaults when absent); raises :class:`InvalidInput`."""
    raw = getattr(site, "raw", None) or {}
    return parse_drills(raw.get("drills"), source=source)


def parse_drills(data: Any, *, source: str = "site config") -> DrillSettings:
    if data is None:
        return DrillSettings()
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}: drills must be a mapping (channel, facilitators, schedule, rotation)")
    unknown = sorted(set(map(str, data)) - KNOWN)
    if unknown:
        raise InvalidInput(f"{source}: drills: unknown setting(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(KNOWN))}")
    facilitators = data.get("facilitators") or []
    if isinstance(facilitators, str):
        facilitators = [facilitators]
    if not isinstance(facilitators, list) or not all(isinstance(u, str) and u for u in facilitators):
        raise InvalidInput(f"{source}: drills.facilitators must be a list of Slack user ids")
    rotation = data.get("rotation") or []
    if not isinstance(rotation, list) or not all(isinstance(k, str) and k for k in rotation):
        raise InvalidInput(f"{source}: drills.rotation must be a list of scenario names")
    channel = data.get("channel")
    schedule, zone = _schedule(data.get("schedule"), source)
    reminders = data.get("reminders", ["24h", "1h"])
    if not isinstance(reminders, list):
        raise InvalidInput(f"{source}: drills.reminders must be a list of durations, e.g. [24h, 1h]")
    try:
        before = tuple(parse_duration(str(r)) for r in reminders)
        grace = parse_duration(str(data.get("grace", "2h")))
    except ValueError as exc:
        raise InvalidInput(f"{source}: drills: {exc}") from None
    return DrillSettings(channel=str(channel).lstrip("#") if channel else None,
                         facilitators=tuple(facilitators), schedule=schedule,
                         rotation=tuple(rotation), reminders=before, grace=grace, zone=zone)


def _schedule(data: Any, source: str) -> tuple[Schedule | None, str]:
    if data is None:
        return None, "UTC"
    where = f"{source}: drills.schedule"
    if not isinstance(data, dict):
        raise InvalidInput(f"{where} must be a mapping, e.g. {{every: month, weekday: tuesday, "
                           "week: 1, time: \"15:00\", zone: Asia/Shanghai}")
    allowed = {"every", "weekday", "week", "time", "zone"}
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise InvalidInput(f"{where}: unknown setting(s) {', '.join(unknown)}; known: "
                           f"{', '.join(sorted(allowed))}")
    if str(data.get("every", "month")) != "month":
        raise InvalidInput(f"{where}.every: only `month` is supported")
    weekday = str(data.get("weekday", "tuesday")).strip().lower()
    if weekday not in WEEKDAYS:
        raise InvalidInput(f"{where}.weekday must be one of {', '.join(WEEKDAYS)}, not `{weekday}`")
    week = data.get("week", 1)
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= 4:
        raise InvalidInput(f"{where}.week must be 1, 2, 3 or 4 (the first… fourth {weekday})")
    time = str(data.get("time", "15:00"))
    try:
        hour, minute = (int(p) for p in time.split(":"))
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        raise InvalidInput(f"{where}.time must be HH:MM, not `{time}`") from None
    zone = str(data.get("zone", "UTC"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{where}.zone: unknown time zone `{zone}`, e.g. Asia/Shanghai") from None
    return Schedule(weekday=WEEKDAYS.index(weekday), week=week, hour=hour, minute=minute), zone
