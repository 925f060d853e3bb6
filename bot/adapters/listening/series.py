"""Hourly series of the stored posts, for the pandas signal rules (``monitors/rules.py``).

| series | per hour |
|---|---|
| ``posts`` | every post |
| ``brand`` | posts about the brand |
| ``negative_brand`` | negative posts about the brand |
| ``negative_reach_share`` | reach of negative brand posts / reach of all brand posts (0–1) |
| ``competitor`` / ``competitor_negative`` | posts about any competitor / the negative ones |
| ``competitor_sentiment`` | mean sentiment score of competitor posts (−1…1; empty hours: none) |
| ``competitor:<name>``, ``competitor_sentiment:<name>`` | the same for one competitor |
| ``industry`` | posts about the industry |
| ``mentions``, ``negative``, ``neutral``, ``positive`` | brand posts, and by sentiment (the names the post-mortem's signal curves read) |

Rules see hours that end at the evaluation time (the last sample is the last full 60
minutes, not a half-filled clock hour); stored samples, for the post-mortem's curves, are
clock hours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from bot.adapters.monitors.config import SourceSpec
from bot.adapters.monitors.poller import alert_for
from bot.domain.alerts import Alert
from bot.domain.listening import Post, reach

#: Stored with every rule's samples, for the post-mortem's volume and sentiment curves.
CURVES = ("mentions", "negative", "neutral", "positive")


def post_table(posts: Sequence[Post]) -> pd.DataFrame:
    rows = []
    for p in posts:
        competitors = [e.split(":", 1)[1] for e in p.entities if e.startswith("competitor:")]
        rows.append((p.posted_at, p.about_brand, "competitor" in p.classes, "industry" in p.classes,
                     p.sentiment == "negative", p.score, reach(p), tuple(competitors), p.sentiment))
    return pd.DataFrame(rows, columns=["at", "brand", "competitor", "industry", "negative", "score",
                                       "reach", "competitors", "sentiment"])


def series_frame(posts: Sequence[Post], *, end: datetime, hours: int, competitors: Sequence[str] = (),
                 aligned: bool = False) -> pd.DataFrame:
    """One row per hour, ``hours`` of them up to ``end`` (or up to ``end``'s clock hour when
    ``aligned``); the index is each hour's end time (aligned: its start)."""
    table = post_table(posts)
    if aligned:
        last = pd.Timestamp(end).floor("h")
        starts = pd.date_range(end=last, periods=hours, freq="h")
        edges = list(starts) + [last + pd.Timedelta(hours=1)]
        index = starts
    else:
        stop = pd.Timestamp(end)
        edges = [stop - pd.Timedelta(hours=hours - i) for i in range(hours + 1)]
        index = pd.DatetimeIndex(edges[1:])
    frame = pd.DataFrame(index=index)
    if table.empty:
        for column in ("posts", "brand", "negative_brand", "competitor", "competitor_negative",
                       "industry", *CURVES):
            frame[column] = 0.0
        frame["negative_reach_share"] = 0.0
        frame["competitor_sentiment"] = float("nan")
        for name in competitors:
            frame[f"competitor:{name}"] = 0.0
            frame[f"competitor_sentiment:{name}"] = float("nan")
        return frame
    buckets = pd.cut(table["at"], bins=pd.DatetimeIndex(edges), right=not aligned,
                     labels=range(hours))
    table = table.assign(bucket=buckets).dropna(subset=["bucket"])
    table["bucket"] = table["bucket"].astype(int)
    grouped = table.groupby("bucket")

    def per_hour(values: pd.Series, fill: float = 0.0) -> list[float]:
        return [float(values.get(i, fill)) for i in range(hours)]

    brand = table[table["brand"]]
    competitor = table[table["competitor"]]
    frame["posts"] = per_hour(grouped.size())
    frame["brand"] = per_hour(brand.groupby("bucket").size())
    frame["negative_brand"] = per_hour(brand[brand["negative"]].groupby("bucket").size())
    brand_reach = brand.groupby("bucket")["reach"].sum()
    negative_reach = brand[brand["negative"]].groupby("bucket")["reach"].sum()
    frame["negative_reach_share"] = [
        float(negative_reach.get(i, 0.0)) / float(brand_reach[i]) if brand_reach.get(i, 0) else 0.0
        for i in range(hours)]
    frame["competitor"] = per_hour(competitor.groupby("bucket").size())
    frame["competitor_negative"] = per_hour(competitor[competitor["negative"]].groupby("bucket").size())
    frame["competitor_sentiment"] = per_hour(competitor.groupby("bucket")["score"].mean(), float("nan"))
    frame["industry"] = per_hour(table[table["industry"]].groupby("bucket").size())
    frame["mentions"] = frame["brand"]
    for sentiment in CURVES[1:]:
        frame[sentiment] = per_hour(brand[brand["sentiment"] == sentiment].groupby("bucket").size())
    for name in competitors:
        one = table[table["competitors"].map(lambda names, n=name: n in names)]
        frame[f"competitor:{name}"] = per_hour(one.groupby("bucket").size())
        frame[f"competitor_sentiment:{name}"] = per_hour(one.groupby("bucket")["score"].mean(),
                                                         float("nan"))
    return frame


def is_count(metric: str) -> bool:
    """Whether ``metric`` counts posts (not a share or a mean sentiment score)."""
    return metric != "negative_reach_share" and not metric.startswith("competitor_sentiment")


def history_hours(rules: Sequence[SourceSpec]) -> int:
    """Hours of posts the rules need: their longest window or same-hour days, plus two."""
    longest = timedelta(hours=24)
    for spec in rules:
        rule = spec.rule
        longest = max(longest, rule.window,
                      timedelta(days=rule.days) if rule.baseline == "same_hour" else timedelta())
    return int(longest.total_seconds() // 3600) + 2


class PostRules:
    """``SignalRules`` for the listening service: builds the series from stored posts and
    evaluates each configured rule; stores the clock-hour samples under the rule's name."""

    def __init__(self, *, rules: Sequence[SourceSpec], posts: Callable[..., list[Post]],
                 samples: Any, competitors: Sequence[str] = ()) -> None:
        self.rules = tuple(rules)
        self.posts = posts
        self.samples = samples
        self.competitors = tuple(competitors)

    def evaluate(self, now: datetime) -> list[Alert]:
        from bot.adapters.monitors.rules import evaluate

        if not self.rules:
            return []
        hours = history_hours(self.rules)
        posts = self.posts(since=now - timedelta(hours=hours + 1), until=now)
        rolling = series_frame(posts, end=now, hours=hours, competitors=self.competitors)
        clock_hours = series_frame(posts, end=now, hours=hours, competitors=self.competitors,
                                   aligned=True)
        alerts = []
        for spec in self.rules:
            self.samples.store_samples(spec.name, [
                (series, stamp.to_pydatetime(), float(value))
                for series in dict.fromkeys((spec.metric, *CURVES))
                for stamp, value in clock_hours[series].dropna().items()])
            verdict = evaluate(spec.rule, rolling[spec.metric], counts=is_count(spec.metric))
            if verdict.at is not None:
                alerts.append(alert_for(spec, verdict))
        return alerts
