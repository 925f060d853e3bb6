"""The pure Slack parts of statements: the subcommand parser, button values, the card."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.adapters.slack.blocks.statement import edit_modal, parse_text_submission, statement_card
from bot.adapters.slack.commands import parse_command
from bot.adapters.slack.ids import (
    Action,
    Block,
    decode_draft_value,
    decode_statement_ref,
    encode_draft_value,
    encode_statement_ref,
)
from bot.adapters.slack.statement_commands import DraftStatement, StatementAction, parse_statement
from bot.domain.errors import InvalidInput
from bot.domain.severity import ApprovalRule
from bot.domain.statement_lint import Finding, Level
from bot.domain.statements import Statement
from bot.domain.text import LocalText
from tests.conftest import T0


def parse(text: str):
    return parse_statement(parse_command(text))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("statement customers", DraftStatement(None, "customers", "holding", "en")),
        ("statement media update zh", DraftStatement(None, "media", "update", "zh")),
        ("statement regulator zh breach", DraftStatement(None, "regulators", "breach", "zh")),
        (
            "INC-4 statement employees resolution",
            DraftStatement(4, "employees", "resolution", "en"),
        ),
        ("statement approve #2", StatementAction(None, "approve", 2)),
        (
            "statement reject 2 the &lt;refund&gt; date is wrong",
            StatementAction(None, "reject", 2, "the <refund> date is wrong"),
        ),
        ("statement publish 3 weibo", StatementAction(None, "publish", 3, "weibo")),
        ("statement publish 3", StatementAction(None, "publish", 3, "")),
        (
            "statement edit 1 New text\nsecond line",
            StatementAction(None, "edit", 1, "New text\nsecond line"),
        ),
    ],
)
def test_statement_subcommands_parse(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("statement", "/crisis statement <audience>"),
        ("statement investors", "is not an audience"),
        ("statement customers weekly", "Unexpected `weekly`"),
        ("statement approve", "needs a statement number"),
        ("statement approve two", "needs a statement number"),
        ("statement approve 2 now", "takes nothing after"),
        ("statement reject 2", "Say why"),
    ],
)
def test_bad_statement_subcommands_say_what_to_type(text, message):
    with pytest.raises(InvalidInput, match=message.replace("<", ".").replace(">", ".")):
        parse(text)


def test_statement_button_values_round_trip_and_refuse_garbage():
    assert decode_statement_ref(encode_statement_ref(7, 2, 3)) == (7, 2, 3)
    assert decode_statement_ref("INC-7:2") == (7, 2, None)
    for bad in ("INC-7", "INC-0:1:v1", "INC-7:2:3", "x", ""):
        with pytest.raises(ValueError):
            decode_statement_ref(bad)


def test_draft_button_value_round_trips_with_english_by_default():
    value = encode_draft_value(7, audience="customers", kind="holding")
    assert value == "INC-7|customers|holding"
    assert decode_draft_value(value) == (7, "customers", "holding", "en")
    assert (
        decode_draft_value(encode_draft_value(7, audience="media", kind="update", lang="zh"))[3]
        == "zh"
    )
    with pytest.raises(ValueError):
        encode_draft_value(7, audience="../etc", kind="holding")


def statement(
    text: str = "We have <!channel> news & more\n\nLine two", version: int = 2
) -> Statement:
    return Statement(
        id=3,
        audience="customers",
        kind="holding",
        lang="zh",
        template="t",
        text=text,
        drafted_by="USPOKE",
        drafted_at=T0,
        version=version,
        authors=["USPOKE"],
    )


def test_the_card_escapes_the_text_shows_lint_and_pins_buttons_to_the_version():
    finding = Finding("absolute_claim", Level.ERROR, LocalText("Absolute claim", "绝对化表述"))
    card = statement_card(
        incident_id="INC-7",
        number=7,
        statement=statement(),
        rule=ApprovalRule(people=2),
        findings=[finding],
    )
    dumped = json.dumps(card, ensure_ascii=False)
    assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped and "&amp; more" in dumped
    assert "绝对化表述" in dumped and "Absolute claim" in dumped and "1 error(s)" in dumped
    actions = [b for b in card["blocks"] if b["type"] == "actions"][0]
    assert actions["block_id"] == f"{Block.STATEMENT_ACTIONS.value}|INC-7:3:v2"
    assert [e["action_id"] for e in actions["elements"]] == [
        Action.STATEMENT_EDIT,
        Action.STATEMENT_SUBMIT,
        Action.STATEMENT_APPROVE,
        Action.STATEMENT_REJECT,
        Action.STATEMENT_PUBLISH,
    ]
    assert {e["value"] for e in actions["elements"]} == {"INC-7:3:v2"}


def test_a_long_statement_is_split_into_sections_within_slack_limits():
    card = statement_card(
        incident_id="INC-7",
        number=7,
        statement=statement("&" * 2999),
        rule=ApprovalRule(people=2),
        findings=[],
    )
    sections = [b for b in card["blocks"] if b["type"] == "section"]
    assert len(sections) >= 4 and all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert len(card["blocks"]) <= 50


def test_a_published_statement_card_has_no_buttons():
    published = statement()
    from bot.domain.statements import Publication, StatementState

    published.state = StatementState.PUBLISHED
    published.publications.append(Publication("website", 2, T0 + timedelta(hours=1), "UCOMMS"))
    card = statement_card(
        incident_id="INC-7", number=7, statement=published, rule=ApprovalRule(people=2), findings=[]
    )
    assert not [b for b in card["blocks"] if b["type"] == "actions"]
    assert "published to website" in json.dumps(card)


def test_edit_modal_is_prefilled_and_an_empty_submission_gets_a_field_error():
    view = edit_modal(metadata="INC-7:3:v2", statement=statement())
    assert view["private_metadata"] == "INC-7:3:v2"
    assert view["blocks"][1]["element"]["initial_value"].startswith("We have <!channel>")
    empty = parse_text_submission(
        {"statement_text": {"statement_text": {"value": " "}}},
        block=Block.STATEMENT_TEXT,
        action=Action.STATEMENT_TEXT,
        error="Need text",
    )
    assert empty == {"response_action": "errors", "errors": {"statement_text": "Need text"}}
