"""Regression tests for the access review of issue #12: each scenario now fails safe.

Signed requests over real HTTP to the bolt app, the Slack emulator behind it
(tests/integration/slack_world.py). ``UANNA`` is in the workspace with no roster role and is
not in the incident channel: the outsider.
"""

from __future__ import annotations

import json

import httpx
import pytest

from bot.domain.roles import Role
from bot.domain.severity import Severity
from tests.integration.monitor_helpers import SECRET, generic, post
from tests.integration.slack_world import make_world

OUTSIDER = "UANNA"


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET)
    yield w
    w.close()


def events(world, number: int = 1) -> list[str]:
    return [e.name for e in world.bot.core.incidents.timeline(number)]


def from_outside(world, text: str, user: str = OUTSIDER) -> dict:
    """``/crisis INC-1 <text>`` typed in #general."""
    return world.cmd(f"INC-1 {text}", user=user, channel=world.general)


def join_channel(world, user: str, number: int = 1) -> None:
    """``user`` joins the incident channel without taking a role; Slack tells the bot."""
    invited = httpx.post(world.emulator.api_url + "conversations.invite",
                         data={"channel": world.channel(number), "users": user},
                         headers={"Authorization": f"Bearer {world.emulator.token}"}).json()
    assert invited["ok"], invited
    response = world.driver.event({"type": "member_joined_channel", "user": user,
                                   "channel": world.channel(number), "channel_type": "G"})
    assert response.status_code == 200


def drafted_and_submitted(world, *, by: str = "USPOKE") -> None:
    world.cmd("fact Card payments fail for 40% of checkouts since 09:00", user="UCOMMS")
    world.cmd("fact confirm 1")
    world.cmd("impact orders=1200")
    assert "Drafted" in world.cmd("statement customers update en", user=by)["text"]
    assert ":white_check_mark:" in world.cmd("statement submit 1", user=by)["text"]


# ------------------------------------------------------------------ an outsider changes nothing


def test_an_outsider_cannot_lower_the_severity_and_is_told_who_leads(world):
    world.declare()  # S, commander ULEAD
    before = events(world)
    reply = from_outside(world, "sev A")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(":lock:")
    assert "You are not part of INC-1" in reply["text"] and "<@ULEAD>" in reply["text"]
    assert "role <role> @you" in reply["text"]
    assert world.incident().severity is Severity.S
    assert events(world) == before


def test_a_role_holder_who_does_not_lead_cannot_change_severity_either_way(world):
    world.declare()
    before = events(world)
    for text in ("sev A", "sev SS"):
        assert world.cmd(text, user="UCS")["text"].startswith(":lock:")
    assert world.incident().severity is Severity.S
    assert events(world) == before


def test_an_outsider_cannot_confirm_or_retract_facts(world):
    world.declare()
    world.cmd("fact Batch 2411-B is affected", user="UCOMMS")
    world.cmd("fact A second rumour", user="UCOMMS")
    world.cmd("fact confirm 2")
    before = events(world)
    assert from_outside(world, "fact confirm 1")["text"].startswith(":lock:")
    assert from_outside(world, "fact retract 2 wrong")["text"].startswith(":lock:")
    assert [f.status.value for f in world.incident().facts] == ["unconfirmed", "confirmed"]
    assert events(world) == before


def test_nobody_outside_the_deciders_sets_compensation(world):
    world.declare()
    join_channel(world, OUTSIDER)  # even in the channel, without a role
    before = events(world)
    for user in (OUTSIDER, "UCS"):
        reply = from_outside(world, "impact compensation=a free iPhone", user=user)
        assert reply["text"].startswith(":lock:"), reply
    assert "compensation" not in world.incident().impact
    assert events(world) == before
    assert ":white_check_mark:" in world.cmd("impact compensation=a 20 CNY coupon",
                                             user="UCOMMS")["text"]


def test_an_outsider_cannot_complete_gating_tasks_or_advance_the_stage(world):
    world.declare()
    gating = [t.no for t in world.incident().blocking_tasks()]
    assert gating
    before = events(world)
    assert from_outside(world, f"task done {gating[0]}")["text"].startswith(":lock:")
    for text in ("stage next", "stage next force"):
        assert from_outside(world, text)["text"].startswith(":lock:")
    assert world.incident().blocking_tasks()[0].no == gating[0]
    assert world.incident().stage.value == "assess"
    assert events(world) == before


def test_a_channel_member_without_a_role_contributes_but_does_not_decide(world):
    world.declare()
    join_channel(world, OUTSIDER)
    for text in ("note customers calling the hotline", "fact Two regions affected",
                 "task add Call the carrier"):
        assert ":white_check_mark:" in from_outside(world, text)["text"], text
    assert from_outside(world, "fact confirm 1")["text"].startswith(":lock:")
    assert from_outside(world, "sev A")["text"].startswith(":lock:")


# ------------------------------------------------------------------ roles held in the incident


def test_incident_legal_replaces_roster_legal_for_approvals(world):
    world.declare()  # S: comms + legal; the roster's legal (ULEGAL) seeded as legal
    assert ":white_check_mark:" in world.cmd(f"role legal <@{OUTSIDER}>")["text"]
    drafted_and_submitted(world)
    before = events(world)
    refused = world.cmd("statement approve 1", user="ULEGAL")
    assert refused["text"].startswith(":lock:")
    assert events(world) == before
    world.cmd("statement approve 1", user=OUTSIDER)
    world.cmd("statement approve 1", user="UCOMMS")
    approvals = world.incident().statement(1).current_approvals()
    assert sorted((a.user, a.role) for a in approvals) == [("UANNA", "legal"), ("UCOMMS", "comms")]


def test_at_a_two_people_without_an_incident_role_cannot_approve(world):
    world.declare(extra="sev:A type:service_logistics")
    incident = world.incident()
    assert not incident.roles_of("UOPS") and not incident.roles_of("ULEGAL")  # roster only
    drafted_and_submitted(world)
    for user in ("UOPS", "ULEGAL"):
        assert world.cmd("statement approve 1", user=user)["text"].startswith(":lock:")
    assert world.incident().statement(1).current_approvals() == []
    world.cmd("statement approve 1", user="UCS")
    world.cmd("statement approve 1", user="UCOMMS")
    approvals = world.incident().statement(1).current_approvals()
    assert sorted(a.user for a in approvals) == ["UCOMMS", "UCS"]


def test_the_approval_rule_is_frozen_at_submission_and_never_loosens(world):
    world.declare()  # S: comms + legal
    drafted_and_submitted(world)
    assert ":white_check_mark:" in world.cmd("sev A calmer now")["text"]  # the commander
    refused = world.cmd("statement approve 1", user="UCS")
    assert "comms + legal" in refused["text"]
    assert world.incident().statement(1).current_approvals() == []
    world.cmd("statement approve 1", user="UCOMMS")
    world.cmd("statement approve 1", user="ULEGAL")
    assert len(world.incident().statement(1).current_approvals()) == 2


def test_a_later_severity_raise_makes_the_rule_stricter(world):
    world.declare(extra="sev:A type:service_logistics")
    drafted_and_submitted(world)
    assert ":white_check_mark:" in world.cmd("sev S spreading")["text"]
    assert "comms + legal" in world.cmd("statement approve 1", user="UCS")["text"]
    assert world.incident().statement(1).current_approvals() == []


# ------------------------------------------------------------------ monitor-opened incidents


def test_nobody_outside_takes_over_a_monitor_opened_incident(world):
    opened = post(world.server.url, "generic", generic(severity="A"))
    assert opened.status_code == 202 and opened.json()["incident"] == "INC-1", opened.text
    world.bot.gateway.drain()
    assert world.incident().holder(Role.COMMANDER) is None
    before = events(world)
    for text in (f"role commander <@{OUTSIDER}>", "sev SS", "resolve done"):
        assert from_outside(world, text)["text"].startswith(":lock:"), text
    assert world.incident().holder(Role.COMMANDER) is None
    assert world.incident().severity is Severity.A and world.incident().is_active
    assert events(world) == before
    # The roster's executive may hand out command.
    assert ":white_check_mark:" in from_outside(world, "role commander <@ULEAD>", user="UEXEC")["text"]
    assert world.incident().holder(Role.COMMANDER) == "ULEAD"


# ------------------------------------------------------------------ confidential incidents


def test_a_data_breach_is_confidential_private_and_announced_redacted(world):
    world.declare("Payment page shows other customers addresses", extra="sev:S type:data_security")
    incident = world.incident()
    assert incident.confidential
    channel = world.emulator.channel_by_name("inc-1-payment-page-shows-other-customers-addresses")
    assert channel["is_private"] is True
    creates = [r for r in world.emulator.requests("conversations.create") if r["ok"]]
    assert str(creates[-1]["args"].get("is_private")).lower() in ("true", "1")
    (announced,) = world.emulator.messages("crisis-announce")
    assert "confidential incident" in announced["text"] and "INC-1" in announced["text"]
    assert "<@ULEAD>" in announced["text"] and "S" in announced["text"]
    assert "Payment" not in announced["text"] and "address" not in announced["text"]


def test_a_confidential_incident_is_readable_only_by_people_in_it(world):
    world.declare("Payment page shows other customers addresses", extra="sev:S type:data_security")
    world.cmd("note cause: an unpatched cache key", user="UCOMMS")
    world.cmd("statement customers breach en", user="USPOKE")
    for text in ("status", "timeline", "stage", "statement show 1", "statement list"):
        reply = from_outside(world, text)
        assert reply["text"].startswith(":lock:"), text
        assert "unpatched" not in json.dumps(reply)
    assert not from_outside(world, "timeline", user="UCOMMS")["text"].startswith(":lock:")
    join_channel(world, OUTSIDER)
    assert "unpatched" in json.dumps(from_outside(world, "timeline"))  # now in the channel


def test_app_home_lists_a_confidential_incident_only_to_its_people(world):
    world.declare("Payment page shows other customers addresses", extra="sev:S type:data_security")
    world.declare("Parcels delayed in the east", extra="sev:A type:service_logistics")
    for user in ("ULEAD", OUTSIDER):
        world.driver.event({"type": "app_home_opened", "user": user, "tab": "home"})
        assert world.emulator.wait_for(lambda u=user: world.emulator.home_view(u) is not None)
    lead = json.dumps(world.emulator.home_view("ULEAD"))
    outsider = json.dumps(world.emulator.home_view(OUTSIDER))
    assert "INC-1" in lead and "INC-2" in lead
    assert "INC-2" in outsider and "INC-1" not in outsider and "Payment" not in outsider


def test_a_confidential_post_mortem_goes_only_to_the_incident_channel(world):
    world.declare("Payment page shows other customers addresses", extra="sev:S type:data_security")
    world.cmd("resolve contained")
    assert from_outside(world, "postmortem")["text"].startswith(":lock:")
    world.cmd("postmortem")
    files = world.emulator.files()
    assert files and all(f["channels"] == [world.channel()] for f in files)


def test_visibility_members_limits_reads_of_ordinary_incidents(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, site_extra={"visibility": "members"})
    try:
        w.declare()
        assert not w.incident().confidential
        reply = w.cmd("INC-1 status", user=OUTSIDER, channel=w.general)
        assert reply["text"].startswith(":lock:")
        assert not w.cmd("INC-1 status", user="UCS", channel=w.general)["text"].startswith(":lock:")
    finally:
        w.close()


def test_by_default_ordinary_incidents_are_readable_by_the_workspace(world):
    world.declare()
    reply = from_outside(world, "status")
    assert not reply["text"].startswith(":lock:") and reply["blocks"]
