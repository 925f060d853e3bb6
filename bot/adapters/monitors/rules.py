"""Signal rules over a time series (pandas): does the latest sample fire?

- ``threshold``: ``value > 500``, ``value < 0.02``;
- ``change``: the latest value against a baseline, in percent — the value one ``window``
  earlier (negative mentions +300 % over 24 h), or with ``baseline: same_hour`` the mean of
  the same hour on each of the previous ``days`` days (conversion −10 % against the same hour
  of the previous 7 days). A positive ``pct`` fires at or above it, a negative one at or below;
- ``zscore``: how many standard deviations the latest value is from the mean of the previous
  ``window``; silent until ``min_history`` earlier samples exist, so the threshold adapts to
  the baseline instead of firing on a cold start.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from bot.adapters.monitors.config import RuleSpec

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
}


@dataclass(frozen=True)
class Verdict:
    """The rule's answer for the latest sample at ``at``: ``value`` is what was compared
    (the sample, the % change, or the z-score) against ``threshold``."""

    fired: bool
    at: datetime | None
    value: float | None
    threshold: float | None
    reason: str


def evaluate(rule: RuleSpec, series: pd.Series, *, counts: bool = False) -> Verdict:
    """Evaluate ``rule`` on ``series`` (a float series indexed by UTC timestamps).

    ``counts``: the series counts things (posts an hour). A change is then measured against
    at least one, so a surge from an hour with none (0 → 31 negative posts) fires instead of
    being refused for a zero baseline, while 0 → 1 stays a change of 0 %."""
    series = series.dropna().sort_index()
    if series.empty:
        return Verdict(False, None, None, None, "no samples")
    at = series.index[-1].to_pydatetime()
    latest = float(series.iloc[-1])
    if rule.kind == "threshold":
        fired = _OPS[rule.op](latest, rule.value)
        return Verdict(fired, at, latest, rule.value, f"value {latest:g} {rule.op} {rule.value:g}")
    if rule.kind == "change":
        return _change(rule, series, at, latest, floor=1.0 if counts else 0.0)
    return _zscore(rule, series, at, latest)


def _change(rule: RuleSpec, series: pd.Series, at: datetime, latest: float, *,
            floor: float = 0.0) -> Verdict:
    stamp = series.index[-1]
    if rule.baseline == "same_hour":
        earlier = [stamp - pd.Timedelta(days=d) for d in range(1, rule.days + 1)]
        found = series.reindex(earlier).dropna()
        if len(found) < rule.days:
            return Verdict(False, at, None, rule.pct,
                           f"needs the same hour on {rule.days} previous days, has {len(found)}")
        base = float(found.mean())
        what = f"the mean of the same hour over the previous {rule.days} days"
    else:
        before = series[series.index <= stamp - pd.Timedelta(rule.window)]
        if before.empty:
            return Verdict(False, at, None, rule.pct, "no sample a full window earlier")
        base = float(before.iloc[-1])
        what = f"{_span(rule.window)} earlier"
    shown = base
    if floor and base < floor:
        base, what = floor, f"{what}, counted as {floor:g}"
    if base == 0:
        return Verdict(False, at, None, rule.pct, "the baseline is zero")
    change = (latest - base) / abs(base) * 100
    fired = change >= rule.pct if rule.pct > 0 else change <= rule.pct
    return Verdict(fired, at, round(change, 2), rule.pct,
                   f"{change:+.1f}% against {what} ({shown:g} → {latest:g})")


def _zscore(rule: RuleSpec, series: pd.Series, at: datetime, latest: float) -> Verdict:
    stamp = series.index[-1]
    history = series[(series.index < stamp) & (series.index >= stamp - pd.Timedelta(rule.window))]
    if len(history) < rule.min_history:
        return Verdict(False, at, None, rule.z,
                       f"needs {rule.min_history} earlier samples, has {len(history)}")
    mean, std = float(history.mean()), float(history.std(ddof=1))
    if not math.isfinite(std) or std == 0:
        return Verdict(False, at, None, rule.z, "the history is flat")
    z = (latest - mean) / std
    fired = {"up": z >= rule.z, "down": z <= -rule.z, "both": abs(z) >= rule.z}[rule.direction]
    return Verdict(fired, at, round(z, 2), rule.z, f"z-score {z:+.2f} (mean {mean:g}, sd {std:g})")


def _span(delta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"
