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


def test_a_polled_export_that_never_ends_is_refused_without_buffering_it(engine, clock, tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bot.adapters.listening.config import parse_listening
    from bot.adapters.listening.poller import MAX_EXPORT_BYTES, PostSourcePoller
    from tests.integration.test_listening_sources import CONFIG, service_for

    sent = []

    class Endless(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(b'{"posts": [')
                for _ in range(3 * MAX_EXPORT_BYTES // 65536):
                    self.wfile.write(b" " * 65536)
                    sent.append(65536)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    big = tmp_path / "huge.csv"
    with big.open("wb") as stream:
        stream.truncate(MAX_EXPORT_BYTES + 1)  # sparse: costs no disk
    try:
        config = parse_listening(CONFIG | {"sources": [
            {"name": "endless", "url": f"http://127.0.0.1:{server.server_port}/export"},
            {"name": "huge", "path": str(big)}]})
        service = service_for(engine, clock)
        poller = PostSourcePoller(sources=config.sources, service=lambda: service, clock=clock)
        endless, huge = poller.run_due()
        assert endless.stored == 0 and "larger than" in (endless.error or "")
        assert huge.stored == 0 and "larger than" in (huge.error or "")
        assert sum(sent) < 2 * MAX_EXPORT_BYTES
    finally:
        server.shutdown()
        server.server_close()
