"""The Grafana corpus (tests/fixtures/grafana/CORPUS.json): every real body, posted over HTTP
to the running bot, gets the outcome noted next to its source; what the parser reads from it
(monitor, value, main link, links, group) is checked too."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from bot.adapters.monitors.webhooks import TestNotification, parse_grafana
from tests.conftest import T0
from tests.integration.monitor_helpers import SECRET, counts, post
from tests.integration.slack_world import make_world

CORPUS_DIR = Path(__file__).parent.parent / "fixtures" / "grafana"
CORPUS = json.loads((CORPUS_DIR / "CORPUS.json").read_text(encoding="utf-8"))


def body(name: str) -> dict:
    return json.loads((CORPUS_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET)
    yield w
    w.close()


def test_every_corpus_entry_names_its_source_and_outcome():
    assert set(CORPUS) == {p.name for p in CORPUS_DIR.glob("*.json")} - {"CORPUS.json"}
    for name, entry in CORPUS.items():
        assert entry["source"] and entry["grafana"] and entry["expected"]["status"] in (202, 400), name
    versions = " ".join(e["grafana"] for e in CORPUS.values())
    assert all(v in versions for v in ("9", "10", "11", "legacy"))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_body_is_read_as_noted(name):
    expected = CORPUS[name]["expected"]
    if expected["status"] == 400 or expected.get("test"):
        return  # checked over HTTP below
    alerts = parse_grafana(body(name), now=T0)
    firing = [a for a in alerts if a.firing]
    if "monitor" in expected:
        assert firing[0].monitor == expected["monitor"]
    if "value" in expected:
        assert firing[0].value == pytest.approx(expected["value"])
    if "url" in expected:
        assert firing[0].url == expected["url"]
    if "links" in expected:
        assert [label for label, _ in firing[0].links] == expected["links"]
    if "group" in expected:
        assert firing[0].group == expected["group"]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_body_over_http_gets_its_outcome(world, name):
    expected = CORPUS[name]["expected"]
    before = counts(world.bot.core.engine)
    response = post(world.server.url, "grafana", body(name))
    assert response.status_code == expected["status"], response.text
    world.bot.gateway.drain()
    if expected["status"] == 400:
        assert expected["error"] in response.json()["error"]
        assert "switch" in response.json()["error"] and "/monitors/grafana" in response.json()["error"]
        assert counts(world.bot.core.engine) == before
    elif expected.get("test"):
        assert response.json() == {"incident": None, "action": "test"}
        assert world.bot.core.incidents.list() == []
        assert counts(world.bot.core.engine)["alerts"] == 0
        announce = next(c for c in world.emulator.channels() if c["name"] == "crisis-announce")
        texts = [m["text"] for m in world.emulator.messages(announce["id"])]
        assert texts == [("✅ Grafana contact point works: crisisbot received its test notification "
                          "(nothing was opened).")]
    else:
        assert [e["action"] for e in response.json()] == expected["actions"]
        opened = expected["actions"].count("opened")
        assert len(world.bot.core.incidents.list()) == opened


def test_the_test_notification_is_recognised_by_the_parser():
    with pytest.raises(TestNotification):
        parse_grafana(body("g9_test_notification.json"), now=T0)


def test_two_no_data_rules_open_two_incidents_with_their_rule_names(world):
    first = body("g11_nodata.json")
    second = body("g11_nodata.json")
    second["alerts"][0]["labels"]["rulename"] = "nightly build is broken"
    second["alerts"][0]["fingerprint"] = "0123456789abcdef"
    assert [e["action"] for e in post(world.server.url, "grafana", first).json()] == ["opened"]
    assert [e["action"] for e in post(world.server.url, "grafana", second).json()] == ["opened"]
    world.bot.gateway.drain()
    assert len(world.bot.core.incidents.list()) == 2
    card = json.dumps(world.messages(1)[0]["blocks"])
    assert "rulename=viable/strict is broken" in card


def grafana_headers(raw: bytes, *, timestamp: str = "") -> dict[str, str]:
    message = f"{timestamp}:".encode() + raw if timestamp else raw
    headers = {"X-Grafana-Alerting-Signature": hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()}
    if timestamp:
        headers["X-Grafana-Alerting-Timestamp"] = timestamp
    return headers


def test_grafana_hmac_bare_hex_is_accepted_and_a_wrong_one_refused(world):
    raw = json.dumps(body("g11_values.json")).encode()
    ok = post(world.server.url, "grafana", None, raw=raw, secret=None, headers=grafana_headers(raw))
    assert ok.status_code == 202, ok.text
    tampered = post(world.server.url, "grafana", None, raw=raw + b" ", secret=None,
                    headers=grafana_headers(raw))
    assert tampered.status_code == 401


def test_grafana_hmac_with_a_timestamp_header_checks_the_signed_time(tmp_path, clock):
    world = make_world(tmp_path, clock=clock, monitor_secret=SECRET, site_extra={"monitors": {
        "grafana_hmac": {"header": "X-Grafana-Alerting-Signature",
                         "timestamp_header": "X-Grafana-Alerting-Timestamp", "max_skew": "5m"}}})
    try:
        raw = json.dumps(body("g11_values.json")).encode()
        now = str(int(clock().timestamp()))
        stale = str(int(clock().timestamp()) - 3600)
        assert post(world.server.url, "grafana", None, raw=raw, secret=None,
                    headers=grafana_headers(raw, timestamp=stale)).status_code == 401
        assert post(world.server.url, "grafana", None, raw=raw, secret=None,
                    headers=grafana_headers(raw)).status_code == 401  # timestamp required now
        assert post(world.server.url, "grafana", None, raw=raw, secret=None,
                    headers=grafana_headers(raw, timestamp=now)).status_code == 202
    finally:
        world.close()


def test_an_invalid_signature_never_overrides_a_valid_bearer(world):
    raw = json.dumps(body("g11_values.json")).encode()
    response = post(world.server.url, "grafana", None, raw=raw, headers={
        "X-Grafana-Alerting-Signature": "0" * 64, "x-crisisbot-signature": "sha256=bad"})
    assert response.status_code == 202, response.text
