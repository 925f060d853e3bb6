"""Acknowledged commands run in the bounded worker pool: commands for one incident keep their
order, several incidents are served, and every command is answered (real HTTP both ways)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from bot.domain import events as ev
from bot.domain.roles import Actor
from tests.integration.slack_world import make_world

LEAD = Actor("ULEAD")


@pytest.fixture
def world(tmp_path, clock, db_url):
    w = make_world(tmp_path, clock=clock, database_url=db_url)
    yield w
    w.close()


def test_commands_for_one_incident_keep_their_order_and_incidents_interleave(world):
    first = world.declare("Checkout failing")
    second = world.declare("Courier API down")
    channels = {first: world.channel(first), second: world.channel(second)}
    before = len(world.emulator.response_url_posts())
    sent = 0
    # Sent back to back without waiting for answers: only the acks are awaited.
    for i in range(15):
        for number in (first, second):
            response = world.driver.command(f"note step {i}", user="ULEAD", channel=channels[number])
            assert response.status_code == 200
            sent += 1
        # A command naming the incident from elsewhere joins the same queue.
        response = world.driver.command(f"INC-{first} note named {i}", user="ULEAD",
                                        channel=world.general)
        assert response.status_code == 200
        sent += 1
    assert world.emulator.wait_for(
        lambda: len(world.emulator.response_url_posts()) >= before + sent, timeout=120)
    for number in (first, second):
        notes = [e.text for e in world.bot.core.incidents.timeline(number)
                 if isinstance(e, ev.NoteAdded)]
        expected = [f"step {i}" for i in range(15)]
        if number == first:
            expected = [n for i in range(15) for n in (f"step {i}", f"named {i}")]
        assert notes == expected


def test_status_card_reminders_and_app_home_never_read_the_whole_timeline(world):
    number = world.declare("Checkout failing")
    world.bot.core.incidents.apply(number, lambda inc, now: [
        e for i in range(300) for e in inc.add_note(f"filler {i}", actor=LEAD, at=now)])
    scans: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        flat = " ".join(statement.split()).lower()
        if "from timeline" in flat and "timeline.id >" not in flat and "limit" not in flat:
            scans.append(flat)

    event.listen(world.bot.core.engine, "before_cursor_execute", record)
    try:
        assert "Checkout failing" in json.dumps(world.cmd("status"))
        world.cmd("note one more")  # plans the card update and the reminders; drains the card
        world.driver.event({"type": "app_home_opened", "user": "ULEAD", "tab": "home"})
        assert world.emulator.wait_for(lambda: world.emulator.home_view("ULEAD") is not None,
                                       timeout=60)
    finally:
        event.remove(world.bot.core.engine, "before_cursor_execute", record)
    assert scans == []
