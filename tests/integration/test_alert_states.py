"""The per-fingerprint alert state machine over real HTTP (README "Alert states"): repeats by
``startsAt`` after a person resolved the incident, order inside a batch, long names,
Alertmanager grouping, ``truncatedAlerts``, cards that tell instances apart, custom mappings."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.db.monitor_models import AlertRow
from tests.integration.monitor_helpers import SECRET, generic, post
from tests.integration.slack_world import make_world

FIXTURES = Path(__file__).parent.parent / "fixtures" / "monitors"
SAMPLES = Path(__file__).parent.parent.parent / "samples"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET)
    yield w
    w.close()


def names(world, number: int = 1) -> list[str]:
    return [e.name for e in world.bot.core.incidents.timeline(number)]


def card_text(world, number: int = 1) -> str:
    return json.dumps(world.messages(number)[0]["blocks"], ensure_ascii=False)


def test_repeats_after_a_person_resolved_are_counted_quietly_even_hours_later(world, clock):
    firing = fixture("alertmanager_firing.json")
    assert [e["action"] for e in post(world.server.url, "alertmanager", firing).json()] == ["opened", "linked"]
    world.bot.gateway.drain()
    world.cmd("role commander <@ULEAD|lead>", user="UEXEC")
    world.cmd("resolve rolled back")
    notices = [t for t in world.texts() if "still firing after resolution" in t]
    assert notices == [next(t for t in notices)] and "2 signals still firing after resolution" in notices[0]
    messages = len(world.messages())
    for hours in (0.5, 1, 3):  # Alertmanager's repeat_interval re-sends, the same startsAt
        clock.advance(minutes=int(hours * 60))
        answer = post(world.server.url, "alertmanager", copy.deepcopy(firing)).json()
        assert answer == [{"incident": "INC-1", "action": "deduplicated"}] * 2
    world.bot.gateway.drain()
    assert len(world.bot.core.incidents.list()) == 1
    assert names(world).count("alert.fired") == 2
    assert len(world.messages()) == messages
    assert "Signals still firing after resolution" in card_text(world)
    # Alertmanager's resolve is recorded on the timeline, without a channel message.
    resolved = fixture("alertmanager_resolved.json")
    assert post(world.server.url, "alertmanager", resolved).json() == [
        {"incident": "INC-1", "action": "resolved"}]
    world.bot.gateway.drain()
    assert names(world).count("alert.resolved") == 1
    assert len(world.messages()) == messages


def test_a_new_starts_at_is_a_re_fire(world):
    firing = fixture("alertmanager_firing.json")
    post(world.server.url, "alertmanager", firing)
    world.bot.gateway.drain()
    world.cmd("role commander <@ULEAD|lead>", user="UEXEC")
    world.cmd("resolve rolled back")
    again = copy.deepcopy(firing)
    again["alerts"] = again["alerts"][:1]
    again["alerts"][0]["startsAt"] = "2026-11-20T11:00:00Z"
    assert post(world.server.url, "alertmanager", again).json() == [{"incident": "INC-1", "action": "linked"}]
    world.bot.gateway.drain()
    assert names(world).count("alert.fired") == 3
    assert sum("reopen_incident" in json.dumps(m.get("blocks", [])) for m in world.messages()) == 1


@pytest.mark.parametrize("order", [("resolved", "firing"), ("firing", "resolved")])
def test_order_inside_one_batch_is_kept_per_fingerprint(world, order):
    assert post(world.server.url, "generic", generic()).json()["action"] == "opened"
    batch = [generic(status=status) for status in order]
    answer = post(world.server.url, "generic", batch).json()
    assert [e["action"] for e in answer] == (
        ["resolved", "linked"] if order[0] == "resolved" else ["deduplicated", "resolved"])
    world.bot.gateway.drain()
    last = order[-1]
    with Session(world.bot.core.engine) as session:
        (row,) = session.scalars(select(AlertRow)).all()
    assert row.status == last
    assert bool(world.incident(1).firing) == (last == "firing")


def test_alert_names_up_to_255_characters_are_accepted_and_longer_ones_kept_distinct(world):
    payload = fixture("alertmanager_firing.json")
    payload["alerts"][0]["labels"]["alertname"] = "R" * 190
    payload["alerts"][1]["labels"]["alertname"] = "L" * 400
    response = post(world.server.url, "alertmanager", payload)
    assert response.status_code == 202, response.text
    world.bot.gateway.drain()
    firing = world.incident(1).firing
    monitors = sorted(e.monitor for e in firing.values())
    assert monitors[1] == "R" * 190 and monitors[0].startswith("L" * 200) and len(monitors[0]) == 255


def test_alertmanager_group_key_is_the_default_group(world):
    payload = fixture("alertmanager_firing.json")
    payload["alerts"][1]["labels"]["alertname"] = "CheckoutLatencyHigh"  # same notification group
    assert [e["action"] for e in post(world.server.url, "alertmanager", payload).json()] == ["opened", "linked"]
    other = fixture("alertmanager_firing.json")
    other["groupKey"] = '{}/{env="prod"}:{alertname="SearchDown"}'
    for alert in other["alerts"]:
        alert["fingerprint"] += "-search"
    assert [e["action"] for e in post(world.server.url, "alertmanager", other).json()] == ["opened", "linked"]
    assert len(world.bot.core.incidents.list()) == 2


def test_truncated_alerts_description_runbook_and_instances_reach_channel_and_card(world):
    payload = fixture("alertmanager_firing.json")
    payload["truncatedAlerts"] = 2
    post(world.server.url, "alertmanager", payload)
    world.bot.gateway.drain()
    texts = "\n".join(world.texts())
    assert "+2 alerts Alertmanager did not send" in texts
    description = payload["alerts"][0]["annotations"]["description"]
    assert f"\n> {description[:40]}" in texts
    card = card_text(world)
    assert "instance=checkout-7c9f8d6b5-x2k4q:8080" in card
    assert "instance=checkout-7c9f8d6b5-p9m2z:8080" in card
    assert "|runbook>" in card and "|source>" in card
    assert "value 7.3" in card
    assert "env=prod" not in card  # shared by the whole group: tells nothing apart


def sample_config(name: str) -> dict:
    return yaml.safe_load((SAMPLES / "crisisbot.custom-monitors.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("mapping", "body", "monitor"), [
    ("social-listening", "social_mention_spike.json", "social-listening"),
    ("cs-complaints", "cs_complaint_surge.json", "cs-complaint-surge"),
    ("shop-metrics", "ecommerce_refund_rate.json", "refund-rate"),
])
def test_custom_mappings_of_the_samples_open_incidents(tmp_path, clock, mapping, body, monitor):
    config = sample_config(mapping)
    world = make_world(tmp_path, clock=clock, monitor_secret=SECRET, site_extra=config)
    try:
        raw = (SAMPLES / "monitor-bodies" / body).read_bytes()
        response = post(world.server.url, f"custom/{mapping}", None, raw=raw)
        assert response.status_code == 202, response.text
        answer = response.json()
        entries = answer if isinstance(answer, list) else [answer]
        assert entries[0] == {"incident": "INC-1", "action": "opened"}
        world.bot.gateway.drain()
        assert next(iter(world.incident(1).firing.values())).monitor == monitor
        unknown = post(world.server.url, "custom/nope", None, raw=raw)
        assert unknown.status_code == 404 and mapping in unknown.json()["error"]
        bad = post(world.server.url, f"custom/{mapping}", {"unrelated": True})
        assert bad.status_code == 400
        assert any(w in bad.json()["error"] for w in ("gave nothing", "failed", "must give a"))
    finally:
        world.close()
