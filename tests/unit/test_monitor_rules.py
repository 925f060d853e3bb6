"""Signal rules on synthetic hourly series: threshold, change over a window (also against the
same hour of the previous 7 days) and the rolling z-score with a minimum history."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from bot.adapters.monitors.config import RuleSpec
from bot.adapters.monitors.rules import evaluate
from bot.adapters.monitors.sample_data import mentions_frame
from tests.conftest import T0


def hourly(values, *, end=T0) -> pd.Series:
    index = pd.date_range(end=pd.Timestamp(end), periods=len(values), freq="h")
    return pd.Series([float(v) for v in values], index=index)


# ------------------------------------------------------------------ threshold


@pytest.mark.parametrize(
    ("op", "limit", "last", "fires"),
    [(">", 500, 501, True), (">", 500, 500, False), (">=", 500, 500, True),
     ("<", 0.02, 0.019, True), ("<", 0.02, 0.02, False), ("<=", 0.02, 0.02, True)],
)
def test_threshold_compares_the_latest_sample(op, limit, last, fires):
    verdict = evaluate(RuleSpec(kind="threshold", op=op, value=limit), hourly([1, 2, last]))
    assert verdict.fired is fires
    assert verdict.value == last and verdict.threshold == limit
    assert verdict.at == T0


def test_threshold_ignores_earlier_breaches():
    assert not evaluate(RuleSpec(kind="threshold", op=">", value=500), hourly([900, 100])).fired


def test_an_empty_series_never_fires():
    verdict = evaluate(RuleSpec(kind="threshold", op=">", value=0), pd.Series(dtype=float))
    assert not verdict.fired and verdict.at is None


# ------------------------------------------------------------------ change over a window


def test_change_fires_on_plus_300_percent_over_24_hours():
    values = [40] * 24 + [50] * 24 + [201]  # 24 h before the last sample: 50
    rule = RuleSpec(kind="change", window=timedelta(hours=24), pct=300)
    verdict = evaluate(rule, hourly(values))
    assert verdict.fired and verdict.value == pytest.approx(302.0)
    quieter = evaluate(rule, hourly([50] * 25 + [190]))
    assert not quieter.fired and quieter.value == pytest.approx(280.0)


def test_a_count_rising_from_an_hour_with_none_is_measured_against_one():
    # Posts an hour: 0 negative posts yesterday at this hour, 31 now is a surge, not "no
    # baseline"; 0 → 1 is no change worth an alert. A non-count metric (a share, a rate)
    # still refuses a zero baseline: there is no "one" to count it as.
    rule = RuleSpec(kind="change", window=timedelta(hours=24), pct=300)
    surge = evaluate(rule, hourly([0] + [3] * 23 + [31]), counts=True)
    assert surge.fired and surge.value == pytest.approx(3000.0)
    assert "counted as 1 (0 → 31)" in surge.reason
    assert not evaluate(rule, hourly([0] + [3] * 23 + [1]), counts=True).fired
    assert evaluate(rule, hourly([2] + [3] * 23 + [9]), counts=True).fired  # 2 stays 2
    share = evaluate(rule, hourly([0] + [0.1] * 23 + [0.6]))
    assert not share.fired and share.reason == "the baseline is zero"


def test_change_needs_a_sample_a_full_window_earlier():
    verdict = evaluate(RuleSpec(kind="change", window=timedelta(hours=24), pct=300), hourly([1] * 10 + [900]))
    assert not verdict.fired and "window" in verdict.reason


def test_change_against_the_same_hour_of_the_previous_7_days():
    # Conversion with a daily rhythm: the same hour each day is 3 %; other hours differ a lot.
    days = 8
    values = [0.03 if h % 24 == 23 else 0.01 + 0.001 * (h % 24) for h in range(days * 24)]
    rule = RuleSpec(kind="change", pct=-10, baseline="same_hour", days=7)
    values[-1] = 0.0265  # -11.7 % against 3 %
    dropped = evaluate(rule, hourly(values))
    assert dropped.fired and dropped.value == pytest.approx(-11.67, abs=0.01)
    values[-1] = 0.028  # -6.7 %: normal wobble
    assert not evaluate(rule, hourly(values)).fired


def test_same_hour_baseline_needs_all_previous_days():
    rule = RuleSpec(kind="change", pct=-10, baseline="same_hour", days=7)
    verdict = evaluate(rule, hourly([0.03] * (3 * 24) + [0.001]))
    assert not verdict.fired and "7 previous days" in verdict.reason


# ------------------------------------------------------------------ z-score


def test_zscore_fires_on_an_anomaly_against_the_rolling_baseline():
    rng = np.random.default_rng(1)
    baseline = list(200 + rng.normal(0, 10, 48))
    rule = RuleSpec(kind="zscore", window=timedelta(hours=48), z=3, min_history=24)
    assert evaluate(rule, hourly(baseline + [260])).fired
    assert not evaluate(rule, hourly(baseline + [215])).fired


def test_zscore_adapts_to_a_higher_baseline():
    rng = np.random.default_rng(2)
    rule = RuleSpec(kind="zscore", window=timedelta(hours=48), z=3, min_history=24)
    high = list(2000 + rng.normal(0, 100, 48))
    assert not evaluate(rule, hourly(high + [2150])).fired  # 260 would be an anomaly at 200/h


def test_zscore_stays_silent_until_the_minimum_history_exists():
    rule = RuleSpec(kind="zscore", window=timedelta(hours=48), z=3, min_history=24)
    verdict = evaluate(rule, hourly([200, 210, 190, 205, 5000]))
    assert not verdict.fired and "needs 24 earlier samples, has 4" in verdict.reason


def test_zscore_direction_down_catches_drops_only():
    rng = np.random.default_rng(3)
    base = list(100 + rng.normal(0, 5, 30))
    down = RuleSpec(kind="zscore", window=timedelta(hours=48), z=3, min_history=24, direction="down")
    assert evaluate(down, hourly(base + [60])).fired
    assert not evaluate(down, hourly(base + [160])).fired


# ------------------------------------------------------------------ sample data


def test_sample_mentions_series_fire_the_negative_mentions_rule():
    frame = mentions_frame(end=T0)
    assert list(frame.columns) == ["mentions", "negative", "neutral", "positive"]
    assert len(frame) == 72 and frame.index[-1] == pd.Timestamp(T0)
    assert (frame["negative"] + frame["neutral"] + frame["positive"] == frame["mentions"]).all()
    rule = RuleSpec(kind="change", window=timedelta(hours=24), pct=300)
    assert evaluate(rule, frame["negative"]).fired
    peak = frame["mentions"].idxmax()
    assert frame["mentions"].iloc[-1] < frame["mentions"][peak] / 3  # the volume decays
