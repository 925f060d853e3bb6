"""Dates in statements, the way each language writes them, with the time zone named.

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 11, 19, 6, 0, tzinfo=timezone.utc)
>>> format_datetime(at, zone="Asia/Shanghai", lang="zh")
'2026年11月19日 14:00（北京时间）'
>>> format_datetime(at, zone="Asia/Shanghai", lang="en")
'19 November 2026, 14:00 (Beijing time, UTC+08:00)'
>>> format_datetime(at, zone="Europe/Berlin", lang="zh")
'2026年11月19日 07:00（柏林时间，UTC+01:00）'
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

#: Zones with a name people use: (English, Simplified Chinese). Traditional Chinese statements are
#: converted from the Simplified text, so 北京时间 becomes 北京時間 with the rest.
ZONE_NAMES: dict[str, tuple[str, str]] = {
    "Asia/Shanghai": ("Beijing time", "北京时间"),
    "Asia/Chongqing": ("Beijing time", "北京时间"),
    "Asia/Hong_Kong": ("Hong Kong time", "香港时间"),
    "Asia/Taipei": ("Taipei time", "台北时间"),
    "Asia/Macau": ("Macau time", "澳门时间"),
    "Asia/Singapore": ("Singapore time", "新加坡时间"),
    "Asia/Tokyo": ("Tokyo time", "东京时间"),
    "Europe/London": ("London time", "伦敦时间"),
    "Europe/Berlin": ("Berlin time", "柏林时间"),
    "Europe/Paris": ("Paris time", "巴黎时间"),
    "America/New_York": ("New York time", "纽约时间"),
    "America/Los_Angeles": ("Los Angeles time", "洛杉矶时间"),
    "UTC": ("UTC", "协调世界时"),
}
#: Zones whose offset never changes and so need no offset beside the name.
_FIXED = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Macau",
          "Asia/Singapore", "Asia/Tokyo", "UTC"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _offset(local: datetime) -> str:
    raw = local.strftime("%z") or "+0000"
    return f"UTC{raw[:3]}:{raw[3:]}"


def format_datetime(at: datetime, *, zone: str | ZoneInfo, lang: str) -> str:
    """``at`` in ``zone``: ``2026年11月19日 14:00（北京时间）`` for any Chinese variant,
    ``19 November 2026, 14:00 (Beijing time, UTC+08:00)`` otherwise."""
    zone_info = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    key = zone_info.key
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    local = at.astimezone(zone_info)
    names = ZONE_NAMES.get(key)
    offset = _offset(local)
    if lang.lower().startswith("zh"):
        if names and key in _FIXED:
            label = names[1]
        elif names:
            label = f"{names[1]}，{offset}"
        else:
            label = offset
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（{label}）"
    label = f"{names[0]}, {offset}" if names and key != "UTC" else offset if not names else "UTC"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M} ({label})"


__all__ = ["ZONE_NAMES", "format_datetime"]
