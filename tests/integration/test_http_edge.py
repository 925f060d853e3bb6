"""The HTTP edge, over real HTTP: bodies bounded before parsing, signatures checked on the raw
bytes, bad headers and deep JSON refused with 4xx, /healthz answering during a big upload,
replays of a signed request having one effect, and /metrics behind its bearer token."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlencode

import httpx
import pytest

from bot.sandbox.driver import sign
from tests.integration.slack_world import make_world

MIB = 1024 * 1024


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, settings_extra={"metrics_token": "metrics-token-123"})
    yield w
    w.close()


def notes(world) -> list[str]:
    return [e.text for e in world.bot.core.incidents.timeline(1) if e.name == "note.added"]


def post(world, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(world.server.url + "/slack/events", content=body, timeout=30,
                      headers={"content-type": "application/x-www-form-urlencoded", **headers})


def command_body(world, text: str) -> bytes:
    channel = world.channel()
    return urlencode({
        "team_id": "T0EMU", "channel_id": channel, "user_id": "ULEAD", "command": "/crisis",
        "text": text, "response_url": world.emulator.new_response_url(channel=channel, user="ULEAD"),
        "trigger_id": world.emulator.new_trigger_id(),
    }).encode()


def signed(world, body: bytes, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    return {"x-slack-request-timestamp": ts, "x-slack-signature": sign(world.driver.secret, ts, body)}


@pytest.mark.parametrize("headers", [
    {},
    {"x-slack-request-timestamp": "now", "x-slack-signature": "v0=" + "0" * 64},
    {"x-slack-request-timestamp": "9" * 40, "x-slack-signature": "v0=" + "0" * 64},
    {"x-slack-request-timestamp": "-5", "x-slack-signature": "v0=" + "0" * 64},
    {"x-slack-request-timestamp": "1700000000", "x-slack-signature": "v0=" + "0" * 64},
    {"x-slack-request-timestamp": "{ts}", "x-slack-signature": "v0=zz"},
    {"x-slack-request-timestamp": "{ts}", "x-slack-signature": "sha256=abc"},
    {"x-slack-request-timestamp": "{ts}", "x-slack-signature": "v0=" + "0" * 64},
], ids=["missing", "word", "huge", "negative", "stale", "short-hex", "wrong-scheme", "wrong-hmac"])
def test_malformed_or_wrong_signature_headers_get_401_and_change_nothing(world, headers):
    world.declare()
    before = notes(world)
    headers = {k: v.replace("{ts}", str(int(time.time()))) for k, v in headers.items()}
    response = post(world, command_body(world, "note should never land"), headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"].strip()
    world.bot.gateway.drain()
    assert notes(world) == before


def test_body_declared_over_the_limit_is_refused_before_it_is_read(world):
    body = b"x" * (MIB + 1)
    response = post(world, body, signed(world, body))
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]


def test_streamed_body_over_the_limit_is_refused_without_reading_the_rest(world):
    ts = str(int(time.time()))
    headers = {"x-slack-request-timestamp": ts, "x-slack-signature": "v0=" + "a" * 64}
    sent = []
    total = 200 * MIB

    def upload():  # chunked: no Content-Length, so only counting while streaming can stop it
        for _ in range(total // (64 * 1024)):
            sent.append(64 * 1024)
            yield b"x" * (64 * 1024)

    try:
        response = httpx.post(world.server.url + "/slack/events", content=upload(),
                              headers=headers, timeout=60)
        assert response.status_code == 413
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass  # the server closed the connection on the refusal while we were still writing
    assert sum(sent) < total


def test_healthz_answers_while_an_upload_is_in_progress(world):
    ts = str(int(time.time()))
    headers = {"x-slack-request-timestamp": ts, "x-slack-signature": "v0=" + "b" * 64}
    halfway, go_on = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def upload():
        for index in range(64):
            if index == 8:
                halfway.set()
                assert go_on.wait(60)
            yield b"y" * (64 * 1024)

    def run():
        try:
            outcome["status"] = httpx.post(world.server.url + "/slack/events", content=upload(),
                                           headers=headers, timeout=60).status_code
        except httpx.HTTPError as exc:
            outcome["status"] = type(exc).__name__

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert halfway.wait(60)
        health = httpx.get(world.server.url + "/healthz", timeout=30)
        assert health.status_code == 200 and health.json()["status"] == "ok"
    finally:
        go_on.set()
        thread.join(60)
    assert outcome["status"] in (413, "WriteError", "RemoteProtocolError", "ReadError")


def test_deeply_nested_json_event_gets_400(world):
    body = b'{"type": "event_callback", "event": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = post(world, body, {**signed(world, body), "content-type": "application/json"})
    assert response.status_code == 400
    assert "nested" in response.json()["error"]


def test_deeply_nested_interaction_payload_gets_400(world):
    payload = '{"type": "block_actions", "actions": ' + "[" * 5000 + "]" * 5000 + "}"
    body = urlencode({"payload": payload}).encode()
    response = post(world, body, signed(world, body))
    assert response.status_code == 400


def test_brackets_in_command_text_are_not_json(world):
    world.declare()
    text = "note " + "[" * 100 + " odd paste " + "]" * 100
    reply = world.cmd(text)
    assert ":white_check_mark:" in reply["text"]
    assert notes(world)[-1] == text.removeprefix("note ")


def test_a_replayed_signed_command_has_one_effect(world):
    world.declare()
    body = command_body(world, "fact Courier API answers 500")
    headers = signed(world, body)
    before = len(world.emulator.response_url_posts())
    for _ in range(3):
        assert post(world, body, headers).status_code == 200
    assert world.emulator.wait_for(lambda: len(world.emulator.response_url_posts()) >= before + 3)
    facts = [e for e in world.bot.core.incidents.timeline(1) if e.name == "fact.added"]
    assert [f.text for f in facts] == ["Courier API answers 500"]


def test_the_same_text_sent_twice_as_two_requests_counts_twice(world):
    world.declare()
    world.cmd("note deploy rolled back")
    world.cmd("note deploy rolled back")
    assert notes(world)[-2:] == ["deploy rolled back", "deploy rolled back"]


def test_metrics_need_the_bearer_token_when_one_is_set(world):
    url = world.server.url + "/metrics"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}).status_code == 401
    answer = httpx.get(url, headers={"authorization": "Bearer metrics-token-123"})
    assert answer.status_code == 200 and "crisisbot_outbox_pending" in answer.text


def test_the_metrics_token_never_reaches_the_settings_repr():
    from bot.settings import Settings

    settings = Settings.from_env({"CRISISBOT_METRICS_TOKEN": "tok-secret-1"}, dotenv=None)
    assert settings.metrics_token == "tok-secret-1"
    assert "tok-secret-1" not in repr(settings)
    assert "tok-secret-1" in settings.secret_values()


def test_json_depth_scanner_ignores_brackets_in_strings():
    from bot.edge import json_too_deep

    assert not json_too_deep(json.dumps({"text": "[" * 500}))
    assert json_too_deep("[" * 65 + "]" * 65)
    assert not json_too_deep("[" * 64 + "]" * 64)
