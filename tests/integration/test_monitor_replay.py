"""Monitor webhooks signed with HMAC cannot be replayed later: the signature covers
``<X-Crisisbot-Timestamp>.<body>`` and the timestamp must be within 5 minutes. A signature of
the bare body is refused unless the site config allows it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from bot.adapters.monitors.config import parse_monitors
from bot.domain.errors import InvalidInput
from tests.integration.monitor_helpers import SECRET, counts, generic, post
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET)
    yield w
    w.close()


def test_a_timestamped_signature_is_accepted(world):
    response = post(world.server.url, "generic", generic(), sign=True)
    assert response.status_code == 202, response.text
    assert response.json()["action"] == "opened"


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_a_signature_outside_the_5_minute_window_is_refused(world, age):
    before = counts(world.bot.core.engine)
    response = post(world.server.url, "generic", generic(), sign=True,
                    timestamp=str(int(time.time()) - age))
    assert response.status_code == 401
    assert "5 minutes" in response.json()["error"]
    assert counts(world.bot.core.engine) == before


@pytest.mark.parametrize("timestamp", ["yesterday", "1e9", "12 34", "9" * 30, "-1"])
def test_a_malformed_timestamp_is_refused(world, timestamp):
    body = b'{"monitor": "m", "fingerprint": "f", "status": "firing", "title": "t"}'
    response = post(world.server.url, "generic", None, raw=body, secret=None, headers={
        "x-crisisbot-timestamp": timestamp, "x-crisisbot-signature": "sha256=" + "0" * 64})
    assert response.status_code == 401


def test_a_signature_moved_to_another_timestamp_is_refused(world):
    body = json.dumps(generic()).encode()
    signed_at = str(int(time.time()) - 10)
    digest = hmac.new(SECRET.encode(), signed_at.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"x-crisisbot-signature": "sha256=" + digest}
    moved = post(world.server.url, "generic", None, raw=body, secret=None,
                 headers={**headers, "x-crisisbot-timestamp": str(int(signed_at) + 5)})
    assert moved.status_code == 401
    kept = post(world.server.url, "generic", None, raw=body, secret=None,
                headers={**headers, "x-crisisbot-timestamp": signed_at})
    assert kept.status_code == 202


def test_a_captured_firing_replayed_after_resolution_does_not_relink(world):
    captured = str(int(time.time()) - 600)  # signed ten minutes ago, replayed now
    assert post(world.server.url, "generic", generic(), sign=True).status_code == 202
    assert post(world.server.url, "generic", generic(status="resolved"), sign=True).status_code == 202
    before = counts(world.bot.core.engine)
    replay = post(world.server.url, "generic", generic(), sign=True, timestamp=captured)
    assert replay.status_code == 401
    assert counts(world.bot.core.engine) == before


def test_a_bare_body_signature_is_refused_by_default(world):
    before = counts(world.bot.core.engine)
    response = post(world.server.url, "generic", generic(), sign=True, timestamp="")
    assert response.status_code == 401
    assert counts(world.bot.core.engine) == before


def test_the_site_config_switch_lets_bare_body_signatures_in(tmp_path, clock):
    world = make_world(tmp_path, clock=clock, monitor_secret=SECRET,
                       site_extra={"monitors": {"allow_signatures_without_timestamp": True}})
    try:
        response = post(world.server.url, "generic", generic(), sign=True, timestamp="")
        assert response.status_code == 202, response.text
        stale = post(world.server.url, "generic", generic(), sign=True,
                     timestamp=str(int(time.time()) - 3600))
        assert stale.status_code == 401  # a timestamp, once sent, is still checked
    finally:
        world.close()


def test_the_switch_must_be_a_boolean():
    with pytest.raises(InvalidInput, match="allow_signatures_without_timestamp"):
        parse_monitors({"allow_signatures_without_timestamp": "yes"})
    assert parse_monitors({}).allow_signatures_without_timestamp is False


def test_deeply_nested_json_gets_400_not_500(world):
    body = b'{"monitor": "m", "labels": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = post(world.server.url, "generic", None, raw=body)
    assert response.status_code == 400
    assert "nested" in response.json()["error"]
