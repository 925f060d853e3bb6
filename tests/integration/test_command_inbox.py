"""The command inbox in the running bot: every accepted `/crisis` command is stored before
the ack and marked done once answered; one that cannot be stored is not accepted; a pending
one is finished by the sweeper and answered through its response_url."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from bot.adapters.db.inbox import InboxEntry
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def eventually(predicate, *, timeout: float = 60.0) -> bool:
    """Database state has no event to wait on: re-check until ``timeout`` (generous)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def rows(world) -> list[tuple[str, str]]:
    with world.bot.core.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT text, status FROM slack_inbox ORDER BY id"))]


def test_an_answered_command_is_stored_and_marked_done(world):
    world.declare()
    world.cmd("note stored first")
    assert eventually(lambda: ("note stored first", "done") in rows(world))


def test_a_command_that_cannot_be_stored_is_refused_and_changes_nothing(world):
    world.declare()
    with world.bot.core.engine.begin() as conn:
        conn.execute(text("ALTER TABLE slack_inbox RENAME TO slack_inbox_away"))
    response = world.driver.command("note never stored", user="ULEAD", channel=world.channel())
    assert response.status_code == 200
    assert "was not taken" in response.json()["text"]
    assert not [e for e in world.bot.core.incidents.timeline(1) if e.name == "note.added"]


def test_the_sweeper_finishes_a_pending_command_after_its_lease(world, clock):
    world.declare()
    url = world.emulator.new_response_url(channel=world.channel(), user="ULEAD")
    entry = InboxEntry(key="slack:left-behind", user_id="ULEAD", channel_id=world.channel(),
                       text="note left behind by a crash", response_url=url)
    world.bot.sweeper.inbox.accept(entry, now=clock())
    assert world.bot.sweeper.sweep() == 0  # still leased to the (dead) process that took it
    clock.advance(seconds=61)
    assert world.bot.sweeper.sweep() == 1
    answer = [p for p in world.emulator.response_url_posts() if p["url"] == url]
    assert answer and "finished after a crisisbot restart" in answer[0]["payload"]["text"]
    notes = [e.text for e in world.bot.core.incidents.timeline(1) if e.name == "note.added"]
    assert notes == ["left behind by a crash"]
    assert world.bot.sweeper.sweep() == 0 and ("note left behind by a crash", "done") in rows(world)


def test_a_command_stored_too_late_for_the_ack_is_abandoned_never_run(world):
    import sqlite3

    world.declare()
    channel = world.channel()
    path = world.bot.core.engine.url.database
    blocker = sqlite3.connect(path, isolation_level=None, timeout=30)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        response = world.driver.command("note too slow to store", user="ULEAD", channel=channel)
        assert response.status_code == 200 and "was not taken" in response.json()["text"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert eventually(lambda: ("note too slow to store", "abandoned") in rows(world))
    assert world.bot.sweeper.sweep() == 0
    assert not [e for e in world.bot.core.incidents.timeline(1) if e.name == "note.added"]
