"""A listening site config and raw posts, for the listening tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

import httpx

from tests.integration.monitor_helpers import post

_ids = count(1)

KEYWORDS = {
    "brand": [{"term": "Acme", "aliases": ["艾克美", "艾克美商城"], "exclude": ["Acme Anvil"]}],
    "competitor": [{"term": "Globex", "aliases": ["格洛贝"]}],
    "industry": ["moisturiser", "保湿霜", "面霜"],
}

NEGATIVE_RULE = {
    "name": "listening-negative-brand", "metric": "negative_brand",
    "rule": {"kind": "change", "window": "24h", "pct": 300},
    "title": "Negative brand mentions surging", "crisis_type": "brand_reputation", "severity": "S",
}


def listening_config(**extra: Any) -> dict[str, Any]:
    return {"listening": {"keywords": KEYWORDS, "evaluate_every": 0, "rules": [NEGATIVE_RULE],
                          **extra}}


def raw_post(text: str, *, at: datetime, platform: str = "weibo", **extra: Any) -> dict[str, Any]:
    return {"id": f"p{next(_ids)}", "platform": platform, "text": text, "author": "someone",
            "posted_at": at.isoformat(), "followers": 120, "likes": 3} | extra


def negative_burst(end: datetime, n: int, *, minutes: int = 50) -> list[dict[str, Any]]:
    texts = ["用了艾克美的面霜第二天就烂脸了，太可怕了",
             "Acme's cream burned my skin. Never again. Avoid.",
             "艾克美客服态度太差，退款拖了一个月，投诉",
             "Worst experience with Acme, refund denied, total scam."]
    return [raw_post(texts[i % len(texts)], at=end - timedelta(minutes=minutes * i / max(n, 1)))
            for i in range(n)]


def send_posts(url: str, posts: Any, **kwargs: Any) -> httpx.Response:
    return post(url, "posts", posts, **kwargs)
