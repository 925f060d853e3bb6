"""Publishing a statement to its audience's targets: the dark site, a signed CMS webhook, a
partners' e-mail list and a Slack channel; the card shows each target's state and the
timeline records each outcome."""

from __future__ import annotations

import json

import pytest

from bot.adapters.slack.ids import Block
from tests.integration.slack_world import make_world
from tests.integration.vendor_standins import CMS_SECRET, SmtpServer, start_standins


@pytest.fixture
def vendors():
    stand = start_standins()
    smtp = SmtpServer()
    yield stand, smtp
    smtp.stop()
    stand.stop()


@pytest.fixture
def world(tmp_path, clock, vendors, monkeypatch, db_url):
    stand, smtp = vendors
    monkeypatch.setenv("TEST_CMS_SECRET", CMS_SECRET)
    w = make_world(tmp_path, clock=clock, database_url=db_url, extra_config={"publish": {
        "targets": {
            "site": {"type": "site"},
            "cms": {"type": "webhook", "url": f"{stand.url}/cms/hook", "secret": "env:TEST_CMS_SECRET"},
            "partners": {"type": "smtp", "host": "127.0.0.1", "port": smtp.port,
                         "from": "crisis@acme.example",
                         "to": ["sellers@lists.acme.example", "logistics@lists.acme.example"]},
            "status": {"type": "slack", "channel": "crisis-status"},
        },
        "audiences": {"customers": ["site", "cms", "status"], "partners": ["partners"]},
    }})
    w.emulator.add_channel("crisis-status", members=["UBOT"])
    yield w
    w.close()


def approved(world, audience: str = "customers") -> None:
    world.declare()
    world.cmd("fact Card payments fail for 40% of checkouts since 09:00", user="UCOMMS")
    world.cmd("fact confirm 1")
    world.cmd(f"statement {audience} holding en", user="USPOKE")
    world.cmd("statement submit 1", user="USPOKE")
    world.cmd("statement approve 1", user="UCOMMS")
    world.cmd("statement approve 1", user="ULEGAL")


def deliver(world) -> None:
    world.bot.paging.worker.run_due()
    world.bot.gateway.drain()


def card_delivery(world) -> str:
    cards = [m for m in world.messages() if "INC-1 · Statement #1 ·" in m.get("text", "")]
    assert len(cards) == 1
    last = cards[0]["blocks"][-1]
    assert last["block_id"].startswith(f"{Block.STATEMENT_ACTIONS.value}|INC-1:1:")
    return json.dumps(last, ensure_ascii=False)


def test_publish_reaches_every_target_of_the_audience_and_the_card_shows_it(world, vendors):
    stand, smtp = vendors
    approved(world)
    reply = world.cmd("statement publish 1", user="UCOMMS")
    assert "published" in reply["text"].lower()
    pending = card_delivery(world)
    assert pending.count("pending") == 3 and "`cms`" in pending and "`site`" in pending
    deliver(world)
    assert stand.got("cms")[0]["statement"]["text"] == world.incident().statement(1).text
    assert stand.got("cms")[0]["incident"] == "INC-1"
    status = world.emulator.messages(world.emulator.channel_by_name("crisis-status")["id"])
    assert "Card payments fail" in status[-1]["text"]
    assert smtp.messages == []  # partners are not this statement's audience
    done = card_delivery(world)
    assert "`site` live" in done and "`cms` sent" in done and "`status` sent" in done
    delivered = [e for e in world.bot.core.incidents.timeline(1) if e.name == "statement.delivered"]
    assert sorted((e.target, e.status) for e in delivered) == [
        ("cms", "sent"), ("site", "live"), ("status", "sent")]


def test_partners_get_the_statement_by_email(world, vendors):
    _, smtp = vendors
    approved(world, audience="partners")
    world.cmd("statement publish 1", user="UCOMMS")
    deliver(world)
    assert smtp.messages[0]["to"] == ["sellers@lists.acme.example", "logistics@lists.acme.example"]
    assert "Card payments fail" in smtp.messages[0]["data"]


def test_a_failing_webhook_is_retried_then_shown_failed(world, vendors, clock):
    stand, _ = vendors
    stand.fail_next["cms"] = 99
    approved(world)
    world.cmd("statement publish 1", user="UCOMMS")
    deliver(world)
    assert "`cms` pending" in card_delivery(world)
    for _ in range(8):
        clock.advance(minutes=11)
        deliver(world)
    shown = card_delivery(world)
    assert "`cms` failed" in shown and "HTTP 503" in shown
    failed = [e for e in world.bot.core.incidents.timeline(1)
              if e.name == "statement.delivered" and e.target == "cms"]
    assert [(e.status, e.error) for e in failed] == [("failed", "HTTP 503")]
    assert stand.got("cms") == []


def test_publish_twice_delivers_once(world, vendors):
    stand, _ = vendors
    approved(world)
    world.cmd("statement publish 1", user="UCOMMS")
    again = world.cmd("statement publish 1", user="UCOMMS")
    deliver(world)
    deliver(world)
    assert len(stand.got("cms")) == 1, again
