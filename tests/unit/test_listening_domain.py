"""The pure listening core: reach, language by script, cascades, half-life, phases."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from bot.domain.listening import (
    Post,
    cascades,
    detect_language,
    half_life,
    kols,
    origin,
    phases,
    reach,
    top_by_reach,
)

T = datetime(2026, 11, 20, 9, tzinfo=UTC)


def p(key: str, *, followers: int = 10, repost_of: str | None = None, minutes: int = 0,
      sentiment: str = "negative", classes=frozenset({"brand"}), author: str | None = None,
      likes: int = 0) -> Post:
    return Post(key=key, platform="weibo", text="x", author=author or key, followers=followers,
                posted_at=T + timedelta(minutes=minutes), repost_of=repost_of,
                sentiment=sentiment, classes=frozenset(classes), likes=likes)


def test_reach_is_followers_times_one_plus_engagement():
    assert reach(p("a", followers=1000, likes=9)) == 10_000
    assert reach(p("b", followers=500)) == 500  # an unengaged post still reaches its followers


def test_language_is_detected_by_script():
    assert detect_language("用了艾克美的面霜第二天就烂脸了") == "zh"
    assert detect_language("艾克美 Acme #AcmeFail 爛臉") == "zh"
    assert detect_language("Acme's cream burned my skin") == "en"
    assert detect_language("12345 !!!") == "und"


def test_cascades_give_size_depth_and_kols_largest_first():
    posts = [p("root"), p("kol", repost_of="root", followers=2_000_000, author="BigV"),
             p("c1", repost_of="kol"), p("c2", repost_of="c1"), p("other"),
             p("o1", repost_of="other"), p("orphan", repost_of="never-seen")]
    trees = cascades(posts, kol_followers=1_000_000)
    assert [(c.root.key, c.size, c.depth) for c in trees] == [
        ("root", 4, 3), ("other", 2, 1), ("orphan", 1, 0)]
    assert trees[0].kols == ("BigV",)


def test_cycles_in_repost_ids_do_not_loop():
    trees = cascades([p("a", repost_of="b"), p("b", repost_of="a")])
    assert sum(c.size for c in trees) <= 2


def test_the_origin_is_the_root_of_the_largest_negative_brand_cascade():
    posts = [p("happy", sentiment="positive"), p("h1", repost_of="happy"), p("h2", repost_of="happy"),
             p("h3", repost_of="happy"), p("angry", minutes=5), p("a1", repost_of="angry")]
    assert origin(posts).key == "angry"
    assert origin([p("x", minutes=9), p("y", minutes=1)]).key == "y"
    assert origin([p("z", classes=frozenset({"competitor"}))]) is None


def test_half_life_fits_the_decay_after_the_peak():
    counts = [5, 10, 400] + [round(400 * 0.5 ** (h / 5)) for h in range(1, 20)]
    assert abs(half_life(counts) - timedelta(hours=5)) < timedelta(minutes=15)
    assert half_life([1, 2, 3, 4]) is None  # still rising
    assert half_life([]) is None


def test_top_posts_and_kols():
    posts = [p("small", followers=10), p("big", followers=5_000_000, author="V"),
             p("big2", followers=5_000_000, author="V", likes=3)]
    assert [x.key for x in top_by_reach(posts, limit=2)] == ["big2", "big"]
    assert [x.key for x in kols(posts, min_followers=1_000_000)] == ["big2"]


def test_sentiment_phases_before_during_after():
    declared, resolved = T, T + timedelta(hours=10)
    posts = [p("b1", minutes=-60, sentiment="positive"), p("b2", minutes=-30, sentiment="neutral"),
             p("d1", minutes=60), p("d2", minutes=120),
             p("a1", minutes=11 * 60, sentiment="positive")]
    shift = phases(posts, declared=declared, resolved=resolved)
    assert shift.before.share("negative") == 0 and shift.during.share("negative") == 1
    assert shift.after.net == 1.0
    assert math.isclose(shift.before.net, 0.5)
