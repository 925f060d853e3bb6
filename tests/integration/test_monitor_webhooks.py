"""Monitor webhooks against the real bot over HTTP, with the Slack emulator behind it:
refusals store nothing; alerts open, join, dedupe, resolve, re-fire, raise severity, snooze."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.adapters.monitors.http import MAX_BODY
from bot.domain.roles import Role
from tests.integration.monitor_helpers import SECRET, counts, generic, post
from tests.integration.slack_world import make_world

FIXTURES = __import__("pathlib").Path(__file__).parent.parent / "fixtures" / "monitors"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET)
    yield w
    w.close()


def incident_channels(world) -> list[dict]:
    return [c for c in world.emulator.channels() if c["name"].startswith("inc-")]


# ------------------------------------------------------------------ refusals


def test_without_a_configured_secret_every_webhook_answers_401(tmp_path, clock):
    world = make_world(tmp_path, clock=clock, monitor_secret=None)
    try:
        for kind in ("alertmanager", "grafana", "generic"):
            response = post(world.server.url, kind, generic(), secret="anything")
            assert response.status_code == 401
            assert "CRISISBOT_MONITOR_SECRET" in response.json()["error"]
        assert counts(world.bot.core.engine)["alerts"] == 0
    finally:
        world.close()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer wrong-secret"},
        {"authorization": f"Basic {SECRET}"},
        {"x-crisisbot-signature": "sha256=" + "0" * 64},
        {"x-crisisbot-signature": "not-a-signature", "authorization": "Bearer wrong-secret"},
        {"x-grafana-alerting-signature": "0" * 64},
    ],
    ids=["none", "wrong-bearer", "not-bearer", "bad-hmac", "bad-hmac-and-bad-bearer",
         "bad-grafana-hmac"],
)
def test_unauthenticated_webhooks_get_401_and_store_nothing(world, headers):
    before = counts(world.bot.core.engine)
    response = post(world.server.url, "generic", generic(), secret=None, headers=headers)
    assert response.status_code == 401
    assert counts(world.bot.core.engine) == before


def test_a_body_over_one_mebibyte_gets_413_and_stores_nothing(world):
    big = json.dumps(generic(title="x" * (MAX_BODY + 10))).encode()
    response = post(world.server.url, "generic", None, raw=big)
    assert response.status_code == 413
    assert counts(world.bot.core.engine)["alerts"] == 0


def test_a_chunked_body_over_one_mebibyte_gets_413_too(world):
    def chunks():
        for _ in range(20):
            yield b" " * (64 * 1024)

    response = httpx.post(f"{world.server.url}/monitors/generic", content=chunks(),
                          headers={"authorization": f"Bearer {SECRET}"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("kind", "raw", "named"),
    [
        ("generic", b"{not json", "not valid JSON"),
        ("generic", b"\xff\xfe", "not valid JSON"),
        ("generic", json.dumps({"monitor": "m", "status": "firing", "title": "t"}).encode(),
         "fingerprint is missing"),
        ("alertmanager", json.dumps({"version": "4"}).encode(), "alerts is missing"),
        ("grafana", json.dumps({"alerts": [{"status": "firing"}]}).encode(),
         "alerts[0].labels is missing"),
    ],
)
def test_malformed_payloads_get_400_naming_the_problem_and_store_nothing(world, kind, raw, named):
    before = counts(world.bot.core.engine)
    response = post(world.server.url, kind, None, raw=raw)
    assert response.status_code == 400
    assert named in response.json()["error"]
    assert counts(world.bot.core.engine) == before


def test_one_bad_alert_in_a_batch_stores_none_of_the_batch(world):
    payload = fixture("alertmanager_firing.json")
    payload["alerts"][1]["status"] = "pending"
    response = post(world.server.url, "alertmanager", payload)
    assert response.status_code == 400
    assert counts(world.bot.core.engine)["alerts"] == 0
    assert world.bot.core.incidents.list() == []


def test_an_unknown_webhook_kind_is_404(world):
    assert post(world.server.url, "nagios", generic()).status_code == 404


# ------------------------------------------------------------------ accepted


def test_a_firing_alert_opens_an_incident_with_its_channel_team_and_card(world):
    response = post(world.server.url, "generic", generic(severity="S"), sign=True)
    assert response.status_code == 202
    assert response.json() == {"incident": "INC-1", "action": "opened"}
    world.bot.gateway.drain()
    incident = world.incident(1)
    assert incident.source == "monitor:social-listening"
    assert incident.crisis_type == "brand_reputation" and incident.severity.value == "S"
    assert "neg-mentions" in incident.firing
    (channel,) = incident_channels(world)
    assert {"UCOMMS", "ULEGAL"} <= set(channel["members"])
    card = world.messages()[0]
    assert "Signals still firing" in json.dumps(card["blocks"])
    assert any("monitor *social-listening* fired" in t for t in world.texts())


def test_a_monitor_opened_incident_gets_the_roles_its_crisis_type_adds(world):
    # product_quality adds legal and ops to every severity: an A-level safety alert must not
    # run its regulator clock without them.
    post(world.server.url, "generic", generic(severity="A", crisis_type="product_quality"), sign=True)
    world.bot.gateway.drain()
    incident = world.incident(1)
    assert incident.holder(Role.LEGAL) == "ULEGAL" and incident.holder(Role.OPS) == "UOPS"
    (channel,) = incident_channels(world)
    assert {"ULEGAL", "UOPS"} <= set(channel["members"])


def test_repeats_of_a_firing_alert_are_counted_without_a_new_incident_or_event(world):
    post(world.server.url, "generic", generic())
    world.bot.gateway.drain()
    events = len(world.bot.core.incidents.timeline(1))
    for value in (1800, 1900):
        response = post(world.server.url, "generic", generic(value=value))
        assert response.json() == {"incident": "INC-1", "action": "deduplicated"}
    assert len(world.bot.core.incidents.timeline(1)) == events
    from sqlalchemy.orm import Session

    from bot.adapters.db.monitor_models import AlertRow
    with Session(world.bot.core.engine) as session:
        row = session.query(AlertRow).one()
        assert (row.count, row.last_value) == (3, 1900.0)
    assert len(incident_channels(world)) == 1


def test_alertmanager_batch_alerts_of_one_group_share_one_incident(world):
    response = post(world.server.url, "alertmanager", fixture("alertmanager_firing.json"))
    assert response.status_code == 202
    assert response.json() == [{"incident": "INC-1", "action": "opened"},
                               {"incident": "INC-1", "action": "linked"}]
    world.bot.gateway.drain()
    assert set(world.incident(1).firing) == {"5f2c1d0a9b8e7f61", "a3e41b27c90d55f0"}
    assert len(incident_channels(world)) == 1


def test_a_resolved_alert_is_on_the_timeline_and_leaves_the_card(world):
    post(world.server.url, "alertmanager", fixture("alertmanager_firing.json"))
    response = post(world.server.url, "alertmanager", fixture("alertmanager_resolved.json"))
    assert response.json() == [{"incident": "INC-1", "action": "resolved"}]
    world.bot.gateway.drain()
    incident = world.incident(1)
    assert set(incident.firing) == {"a3e41b27c90d55f0"}
    names = [e.name for e in world.bot.core.incidents.timeline(1)]
    assert names.count("alert.fired") == 2 and names.count("alert.resolved") == 1
    assert any("resolved (1 signal(s) still firing)" in t for t in world.texts())


def test_grafana_alerts_with_different_groups_open_separate_incidents(world):
    response = post(world.server.url, "grafana", fixture("grafana_firing.json"))
    assert [e["action"] for e in response.json()] == ["opened", "opened"]
    world.bot.gateway.drain()
    assert world.incident(1).crisis_type == "brand_reputation"
    assert world.incident(2).crisis_type == "service_logistics"  # the fallback type
    assert world.incident(2).severity.value == "A"
    assert len(incident_channels(world)) == 2


def test_an_alert_re_firing_soon_after_resolution_rejoins_and_offers_a_reopen(world, clock):
    post(world.server.url, "generic", generic())
    world.bot.gateway.drain()
    world.cmd("role commander <@ULEAD|lead>", user="UEXEC")
    post(world.server.url, "generic", generic(status="resolved"))
    world.cmd("resolve calmed down")
    clock.advance(minutes=30)
    response = post(world.server.url, "generic", generic())
    assert response.json() == {"incident": "INC-1", "action": "linked"}
    world.bot.gateway.drain()
    assert any("was resolved, but this signal fired again" in t for t in world.texts())
    assert len(world.bot.core.incidents.list()) == 1
    offer = next(m for m in world.messages() if "reopen_incident" in json.dumps(m.get("blocks", [])))
    reply = world.click("reopen_incident", "INC-1", user="ULEAD", message_ts=offer["ts"])
    assert "reopened the incident" in reply["text"]
    assert world.incident(1).is_active


def test_the_reopen_button_is_refused_to_people_without_the_role(world, clock):
    post(world.server.url, "generic", generic())
    world.bot.gateway.drain()
    world.cmd("role commander <@ULEAD|lead>", user="UEXEC")
    world.cmd("resolve calmed down")
    post(world.server.url, "generic", generic())
    world.bot.gateway.drain()
    reply = world.click("reopen_incident", "INC-1", user="UANNA")
    assert "commander or an executive" in reply["text"]
    assert not world.incident(1).is_active


def test_an_alert_re_firing_after_the_window_opens_a_new_incident(world, clock):
    post(world.server.url, "generic", generic())
    world.bot.gateway.drain()
    world.cmd("role commander <@ULEAD|lead>", user="UEXEC")
    world.cmd("resolve calmed down")
    clock.advance(hours=3)
    response = post(world.server.url, "generic", generic())
    assert response.json() == {"incident": "INC-2", "action": "opened"}


def test_a_more_severe_linked_alert_raises_the_incident(world):
    post(world.server.url, "generic", generic(severity="A"))
    response = post(world.server.url, "generic", generic("complaints", severity="SS"))
    assert response.json() == {"incident": "INC-1", "action": "linked"}
    world.bot.gateway.drain()
    assert world.incident(1).severity.value == "SS"
    assert any("raised severity A → *SS*" in t for t in world.texts())


def test_with_propose_a_more_severe_alert_asks_the_channel_instead(tmp_path, clock):
    world = make_world(tmp_path, clock=clock, monitor_secret=SECRET,
                       site_extra={"monitors": {"on_higher_severity": "propose"}})
    try:
        post(world.server.url, "generic", generic(severity="A"))
        post(world.server.url, "generic", generic(severity="S"))  # same fingerprint, now S
        world.bot.gateway.drain()
        assert world.incident(1).severity.value == "A"
        assert any("raise it with `/crisis sev S`?" in t for t in world.texts())
    finally:
        world.close()


def test_snooze_command_makes_alerts_snoozed_until_it_ends(world, clock):
    reply = world.cmd("snooze social-listening 1h", user="UEXEC", channel=world.general)
    assert "snoozed monitor `social-listening`" in reply["text"]
    response = post(world.server.url, "generic", generic())
    assert response.json() == {"incident": None, "action": "snoozed"}
    assert world.bot.core.incidents.list() == []
    assert counts(world.bot.core.engine)["alerts"] == 1
    clock.advance(minutes=61)
    assert post(world.server.url, "generic", generic()).json()["action"] == "opened"


def test_snooze_is_refused_to_people_without_the_role(world):
    reply = world.cmd("snooze social-listening 1h", user="UANNA", channel=world.general)
    assert "commander or exec" in reply["text"]
    assert post(world.server.url, "generic", generic()).json()["action"] == "opened"


def test_a_config_snooze_and_an_ignore_route_open_nothing(tmp_path, clock):
    world = make_world(tmp_path, clock=clock, monitor_secret=SECRET, site_extra={"monitors": {
        "snoozes": [{"monitor": "nightly-batch", "until": "2026-11-21T00:00:00Z"}],
        "routes": [{"match": {"labels": {"env": "staging"}}, "ignore": True}],
    }})
    try:
        assert post(world.server.url, "generic", generic(monitor="nightly-batch")).json() == {
            "incident": None, "action": "snoozed"}
        staging = generic(labels={"env": "staging"})
        assert post(world.server.url, "generic", staging).json()["action"] == "ignored"
        assert world.bot.core.incidents.list() == []
    finally:
        world.close()


def test_resolving_an_unknown_alert_is_ignored(world):
    response = post(world.server.url, "generic", generic(status="resolved"))
    assert response.json() == {"incident": None, "action": "ignored"}


# ------------------------------------------------------------------ concurrency


def test_100_concurrent_identical_alerts_open_one_incident_and_one_channel(tmp_path, clock, db_url):
    world = make_world(tmp_path, clock=clock, monitor_secret=SECRET, database_url=db_url)
    try:
        with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=100)) as client, \
                ThreadPoolExecutor(max_workers=50) as pool:
            responses = list(pool.map(
                lambda _: post(world.server.url, "generic", generic(), client=client), range(100)))
        assert {r.status_code for r in responses} == {202}
        actions = [r.json()["action"] for r in responses]
        assert actions.count("opened") == 1 and actions.count("deduplicated") == 99
        assert {r.json()["incident"] for r in responses} == {"INC-1"}
        world.bot.gateway.drain()
        assert len(world.bot.core.incidents.list()) == 1
        assert len(incident_channels(world)) == 1
        from sqlalchemy.orm import Session

        from bot.adapters.db.monitor_models import AlertRow
        with Session(world.bot.core.engine) as session:
            assert session.query(AlertRow).one().count == 100
        names = [e.name for e in world.bot.core.incidents.timeline(1)]
        assert names.count("alert.fired") == 1
    finally:
        world.close()
