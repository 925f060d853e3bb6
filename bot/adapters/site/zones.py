"""The reader's language and time zone, decided on the server (the site runs no JavaScript):
an explicit ``lang`` / ``tz`` query parameter, else ``Accept-Language``, else the site default."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

#: Regions of Accept-Language tags whose zone is clear (one zone per country or territory).
REGION_ZONES = {
    "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "MO": "Asia/Macau",
    "SG": "Asia/Singapore", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "GB": "Europe/London",
    "IE": "Europe/Dublin", "DE": "Europe/Berlin", "FR": "Europe/Paris", "NL": "Europe/Amsterdam",
    "IN": "Asia/Kolkata", "NZ": "Pacific/Auckland", "MY": "Asia/Kuala_Lumpur",
}
#: Zones offered in the picker (any IANA zone is accepted in ``?tz=``).
PICKER = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
          "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")
_TAG = re.compile(r"^([A-Za-z]{1,8})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_zone(name: str | None) -> str | None:
    """``name`` if it is an IANA zone this machine knows, else ``None`` (never raises)."""
    if not name or len(name) > 64 or name not in _zones():
        return None
    try:
        ZoneInfo(name)
    except (ValueError, OSError):
        return None
    return name


def preferences(header: str | None) -> list[str]:
    """Language tags of ``Accept-Language``, best first (``q=0`` dropped, at most 20)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "")[:1000].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            ranked.append((-q, i, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def reader_lang(query: str | None, header: str | None, default: str = "en") -> str:
    if query in ("en", "zh"):
        return query
    for tag in preferences(header):
        primary = tag.split("-")[0].lower()
        if primary in ("en", "zh"):
            return primary
    return default


def reader_zone(query: str | None, header: str | None, default: str) -> str:
    chosen = valid_zone(query)
    if chosen:
        return chosen
    for tag in preferences(header):
        match = _TAG.match(tag)
        if match and match.group(3):
            zone = REGION_ZONES.get(match.group(3).upper())
            if zone:
                return zone
        if match and match.group(2) and match.group(2).lower() == "hans":
            return "Asia/Shanghai"
    return default
