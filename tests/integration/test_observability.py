"""What operators see: /metrics figures and request ids, read over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{") and line.split(" ")[0] == name:
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def test_open_incidents_are_counted_by_severity(world):
    world.declare("Checkout failing", "sev:S type:service_logistics")
    world.declare("Rumour about recalled kettles", "sev:A type:brand_reputation")
    world.declare("Courier strike", "sev:A type:service_logistics")
    world.cmd("resolve courier back", channel=world.channel(3))
    text = httpx.get(world.server.url + "/metrics").text
    assert _metric(text, 'crisisbot_incidents_open{severity="S"}') == 1
    assert _metric(text, 'crisisbot_incidents_open{severity="A"}') == 1


def test_outbox_age_and_slack_errors_by_method_show_an_outage(world, clock):
    world.declare()
    world.emulator.fail_for(3600, status=503)
    world.cmd("note during the outage")
    clock.advance(minutes=5)
    text = httpx.get(world.server.url + "/metrics").text
    assert _metric(text, "crisisbot_outbox_oldest_age_seconds") == pytest.approx(300)
    assert _metric(
        text, 'crisisbot_slack_api_errors_total{error="service_unavailable",method="chat.update"}'
    ) >= 1
    world.emulator.clear_faults()
    clock.advance(minutes=10)
    world.bot.gateway.drain()
    text = httpx.get(world.server.url + "/metrics").text
    assert _metric(text, "crisisbot_outbox_oldest_age_seconds") == 0
    assert _metric(text, "crisisbot_outbox_pending") == 0


def test_responses_carry_a_request_id(world):
    first = httpx.get(world.server.url + "/healthz")
    second = httpx.get(world.server.url + "/healthz")
    assert len(first.headers["x-request-id"]) == 16
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_alerts_are_counted_by_action_and_reminder_lag_is_measured(tmp_path, clock):
    from tests.integration.monitor_helpers import SECRET, generic, post

    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET)
    try:
        assert post(w.server.url, "generic", generic("fp-1")).json()["action"] == "opened"
        assert post(w.server.url, "generic", generic("fp-1")).json()["action"] == "deduplicated"
        clock.advance(hours=3)              # the team-assembly deadline has passed
        assert w.bot.ticker.tick() >= 1
        text = httpx.get(w.server.url + "/metrics").text
    finally:
        w.close()
    assert _metric(text, 'crisisbot_alerts_total{action="opened"}') == 1
    assert _metric(text, 'crisisbot_alerts_total{action="deduplicated"}') == 1
    assert _metric(text, "crisisbot_reminder_lag_seconds_count") >= 1
    assert _metric(text, "crisisbot_reminder_lag_seconds_sum") > 0


def test_a_short_monitor_secret_is_refused_at_start_up(tmp_path):
    from bot.bootstrap import build_bot
    from bot.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}", slack_bot_token="xoxb-t",
                        slack_signing_secret="signing-secret", monitor_secret="short")
    with pytest.raises(SystemExit, match="at least 16 characters"):
        build_bot(settings)
