"""Durations in Chinese read as spans of time, never as a score (``45分`` is also "45 points")."""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.rendering.formatting import duration


def test_minutes_read_as_minutes_in_chinese():
    assert duration(timedelta(minutes=45), "zh") == "45分钟"
    assert duration(timedelta(hours=1, minutes=30), "zh") == "1小时30分钟"
    assert duration(timedelta(days=2, hours=4), "zh") == "2天4小时"
    assert duration(timedelta(minutes=45)) == "45m"
