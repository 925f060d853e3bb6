"""The knowledge base at the moment of need, over signed HTTP against the real bolt app and the
Slack emulator (tests/integration/slack_world.py): similar past crises at declaration, the
``lessons`` search, the open-action-item callout, *Start from its holding statement*, lessons
confirmed at the post-mortem, and confidential cases never shown to outsiders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.adapters.knowledge.files import read_cases
from bot.adapters.slack.knowledge.blocks import KbAction
from bot.bootstrap import build_knowledge
from tests.integration.slack_world import make_world

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cases.yaml"
OUTSIDER = "UANNA"


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def import_samples(world) -> None:
    knowledge = build_knowledge(world.bot.core)
    knowledge.import_cases(read_cases(SAMPLES, crisis_types=world.bot.core.catalog.playbooks))


def similar_message(world, number: int = 1) -> dict | None:
    for message in world.messages(number):
        if message.get("text", "").startswith("Similar past crises"):
            return message
    return None


def blocks_text(message: dict) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False)


def resolve_with_lessons(world, number: int, *, lesson: str, followup: str) -> None:
    world.cmd(f"INC-{number} note lesson: {lesson}")
    world.cmd(f"INC-{number} note didnt: the supplier hotline never answered")
    world.cmd(f"INC-{number} resolve contained")
    world.cmd(f"INC-{number} followup {followup}")


# ------------------------------------------------------------------ at declaration


def test_declaration_posts_the_top_three_similar_crises_with_reasons_lessons_and_buttons(world):
    import_samples(world)
    world.declare("Infant formula batch failed a contamination test", "sev:SS type:product_quality")
    message = similar_message(world)
    assert message is not None, world.texts()
    text = blocks_text(message)
    assert "H-PQ-01" in text  # the formula recall is the nearest case
    sections = [b for b in message["blocks"] if b["type"] == "section" and "Why:" in b["text"]["text"]]
    assert len(sections) == 3
    first = sections[0]["text"]["text"]
    assert "H-PQ-01" in first and "same type" in first and "same severity (SS)" in first
    assert "_First statement after:_ " in first and "not recorded" not in first
    assert "Lessons · 经验" in first and "Didn't work · 无效做法" in first
    assert "supplier hotline was unreachable" in first
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"action_id": KbAction.SHOW_LESSONS.value, "value": "1|H-PQ-01"}.items() <= buttons[0].items()
    assert any(e["action_id"] == KbAction.START_STATEMENT.value and e["value"] == "1|H-PQ-01"
               for e in buttons)
    # Posted after the card and the checklist.
    texts = world.texts()
    assert texts.index(message["text"]) > 1


def test_an_empty_knowledge_base_posts_nothing_at_declaration(world):
    world.declare()
    assert similar_message(world) is None


def test_open_action_items_of_past_post_mortems_of_the_same_type_are_called_out(world):
    world.declare("Recall of contaminated yoghurt batch", "sev:S type:product_quality")
    resolve_with_lessons(world, 1, lesson="pre-approve the recall template",
                         followup="Pre-approve the recall template")
    world.declare("Yoghurt batch recall again after contamination", "sev:S type:product_quality")
    message = similar_message(world, 2)
    assert message is not None
    text = blocks_text(message)
    assert "INC-1's action item “Pre-approve the recall template” is still open" in text
    assert "pre-approve the recall template" in text  # INC-1's lesson, shown as a similar case


def test_lessons_search_finds_cases_in_either_language_for_anyone(world):
    import_samples(world)
    reply = world.cmd("lessons 奶粉召回", user=OUTSIDER, channel=world.general)
    assert reply["response_type"] == "ephemeral"
    text = blocks_text(reply)
    assert "H-PQ-01" in text  # an English case for a Chinese query
    reply = world.cmd("lessons parcels late after the singles day peak", user=OUTSIDER,
                      channel=world.general)
    assert "H-SL-01" in blocks_text(reply)
    assert "Say what to look for" in world.cmd("lessons", user=OUTSIDER,
                                               channel=world.general)["text"]


def test_lessons_in_an_incident_channel_use_the_incident_and_offer_its_buttons(world):
    import_samples(world)
    world.declare("Power bank overheating reports", "sev:SS type:product_quality")
    reply = world.cmd("lessons")
    text = blocks_text(reply)
    assert "H-PQ-03" in text and "kb_show_lessons" in text


def test_show_lessons_gives_the_whole_case_to_the_person_who_asked(world):
    import_samples(world)
    world.declare("Infant formula batch failed a contamination test", "sev:SS type:product_quality")
    reply = world.click(KbAction.SHOW_LESSONS.value, "1|H-PQ-01")
    text = blocks_text(reply)
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert "Pre-approve the recall notice template before a crisis" in text
    assert "Add a second emergency contact for every food supplier" in text


# ------------------------------------------------------------------ start from its holding statement


def test_start_from_its_holding_statement_flags_every_fact_that_is_not_ours(world):
    import_samples(world)
    world.declare("Infant formula batch failed a contamination test", "sev:SS type:product_quality")
    world.cmd("fact Batch G-7 of our formula failed a lab test", user="UCOMMS")
    world.cmd("fact confirm 1")
    reply = world.click(KbAction.START_STATEMENT.value, "1|H-PQ-01")
    assert "Drafted statement #1 from H-PQ-01" in reply["text"], reply
    assert "not ours" in reply["text"]
    statement = world.incident().statements[1]
    assert statement.template == "kb:H-PQ-01"
    # The old incident's facts (batch F-2103, 4,800 tins) only appear inside flags.
    unflagged = statement.text
    while "⟦" in unflagged:
        start = unflagged.index("⟦")
        unflagged = unflagged[:start] + unflagged[unflagged.index("⟧", start) + 1:]
    assert "F-2103" not in unflagged and "F-2103" in statement.text
    assert "⟦not confirmed for INC-1 (from H-PQ-01): We have confirmed that batch F-2103" in statement.text
    # Linted against OUR facts: the card shows the flags as errors, and approval is refused.
    card = [m for m in world.messages() if "Unfilled placeholder" in blocks_text(m)]
    assert card, world.texts()
    world.cmd("statement submit 1")
    world.cmd("statement approve 1", user="UCOMMS")
    assert "statement.approved" not in [e.name for e in world.bot.core.incidents.timeline(1)]


def test_start_from_its_holding_statement_is_for_the_team_only(world):
    import_samples(world)
    world.declare("Infant formula batch failed a contamination test", "sev:SS type:product_quality")
    reply = world.click(KbAction.START_STATEMENT.value, "1|H-PQ-01", user=OUTSIDER)
    assert reply["text"].startswith(":lock:")
    assert world.incident().statements == {}


# ------------------------------------------------------------------ lessons feed back


def test_publishing_the_post_mortem_asks_to_confirm_the_prefilled_lessons(world):
    world.declare("Recall of contaminated yoghurt batch", "sev:S type:product_quality")
    resolve_with_lessons(world, 1, lesson="pre-approve the recall template",
                         followup="Pre-approve the recall template")
    # Building the report (pandas, charts) can take a while on a loaded machine.
    response = world.driver.replied(
        lambda: world.driver.command("postmortem", user="ULEAD", channel=world.channel()),
        timeout=120)
    assert response.status_code == 200
    world.bot.gateway.drain()
    asks = [m for m in world.messages() if m.get("text", "").startswith("Confirm the lessons")]
    assert asks and "pre-approve the recall template" in blocks_text(asks[-1])
    reply = world.click(KbAction.CONFIRM_LESSONS.value, "1")
    assert "1 lesson(s) of INC-1 confirmed" in reply["text"]
    assert "lessons.confirmed" in [e.name for e in world.bot.core.incidents.timeline(1)]
    case = build_knowledge(world.bot.core).store.get("INC-1")
    assert case is not None and case.lessons_confirmed
    assert case.lessons == ("pre-approve the recall template",)


# ------------------------------------------------------------------ confidentiality


def test_confidential_cases_never_surface_to_outsiders(world):
    import_samples(world)
    world.declare("Customer addresses exposed in an open storage bucket",
                  "sev:S type:data_security confidential:yes")
    resolve_with_lessons(world, 1, lesson="scan storage buckets daily",
                         followup="Scan storage buckets daily")
    # A new, ordinary incident of the same type: the channel never sees a confidential case.
    world.declare("Open storage bucket exposed customer addresses", "sev:S type:data_security "
                  "confidential:no")
    message = similar_message(world, 2)
    assert message is not None
    text = blocks_text(message)
    assert "INC-1" not in text and "H-DS-01" not in text and "H-DS-04" not in text
    assert "storage bucket" not in text.lower() or "H-DS" in text
    # The outsider's search does not find them; the commander of INC-1 does.
    outsider = blocks_text(world.cmd("lessons open storage bucket exposed addresses",
                                     user=OUTSIDER, channel=world.general))
    assert "INC-1" not in outsider and "H-DS-01" not in outsider
    insider = blocks_text(world.cmd("lessons open storage bucket exposed addresses",
                                    user="ULEAD", channel=world.general))
    assert "INC-1" in insider
    # A roster executive may read the confidential imported case.
    assert "H-DS-01" in blocks_text(world.cmd("lessons open storage bucket exposed addresses",
                                              user="UEXEC", channel=world.general))
    # Asking for it by button from an ordinary incident gets the same answer as a missing case.
    world.cmd("INC-2 role comms <@UANNA|anna>")
    reply = world.click(KbAction.SHOW_LESSONS.value, "2|INC-1", user=OUTSIDER)
    assert "no case `INC-1` you may read" in reply["text"]
    reply = world.click(KbAction.SHOW_LESSONS.value, "2|H-DS-01", user=OUTSIDER)
    assert "no case `H-DS-01` you may read" in reply["text"]
