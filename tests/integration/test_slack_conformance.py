"""Conformance: a stress scenario over signed HTTP, every payload the bot sent checked with
slack_sdk's Block Kit / View models and accepted by the strict emulator (UTF-16 field limits,
the block-text budget, scopes from the manifest).

The scenario: a 150-character Chinese/emoji title, 60 tasks, 80 facts, a 500-event timeline,
120 open incidents on App Home, a 5,000-character statement edit (refused), and a roster of
120 people across the invited roles.
"""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.adapters.slack.escape import utf16_len
from bot.domain.roles import Actor
from bot.domain.severity import Severity
from tests.integration.slack_world import make_world

TITLE = ("支付系统故障🔥订单无法提交😱" * 20)[:150]
ROLES = ("comms", "legal", "ops", "cs", "exec", "spokesperson")
SIZE_ERRORS = {"invalid_blocks", "msg_blocks_too_long", "invalid_arguments", "msg_too_long",
               "too_long", "missing_scope", "invalid_blocks_format"}


@pytest.fixture
def world(tmp_path, clock):
    roster = {role: [f"U{role.upper()[:4]}{n:03d}" for n in range(20)] for role in ROLES}
    w = make_world(tmp_path, clock=clock, extra_config={"roster": roster})
    for users in roster.values():
        for uid in users:
            w.emulator.add_user(uid, name=uid.lower())
    yield w
    w.close()


def check_blocks(blocks) -> None:
    for block in blocks or []:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()


def test_every_payload_of_a_stress_scenario_is_valid_and_within_slacks_limits(world, clock):
    assert utf16_len(TITLE) > 150  # the emoji count twice
    world.cmd(f"declare {TITLE} sev:SS type:service_logistics", channel=world.general)
    number = world.bot.core.incidents.list()[0].number
    channel = world.channel(number)
    assert len(world.emulator.channel_by_name(
        world.emulator.channels()[-1]["name"])["members"]) >= 120

    for n in range(60):
        world.cmd(f"task add Check warehouse {n} stock levels and report back 核对库存 {n}",
                  channel=channel)
    for n in range(80):
        world.cmd(f"fact Orders from region {n} failing since 10:{n % 60:02d} & rising <!here>",
                  channel=channel)
    service, lead = world.bot.core.incidents, Actor("ULEAD")
    for n in range(500 - len(service.timeline(number))):  # the bulk of the 500 events
        service.add_note(number, f"note {n}: 用户反馈 checkout 500 & retry <b>", actor=lead)
    world.cmd("stage", channel=channel)
    world.cmd("timeline 500", channel=channel)
    world.cmd("status", channel=channel)
    world.cmd("impact orders=1200 revenue=USD 35000", channel=channel)
    refused = world.cmd(f"impact comment={'&' * 8100}", channel=channel)
    assert "8100 characters long" in refused["text"]

    world.cmd("statement customers holding en", channel=channel)
    edit = world.cmd(f"statement edit 1 {'长' * 5000}", channel=channel, user="USPOK000")
    assert "5000 characters long" in edit["text"] and "3000" in edit["text"]

    for n in range(119):
        service.declare(title=f"Incident {n} 🔥", crisis_type="service_logistics",
                        severity=Severity.A, description="", actor=lead)
    world.bot.gateway.drain()
    assert world.driver.event({"type": "app_home_opened", "user": "ULEAD",
                               "tab": "home"}).status_code == 200
    assert world.emulator.wait_for(lambda: world.emulator.home_view("ULEAD") is not None,
                                   timeout=30)
    home = world.emulator.home_view("ULEAD")
    View(type="home", blocks=home["blocks"]).validate_json()
    texts = json.dumps(home, ensure_ascii=False)
    assert "…and 25 more" in texts and "crisisbot incidents --open" in texts

    # Every Web API call and response-URL post the bot made was accepted by the strict emulator.
    failed = [(r["method"], r["error"]) for r in world.emulator.requests()
              if not r["ok"] and r["error"] in SIZE_ERRORS]
    assert failed == []
    bad_posts = [p["error"] for p in world.emulator.response_url_posts() if p.get("error")]
    assert bad_posts == []
    # …and every payload passes slack_sdk's Block Kit models.
    for request in world.emulator.requests():
        args = request["args"]
        if "blocks" in args:
            blocks = args["blocks"]
            check_blocks(json.loads(blocks) if isinstance(blocks, str) else blocks)
        if "view" in args:
            view = args["view"]
            View(**(json.loads(view) if isinstance(view, str) else view)).validate_json()
    for post in world.emulator.response_url_posts():
        check_blocks(post["payload"].get("blocks"))
    # What was cut says where the rest is.
    timeline = next(p["payload"] for p in reversed(world.emulator.response_url_posts())
                    if "timeline" in json.dumps(p["payload"].get("blocks") or []))
    assert "crisisbot postmortem INC-1" in json.dumps(timeline, ensure_ascii=False)
    topic = world.emulator.channels()[len(world.emulator.channels()) - 120]["topic"]
    assert utf16_len(topic) <= 250 and "&lt;" not in topic and "&amp;" not in topic
    assert world.bot.gateway.store.listing(failed_only=True) == []
