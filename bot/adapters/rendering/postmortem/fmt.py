"""Formatting shared by the Markdown and HTML renderers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from bot.adapters.rendering.formatting import figure_value
from bot.domain.durations import format_duration


def when(at: datetime | None) -> str:
    if at is None:
        return "—"
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def clock_time(at: datetime | None) -> str:
    if at is None:
        return "—"
    return at.astimezone(timezone.utc).strftime("%m-%d %H:%M")


def dur(seconds: int | float | None) -> str:
    if seconds is None:
        return "—"
    return format_duration(timedelta(seconds=int(seconds)))


def offset(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return ("T+" if seconds >= 0 else "T") + dur(seconds)


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def figure(value: Any) -> str:
    return figure_value(value)
