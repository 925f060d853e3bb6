"""Listening: social posts about the brand, what they weigh, how they spread and decay.

Pure: the post record, reach, language detection by script, repost cascades, sentiment
shares and the half-life of a decaying volume curve. No I/O; the adapters
(``bot.adapters.listening``) classify, store and chart.

    >>> p = Post(key="weibo:1", platform="weibo", text="Acme 面霜 烂脸", author="a",
    ...          posted_at=datetime(2026, 11, 1, tzinfo=UTC), followers=1000, likes=9)
    >>> reach(p)
    10000
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SENTIMENTS = ("negative", "neutral", "positive")
CLASSES = ("brand", "competitor", "industry")
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Post:
    """One post as it arrived, plus its classification.

    ``key`` is ``platform:id`` (unique); ``repost_of`` the key of the post it reposts.
    ``classes`` are the keyword classes it matched (brand / competitor / industry) and
    ``entities`` the library entries (``competitor:Globex``); ``sentiment`` one of
    :data:`SENTIMENTS` with ``score`` in [-1, 1]."""

    key: str
    platform: str
    text: str
    author: str
    posted_at: datetime
    lang: str = "und"
    url: str = ""
    followers: int = 0
    reposts: int = 0
    comments: int = 0
    likes: int = 0
    repost_of: str | None = None
    classes: frozenset[str] = frozenset()
    entities: tuple[str, ...] = ()
    sentiment: str = "neutral"
    score: float = 0.0

    @property
    def engagement(self) -> int:
        return self.reposts + self.comments + self.likes

    @property
    def about_brand(self) -> bool:
        return "brand" in self.classes


def reach(post: Post) -> int:
    """Followers × engagement. An unengaged post still reaches its followers, so the
    engagement factor is ``1 + reposts + comments + likes`` (never zero)."""
    return post.followers * (1 + post.engagement)


def is_han(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x2FFFF)


def detect_language(text: str) -> str:
    """``zh`` when Han characters make up at least a fifth of the letters (Chinese posts mix
    in Latin brand names and hashtags), ``en`` when Latin letters dominate, ``und`` else."""
    han = latin = 0
    for ch in text:
        if is_han(ch):
            han += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    letters = han + latin / 4  # ~4 Latin letters carry what one Han character does
    if letters == 0:
        return "und"
    if han / letters >= 0.2:
        return "zh"
    return "en" if latin else "und"


@dataclass(frozen=True)
class KolContact:
    """A friendly KOL of the site's reserved pool: who to brief in a crisis, and how often
    they may be asked (``quota`` crisis posts)."""

    name: str
    platform: str = ""
    handle: str = ""
    contact: str = ""
    quota: int = 1

    def describe(self) -> str:
        where = " ".join(x for x in (self.platform, f"@{self.handle}" if self.handle else "") if x)
        parts = [self.name, where, self.contact, f"quota {self.quota}"]
        return " · ".join(p for p in parts if p)


# --- spread -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cascade:
    """A repost tree: its ``root`` post, how many posts it holds (root included), its depth
    (0 for a post nobody reposted) and the reach of all of them together."""

    root: Post
    size: int
    depth: int
    reach: int
    kols: tuple[str, ...] = ()


def cascades(posts: Iterable[Post], *, kol_followers: int = 0) -> list[Cascade]:
    """Repost trees, largest first (size, then reach). A repost of a post we never saw is
    the root of its own tree; cycles (bad data) are cut where they close."""
    by_key = {p.key: p for p in posts}
    children: dict[str, list[str]] = defaultdict(list)
    roots: list[str] = []
    for key, post in by_key.items():
        parent = post.repost_of
        if parent and parent in by_key and parent != key:
            children[parent].append(key)
        else:
            roots.append(key)
    seen: set[str] = set()
    result = []
    for root in roots:
        size, depth, total, kols = 0, 0, 0, []
        stack = [(root, 0)]
        while stack:
            key, level = stack.pop()
            if key in seen:
                continue
            seen.add(key)
            post = by_key[key]
            size += 1
            depth = max(depth, level)
            total += reach(post)
            if kol_followers and post.followers >= kol_followers and post.author not in kols:
                kols.append(post.author)
            stack.extend((child, level + 1) for child in children.get(key, ()))
        result.append(Cascade(by_key[root], size, depth, total, tuple(kols)))
    result.sort(key=lambda c: (-c.size, -c.reach, c.root.posted_at))
    return result


def origin(posts: Sequence[Post], *, kol_followers: int = 0) -> Post | None:
    """The origin of the story: the root of the largest negative brand cascade (the earliest
    negative brand post when nobody reposted anything); ``None`` without brand posts."""
    brand = [p for p in posts if p.about_brand]
    if not brand:
        return None
    trees = [c for c in cascades(brand, kol_followers=kol_followers) if c.size > 1]
    negative = [c for c in trees if c.root.sentiment == "negative"]
    if negative or trees:
        return (negative or trees)[0].root
    negatives = [p for p in brand if p.sentiment == "negative"] or list(brand)
    return min(negatives, key=lambda p: p.posted_at)


# --- shares, trends, decay --------------------------------------------------------------


@dataclass(frozen=True)
class SentimentShare:
    total: int
    counts: Mapping[str, int] = field(default_factory=dict)

    def share(self, sentiment: str) -> float:
        return self.counts.get(sentiment, 0) / self.total if self.total else 0.0

    @property
    def net(self) -> float:
        """Positive share minus negative share, in [-1, 1]."""
        return self.share("positive") - self.share("negative")


def sentiment_share(posts: Iterable[Post]) -> SentimentShare:
    counts = Counter(p.sentiment for p in posts)
    return SentimentShare(sum(counts.values()), dict(counts))


def top_by_reach(posts: Iterable[Post], *, limit: int = 5) -> list[Post]:
    return sorted(posts, key=lambda p: (-reach(p), p.posted_at))[:limit]


def kols(posts: Iterable[Post], *, min_followers: int) -> list[Post]:
    """The most-followed post of each author at or above ``min_followers``, by followers."""
    best: dict[str, Post] = {}
    for post in posts:
        if post.followers >= min_followers:
            held = best.get(post.author)
            if held is None or reach(post) > reach(held):
                best[post.author] = post
    return sorted(best.values(), key=lambda p: (-p.followers, p.posted_at))


def hourly_counts(posts: Iterable[Post], *, start: datetime, end: datetime) -> list[int]:
    """Posts per hour from ``start`` (floored to the hour) to ``end`` inclusive."""
    first = floor_hour(start)
    hours = int((floor_hour(end) - first).total_seconds() // 3600) + 1
    counts = [0] * max(hours, 0)
    for post in posts:
        index = int((post.posted_at - first).total_seconds() // 3600)
        if 0 <= index < len(counts):
            counts[index] += 1
    return counts


def floor_hour(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return at.replace(minute=0, second=0, microsecond=0)


def half_life(counts: Sequence[float], *, step: timedelta = timedelta(hours=1)) -> timedelta | None:
    """How long the volume takes to halve after its peak: a least-squares fit of
    ``log(count)`` against time from the peak on (a fit, not the first sample under half,
    so one noisy hour does not decide it). ``None`` when there is no decay to measure (fewer
    than three non-zero samples after the peak, or a curve that does not fall)."""
    if not counts:
        return None
    peak = max(range(len(counts)), key=lambda i: counts[i])
    points = [(i - peak, math.log(c)) for i, c in enumerate(counts[peak:], start=peak) if c > 0]
    if len(points) < 3:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx if sxx else 0.0
    if slope >= 0:
        return None
    return step * (math.log(2) / -slope)


@dataclass(frozen=True)
class Phases:
    """Posts before an incident was declared, while it ran, and after it was resolved."""

    before: SentimentShare
    during: SentimentShare
    after: SentimentShare


def phases(posts: Iterable[Post], *, declared: datetime, resolved: datetime | None,
           window: timedelta = timedelta(hours=24)) -> Phases:
    """Sentiment of brand posts in three windows: ``window`` before declaration, during the
    incident, ``window`` after resolution (empty while it runs)."""
    before, during, after = [], [], []
    for post in posts:
        if not post.about_brand:
            continue
        if declared - window <= post.posted_at < declared:
            before.append(post)
        elif post.posted_at >= declared and (resolved is None or post.posted_at < resolved):
            during.append(post)
        elif resolved is not None and resolved <= post.posted_at < resolved + window:
            after.append(post)
    return Phases(sentiment_share(before), sentiment_share(during), sentiment_share(after))
