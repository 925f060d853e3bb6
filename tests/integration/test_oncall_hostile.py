"""``/crisis oncall`` against someone who wants in: a person outside the rota cannot put
themselves on duty, and so never gets a role (or a confidential channel) at declaration."""

from __future__ import annotations

import pytest

from tests.integration.slack_world import make_world
from tests.integration.test_oncall_slack import ONCALL


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, extra_config=ONCALL)
    w.emulator.add_user("UMALLORY", name="mallory")
    yield w
    w.close()


def test_an_outsider_cannot_put_themselves_on_duty_and_into_a_confidential_incident(world):
    reply = world.cmd("oncall override comms <@UMALLORY|m> 48h", user="UMALLORY",
                      channel=world.general)
    assert "not in the comms rota or roster" in reply["text"]
    world.declare("Card data exposed", extra="sev:SS type:data_security confidential:yes")
    incident = world.incident()
    assert incident.roles["comms"].user != "UMALLORY"
    channel = next(c for c in world.emulator.channels() if c["id"] == world.channel())
    assert "UMALLORY" not in channel["members"]


def test_a_rota_member_still_takes_a_turn_and_cannot_swap_an_outsider_in(world):
    reply = world.cmd("oncall override comms <@UCOMMS|c> 8h", user="UCOMMS", channel=world.general)
    assert "<@UCOMMS>" in reply["text"] and "not in the" not in reply["text"]
    world.declare()
    assert world.incident().roles["comms"].user == "UCOMMS"
    refused = world.cmd("oncall swap comms <@UMALLORY|m> <@UANNA|a>", user="UMALLORY",
                        channel=world.general)
    assert "not in the comms rota or roster" in refused["text"]
