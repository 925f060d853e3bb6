"""Hostile batches on ``POST /monitors/posts`` (both engines): NUL bytes, lone surrogates,
duplicate ids in one batch, repost cycles and huge reach never answer 500; the good posts stay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.db.listening import SqlPostStore
from tests.conftest import T0
from tests.integration.listening_helpers import listening_config, raw_post, send_posts
from tests.integration.monitor_helpers import SECRET
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock, db_url):
    w = make_world(tmp_path, clock=clock, database_url=db_url, monitor_secret=SECRET,
                   extra_config=listening_config())
    yield w
    w.close()


def stored(world):
    return {p.key: p for p in SqlPostStore(world.bot.core.engine).posts(since=T0 - timedelta(days=30))}


def test_nul_bytes_in_ids_urls_and_reposts_are_refused_per_record_and_the_rest_kept(world):
    body = [
        raw_post("Acme ok", at=T0, id="good"),
        raw_post("Acme nul id", at=T0, id="a\x00b"),
        raw_post("Acme nul url", at=T0, id="u1", url="https://x.example/\x00"),
        raw_post("Acme nul repost", at=T0, id="r1", repost_of="x\x00"),
        raw_post("Acme nul text\x00 inside", at=T0, id="t1", author="ev\x00il"),
    ]
    response = send_posts(world.server.url, body, sign=True)
    assert response.status_code == 202, response.text
    rejected = {r["index"] for r in response.json()["rejected"]}
    assert rejected == {1, 2, 3}
    posts = stored(world)
    assert set(posts) == {"weibo:good", "weibo:t1"}
    assert posts["weibo:t1"].text == "Acme nul text inside" and posts["weibo:t1"].author == "evil"


def test_lone_surrogates_are_refused_per_record(world):
    body = ('[{"id": "s1", "platform": "weibo", "text": "Acme \\ud800 broken", "author": "a",'
            ' "posted_at": "2026-11-30T08:00:00Z"},'
            ' {"id": "s2", "platform": "weibo", "text": "Acme fine \\ud83d\\ude00", "author": "a",'
            ' "posted_at": "2026-11-30T08:00:00Z"},'
            ' {"id": "\\udfff", "\\ud800": 1}]')
    response = send_posts(world.server.url, None, raw=body.encode(), sign=True)
    assert response.status_code == 202, response.text
    rejected = response.json()["rejected"]
    assert [r["index"] for r in rejected] == [0, 2]
    assert rejected[1]["id"] == "\\udfff" and "unknown field(s) \\ud800" in rejected[1]["error"]
    assert set(stored(world)) == {"weibo:s2"}


def test_the_same_post_twice_in_one_batch_is_stored_once_with_the_last_figures(world):
    body = [raw_post("Acme dup", at=T0, id="d1", likes=1),
            raw_post("Acme dup", at=T0, id=" d1 ", likes=7),
            raw_post("Acme dup", at=T0, id="d1", platform="WEIBO", likes=9)]
    response = send_posts(world.server.url, body, sign=True)
    assert response.status_code == 202, response.text
    posts = stored(world)
    assert set(posts) == {"weibo:d1"} and posts["weibo:d1"].likes == 9


def test_repost_cycles_and_huge_reach_do_not_break_the_batch_or_the_spread(world):
    huge = 10**12
    body = [raw_post("Acme cycle a", at=T0, id="c1", repost_of="c2", followers=huge, likes=huge,
                     reposts=huge, comments=huge),
            raw_post("Acme cycle b", at=T0, id="c2", repost_of="c1", followers=huge),
            raw_post("Acme self", at=T0, id="c3", repost_of="c3")]
    response = send_posts(world.server.url, body, sign=True)
    assert response.status_code == 202, response.text
    assert set(stored(world)) == {"weibo:c1", "weibo:c2", "weibo:c3"}
