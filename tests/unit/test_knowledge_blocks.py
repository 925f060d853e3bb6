"""The knowledge-base Block Kit builders: escaped, within Slack's limits, buttons that carry
the case reference."""

from __future__ import annotations

import json
from datetime import date

from bot.adapters.slack.blocks.common import BLOCK_TEXT_BUDGET, block_text_size
from bot.adapters.slack.knowledge.blocks import (
    KbAction,
    case_lessons,
    decode_case_ref,
    encode_case_ref,
    similar_message,
)
from bot.domain.knowledge import ActionItem, Case, PublishedText
from bot.domain.knowledge_search import Hit
from bot.services.knowledge import OpenAction, Similar

HOSTILE = "<!channel> @here <@U123> & *bold* " + "长" * 1900


def hostile_case(case_id: str) -> Case:
    return Case(id=case_id, title=HOSTILE[:200], crisis_type="product_quality", severity="S",
                date=date(2024, 1, 1), summary=HOSTILE, lessons=(HOSTILE,) * 5,
                didnt=(HOSTILE,) * 3, worked=(HOSTILE,) * 5,
                action_items=(ActionItem(HOSTILE),) * 5,
                statements=(PublishedText(text=HOSTILE),))


def test_similar_crises_stay_within_slack_limits_and_escape_user_text():
    similar = [Similar(case=hostile_case(f"H-{i}"), hit=Hit(f"H-{i}", 1.0, 3.0, True, "same",
                                                          ("<b>",)),
                       lessons=(HOSTILE, HOSTILE), didnt=(HOSTILE,)) for i in range(3)]
    actions = [OpenAction(hostile_case("H-9"), ActionItem(HOSTILE, owner="<!here>"))] * 3
    body = similar_message(number=7, incident_label="INC-7", similar=similar,
                           open_actions=actions)
    text = json.dumps(body, ensure_ascii=False)
    assert "<!channel>" not in text and "<!here>" not in text and "<@U123>" not in text
    assert block_text_size(body["blocks"]) <= BLOCK_TEXT_BUDGET and len(body["blocks"]) <= 50
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {e["action_id"] for e in buttons} == {KbAction.SHOW_LESSONS.value,
                                                 KbAction.START_STATEMENT.value}
    assert decode_case_ref(buttons[0]["value"]) == (7, "H-0")


def test_a_case_without_a_published_statement_offers_no_start_button():
    case = Case(id="H-1", title="t", crisis_type="supply_chain", severity="A",
                date=date(2024, 1, 1))
    body = similar_message(number=1, incident_label="INC-1", open_actions=[], similar=[
        Similar(case=case, hit=Hit("H-1", 1.0, 1.0, False, "", ("t",)), lessons=(), didnt=())])
    assert KbAction.START_STATEMENT.value not in json.dumps(body)


def test_show_lessons_fits_and_case_refs_refuse_garbage():
    _, blocks = case_lessons(hostile_case("H-1"))
    assert block_text_size(blocks) <= BLOCK_TEXT_BUDGET and "<!channel>" not in json.dumps(blocks)
    assert encode_case_ref(3, "H-1") == "3|H-1"
    for bad in ("", "x|H-1", "3|", "3"):
        try:
            decode_case_ref(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
