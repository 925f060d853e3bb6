"""Formatting shared by the Markdown and HTML renderers (figures, durations and shares come
from :mod:`bot.adapters.rendering.formatting`)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.adapters.rendering.formatting import duration, figure_value, percent


def when(at: datetime | None) -> str:
    if at is None:
        return "—"
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def clock_time(at: datetime | None) -> str:
    if at is None:
        return "—"
    at = at.astimezone(timezone.utc)  # as strftime("%m-%d %H:%M"), for a row per timeline event
    return f"{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"


def dur(seconds: int | float | None) -> str:
    return duration(seconds)


def offset(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return ("T+" if seconds >= 0 else "T") + dur(seconds)


def pct(share: float | None) -> str:
    return percent(share, share=True)


def figure(value: Any) -> str:
    return figure_value(value)
