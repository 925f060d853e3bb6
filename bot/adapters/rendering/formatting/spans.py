"""Durations as a person reads them (``1h 30m``; ``1小时30分钟`` in Chinese)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.durations import format_duration

# "分钟", not "分": "45分" also reads as a score of 45 (得分) in a scorecard.
_ZH_UNITS = (("d", "天"), ("h", "小时"), ("m", "分钟"), ("s", "秒"))


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
