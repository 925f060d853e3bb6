"""Closing action items over signed HTTP against the real bolt app and the Slack emulator
(tests/integration/slack_world.py): ``/crisis followup done <n>`` after the incident is
resolved updates its knowledge-base case in the same change, so the next incident's callout no
longer lists the item; outsiders are refused and change nothing."""

from __future__ import annotations

import json

import pytest

from bot.bootstrap import build_knowledge
from tests.integration.slack_world import make_world

OUTSIDER = "UANNA"
CALLOUT = "INC-1's action item “{}” is still open"


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def similar_text(world, number: int) -> str:
    for message in world.messages(number):
        if message.get("text", "").startswith("Similar past crises"):
            return json.dumps(message.get("blocks", []), ensure_ascii=False)
    return ""


def names(world, number: int = 1) -> list[str]:
    return [e.name for e in world.bot.core.incidents.timeline(number)]


def case_states(world) -> dict[str, str]:
    case = build_knowledge(world.bot.core).store.get("INC-1")
    assert case is not None
    return {a.text: a.state for a in case.action_items}


def resolved_with_two_items(world) -> None:
    world.declare("Recall of contaminated yoghurt batch", "sev:S type:product_quality")
    world.cmd("INC-1 note lesson: pre-approve the recall template")
    world.cmd("INC-1 followup Pre-approve the recall template <@UOPS|ops>")
    world.cmd("INC-1 followup Second supplier hotline")
    world.cmd("INC-1 resolve contained")
    assert world.incident().resolved_at is not None


def test_an_item_closed_after_resolution_leaves_the_next_incidents_callout(world, clock):
    resolved_with_two_items(world)
    clock.advance(days=21)  # action items are done weeks later, from anywhere
    reply = world.cmd("INC-1 followup done 1", user="UOPS", channel=world.general)
    assert reply["text"].startswith(":white_check_mark:"), reply
    assert "marked action item #1 done: Pre-approve the recall template" in reply["text"]
    done = [e for e in world.bot.core.incidents.timeline(1) if e.name == "followup.done"]
    assert [(e.actor, e.item_no) for e in done] == [("UOPS", 1)]
    assert done[0].at == clock()
    # The case was rebuilt in the same change.
    assert case_states(world) == {"Pre-approve the recall template": "done",
                                  "Second supplier hotline": "open"}
    world.declare("Yoghurt batch recall again after contamination", "sev:S type:product_quality")
    text = similar_text(world, 2)
    assert text, world.texts(2)
    assert CALLOUT.format("Pre-approve the recall template") not in text
    assert CALLOUT.format("Second supplier hotline") in text
    # Done twice: a clear answer, nothing recorded.
    again = world.cmd("INC-1 followup done 1", user="UOPS", channel=world.general)
    assert "already done" in again["text"] and names(world).count("followup.done") == 1


def test_the_commander_reopens_an_item_and_it_is_open_again(world):
    resolved_with_two_items(world)
    assert world.cmd("INC-1 followup done 2", channel=world.general)["text"].startswith(
        ":white_check_mark:")
    assert case_states(world)["Second supplier hotline"] == "done"
    reply = world.cmd("INC-1 followup reopen 2", channel=world.general)
    assert "reopened action item #2" in reply["text"]
    assert case_states(world)["Second supplier hotline"] == "open"
    assert "no action item #9" in world.cmd("INC-1 followup done 9", channel=world.general)["text"]


def test_a_non_owner_outsider_is_refused_and_changes_nothing(world):
    resolved_with_two_items(world)
    before = names(world)
    response = world.driver.replied(lambda: world.driver.command(
        "INC-1 followup done 1", user=OUTSIDER, channel=world.general), timeout=60)
    assert response.status_code == 200
    reply = world.emulator.response_url_posts()[-1]["payload"]
    assert reply["text"].startswith(":lock:"), reply
    # Someone in the incident who neither owns the item nor leads is refused too.
    reply = world.cmd("INC-1 followup done 1", user="UCS", channel=world.general)
    assert reply["text"].startswith(":lock:"), reply
    assert names(world) == before
    assert case_states(world)["Pre-approve the recall template"] == "open"
