"""The statement flow in Slack, end to end: signed requests over real HTTP to the bolt app,
the Slack emulator behind it, a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from bot.adapters.slack.ids import (
    Action,
    Block,
    View,
    encode_draft_value,
    encode_statement_ref,
)
from bot.domain.clocks import first_statement_clock
from bot.domain.statements import StatementState
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock, db_url):
    w = make_world(
        tmp_path,
        clock=clock,
        database_url=db_url,
        extra_config={"comms_channel": "crisis-comms", "statements": {"timezone": "Asia/Shanghai"}},
    )
    w.emulator.add_channel("crisis-comms", members=["UBOT"])
    yield w
    w.close()


def declared(world) -> None:
    world.declare()  # S: statements need comms + legal
    world.cmd("fact Card payments fail for 40% of checkouts since 09:00", user="UCOMMS")
    world.cmd("fact confirm 1")


def card(world, statement_id: int = 1) -> dict:
    """The last card posted in the incident channel for statement ``statement_id``."""
    cards = [
        m
        for m in world.messages()
        if any(
            b.get("block_id", "").startswith(
                f"{Block.STATEMENT_ACTIONS.value}|INC-1:{statement_id}:"
            )
            for b in m.get("blocks") or []
        )
    ]
    assert cards, "no statement card posted"
    return cards[-1]


def button_value(message: dict, action: Action) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action:
                return element["value"]
    raise AssertionError(f"no {action} button")


def open_modal(world, action: Action, value: str, *, user: str, message_ts: str) -> dict:
    """Click a button that opens a modal; returns the view the bot opened."""
    before = len(world.emulator.requests("views.open"))
    response = world.driver.click(
        action_id=action, value=value, user=user, channel=world.channel(), message_ts=message_ts
    )
    assert response.status_code == 200
    assert world.emulator.wait_for(lambda: len(world.emulator.requests("views.open")) > before)
    view = world.emulator.requests("views.open")[-1]["args"]["view"]
    return json.loads(view) if isinstance(view, str) else view


def submit(world, view: dict, block: Block, action: Action, value: str, *, user: str):
    response = world.driver.submit_view(
        view={"callback_id": view["callback_id"], "private_metadata": view["private_metadata"]},
        values={block.value: {action.value: {"type": "plain_text_input", "value": value}}},
        user=user,
    )
    assert response.status_code == 200
    return response


def test_draft_review_and_publish_through_buttons_and_modals(world, clock):
    declared(world)
    reply = world.cmd("statement customers holding zh", user="USPOKE")
    assert "Drafted statement #1 v1" in reply["text"]
    draft = card(world)
    assert "INC-1 · Statement #1" in draft["blocks"][0]["text"]["text"]
    assert "Card payments fail for 40% of checkouts" in json.dumps(draft, ensure_ascii=False)
    assert "（北京时间）" in json.dumps(draft, ensure_ascii=False)  # the audience's zone, named
    value = button_value(draft, Action.STATEMENT_SUBMIT)
    assert value == encode_statement_ref(1, 1, 1)

    world.click(Action.STATEMENT_SUBMIT, value, user="USPOKE", message_ts=draft["ts"])
    own = world.click(Action.STATEMENT_APPROVE, value, user="USPOKE", message_ts=draft["ts"])
    assert "nobody approves their own draft" in own["text"]
    wrong = world.click(Action.STATEMENT_APPROVE, value, user="UCS", message_ts=draft["ts"])
    assert "needs approval from comms + legal" in wrong["text"]
    world.click(Action.STATEMENT_APPROVE, value, user="UCOMMS", message_ts=draft["ts"])
    done = world.click(Action.STATEMENT_APPROVE, value, user="ULEGAL", message_ts=draft["ts"])
    assert "— approved" in done["text"]  # the clicked card is refreshed in place
    status = json.dumps(card(world)["blocks"][1])
    assert "Approved" in status and "<@UCOMMS> as Comms lead" in status
    assert "<@ULEGAL> as Legal counsel" in status

    clock.advance(minutes=30)
    view = open_modal(world, Action.STATEMENT_PUBLISH, value, user="UCOMMS", message_ts=draft["ts"])
    assert view["callback_id"] == View.STATEMENT_PUBLISH
    submit(world, view, Block.STATEMENT_CHANNEL, Action.STATEMENT_CHANNEL, "website", user="UCOMMS")
    assert world.emulator.wait_for(
        lambda: world.incident().statement(1).state is StatementState.PUBLISHED
    )
    world.bot.gateway.drain()
    incident = world.incident()
    assert incident.statement(1).publications[0].channel == "website"
    clock_state = first_statement_clock(incident, world.bot.core.catalog.policy, clock())
    assert clock_state.state == "met"
    pinned = json.dumps(world.messages()[0]["blocks"], ensure_ascii=False)
    assert "✅ *First statement (golden 4 h)*" in pinned and "met" in pinned  # the card shows it
    comms = world.emulator.messages("crisis-comms")
    assert len(comms) == 1 and "Card payments fail for 40% of checkouts" in comms[0]["text"]
    names = [
        e.name for e in world.bot.core.incidents.timeline(1) if e.name.startswith("statement.")
    ]
    assert names == [
        "statement.drafted",
        "statement.submitted",
        "statement.approved",
        "statement.approved",
        "statement.published",
    ]
    assert any("published statement #1" in t for t in world.texts())
    cards = [m for m in world.messages() if "INC-1 · Statement #1 ·" in m["text"]]
    assert len(cards) == 1  # one card, refreshed in place at every step
    assert "— published" in cards[0]["text"]
    assert not [b for b in cards[0]["blocks"] if b["type"] == "actions"]


def test_edit_modal_makes_a_new_version_and_old_buttons_stop_working(world):
    declared(world)
    world.cmd("statement customers", user="USPOKE")
    first = card(world)
    old = button_value(first, Action.STATEMENT_APPROVE)
    world.click(Action.STATEMENT_SUBMIT, old, user="USPOKE", message_ts=first["ts"])
    world.click(Action.STATEMENT_APPROVE, old, user="UCOMMS", message_ts=first["ts"])

    view = open_modal(world, Action.STATEMENT_EDIT, old, user="UCOMMS", message_ts=first["ts"])
    assert view["callback_id"] == View.STATEMENT_EDIT
    text = world.incident().statement(1).text + "\nWe will post the next update at 14:00."
    submit(world, view, Block.STATEMENT_TEXT, Action.STATEMENT_TEXT, text, user="UCOMMS")
    assert world.emulator.wait_for(lambda: world.incident().statement(1).version == 2)
    world.bot.gateway.drain()
    statement = world.incident().statement(1)
    assert statement.current_approvals() == [] and statement.state is StatementState.DRAFT
    assert button_value(card(world), Action.STATEMENT_APPROVE) == encode_statement_ref(1, 1, 2)
    world.cmd("statement submit 1", user="USPOKE")
    stale = world.click(Action.STATEMENT_APPROVE, old, user="ULEGAL", message_ts=first["ts"])
    assert "it is now v2" in stale["text"]
    # UCOMMS edited v2, so UCOMMS is now an author of it and cannot approve it
    own = world.cmd("statement approve 1", user="UCOMMS")
    assert "nobody approves their own draft" in own["text"]


def test_reject_modal_needs_a_reason_and_records_it(world):
    declared(world)
    world.cmd("statement media update", user="USPOKE")
    message = card(world)
    value = button_value(message, Action.STATEMENT_REJECT)
    world.cmd("statement submit 1", user="USPOKE")
    view = open_modal(
        world, Action.STATEMENT_REJECT, value, user="ULEGAL", message_ts=message["ts"]
    )
    empty = submit(
        world, view, Block.STATEMENT_REASON, Action.STATEMENT_REASON, "  ", user="ULEGAL"
    )
    assert empty.json()["response_action"] == "errors"
    submit(
        world,
        view,
        Block.STATEMENT_REASON,
        Action.STATEMENT_REASON,
        "The refund date is not confirmed",
        user="ULEGAL",
    )
    assert world.emulator.wait_for(
        lambda: world.incident().statement(1).state is StatementState.REJECTED
    )
    assert world.incident().statement(1).rejection == ("ULEGAL", "The refund date is not confirmed")


def test_subcommands_approve_reject_publish_and_a_retracted_fact_blocks_publication(world):
    declared(world)
    world.cmd("fact Caused by the new CDN", user="UCOMMS")
    world.cmd("fact confirm 2")
    world.cmd("impact orders=1200 compensation=a 20 CNY coupon")
    world.cmd("statement customers update en", user="USPOKE")
    statement = world.incident().statement(1)
    assert "Caused by the new CDN" in statement.text and "20 CNY coupon" in statement.text
    world.cmd("statement submit 1", user="USPOKE")
    world.cmd("statement approve 1", user="UCOMMS")
    world.cmd("statement approve 1", user="ULEGAL")
    assert "✅ Approved" in json.dumps(card(world)["blocks"], ensure_ascii=False)
    world.cmd("fact retract 2 the CDN is healthy")
    assert "Fact #2 was retracted" in json.dumps(card(world)["blocks"])  # the card shows it
    refused = world.cmd("statement publish 1 website", user="UCOMMS")
    assert "cannot be published" in refused["text"] and "Fact #2 was retracted" in refused["text"]
    assert world.incident().statements_published == []
    bad = world.cmd("statement approve", user="UCOMMS")
    assert "needs a statement number" in bad["text"]


def test_draft_button_from_another_feature_drafts_a_statement(world):
    declared(world)
    value = encode_draft_value(1, audience="regulators", kind="holding", lang="zh")
    reply = world.click(Action.DRAFT_STATEMENT, value, user="USPOKE")
    assert "Drafted statement #1" in reply["text"]
    statement = world.incident().statement(1)
    assert (statement.audience, statement.kind, statement.lang) == ("regulators", "holding", "zh")
    assert statement.template == "templates/statements/regulators/holding.zh.j2"


def test_statement_text_never_reaches_slack_as_a_broadcast(world):
    declared(world)
    world.cmd("statement customers", user="USPOKE")
    world.cmd(
        "statement edit 1 <!channel> refunds for everyone <@UEXEC> call 400-800-1234", user="USPOKE"
    )
    posted = json.dumps([m.get("blocks") for m in world.messages()] + world.texts())
    assert "<!channel>" not in posted and "<@UEXEC>" not in posted
    assert "Slack broadcast or mention" in posted


def test_a_double_clicked_approve_button_approves_once(world):
    declared(world)
    world.cmd("statement customers", user="USPOKE")
    message = card(world)
    value = button_value(message, Action.STATEMENT_APPROVE)
    world.cmd("statement submit 1", user="USPOKE")
    world.click(Action.STATEMENT_APPROVE, value, user="UCOMMS", message_ts=message["ts"])
    again = world.click(Action.STATEMENT_APPROVE, value, user="UCOMMS", message_ts=message["ts"])
    assert "Already done" in again["text"]
    approvals = [e for e in world.bot.core.incidents.timeline(1) if e.name == "statement.approved"]
    assert len(approvals) == 1


def test_a_refused_publication_changes_nothing_and_says_what_is_missing(world):
    declared(world)
    world.cmd("statement customers", user="USPOKE")
    world.cmd("statement submit 1", user="USPOKE")
    world.cmd("statement approve 1", user="UCOMMS")
    before = len(world.bot.core.incidents.timeline(1))
    refused = world.cmd("statement publish 1 website", user="UCOMMS")
    assert "still needs approval: legal" in refused["text"]
    assert len(world.bot.core.incidents.timeline(1)) == before


def test_statement_list_and_show(world):
    declared(world)
    assert "no statements yet" in world.cmd("statement list", user="USPOKE")["text"]
    world.cmd("statement customers", user="USPOKE")
    world.cmd("statement media update zh", user="USPOKE")
    listed = world.cmd("statement list", user="ULEAD")["text"]
    assert "Statement #1 · Customers · Holding statement · English · v1 — 📝 Draft" in listed
    assert "Statement #2 · Media · Update · 中文 · v1" in listed
    shown = world.cmd("statement show 2", user="ULEAD")
    assert shown["response_type"] == "ephemeral" and shown["blocks"][0]["type"] == "header"


def test_a_media_statement_cannot_be_approved_without_a_press_contact(world):
    declared(world)  # the site config names a customer contact only
    world.cmd("statement media holding en", user="USPOKE")
    text = world.incident().statement(1).text
    assert "⟦contact channel not configured⟧" in text and "customer service" not in text
    assert "company.press_contact" in json.dumps(card(world)["blocks"])  # the card shows why
    world.cmd("statement submit 1", user="USPOKE")
    refused = world.cmd("statement approve 1", user="UCOMMS")
    assert "cannot be approved" in refused["text"] and "company.press_contact" in refused["text"]
    assert world.incident().statement(1).current_approvals() == []


def test_a_fact_translation_feeds_the_chinese_and_traditional_drafts(world):
    declared(world)
    denied = world.cmd("fact 1 zh 40%的银行卡支付自09:00起失败", user="UCS")
    assert denied["text"].startswith(":lock: `/crisis fact &lt;n&gt; zh|en &lt;text&gt;`")
    assert "commander, comms lead, legal counsel or an executive" in denied["text"]
    world.cmd("fact 1 zh 自09:00起40%的银行卡支付失败", user="ULEGAL")
    assert world.incident().fact(1).text_in("zh") == "自09:00起40%的银行卡支付失败"
    world.cmd("statement customers holding zh-Hant", user="USPOKE")
    statement = world.incident().statement(1)
    assert statement.lang == "zh-Hant" and "自09:00起40%的銀行卡支付失敗" in statement.text
    assert "Card payments fail" not in statement.text and "（北京時間）" in statement.text
    world.cmd("statement submit 1", user="USPOKE")
    world.cmd("statement approve 1", user="UCOMMS")
    world.cmd("statement approve 1", user="ULEGAL")
    world.cmd("statement publish 1 weibo", user="UCOMMS")
    assert world.incident().statement(1).state is StatementState.PUBLISHED
