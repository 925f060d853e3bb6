"""A burst of commands to one incident: the workers apply what they find queued together (one
read, one transaction, one channel message), each command still answered on its own and in
order — the real bolt app over signed HTTP, against the emulator."""

from __future__ import annotations

import threading
import time

import pytest

from bot.domain import events as ev
from tests.integration.slack_world import make_world

WAIT = 60


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def burst(world, commands: list[tuple[str, str]]) -> list[dict]:
    """Send ``commands`` (user, text) while the workers are held, so they queue behind the
    first; returns the answers, in the order sent."""
    channel = world.channel()
    gate = threading.Event()
    world.bot.workers.pause = lambda: gate.wait(WAIT)
    before = world.emulator.response_url_post_count()
    urls = []
    for user, text in commands:
        url = world.emulator.new_response_url(channel=channel, user=user)
        response = world.driver.post_form({
            "team_id": world.driver.team_id, "channel_id": channel, "user_id": user,
            "command": "/crisis", "text": text, "response_url": url,
            "trigger_id": world.emulator.new_trigger_id()})
        assert response.status_code == 200 and not response.content
        urls.append(url)
    gate.set()
    assert world.emulator.wait_for(
        lambda: world.emulator.response_url_post_count() >= before + len(commands), timeout=WAIT)
    world.bot.gateway.drain()
    by_url = {post["url"]: post["payload"] for post in world.emulator.response_url_posts()}
    return [by_url[url] for url in urls]


def notes(world) -> list[str]:
    return [e.text for e in world.bot.core.incidents.timeline(1) if isinstance(e, ev.NoteAdded)]


def test_a_burst_is_applied_in_order_a_batch_at_a_time(world):
    world.declare()
    before = len(world.texts())
    answers = burst(world, [("ULEAD", f"note burst {i}") for i in range(30)]
                    + [("ULEAD", "fact Batch 7 is affected"), ("ULEAD", "task add Call the carrier")])
    for i, answer in enumerate(answers[:30]):
        assert answer["text"].startswith(":white_check_mark:") and f"burst {i}" in answer["text"]
    assert "Batch 7 is affected" in answers[30]["text"] and "Call the carrier" in answers[31]["text"]
    assert notes(world) == [f"burst {i}" for i in range(30)]
    incident = world.incident()
    assert [f.text for f in incident.facts] == ["Batch 7 is affected"]
    assert incident.tasks[-1].text.en == "Call the carrier"
    # One channel message per batch (the first command was taken alone), its lines in order.
    posted = world.texts()[before:]
    assert 1 <= len(posted) <= 3
    lines = [line for text in posted for line in text.splitlines()]
    assert [line for line in lines if "noted" in line] == [
        line for i in range(30) for line in lines if line.endswith(f"noted: burst {i}")]
    assert len([line for line in lines if "noted" in line]) == 30


def test_every_answered_command_of_a_burst_is_marked_done_in_the_inbox(world):
    from sqlalchemy import text

    world.declare()
    burst(world, [("ULEAD", f"note done {i}") for i in range(12)] + [("ULEAD", "status")] * 4)
    # The last answer job of each batch writes its marks: once the running jobs have ended
    # (close waits for them), every answered command is marked.
    assert world.bot.workers.close(wait=True, timeout=WAIT) == 0
    with world.bot.core.engine.connect() as conn:
        statuses = dict(conn.execute(text(
            "SELECT status, count(*) FROM slack_inbox GROUP BY status")).all())
    assert statuses == {"done": 17}  # the declare and the 16 of the burst


def test_in_a_burst_a_refusal_or_a_bad_command_touches_only_its_own(world):
    world.declare()
    answers = burst(world, [("ULEAD", "note first"), ("UANNA", "impact orders=1200"),
                            ("ULEAD", "note second"), ("ULEAD", "note lesson:"),
                            ("ULEAD", "note third")])
    assert "first" in answers[0]["text"] and ":white_check_mark:" in answers[2]["text"]
    assert ":white_check_mark:" not in answers[1]["text"]            # not one who decides
    assert "Write the note" in answers[3]["text"]                    # refused by the domain
    assert "third" in answers[4]["text"]
    assert notes(world) == ["first", "second", "third"]
    assert "orders" not in world.incident().impact


def test_a_replayed_command_in_a_burst_is_applied_once(world):
    world.declare()
    channel = world.channel()
    gate = threading.Event()
    world.bot.workers.pause = lambda: gate.wait(WAIT)
    before = world.emulator.response_url_post_count()
    for text in ("note one", "note two"):
        world.driver.command(text, user="ULEAD", channel=channel)
    # Slack retries a request it got no timely ack for: same body, same signature.
    body = {"team_id": world.driver.team_id, "channel_id": channel, "user_id": "ULEAD",
            "command": "/crisis", "text": "note three",
            "response_url": world.emulator.new_response_url(channel=channel, user="ULEAD"),
            "trigger_id": "t-replayed"}
    stamp = str(int(time.time()))
    world.driver.post_form(body, timestamp=stamp)
    world.driver.post_form(body, timestamp=stamp)
    gate.set()
    assert world.emulator.wait_for(
        lambda: world.emulator.response_url_post_count() >= before + 3, timeout=WAIT)
    assert notes(world) == ["one", "two", "three"]


def test_statuses_queued_together_are_each_answered_with_the_card(world):
    world.declare()
    answers = burst(world, [("ULEAD", "note before")] + [("ULEAD", "status")] * 6
                    + [("ULEAD", "sev A"), ("ULEAD", "status")])
    cards = answers[1:7]
    assert all(card["blocks"] and "INC-1" in card["text"] for card in cards)
    assert all(card == cards[0] for card in cards)
    # The last status comes after the severity change, and shows it.
    assert "severity S" in cards[0]["text"] and "severity A" in answers[8]["text"]


def test_a_batch_never_raises_each_command_says_what_went_wrong(world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from bot.adapters.slack import commands as c
    from bot.adapters.slack.handlers import CommandRun

    world.declare()
    channel = world.channel()

    def unreachable(channel_id):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(world.bot.handler.store, "incident_for_channel", unreachable)
    replies = world.bot.handler.handle_many(
        [CommandRun(c.parse_command(text), "ULEAD", channel, f"k{i}")
         for i, text in enumerate(["note a", "note b", "status", "status"])])
    assert len(replies) == 4
    assert all("cannot reach its database" in reply.text for reply in replies)
    assert notes(world) == []
