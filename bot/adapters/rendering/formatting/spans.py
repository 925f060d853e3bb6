"""Durations as a person reads them (``1h 30m``; ``1小时30分`` in Chinese)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.durations import format_duration

_ZH_UNITS = (("d", "天"), ("h", "小时"), ("m", "分"), ("s", "秒"))


def duration(seconds: float | timedelta | None, lang: str = "en") -> str:
    """Whole seconds (or a timedelta) as ``2d 4h``, ``1h 30m``, ``45s``; ``—`` for none."""
    if seconds is None:
        return "—"
    span = seconds if isinstance(seconds, timedelta) else timedelta(seconds=int(seconds))
    text = format_duration(span)
    if lang != "zh":
        return text
    for unit, word in _ZH_UNITS:
        text = text.replace(unit, word)
    return text.replace(" ", "")
