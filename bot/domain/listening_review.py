"""The listening part of a post-mortem, from the raw posts (pure).

- the crisis window: from the origin post (or the declaration, if earlier) to resolution;
- sentiment shift (情感转变率): brand sentiment shares before / during / after that window and
  the change of net sentiment (positive share − negative share) between them;
- the decay half-life of brand volume after its peak;
- the origin post and its reach; the KOLs who posted about the brand;
- competitor opportunism (竞品借势): each competitor's volume and mean sentiment during the
  window against its own baseline (the ``baseline`` before the window), hour by hour for the
  chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.domain.listening import (
    Post,
    floor_hour,
    half_life,
    hourly_counts,
    kols,
    origin,
    reach,
    sentiment_share,
)

#: How far before the declaration the story is looked for.
LOOKBACK = timedelta(hours=72)
#: Volume up at least this much (and sentiment not worse) during the window: piggy-backing.
OPPORTUNISM_VOLUME = 0.5


def _shares(posts: Sequence[Post]) -> dict[str, Any]:
    share = sentiment_share(posts)
    return {"posts": share.total, "negative": round(share.share("negative"), 4),
            "neutral": round(share.share("neutral"), 4),
            "positive": round(share.share("positive"), 4), "net": round(share.net, 4)}


def _post(post: Post) -> dict[str, Any]:
    return {"author": post.author, "platform": post.platform, "url": post.url,
            "posted_at": post.posted_at, "followers": post.followers, "reach": reach(post),
            "sentiment": post.sentiment, "text": post.text[:200]}


def _hours(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds() / 3600, 1.0)


def review(posts: Sequence[Post], *, declared_at: datetime, resolved_at: datetime | None,
           as_of: datetime, kol_followers: int, competitors: Sequence[str] = (),
           phase: timedelta = timedelta(hours=24), baseline: timedelta = timedelta(hours=48)
           ) -> dict[str, Any] | None:
    """The section's figures; ``None`` when no post mentions the brand or a competitor."""
    brand = [p for p in posts if p.about_brand]
    if not brand and not any("competitor" in p.classes for p in posts):
        return None
    end = resolved_at or as_of
    source = origin([p for p in brand if declared_at - LOOKBACK <= p.posted_at <= end],
                    kol_followers=kol_followers)
    start = min(declared_at, source.posted_at) if source else declared_at
    before = [p for p in brand if start - phase <= p.posted_at < start]
    during = [p for p in brand if start <= p.posted_at < end]
    after = [p for p in brand if end <= p.posted_at < end + phase] if resolved_at else []
    sb, sd, sa = _shares(before), _shares(during), _shares(after)
    counts = hourly_counts(during + after, start=start, end=end + (phase if resolved_at else timedelta()))
    decay = half_life(counts)
    return {
        "window": {"start": start, "end": end, "declared_at": declared_at},
        "sentiment": {"before": sb, "during": sd, "after": sa,
                      "shift_during": round(sd["net"] - sb["net"], 4) if sb["posts"] and sd["posts"] else None,
                      "shift_after": round(sa["net"] - sd["net"], 4) if sa["posts"] and sd["posts"] else None},
        "volume": {"posts": len(during), "peak_per_hour": max(counts, default=0),
                   "half_life_s": int(decay.total_seconds()) if decay else None},
        "origin": _post(source) if source else None,
        "kols": [_post(p) for p in kols(before + during + after, min_followers=kol_followers)][:10],
        "competitors": [_competitor(name, posts, start=start, end=end, baseline=baseline)
                        for name in competitors],
    }


def _competitor(name: str, posts: Sequence[Post], *, start: datetime, end: datetime,
                baseline: timedelta) -> dict[str, Any]:
    entity = f"competitor:{name}"
    mine = [p for p in posts if entity in p.entities]
    base = [p for p in mine if start - baseline <= p.posted_at < start]
    during = [p for p in mine if start <= p.posted_at < end]
    base_rate = len(base) / _hours(start - baseline, start)
    rate = len(during) / _hours(start, end)
    base_score = sum(p.score for p in base) / len(base) if base else None
    score = sum(p.score for p in during) / len(during) if during else None
    change = (rate - base_rate) / base_rate if base_rate else None
    opportunism = bool(change is not None and change >= OPPORTUNISM_VOLUME
                       and (base_score is None or score is None or score >= base_score - 0.05))
    chart_start = floor_hour(start - baseline)
    return {
        "name": name,
        "baseline": {"posts": len(base), "per_hour": round(base_rate, 2),
                     "sentiment": None if base_score is None else round(base_score, 3),
                     "shares": _shares(base)},
        "during": {"posts": len(during), "per_hour": round(rate, 2),
                   "sentiment": None if score is None else round(score, 3),
                   "shares": _shares(during)},
        "volume_change": None if change is None else round(change, 4),
        "sentiment_change": (None if score is None or base_score is None
                             else round(score - base_score, 3)),
        "opportunism": opportunism,
        "hourly": {"start": chart_start,
                   "counts": hourly_counts(mine, start=chart_start, end=end)},
    }
