"""``/crisis oncall`` through the real bolt app, and the rota deciding who is assigned."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.integration.slack_world import make_world

# T0 is Friday 20 Nov 2026, 09:00 UTC: the comms rotation's handoff; UANNA's turn starts.
ONCALL = {
    "oncall": {
        "time_zone": "UTC",
        "roles": {
            "comms": [
                {"name": "primary", "members": ["UANNA", "UCOMMS"], "period": "daily",
                 "handoff": "09:00", "start": "2026-11-20"},
                {"name": "secondary", "members": ["UEXEC"]},
            ],
        },
    },
}


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, extra_config=ONCALL)
    yield w
    w.close()


def test_oncall_shows_now_next_and_the_escalation_layer(world):
    text = world.cmd("oncall comms", channel=world.general)["text"]
    assert "<@UANNA>" in text and "until 21 November 2026, 09:00" in text
    assert "next · 下一班: <@UCOMMS>" in text
    assert "<@UEXEC> (layer 2)" in text
    assert "值班" in text


def test_declaring_assigns_and_invites_who_is_on_duty_not_the_first_listed(world, clock):
    world.declare()
    incident = world.incident()
    assert incident.roles["comms"].user == "UANNA"
    channel = next(c for c in world.emulator.channels() if c["id"] == world.channel())
    members = set(channel["members"])
    assert "UANNA" in members and "UCOMMS" not in members
    clock.advance(hours=24)  # the next day's turn
    world.declare("Second outage")
    assert world.incident(2).roles["comms"].user == "UCOMMS"


def test_an_override_takes_the_duty_for_its_time(world, clock):
    reply = world.cmd("oncall override comms <@ULEAD|lead> 8h", user="UEXEC", channel=world.general)
    assert reply["response_type"] == "in_channel" and "<@ULEAD>" in reply["text"]
    world.declare()
    assert world.incident().roles["comms"].user == "ULEAD"
    clock.advance(hours=8)
    world.declare("Later one")
    assert world.incident(2).roles["comms"].user == "UANNA"


def test_only_roster_leads_override_someone_else(world):
    reply = world.cmd("oncall override comms <@UCS|cs> 8h", user="UANNA", channel=world.general)
    assert "Only a roster commander or executive" in reply["text"]
    world.declare()
    assert world.incident().roles["comms"].user == "UANNA"


def test_a_swap_trades_the_next_turns(world, clock):
    reply = world.cmd("oncall swap comms <@UCOMMS|c>", user="UANNA", channel=world.general)
    assert "Turns swapped" in reply["text"]
    world.declare()
    assert world.incident().roles["comms"].user == "UCOMMS"  # UANNA's turn, now UCOMMS's
    clock.advance(hours=24)
    world.declare("Tomorrow")
    assert world.incident(2).roles["comms"].user == "UANNA"  # and UCOMMS's, now UANNA's
    clock.advance(hours=24)
    world.declare("After")
    assert world.incident(3).roles["comms"].user == "UANNA"  # the rota as before


def test_bad_oncall_input_gets_a_one_line_answer(world):
    assert "is not a role" in world.cmd("oncall chef", channel=world.general)["text"]
    assert "no duty rota for `legal`" in world.cmd("oncall legal", channel=world.general)["text"]
    assert "not a duration" in world.cmd("oncall override comms <@UCS|cs> soon",
                                         user="UEXEC", channel=world.general)["text"]


def test_app_home_shows_todays_duty(world):
    world.driver.event({"type": "app_home_opened", "user": "UCS", "tab": "home"})
    assert world.emulator.wait_for(lambda: world.emulator.home_view("UCS") is not None)
    view = json.dumps(world.emulator.home_view("UCS"), ensure_ascii=False)
    assert "On duty today" in view and "<@UANNA>" in view


def test_without_a_rota_the_first_listed_is_assigned(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    try:
        assert "No duty rota" in w.cmd("oncall", channel=w.general)["text"]
        w.declare()
        assert w.incident().roles["comms"].user == "UCOMMS"
    finally:
        w.close()


_ = timedelta
