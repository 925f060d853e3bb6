"""Scenario tests: signed requests over real HTTP to the bolt app, Slack emulator behind it."""

from __future__ import annotations

import json
import time

import pytest

from bot.adapters.slack.ids import Action, Shortcut, View, encode_ref
from bot.domain.lifecycle import Phase, Status
from bot.domain.records import FactStatus
from bot.domain.roles import Role
from bot.domain.severity import Severity
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def test_declare_opens_channel_invites_team_pins_card_posts_checklist_and_announces(world):
    reply = world.cmd("declare Checkout failing for card payments sev:S type:service_logistics",
                      channel=world.general)
    assert "INC-1 declared" in reply["text"]
    channel = world.emulator.channel_by_name("inc-1-checkout-failing-for-card-payments")
    assert channel is not None
    assert "INC-1" in channel["topic"] and channel["purpose"]
    members = set(channel["members"])
    # S invites commander, comms, spokesperson, legal, cs, ops, scribe from the roster
    assert {"ULEAD", "UCOMMS", "USPOKE", "ULEGAL", "UCS", "UOPS"} <= members
    assert "UEXEC" not in members
    messages = world.messages()
    assert messages[0]["pinned"] and "INC-1" in messages[0]["text"]
    assert any("checklist" in m["text"].lower() or "assess" in m["text"].lower() for m in messages[1:])
    announced = world.emulator.messages("crisis-announce")
    assert len(announced) == 1 and "INC-1" in announced[0]["text"]


def test_declarer_becomes_commander_and_roster_fills_roles(world):
    world.declare()
    incident = world.incident()
    from bot.domain.roles import Role

    assert incident.holder(Role.COMMANDER) == "ULEAD"
    assert incident.holder(Role.COMMS) == "UCOMMS"
    assert incident.holder(Role.LEGAL) == "ULEGAL"


def test_status_shows_the_card_only_to_the_caller(world):
    world.declare()
    before = len(world.messages())
    reply = world.cmd("status")
    assert reply["response_type"] == "ephemeral"
    assert "INC-1" in reply["text"] and reply["blocks"]
    assert len(world.messages()) == before


def test_role_assignment_invites_the_user_and_updates_the_card(world):
    world.declare()
    world.cmd("role scribe <@UANNA|anna>")
    channel = [c for c in world.emulator.channels() if c["id"] == world.channel()][0]
    assert "UANNA" in channel["members"]
    assert any("scribe" in t.lower() for t in world.texts())
    assert world.emulator.requests("chat.update")


def test_stage_next_is_refused_while_required_tasks_are_open_and_says_why(world):
    world.declare()
    reply = world.cmd("stage next")
    assert reply["response_type"] == "ephemeral"
    assert "open required task" in reply["text"]
    assert world.incident().stage is Phase.ASSESS


def test_walk_through_every_stage_with_buttons_and_resolve(world):
    world.declare()
    for stage in (Phase.ASSESS, Phase.RESPOND, Phase.COMMUNICATE, Phase.RECOVER):
        incident = world.incident()
        assert incident.stage is stage
        ts = world.bot.gateway.store.place(1).checklist_ts
        for task in incident.blocking_tasks():
            world.click(Action.TASK_DONE, encode_ref(1, task.no), user="UCOMMS", message_ts=ts)
        if stage is not Phase.RECOVER:
            world.click(Action.STAGE_NEXT, encode_ref(1), message_ts=ts)
    world.cmd("resolve Card processor fixed")
    incident = world.incident()
    assert incident.status is Status.RESOLVED and incident.resolution == "Card processor fixed"
    assert list(incident.stage_entered_at) == [Phase.ASSESS, Phase.RESPOND, Phase.COMMUNICATE, Phase.RECOVER]
    assert any("resolved" in t.lower() for t in world.texts())


def test_double_clicked_advance_button_advances_once(world):
    world.declare()
    ts = world.bot.gateway.store.place(1).checklist_ts
    for task in world.incident().blocking_tasks():
        world.click(Action.TASK_DONE, encode_ref(1, task.no), message_ts=ts)
    world.click(Action.STAGE_NEXT, encode_ref(1), message_ts=ts)
    second = world.click(Action.STAGE_NEXT, encode_ref(1), message_ts=ts)
    assert "already" in second["text"].lower()
    assert world.incident().stage is Phase.RESPOND


def test_double_clicked_done_button_completes_once(world):
    world.declare()
    ts = world.bot.gateway.store.place(1).checklist_ts
    task = world.incident().blocking_tasks()[0]
    world.click(Action.TASK_DONE, encode_ref(1, task.no), message_ts=ts)
    world.click(Action.TASK_DONE, encode_ref(1, task.no), message_ts=ts)
    completed = [e for e in world.bot.core.incidents.timeline(1) if e.name == "task.completed"]
    assert len(completed) == 1


def test_task_add_assign_and_done_commands(world):
    world.declare()
    world.cmd("task add Call the payment processor")
    no = world.incident().tasks[-1].no
    world.cmd(f"task assign {no} <@UOPS|ops>")
    world.cmd(f"task done {no}", user="UOPS")
    task = world.incident().task(no)
    assert task.assignee == "UOPS" and task.done_by == "UOPS"


def test_assign_select_in_the_checklist_assigns_the_task(world):
    world.declare()
    task = world.incident().tasks[0]
    from bot.adapters.slack.ids import ref_block_id, Block

    world.click(Action.TASK_ASSIGN, user="ULEAD", selected_user="UCS",
                block_id=ref_block_id(Block.TASK_ASSIGN, 1, task.no))
    assert world.incident().task(task.no).assignee == "UCS"


def test_facts_notes_impact_and_timeline_commands(world):
    world.declare()
    world.cmd("fact 40% of card payments fail since 09:00")
    world.cmd("fact Caused by the CDN")
    world.cmd("fact confirm 1")
    world.cmd("fact retract 2 CDN is healthy")
    world.cmd("note cause: expired TLS certificate at the processor")
    world.cmd("impact orders=1200 revenue=350000 regions=east,north")
    incident = world.incident()
    assert [f.status for f in incident.facts] == [FactStatus.CONFIRMED, FactStatus.RETRACTED]
    assert incident.impact["orders"] == 1200
    reply = world.cmd("timeline")
    body = json.dumps(reply)
    assert "expired TLS certificate" in body and "retract" in body.lower()


def test_severity_ss_refused_for_a_plain_user_and_allowed_for_the_commander(world):
    world.declare()
    refused = world.cmd("sev SS", user="UCS")
    assert "is for the incident's commander or an executive" in refused["text"]
    world.cmd("sev SS trending nationwide")
    assert world.incident().severity is Severity.SS
    channel = [c for c in world.emulator.channels() if c["id"] == world.channel()][0]
    assert "UEXEC" in channel["members"]  # SS pulls in the executive from the roster


def test_resolve_refused_for_a_plain_user(world):
    world.declare()
    reply = world.cmd("resolve done", user="UCS")
    assert "is for the incident's commander or an executive" in reply["text"]
    assert world.incident().is_active


def test_help_and_unknown_subcommand_show_usage(world):
    assert "/crisis declare" in json.dumps(world.cmd("help", channel=world.general))
    reply = world.cmd("frobnicate now", channel=world.general)
    assert reply["response_type"] == "ephemeral"
    assert "/crisis declare" in json.dumps(reply)


def test_command_outside_an_incident_channel_says_how_to_name_one(world):
    reply = world.cmd("status", channel=world.general)
    assert "INC-7" in reply["text"]


def test_incident_can_be_named_from_another_channel(world):
    world.declare()
    reply = world.cmd("INC-1 note from the war room", channel=world.general)
    assert ":white_check_mark:" in reply["text"]


def test_declare_modal_opens_and_its_submission_declares(world):
    assert world.driver.command("declare", user="ULEAD", channel=world.general).status_code == 200
    assert world.emulator.wait_for(lambda: bool(world.emulator.requests("views.open")))
    opened = world.emulator.requests("views.open")
    view = json.loads(opened[-1]["args"]["view"]) if isinstance(opened[-1]["args"]["view"], str) else opened[-1]["args"]["view"]
    assert view["callback_id"] == View.DECLARE
    values = {
        "declare_title": {"declare_title": {"type": "plain_text_input", "value": "Warehouse fire in Ningbo"}},
        "declare_type": {"declare_type": {"type": "static_select", "selected_option": {"value": "supply_chain"}}},
        "declare_severity": {"declare_severity": {"type": "static_select", "selected_option": {"value": "S"}}},
        "declare_description": {"declare_description": {"type": "plain_text_input", "value": "Stock-out risk"}},
    }
    response = world.driver.submit_view(view={"callback_id": View.DECLARE, "id": "V1"}, values=values, user="ULEAD")
    assert response.status_code == 200
    assert world.emulator.wait_for(lambda: bool(world.bot.core.incidents.list()))
    summary = world.bot.core.incidents.list()[0]
    assert (summary.title, summary.crisis_type, summary.severity) == ("Warehouse fire in Ningbo", "supply_chain", "S")


def test_the_declare_modal_can_mark_an_incident_confidential(world):
    values = {
        "declare_title": {"declare_title": {"type": "plain_text_input", "value": "Supplier leak"}},
        "declare_type": {"declare_type": {"type": "static_select", "selected_option": {"value": "supply_chain"}}},
        "declare_confidential": {"declare_confidential": {"type": "static_select",
                                                          "selected_option": {"value": "yes"}}},
    }
    response = world.driver.submit_view(view={"callback_id": View.DECLARE, "id": "V3"}, values=values, user="ULEAD")
    assert response.status_code == 200
    assert world.emulator.wait_for(lambda: bool(world.bot.core.incidents.list()))
    assert world.bot.core.incidents.get(1).confidential
    world.bot.gateway.drain()
    (channel,) = [c for c in world.emulator.channels() if c["name"].startswith("inc-")]
    assert channel["is_private"]


def test_declare_modal_with_empty_title_returns_field_errors(world):
    values = {
        "declare_title": {"declare_title": {"type": "plain_text_input", "value": "  "}},
        "declare_type": {"declare_type": {"type": "static_select", "selected_option": {"value": "supply_chain"}}},
        "declare_severity": {"declare_severity": {"type": "static_select", "selected_option": {"value": "S"}}},
        "declare_description": {"declare_description": {"type": "plain_text_input", "value": None}},
    }
    response = world.driver.submit_view(view={"callback_id": View.DECLARE, "id": "V2"}, values=values, user="ULEAD")
    assert response.status_code == 200
    assert response.json()["response_action"] == "errors"
    assert "declare_title" in response.json()["errors"]
    assert world.bot.core.incidents.list() == []


def test_message_shortcut_adds_the_message_to_the_timeline(world):
    world.declare()
    ts = world.emulator.add_message(world.channel(), user="UCOMMS", text="Processor says fix ETA 30 min")
    response = world.driver.replied(lambda: world.driver.shortcut(
        callback_id=Shortcut.ADD_TO_TIMELINE, user="ULEAD", channel=world.channel(),
        message={"ts": ts, "user": "UCOMMS", "text": "Processor says fix ETA 30 min"}))
    assert response.status_code == 200
    captured = [e for e in world.bot.core.incidents.timeline(1) if e.name == "message.captured"]
    assert len(captured) == 1
    assert captured[0].author == "UCOMMS" and captured[0].permalink.startswith("https://")
    assert abs(captured[0].posted_at.timestamp() - float(ts)) < 1


def test_pushpin_reaction_adds_the_message_once_even_when_slack_retries(world):
    world.declare()
    ts = world.emulator.add_message(world.channel(), user="UCS", text="Complaints up 5x on Weibo")
    event = {"type": "reaction_added", "user": "ULEAD", "reaction": "pushpin",
             "item": {"type": "message", "channel": world.channel(), "ts": ts}, "event_ts": ts}
    assert world.driver.event(event, event_id="Ev1").status_code == 200
    assert world.driver.event(event, event_id="Ev1", retry_num=1).status_code == 200

    def captured():
        return [e for e in world.bot.core.incidents.timeline(1) if e.name == "message.captured"]

    assert world.emulator.wait_for(lambda: len(world.emulator.requests("chat.getPermalink")) >= 2)
    pins = lambda: world.emulator.ephemerals(channel=world.channel(), user="ULEAD")  # noqa: E731
    assert world.emulator.wait_for(lambda: len(pins()) >= 1)
    assert len(captured()) == 1
    assert len(pins()) == 1
    assert captured()[0].text == "Complaints up 5x on Weibo"


def test_app_home_lists_open_incidents(world):
    world.declare()
    world.driver.event({"type": "app_home_opened", "user": "ULEAD", "tab": "home"})
    assert world.emulator.wait_for(lambda: world.emulator.home_view("ULEAD") is not None)
    assert "INC-1" in json.dumps(world.emulator.home_view("ULEAD"))


@pytest.mark.parametrize("how", ["forged", "stale", "unsigned"])
def test_unverified_requests_are_refused_with_401_and_change_nothing(world, how):
    body = b"command=%2Fcrisis&text=declare+Hacked&user_id=UX&channel_id=C1&team_id=T0EMU"
    if how == "forged":
        response = world.driver.post(body, content_type="application/x-www-form-urlencoded",
                                     headers={"X-Slack-Request-Timestamp": str(int(time.time())),
                                              "X-Slack-Signature": "v0=" + "0" * 64}, signed=False)
    elif how == "stale":
        response = world.driver.post(body, content_type="application/x-www-form-urlencoded",
                                     timestamp=str(int(time.time()) - 600))
    else:
        response = world.driver.post(body, content_type="application/x-www-form-urlencoded", signed=False)
    assert response.status_code == 401
    assert world.bot.core.incidents.list() == []


def test_user_text_reaches_slack_escaped(world):
    world.declare(title="<!channel> refunds now <@UEXEC>")
    world.cmd("note <!here> everyone panic <!everyone> @channel")
    posted = json.dumps([m["text"] for m in world.messages()] + [m.get("blocks") for m in world.messages()])
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@UEXEC>"):
        assert raw not in posted
    assert "everyone panic" in posted


def test_slack_outage_loses_nothing_and_delivers_each_message_once(world, clock):
    world.declare()
    delivered_before = len(world.messages())
    world.emulator.fail_for(3600, status=503)
    for i in range(3):
        assert ":white_check_mark:" in world.cmd(f"note during outage {i}")["text"]
    world.bot.gateway.drain()
    assert len(world.messages()) == delivered_before
    assert world.bot.gateway.store.pending_count() > 0
    world.emulator.clear_faults()
    clock.advance(minutes=10)
    world.bot.gateway.drain()
    texts = world.texts()
    for i in range(3):
        assert sum(f"during outage {i}" in t for t in texts) == 1
    assert world.bot.gateway.store.pending_count() == 0


def test_rate_limited_effects_wait_for_retry_after(world, clock):
    world.declare()
    world.emulator.fail_next("chat.postMessage", status=429, retry_after=30)
    world.cmd("note rate limited note")
    assert not any("rate limited note" in t for t in world.texts())
    clock.advance(seconds=29)
    world.bot.gateway.drain()
    assert not any("rate limited note" in t for t in world.texts())
    clock.advance(seconds=2)
    world.bot.gateway.drain()
    assert sum("rate limited note" in t for t in world.texts()) == 1


def test_taken_channel_name_gets_a_suffix(world):
    world.emulator.add_channel("inc-1-checkout-failing-for-card-payments", members=["ULEAD"])
    world.declare()
    place = world.bot.gateway.store.place(1)
    assert place.channel_name == "inc-1-checkout-failing-for-card-payments-2"
    assert world.messages()[0]["pinned"]


def test_channel_names_are_slugged_and_at_most_80_characters():
    from bot.adapters.slack.gateway import channel_name

    assert channel_name(12, "Café: 50% OFF!! — 限时") == "inc-12-caf-50-off"
    long = channel_name(3, "word " * 40)
    assert len(long) <= 80 and long.startswith("inc-3-word-word") and not long.endswith("-")
    assert channel_name(4, "限时") == "inc-4"


def test_healthz_and_metrics(world):
    import httpx

    # auth.test runs once in the background at start-up; /healthz shows its outcome.
    assert world.bot.identity.checked.wait(timeout=30)
    health = httpx.get(world.server.url + "/healthz")
    assert health.status_code == 200 and health.json() == {
        "status": "ok", "slack": {"auth_test": "ok", "bot_user_id": "UBOT", "team_id": "T0EMU"}}
    world.declare()
    metrics = httpx.get(world.server.url + "/metrics").text
    assert "crisisbot_slack_ack_seconds_count" in metrics
    assert "crisisbot_outbox_pending 0.0" in metrics


def test_a_plain_user_cannot_make_themselves_commander_or_legal(world):
    world.declare()
    for text in ("role commander <@UANNA>", "role legal <@UANNA>"):
        reply = world.cmd(text, user="UANNA")
        assert reply["text"].startswith(":lock:") and "commander or an executive" in reply["text"]
        assert "<@ULEAD>" in reply["text"]
    assert world.incident().holder(Role.COMMANDER) == "ULEAD"
    assert world.incident().holder(Role.LEGAL) == "ULEGAL"
