"""Slash-command answers posted to a response_url over real HTTP (bot/adapters/slack/answers.py):
UTF-8 JSON as Slack reads it, Slack's refusals returned as statuses, no redirect followed, and
a configured proxy honoured through the full httpx client."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from bot.adapters.slack.answers import ResponseUrlPoster
from bot.sandbox.emulator import SlackEmulator


@pytest.fixture
def emulator():
    with SlackEmulator() as emu:
        emu.add_user("ULEAD", name="lead")
        emu.add_channel("inc-1", members=["ULEAD", "UBOT"])
        yield emu


@pytest.fixture
def poster():
    made = ResponseUrlPoster()
    yield made
    made.close()


def test_an_answer_arrives_as_utf8_json_on_a_kept_alive_connection(emulator, poster):
    channel = emulator.channels()[0]["id"]
    urls = [emulator.new_response_url(channel=channel, user="ULEAD") for _ in range(3)]
    for n, url in enumerate(urls):
        assert poster.post(url, {"text": f"已记录 #{n} — *ok*", "response_type": "ephemeral"}) == 200
    assert [p["payload"]["text"] for p in emulator.response_url_posts()] == [
        "已记录 #0 — *ok*", "已记录 #1 — *ok*", "已记录 #2 — *ok*"]
    assert poster.pool is not None and len(poster.pool.connections) == 1  # one connection, reused


def test_slack_refusing_an_answer_is_a_status_not_an_exception(emulator, poster):
    channel = emulator.channels()[0]["id"]
    url = emulator.new_response_url(channel=channel, user="ULEAD")
    statuses = [poster.post(url, {"text": f"answer {n}"}) for n in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 404  # Slack: five uses per response_url


class _Redirecting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.hits.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(302 if self.path == "/first" else 200)
        self.send_header("Location", "/second")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_a_redirect_is_returned_not_followed(poster):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status = poster.post(f"http://127.0.0.1:{server.server_address[1]}/first", {"text": "x"})
    finally:
        server.shutdown()
        server.server_close()
    assert status == 302 and _Redirecting.hits == ["/first"]


def test_a_proxy_in_the_environment_is_honoured_with_no_proxy(emulator, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")   # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    poster = ResponseUrlPoster()
    try:
        assert poster.client is not None and poster.pool is None
        channel = emulator.channels()[0]["id"]
        assert poster.post(emulator.new_response_url(channel=channel, user="ULEAD"),
                           {"text": "through the client"}) == 200
    finally:
        poster.close()
    monkeypatch.delenv("NO_PROXY")
    proxied = ResponseUrlPoster()
    try:
        with pytest.raises(Exception, match="onnect"):   # sent to the (dead) proxy
            proxied.post(emulator.new_response_url(channel=channel, user="ULEAD"), {"text": "x"})
    finally:
        proxied.close()


def test_an_answer_batch_marks_its_answered_commands_done_once_when_the_last_job_ends():
    from bot.adapters.slack.answers import AnswerBatch

    writes: list[list[str]] = []
    batch = AnswerBatch(3, writes.append)
    batch.ended("k1")
    batch.ended(None)             # not posted: stays pending for the sweeper
    assert writes == []
    batch.ended("k3")
    assert writes == [["k1", "k3"]]


def test_an_answer_batch_with_nothing_posted_writes_nothing():
    from bot.adapters.slack.answers import AnswerBatch

    writes: list[list[str]] = []
    batch = AnswerBatch(2, writes.append)
    batch.ended(None)
    batch.ended(None)
    assert writes == []


def test_a_stopped_emulator_closes_kept_alive_connections_so_answers_reach_its_successor(poster):
    def emulator_on(port: int) -> SlackEmulator:
        emu = SlackEmulator(port=port).start()
        emu.add_user("ULEAD", name="lead")
        emu.add_channel("inc-1", members=["ULEAD", "UBOT"])
        return emu

    first = emulator_on(0)
    port = int(first.api_url.rsplit(":", 1)[1].split("/")[0])
    channel = first.channels()[0]["id"]
    assert poster.post(first.new_response_url(channel=channel, user="ULEAD"), {"text": "one"}) == 200
    first.stop()
    second = emulator_on(port)                 # the same port, as a restarted Slack stand-in
    try:
        channel = second.channels()[0]["id"]
        url = second.new_response_url(channel=channel, user="ULEAD")
        assert poster.post(url, {"text": "two"}) == 200
    finally:
        second.stop()
    assert [p["payload"]["text"] for p in second.response_url_posts()] == ["two"]
    assert [p["payload"]["text"] for p in first.response_url_posts()] == ["one"]
