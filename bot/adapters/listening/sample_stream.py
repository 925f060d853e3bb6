"""Three days of realistic mixed-language posts with a crisis arc, for the demo and the
benchmarks.

The arc (hours counted from the start of the 72):
- a quiet baseline: ~30 posts an hour about the brand (mostly neutral and positive, 60 %
  Chinese on Weibo / Xiaohongshu / Douyin, 40 % English on X and Reddit), the competitor and
  the industry, with a daily rhythm;
- hour 54: the origin post — a small Weibo account's burned-skin story with a photo link;
- hour 55: a beauty KOL (2.4 M followers) reposts it; reposts of the repost follow (a
  cascade three levels deep);
- hours 55–58: the spike, tenfold, negative posts take over;
- hours 57–66: the competitor piggy-backs (借势) with discount posts and "switch to us";
- after the peak: decay with a ~5 hour half-life, a few positive posts once the brand answers.

``python -m bot.adapters.listening.sample_stream -o samples/posts.json`` writes it (``--end``
sets when it ends, default now; ``--csv`` for a CSV export). :data:`SAMPLE_LISTENING` is the
matching ``listening:`` site config.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HOURS = 72
ORIGIN_AT = 54
KOL_FOLLOWERS = 2_400_000

SAMPLE_LISTENING: dict[str, Any] = {
    "keywords": {
        "brand": [{"term": "Acme", "aliases": ["艾克美", "艾克美商城"], "exclude": ["Acme Anvil"]}],
        "competitor": [{"term": "Globex", "aliases": ["格洛贝"]}],
        "industry": ["moisturiser", "moisturizer", "skincare", "保湿霜", "面霜", "护肤"],
    },
    "kol_followers": 500_000,
    "kol_pool": [
        {"name": "Dr. Wen (dermatologist)", "platform": "weibo", "handle": "drwen_skin",
         "contact": "wen@agency.example", "quota": 2},
        {"name": "Skincare Sam", "platform": "x", "handle": "skincaresam",
         "contact": "sam@creators.example", "quota": 1},
    ],
    "brief_within": "2h",
    "digest_every": "1h",
    "rules": [{
        "name": "listening-negative-brand", "metric": "negative_brand",
        "rule": {"kind": "change", "window": "24h", "pct": 300},
        "title": "Negative brand mentions surging (raw posts)",
        "crisis_type": "brand_reputation", "severity": "S",
    }],
}

_ZH_PLATFORMS = ("weibo", "weibo", "xiaohongshu", "douyin")
_EN_PLATFORMS = ("x", "x", "reddit")

TEXTS: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("zh", "brand", "neutral"): (
        "艾克美的双十一活动几点开始？", "刚在艾克美下单了一瓶保湿霜，看看几天到",
        "有人知道艾克美客服电话吗", "艾克美的会员积分怎么换优惠券", "艾克美新出的面霜成分表有人研究过吗",
        "艾克美商城今天更新了退货政策", "请问艾克美能开发票吗"),
    ("zh", "brand", "positive"): (
        "艾克美的保湿霜用了一个月，皮肤好多了，点赞", "艾克美发货好快，第二天就到了，满意",
        "艾克美客服很耐心，问题解决了，谢谢", "回购第三次了，艾克美的面霜很好用",
        "艾克美这次的赠品很用心，开心"),
    ("zh", "brand", "negative"): (
        "艾克美的快递又延迟了，烦", "艾克美客服电话打不通，等了半小时", "艾克美的包装漏了，失望"),
    ("zh", "crisis", "negative"): (
        "用了艾克美保湿霜2411-B批次，脸又红又肿，烂脸了，太可怕了", "艾克美的面霜把我脸烧伤了，千万别买，避雷",
        "艾克美到现在都不回应，无耻", "退款申请被拒，艾克美客服踢皮球，气死了", "艾克美卖有问题的面霜还删差评，恶心",
        "孩子用了艾克美的保湿霜过敏起疹子，已经投诉", "艾克美的声明全是套路，不负责任", "再也不买艾克美了，后悔"),
    ("zh", "crisis", "neutral"): (
        "艾克美称正在调查2411-B批次保湿霜的反馈", "请问艾克美的召回包括哪些批次？", "关于艾克美面霜的视频播放量已经两百万了",
        "艾克美表示会公布第三方检测报告"),
    ("zh", "recovery", "positive"): (
        "艾克美退款很快就到账了，这次处理得好", "艾克美公开了检测报告，很透明，点赞", "艾克美CEO亲自道歉，尊重"),
    ("zh", "competitor", "neutral"): ("格洛贝的面霜和艾克美比哪个好？", "格洛贝今天上新了护肤套装", "格洛贝的保湿霜多少钱"),
    ("zh", "competitor", "positive"): ("格洛贝的保湿霜很好用，推荐", "格洛贝客服很专业，满意"),
    ("zh", "piggyback", "positive"): (
        "格洛贝保湿霜限时八折，成分安全放心，姐妹们冲", "从艾克美换成格洛贝了，很好用，放心",
        "格洛贝官方：我们的面霜全部通过第三方检测，放心用", "格洛贝趁热打折，买了两瓶，开心"),
    ("zh", "piggyback", "negative"): ("格洛贝借艾克美的事营销，吃相难看", "换成格洛贝也过敏了，无语"),
    ("zh", "industry", "neutral"): ("冬天用什么保湿霜比较好？", "护肤品的成分表怎么看", "敏感肌面霜推荐求问"),
    ("en", "brand", "neutral"): (
        "Does Acme ship to Hong Kong?", "Just ordered the Acme moisturiser, let's see how long it takes",
        "Acme's sale starts at midnight apparently", "Anyone know Acme's return window for skincare?"),
    ("en", "brand", "positive"): (
        "Acme delivered a day early, love it", "The Acme moisturiser is great for dry skin, five stars",
        "Acme support sorted my issue quickly, thanks!"),
    ("en", "brand", "negative"): ("Acme's delivery is late again, ugh", "Acme support kept me waiting for an hour"),
    ("en", "crisis", "negative"): (
        "Acme's moisturiser from batch 2411-B burned my skin. Avoid.", "Acme is ignoring everyone who got hurt. Shameful.",
        "Refund denied by Acme after their cream gave me a rash. Unacceptable.",
        "Never buying from Acme again, this is dangerous", "Acme deleted my review about the burns. Disgusting."),
    ("en", "crisis", "neutral"): (
        "Acme says it is investigating reports about batch 2411-B", "Is the Acme recall only for batch 2411-B?",
        "The video about Acme's cream has 2 million views"),
    ("en", "recovery", "positive"): (
        "Acme refunded me within an hour, well handled", "Credit where it's due, Acme published the lab report. Transparent."),
    ("en", "competitor", "neutral"): ("Globex or Acme for sensitive skin?", "Globex has a new skincare set out"),
    ("en", "competitor", "positive"): ("Globex moisturiser works great for me",),
    ("en", "piggyback", "positive"): (
        "Switched to Globex after the Acme mess and loving it", "Globex: 20% off moisturisers this week, all lab tested. Great deal!"),
    ("en", "piggyback", "negative"): ("Globex using the Acme scandal to sell cream is tacky",),
    ("en", "industry", "neutral"): ("What's a good moisturizer for winter?", "Skincare routine tips for dry skin?"),
}


def _hour_weights(i: int, at: datetime) -> dict[str, float]:
    """Expected posts of each kind in hour ``i``."""
    daily = 1 + 0.4 * math.sin((at.hour - 9) / 24 * 2 * math.pi)
    weights = {"brand": 22 * daily, "competitor": 6 * daily, "industry": 8 * daily,
               "crisis": 0.0, "piggyback": 0.0, "recovery": 0.0}
    since = i - ORIGIN_AT
    if since >= 1:
        rise = min(1.0, since / 3)
        decay = 0.5 ** (max(0, since - 3) / 5)
        weights["crisis"] = 260 * rise * decay
        weights["brand"] *= 0.6
    if 3 <= since <= 12:
        weights["piggyback"] = 24 * (1 - abs(since - 6) / 8)
    if since >= 8:
        weights["recovery"] = 6 * 0.5 ** ((since - 8) / 8)
    return weights


def _sentiment(kind: str, rng: random.Random) -> str:
    if kind == "crisis":
        return "negative" if rng.random() < 0.78 else "neutral"
    if kind == "piggyback":
        return "positive" if rng.random() < 0.8 else "negative"
    if kind == "recovery":
        return "positive"
    if kind == "industry":
        return "neutral"
    roll = rng.random()
    return "negative" if roll < 0.1 else "positive" if roll < 0.4 else "neutral"


def sample_posts(*, end: datetime, seed: int = 21) -> list[dict[str, Any]]:
    """The stream as post records (``records.py`` fields), oldest first."""
    rng = random.Random(seed)
    end = end.astimezone(UTC).replace(microsecond=0)
    start = end - timedelta(hours=HOURS)  # hour i is [start + i h, start + (i + 1) h)
    posts: list[dict[str, Any]] = []
    serial = iter(range(1, 10**7))

    def add(kind: str, sentiment: str, at: datetime, *, lang: str | None = None,
            followers: int | None = None, repost_of: str | None = None, text: str | None = None,
            author: str | None = None, platform: str | None = None) -> dict[str, Any]:
        lang = lang or ("zh" if rng.random() < 0.6 else "en")
        key = (lang, "competitor" if kind == "competitor" else kind, sentiment)
        pool = TEXTS.get(key) or TEXTS[(lang, kind if kind != "crisis" else "crisis", "neutral")]
        platform = platform or rng.choice(_ZH_PLATFORMS if lang == "zh" else _EN_PLATFORMS)
        number = next(serial)
        followers = followers if followers is not None else int(rng.lognormvariate(6.2, 1.6))
        engaged = max(0, int(rng.expovariate(1 / max(1.0, followers ** 0.5 / 6))))
        record = {
            "id": f"s{number}", "platform": platform, "text": text or rng.choice(pool),
            "posted_at": at.isoformat().replace("+00:00", "Z"),
            "author": author or f"user{rng.randrange(1, 60_000)}", "followers": followers,
            "reposts": engaged // 4, "comments": engaged // 3, "likes": engaged,
            "url": f"https://{platform}.example/p/s{number}",
            **({"lang": lang} if rng.random() < 0.5 else {}),  # half leave it to detection
            **({"repost_of": repost_of} if repost_of else {}),
        }
        posts.append(record)
        return record

    origin = kol = None
    for i in range(HOURS):
        at = start + timedelta(hours=i)
        if i == ORIGIN_AT:
            origin = add("crisis", "negative", at + timedelta(minutes=12), lang="zh", followers=3_200,
                         platform="weibo", author="小鹿爱护肤",
                         text="用了艾克美保湿霜2411-B批次三天，脸又红又肿还脱皮，图在这里，大家千万别买，避雷！")
            origin["reposts"], origin["comments"], origin["likes"] = 8_400, 5_100, 21_000
        if i == ORIGIN_AT + 1 and origin is not None:
            kol = add("crisis", "negative", at + timedelta(minutes=5), lang="zh", followers=KOL_FOLLOWERS,
                      platform="weibo", author="美妆博主Lily", repost_of=origin["id"],
                      text="转发：艾克美这个批次的面霜问题太严重了，烂脸的姐妹请留言，艾克美必须给个说法")
            kol["reposts"], kol["comments"], kol["likes"] = 36_000, 12_000, 150_000
        for kind, weight in _hour_weights(i, at).items():
            for _ in range(_poisson(rng, weight)):
                when = at + timedelta(seconds=rng.randrange(3600))
                sentiment = _sentiment(kind, rng)
                parent = None
                if kind == "crisis" and origin is not None and rng.random() < 0.35:
                    candidates = [origin] + ([kol] if kol else [])
                    pick = rng.choice(candidates + [p for p in posts[-40:] if p.get("repost_of")][:3])
                    if pick["posted_at"] < when.isoformat().replace("+00:00", "Z"):
                        parent = pick["id"]
                add(kind, sentiment, when, repost_of=parent,
                    platform="weibo" if parent else None, lang="zh" if parent else None)
    posts.sort(key=lambda p: p["posted_at"])
    return posts


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def write_posts(path: Path, *, end: datetime, seed: int = 21) -> Path:
    posts = sample_posts(end=end, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        fields = ["id", "platform", "text", "posted_at", "author", "lang", "url", "followers",
                  "reposts", "comments", "likes", "repost_of"]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(posts)
    else:
        path.write_text(json.dumps({"posts": posts}, ensure_ascii=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=Path("samples/posts.json"))
    parser.add_argument("--end", help="when the stream ends, ISO-8601 (default: now)")
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args(argv)
    end = datetime.fromisoformat(args.end) if args.end else datetime.now(UTC)
    path = write_posts(args.output, end=end, seed=args.seed)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
