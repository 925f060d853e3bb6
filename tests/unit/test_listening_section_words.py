"""The post-mortem's listening section as a spokesperson reads it: no raw sentiment keys in
Chinese, a reach that says what it counts, no shares for a period without posts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.rendering.postmortem.listening_section import html, markdown_lines

T = datetime(2026, 11, 29, 15, 35, tzinfo=UTC)


def _phase(posts: int, neg: float) -> dict:
    return {"posts": posts, "negative": neg, "neutral": 1 - neg, "positive": 0.0,
            "net": -neg if posts else None}


DATA = {
    "window": {"start": T, "end": T},
    "sentiment": {"before": _phase(600, 0.1), "during": _phase(2400, 0.7), "after": _phase(0, 0.0),
                  "shift_during": -0.6, "shift_after": None},
    "volume": {"peak_per_hour": 267, "half_life_s": 17000},
    "origin": {"author": "小鹿爱护肤", "platform": "weibo", "followers": 3200, "posted_at": T,
               "reach": 110403200, "text": "脸又红又肿", "url": "https://weibo.example/p/1"},
    "kols": [{"author": "美妆博主Lily", "platform": "weibo", "followers": 2400000,
              "sentiment": "negative"}],
    "competitors": [],
}


def test_the_chinese_section_reads_in_chinese():
    text = "\n".join(markdown_lines(DATA, lang="zh"))
    assert "美妆博主Lily (weibo, 2,400,000 粉丝, 负面)" in text and "negative" not in text
    assert "传播力（粉丝数 ×（1 + 互动数）） 110,403,200" in text and "触达" not in text
    assert "-60 个百分点" in text and "pts" not in text
    assert "| 之后 | 0 | — | — | — | — |" in text


def test_the_english_section_says_what_reach_counts():
    text = "\n".join(markdown_lines(DATA, lang="en"))
    assert "reach score (followers × (1 + engagements)) 110,403,200" in text
    assert "美妆博主Lily (weibo, 2,400,000 followers, negative)" in text
    assert "| after | 0 | — | — | — | — |" in text and "0%" not in text.split("| after |")[1]
    page = str(html(DATA, lang="en", charts=False))
    assert "2,400,000 followers, negative" in page and "reach score" in page
