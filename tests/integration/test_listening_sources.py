"""Polled post exports: a CSV file and a JSON export at a URL (httpx.MockTransport), read on
their interval, bad rows named by file:line and skipped, the rest classified and stored."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx

from bot.adapters.db.alerts import SqlSampleStore
from bot.adapters.db.listening import SqlPostStore
from bot.adapters.listening.classify import PostClassifier
from bot.adapters.listening.config import parse_listening
from bot.adapters.listening.poller import PostSourcePoller
from bot.adapters.listening.series import PostRules
from bot.services.listening import ListeningService
from tests.conftest import T0
from tests.integration.listening_helpers import KEYWORDS, raw_post

CONFIG = {"keywords": KEYWORDS}


def service_for(engine, clock) -> ListeningService:
    config = parse_listening(CONFIG)
    store = SqlPostStore(engine)
    return ListeningService(classifier=PostClassifier(keywords=config.keywords), store=store,
                            rules=PostRules(rules=(), posts=store.posts, samples=SqlSampleStore(engine)),
                            alerts=lambda alerts: [], clock=clock)


def test_a_csv_export_is_read_on_its_interval_and_bad_rows_are_named(engine, clock, tmp_path):
    export = tmp_path / "weibo.csv"
    rows = [raw_post("艾克美的面霜烂脸了，避雷", at=T0, id="c1"),
            raw_post("Acme shipped early, love it", at=T0, id="c2") | {"posted_at": "soon"},
            raw_post("Globex 打折了", at=T0, id="c3")]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    export.write_text(buffer.getvalue(), encoding="utf-8")
    config = parse_listening(CONFIG | {"sources": [{"name": "weibo", "path": str(export),
                                                     "interval": "10m"}]})
    service = service_for(engine, clock)
    poller = PostSourcePoller(sources=config.sources, service=lambda: service, clock=clock)
    (result,) = poller.run_due()
    assert result.stored == 2
    assert [r.error for r in result.rejected] == [
        f"{export}:3.posted_at: 'soon' is not an ISO-8601 time"]
    stored = {p.key: p for p in SqlPostStore(engine).posts(since=T0 - timedelta(days=1))}
    assert stored["weibo:c1"].sentiment == "negative" and stored["weibo:c1"].classes == {"brand", "industry"}
    assert stored["weibo:c3"].classes == {"competitor"}
    assert poller.run_due() == []  # not due yet
    clock.advance(minutes=10)
    assert [r.stored for r in poller.run_due()] == [2]  # read again: same posts, updated


def test_a_json_export_at_a_url_and_an_unreachable_one(engine, clock):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/down":
            return httpx.Response(503)
        return httpx.Response(200, json={"posts": [raw_post("Acme refund came fast, thanks", at=T0, id="j1")]})

    config = parse_listening(CONFIG | {"sources": [
        {"name": "tool", "url": "https://listening.example/export"},
        {"name": "down", "url": "https://listening.example/down"}]})
    service = service_for(engine, clock)
    poller = PostSourcePoller(sources=config.sources, service=lambda: service, clock=clock,
                              client=httpx.Client(transport=httpx.MockTransport(handler)))
    ok, down = poller.run_due()
    assert ok.stored == 1 and ok.error is None
    assert down.error == "https://listening.example/down: HTTP 503" and down.stored == 0
    (post,) = SqlPostStore(engine).posts(since=T0 - timedelta(days=1))
    assert post.sentiment == "positive" and post.lang == "en"
