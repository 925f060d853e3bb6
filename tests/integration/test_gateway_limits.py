"""The gateway under Slack's limits: one invite call, resumable effects, an attempt cap,
visible dead letters and the ``crisisbot outbox`` CLI — the real bot against the emulator."""

from __future__ import annotations

import httpx
import pytest

from bot.adapters.slack.gateway import MAX_ATTEMPTS
from bot.cli import main
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def deliver_all(world, clock, *, rounds: int = 20) -> None:
    """Drain, moving the bot's clock past every retry delay, until nothing is pending."""
    for _ in range(rounds):
        world.bot.gateway.drain()
        if world.bot.gateway.store.pending_count() == 0:
            return
        clock.advance(seconds=400)
    raise AssertionError("effects still pending")


def test_the_whole_team_is_invited_in_one_call(world):
    world.declare()
    invites = world.emulator.requests("conversations.invite")
    assert len(invites) == 1
    users = invites[0]["args"]["users"].split(",")
    assert {"ULEAD", "UCOMMS", "ULEGAL"} <= set(users)
    assert set(users) <= set(world.emulator.channel_by_name(
        world.emulator.channels()[-1]["name"])["members"])


def test_429s_on_purpose_and_pin_are_retried_and_resume_where_they_stopped(world, clock):
    world.emulator.fail_next("conversations.setPurpose", status=429, retry_after=7)
    world.emulator.fail_next("pins.add", status=429, retry_after=3)
    world.declare()
    deliver_all(world, clock)
    channel = world.emulator.channels()[-1]
    assert channel["topic"].startswith("INC-1 · S") and channel["purpose"].startswith("Crisis room")
    assert len(world.emulator.requests("conversations.create")) == 1
    assert len(world.emulator.requests("conversations.setTopic")) == 1
    cards = [m for m in world.emulator.messages(channel["id"]) if m["pinned"]]
    assert len(cards) == 1
    assert len([r for r in world.emulator.requests("chat.postMessage") if r["ok"]
                and r["args"].get("channel") == channel["id"]
                and "blocks" in r["args"] and "INC-1" in str(r["args"]["text"])]) >= 1


def test_an_effect_gives_up_after_the_cap_visibly_and_can_be_retried(world, clock, tmp_path,
                                                                       monkeypatch, capsys):
    world.emulator.fail_next("pins.add", status=500, count=MAX_ATTEMPTS)
    world.declare()
    deliver_all(world, clock)
    assert len(world.emulator.requests("pins.add")) == MAX_ATTEMPTS
    notice = [t for t in world.texts() if "couldn't pin the card" in t]
    assert notice and f"after {MAX_ATTEMPTS} tries" in notice[0] and "置顶事件卡片" in notice[0]
    metrics = httpx.get(world.server.url + "/metrics").text
    assert 'crisisbot_outbox_dead_letters_total{kind="post_card"} 1.0' in metrics
    assert "crisisbot_outbox_failed 1.0" in metrics

    monkeypatch.setenv("CRISISBOT_DATABASE_URL", world.bot.core.settings.database_url)
    monkeypatch.chdir(tmp_path)
    assert main(["outbox", "--failed"]) == 0
    listed = capsys.readouterr().out
    row = next(line for line in listed.splitlines() if "post_card" in line)
    effect_id = int(row.split()[0])
    assert "failed" in row and f" {MAX_ATTEMPTS} " in row and "INC-1" in row
    assert main(["outbox", "retry", "999999"]) == 1
    assert "no failed effect 999999" in capsys.readouterr().err
    assert main(["outbox", "retry", str(effect_id)]) == 0
    deliver_all(world, clock)
    assert any(m["pinned"] for m in world.messages())
    assert main(["outbox", "--failed"]) == 0
    assert "no failed effects" in capsys.readouterr().out


def test_one_incidents_stuck_effect_never_holds_back_another(world, clock):
    world.emulator.fail_next("pins.add", status=500, count=1)
    world.declare("First incident")
    world.bot.gateway.drain()  # incident 1's card effect now waits for its retry
    world.declare("Second incident")
    second = world.bot.gateway.store.place(2)
    assert second is not None
    assert any(m["pinned"] for m in world.emulator.messages(second.channel_id))
    first = world.bot.gateway.store.place(1)
    assert not any(m["pinned"] for m in world.emulator.messages(first.channel_id))
    deliver_all(world, clock)
    assert any(m["pinned"] for m in world.emulator.messages(first.channel_id))


def test_a_big_roster_is_invited_in_batches_of_1000_resumed_after_a_429(tmp_path, clock):
    roster = [f"UBIG{n:04d}" for n in range(1500)]
    world = make_world(tmp_path, clock=clock, extra_config={"roster": {"comms": roster}})
    try:
        for uid in roster:
            world.emulator.add_user(uid, name=uid.lower())
        world.emulator.fail_next("conversations.invite", status=429, retry_after=2, skip=1)
        world.declare()
        deliver_all(world, clock)
        calls = [len(r["args"]["users"].split(",")) for r in world.emulator.requests(
            "conversations.invite")]
        assert calls == [1000, 501, 501]  # the first batch is not sent again after the 429
        members = set(world.emulator.channels()[-1]["members"])
        assert set(roster) <= members
    finally:
        world.close()


def test_of_several_card_updates_only_the_last_is_sent(world, clock):
    # A burst of commands leaves a card update each; one chat.update shows them all, and the
    # rest are closed together, never sent.
    world.declare()
    deliver_all(world, clock)
    store = world.bot.gateway.store
    number = world.bot.core.incidents.list()[0].number
    before = len(world.emulator.requests("chat.update"))
    for _ in range(5):
        store.add("update_card", {}, at=clock(), incident=number)
    deliver_all(world, clock)
    assert len(world.emulator.requests("chat.update")) == before + 1
    assert store.pending_count() == 0 and store.failed_count() == 0


def test_the_gateway_reads_the_head_of_each_incident_not_the_backlog_behind_it(world, clock):
    # Slack takes one message per second per channel: a burst of notes leaves hundreds waiting.
    # Each wake-up reads one effect per incident (and its newest card update), so the cost of
    # a drain does not grow with the backlog, and the messages still go out in order.
    world.declare()
    deliver_all(world, clock)
    store = world.bot.gateway.store
    number = world.bot.core.incidents.list()[0].number
    for i in range(300):
        store.add("post_message", {"text": f"backlog {i}"}, at=clock(), incident=number)
        store.add("update_card", {}, at=clock(), incident=number)
    heads, superseded = store.heads(frozenset({"update_card"}))
    assert [(e.incident, e.kind) for e in heads] == [(number, "post_message"),
                                                     (number, "update_card")]
    assert heads[0].id < heads[1].id and superseded == {number: heads[1].id}
    store.add("post_message", {"text": "general", "channel": world.general}, at=clock())
    assert len(store.heads(frozenset({"update_card"}))[0]) == 3  # no incident: a head of its own
    deliver_all(world, clock, rounds=400)
    channel = world.emulator.channels()[-1]["id"]
    posted = [m["text"] for m in world.emulator.messages(channel) if m["text"].startswith("backlog")]
    assert posted == [f"backlog {i}" for i in range(300)]
    assert store.pending_count() == 0 and store.failed_count() == 0
