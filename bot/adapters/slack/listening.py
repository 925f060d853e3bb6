"""Block Kit for listening in an incident channel (pure): the periodic "what people are
saying" digest, KOL callouts and ``/crisis listening [top|kols|spread]``.

Every piece of post text is outside input: one line, cut to :data:`POST_CHARS`, mrkdwn-escaped
(no ``<!channel>`` or mention can come through); links only for plain http(s) URLs. A message
stays within Slack's budget: at most :data:`MAX_BLOCKS` blocks, each section under 3,000
characters, the fallback text under 3,000 too.

>>> digest_message(posts=[], previous=0, since=None, now=None, top=5)["text"]
'What people are saying: no posts about the brand in this window.'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.adapters.rendering.formatting import number, percent
from bot.adapters.rendering.formatting.labels import sentiment_label
from bot.adapters.slack.escape import escape_mrkdwn, link, one_line, truncate
from bot.domain.listening import SENTIMENTS, Cascade, Post, reach, sentiment_share, top_by_reach

POST_CHARS = 160
MAX_BLOCKS = 20
SECTION_CHARS = 2900

WORDS = {
    "digest": ("What people are saying", "舆情摘要"),
    "none": ("no posts about the brand in this window.", "此时段内没有关于品牌的帖子。"),
    "volume": ("Brand posts", "品牌相关帖子"),
    "trend_up": ("up from", "上一时段"),
    "trend_down": ("down from", "上一时段"),
    "trend_flat": ("same as", "上一时段"),
    "platforms": ("Platforms", "平台"),
    "top": ("Top posts by reach score (followers × (1 + engagements))", "传播力最高的帖子（粉丝数 ×（1 + 互动数））"),
    "kol": ("KOL", "KOL"),
    "kols": ("KOLs posting about the brand", "谈及品牌的 KOL"),
    "followers": ("followers", "粉丝"),
    "reach": ("reach score", "传播力"),  # followers × engagement, not people reached
    "spread": ("Spread", "传播路径"),
    "origin": ("Origin", "源头"),
    "cascades": ("Largest cascades", "最大的转发链"),
    "depth": ("depth", "层级"),
    "posts": ("posts", "条"),
    "no_kols": ("No KOL has posted about the brand yet.", "尚无 KOL 谈及品牌。"),
    "no_reposts": ("No repost ids in the posts: no spread path to show.",
                   "帖子中没有转发关系，无法显示传播路径。"),
    "callout": ("KOL post", "KOL 发帖"),
    "sentiment": ("Sentiment", "情感"),
}


def _w(key: str, lang: str) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_CHARS)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_CHARS)}]}


def post_line(post: Post, *, lang: str = "en") -> str:
    """``*@author* (1.2M followers, weibo) · negative · reach score 3.4M — “text…” <url|open>``"""
    text = escape_mrkdwn(truncate(one_line(post.text), POST_CHARS))
    who = escape_mrkdwn(one_line(post.author))[:80]
    opened = f" {link(post.url, '↗')}" if post.url else ""
    return (f"*{who}* ({number(post.followers)} {_w('followers', lang)}, "
            f"{escape_mrkdwn(post.platform)}) · {sentiment_label(post.sentiment, lang)} · "
            f"{_w('reach', lang)} {number(reach(post))} — “{text}”{opened}")


def _shares(posts: Sequence[Post], lang: str) -> str:
    share = sentiment_share(posts)
    return " · ".join(f"{sentiment_label(s, lang)} {percent(share.share(s), share=True)}"
                      for s in SENTIMENTS)


def _platforms(posts: Sequence[Post]) -> str:
    counts = Counter(p.platform for p in posts)
    return ", ".join(f"{escape_mrkdwn(name)} {number(n)}" for name, n in counts.most_common(6))


def digest_message(*, posts: Sequence[Post], previous: int, since: datetime | None,
                   now: datetime | None, top: int, lang: str = "en") -> dict[str, Any]:
    """The periodic digest over ``posts`` (brand posts of the window); ``previous`` is the
    count of the window before, for the trend."""
    title = _w("digest", lang)
    if not posts:
        return {"text": f"{title}: {_w('none', lang)}", "blocks": [_section(f"*{title}*: {_w('none', lang)}")]}
    count = len(posts)
    trend = ("trend_up" if count > previous else "trend_down" if count < previous else "trend_flat")
    change = f" ({'+' if count >= previous else ''}{percent((count - previous) / previous * 100)})" if previous else ""
    window = f" · {since:%H:%M}–{now:%H:%M} UTC" if since and now else ""
    head = (f"*{title}*{window}\n{_w('volume', lang)}: *{number(count)}*, {_w(trend, lang)} "
            f"{number(previous)}{change}\n{_w('sentiment', lang)}: {_shares(posts, lang)}\n"
            f"{_w('platforms', lang)}: {_platforms(posts)}")
    lines = [f"{i}. {post_line(p, lang=lang)}" for i, p in enumerate(top_by_reach(posts, limit=top), 1)]
    blocks = [_section(head), _section(f"*{_w('top', lang)}*\n" + "\n".join(lines))]
    text = (f"{title}: {number(count)} brand posts, {_shares(posts, lang)}")
    return {"text": truncate(text, SECTION_CHARS), "blocks": blocks}


def kol_callout(post: Post, *, lang: str = "en") -> dict[str, Any]:
    line = post_line(post, lang=lang)
    return {"text": truncate(f"📣 {_w('callout', lang)}: {escape_mrkdwn(one_line(post.author))[:80]} "
                             f"({number(post.followers)} {_w('followers', lang)})", SECTION_CHARS),
            "blocks": [_section(f"📣 *{_w('callout', lang)}* · {line}")]}


def top_view(posts: Sequence[Post], *, top: int = 10, lang: str = "en") -> dict[str, Any]:
    return digest_message(posts=posts, previous=len(posts), since=None, now=None, top=top, lang=lang)


def kols_view(kols: Sequence[Post], *, lang: str = "en") -> dict[str, Any]:
    if not kols:
        return {"text": _w("no_kols", lang), "blocks": [_section(_w("no_kols", lang))]}
    lines = [f"• {post_line(p, lang=lang)}" for p in kols[:MAX_BLOCKS]]
    return {"text": f"{_w('kols', lang)}: {len(kols)}",
            "blocks": [_section(f"*{_w('kols', lang)}*"), *(_section(line) for line in lines[:15])]}


def spread_view(trees: Sequence[Cascade], origin: Post | None, *, lang: str = "en") -> dict[str, Any]:
    reposted = [t for t in trees if t.size > 1]
    if not reposted:
        return {"text": _w("no_reposts", lang), "blocks": [_section(_w("no_reposts", lang))]}
    blocks = []
    if origin is not None:
        blocks.append(_section(f"*{_w('origin', lang)}* ({origin.posted_at:%d %b %H:%M} UTC): "
                               f"{post_line(origin, lang=lang)}"))
    lines = []
    for i, tree in enumerate(reposted[:5], 1):
        kols = ", ".join(escape_mrkdwn(one_line(k))[:60] for k in tree.kols[:5])
        lines.append(f"{i}. {number(tree.size)} {_w('posts', lang)}, {_w('depth', lang)} {tree.depth}, "
                     f"{_w('reach', lang)} {number(tree.reach)}"
                     + (f", {_w('kol', lang)}: {kols}" if kols else "")
                     + f" — {post_line(tree.root, lang=lang)}")
    blocks.append(_section(f"*{_w('cascades', lang)}*\n" + "\n".join(lines)))
    top = reposted[0]
    who = escape_mrkdwn(one_line((origin or top.root).author))[:80]
    text = (f"{_w('spread', lang)}: {_w('origin', lang)} {who} ({escape_mrkdwn(top.root.platform)}); "
            f"{_w('cascades', lang).lower()}: {number(top.size)} {_w('posts', lang)}, "
            f"{_w('depth', lang)} {top.depth}")
    return {"text": truncate(text, SECTION_CHARS), "blocks": blocks}


class SlackListeningMessages:
    """The ``Messages`` port of ``ListeningIncidents``: this module's builders."""

    digest_message = staticmethod(digest_message)
    kol_callout = staticmethod(kol_callout)
    top_view = staticmethod(top_view)
    kols_view = staticmethod(kols_view)
    spread_view = staticmethod(spread_view)
