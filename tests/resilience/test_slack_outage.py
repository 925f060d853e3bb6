"""A 60-second Slack outage (5xx, then 429s): commands are still answered, and afterwards every
effect reaches Slack exactly once. Both the bot and the emulator run on one injected clock."""

from __future__ import annotations

import re

import pytest

from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock, pg_url):
    w = make_world(tmp_path, clock=clock, database_url=pg_url,
                   emulator_clock=lambda: clock().timestamp())
    yield w
    w.close()


def test_commands_are_acked_during_a_60s_outage_and_every_effect_lands_once(world, clock):
    world.declare()
    before = len(world.messages())
    world.emulator.fail_for(30, status=503)
    for i in range(4):
        assert ":white_check_mark:" in world.cmd(f"note outage note {i}")["text"]
        clock.advance(seconds=5)
    world.cmd("fact Card processor rejects Visa since 09:40")
    clock.advance(seconds=10)                               # t = 30 s: Slack now rate-limits
    world.emulator.fail_for(30, status=429, retry_after=20)
    for i in range(4, 7):
        assert ":white_check_mark:" in world.cmd(f"note outage note {i}")["text"]
        clock.advance(seconds=5)
    assert len(world.messages()) == before                  # nothing got through yet
    answers = [r["http_status"] for r in world.emulator.requests()]
    # Backoff kept the bot from hammering Slack, and after the first 429 it waited for
    # Retry-After (20 s) instead of calling again during the 10 s that followed.
    assert 1 <= answers.count(503) <= 5
    assert answers.count(429) == 1

    clock.advance(seconds=60)                               # t = 105 s: Slack is back
    for _ in range(12):                                     # backoff timers run out one by one
        world.bot.gateway.drain()
        if world.bot.gateway.store.pending_count() == 0:
            break
        clock.advance(seconds=60)
    assert world.bot.gateway.store.pending_count() == 0

    texts = world.texts()
    for i in range(7):
        assert sum(bool(re.search(rf"outage note {i}\b", t)) for t in texts) == 1, i
    assert sum("Card processor rejects Visa" in t for t in texts) == 1
    assert len([r for r in world.emulator.requests("conversations.create") if r["ok"]]) == 1
