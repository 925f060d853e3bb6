"""Compact durations as written in playbooks and commands: ``90s``, ``30m``, ``1h``, ``2h30m``, ``3d``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([dhms])")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """Parse ``"2h30m"`` into ``timedelta(hours=2, minutes=30)``.

    Raises ``ValueError`` with a message that shows the accepted syntax.
    """
    cleaned = str(text).strip().lower().replace(" ", "")
    if not cleaned or _PART.sub("", cleaned):
        raise ValueError(f"`{text}` is not a duration; write e.g. 30m, 1h, 2h30m or 3d")
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(cleaned))
    if seconds <= 0:
        raise ValueError(f"`{text}` must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Format a duration compactly (``1h5m``, ``-15m``); seconds are shown only under a minute."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    if total < 60:
        return f"{sign}{total}s"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "m")) if v]
    return sign + "".join(parts)
