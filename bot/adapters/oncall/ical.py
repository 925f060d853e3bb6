"""Duty shifts from an iCalendar (RFC 5545) feed, recurrences expanded.

Each event is one shift; its holder is the Slack user id in the summary (``U03LEGAL``), or the
summary / an attendee's name or e-mail looked up in the layer's ``people`` map. Recurring
events (``RRULE``, ``RDATE``, ``EXDATE``, moved occurrences) are expanded by
``recurring-ical-events``; all-day events cover their days in the calendar's zone.
"""

from __future__ import annotations

import re
import threading
import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx
import icalendar
import recurring_ical_events

from bot.domain.errors import InvalidInput
from bot.domain.rota import Shift, zone
from bot.oncall_config import IcalSource, OncallConfig

_SLACK_ID = re.compile(r"\b([UW][A-Z0-9]{7,})\b")
#: A duty calendar larger than this is refused (files and URL feeds).
MAX_CALENDAR_BYTES = 5 * 1024 * 1024
#: URL feeds are fetched again after this long.
REFRESH_SECONDS = 900


def parse_shifts(text: bytes | str, *, source: IcalSource, start: datetime, end: datetime,
                 tz: str = "UTC") -> tuple[Shift, ...]:
    """The shifts of the calendar ``text`` overlapping ``[start, end)``."""
    if len(text) > MAX_CALENDAR_BYTES:
        raise InvalidInput(f"{source.where}: the calendar is larger than "
                           f"{MAX_CALENDAR_BYTES // 1024 // 1024} MiB")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # noqa: BLE001 - any parse problem is the calendar's
        raise InvalidInput(f"{source.where}: the calendar cannot be read ({_short(exc)})") from None
    _refuse_fast_repeats(calendar, source)
    try:
        events = recurring_ical_events.of(calendar).between(start, end)
    except Exception as exc:  # noqa: BLE001 - any parse problem is the calendar's
        raise InvalidInput(f"{source.where}: the calendar cannot be read ({_short(exc)})") from None
    local = zone(tz)
    shifts = []
    for event in events:
        user = _holder(event, source.people)
        if user is None:
            continue
        begin, finish = event.get("DTSTART"), event.get("DTEND")
        if begin is None:
            continue
        a = _instant(begin.dt, local)
        b = _instant(finish.dt, local) if finish is not None else a + timedelta(days=1)
        if b > a:
            shifts.append(Shift(user=user, start=a, end=b))
    return tuple(sorted(shifts, key=lambda s: s.start))


def _refuse_fast_repeats(calendar, source: IcalSource) -> None:
    """A shift repeating every second or minute would expand into millions of occurrences
    (each declaration would hang on it): duty shifts repeat hourly at most."""
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            freq = [str(f).upper() for f in rule.get("FREQ", [])]
            if {"SECONDLY", "MINUTELY"} & set(freq):
                name = str(event.get("SUMMARY") or event.get("UID") or "an event")[:60]
                raise InvalidInput(f"{source.where}: `{name}` repeats {freq[0].lower()}; duty "
                                   "shifts may repeat hourly at most")


def _instant(value: date | datetime, tz) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return datetime(value.year, value.month, value.day, tzinfo=tz)


def _holder(event, people: dict[str, str]) -> str | None:
    summary = str(event.get("SUMMARY") or "").strip()
    if summary in people:
        return people[summary]
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    for attendee in attendees:
        name = str(getattr(attendee, "params", {}).get("CN", "")).strip()
        mail = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:").strip()
        for key in (name, mail):
            if key and key in people:
                return people[key]
    match = _SLACK_ID.search(summary)
    return match.group(1) if match else None


def _short(exc: Exception) -> str:
    return (str(exc).splitlines() or [exc.__class__.__name__])[0][:160]


class IcalShifts:
    """Fetches (files: on change; URLs: every 15 min) and expands the rota's calendars, so the
    on-duty lookup can fill iCalendar layers for any moment. A feed that cannot be fetched keeps
    its last shifts (and the gap report shows the hole if there are none)."""

    def __init__(self, config: OncallConfig, *, http: httpx.Client | None = None,
                 monotonic: Callable[[], float] = _time.monotonic) -> None:
        self.config = config
        self._http = http
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._text: dict[int, tuple[float, bytes]] = {}

    def shifts(self, *, start: datetime, end: datetime) -> dict[tuple[str, int], tuple[Shift, ...]]:
        out: dict[tuple[str, int], tuple[Shift, ...]] = {}
        for i, source in enumerate(self.config.ical):
            text = self._read(i, source)
            if text is None:
                continue
            out[(source.role, source.layer)] = parse_shifts(text, source=source, start=start,
                                                            end=end, tz=self.config.tz)
        return out

    def _read(self, index: int, source: IcalSource) -> bytes | None:
        now = self._monotonic()
        with self._lock:
            cached = self._text.get(index)
            if source.file is not None:
                try:
                    data = source.file.read_bytes()
                except OSError as exc:
                    raise InvalidInput(f"{source.where}: {source.file} cannot be read "
                                       f"({exc.strerror})") from None
            elif cached is not None and now - cached[0] < REFRESH_SECONDS:
                return cached[1]
            else:
                data = self._fetch(source, cached)
                if data is None:
                    return None
            self._text[index] = (now, data)
            return data

    def _fetch(self, source: IcalSource, cached: tuple[float, bytes] | None) -> bytes | None:
        client = self._http or httpx.Client(timeout=10.0)
        try:
            with client.stream("GET", str(source.url), follow_redirects=True) as response:
                response.raise_for_status()
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_CALENDAR_BYTES:  # never buffer an endless feed
                        return cached[1] if cached else None
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError:
            return cached[1] if cached else None
        finally:
            if self._http is None:
                client.close()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
