"""`kill -9` before a reminder is due, restart after: the reminder arrives exactly once.

The child processes read the time from a clock file (``CRISISBOT_TEST_CLOCK_FILE``), so the
test moves time by rewriting it; nothing waits on the real clock except for Slack delivery.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.db import make_engine
from bot.adapters.db.uow import uow_factory
from bot.domain.events import ReminderSent
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import T0
from tests.integration.processes import ServeProcess, free_port
from tests.integration.reminder_env import serve_env, set_clock

CHANNEL = "inc-1-fake-recall-notice-spreads"


@pytest.fixture
def emulator():
    with SlackEmulator() as emu:
        for user in ("ULEAD", "UCOMMS"):
            emu.add_user(user, name=user.lower())
        yield emu


def texts(emulator, needle: str) -> list[str]:
    channel = emulator.channel_by_name(CHANNEL)
    if channel is None:
        return []
    return [m["text"] for m in emulator.messages(channel["id"]) if needle in m.get("text", "")]


def test_reminder_due_while_killed_arrives_exactly_once_after_restart(tmp_path: Path, emulator):
    general = emulator.add_channel("general", members=["ULEAD", "UCOMMS", "UBOT"])
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    env = serve_env(tmp_path, database_url=url, emulator=emulator,
                    roster={"comms": ["UCOMMS"]}, now=T0)
    port = free_port()
    first = ServeProcess(env, port)
    driver = SlackDriver(bot_url=f"http://127.0.0.1:{port}", emulator=emulator,
                         signing_secret=env["SLACK_SIGNING_SECRET"])
    try:
        # S: team within 1 h; spokesperson and legal are not on the roster, so it will not be.
        reply = driver.replied(lambda: driver.command(
            "declare Fake recall notice spreads sev:S type:brand_reputation",
            user="ULEAD", channel=general))
        assert reply.status_code == 200, reply.text
        assert emulator.wait_for(lambda: len(texts(emulator, "")) >= 2, timeout=30), \
            "".join(first.log)
        assert texts(emulator, "Team not assembled") == []
        first.kill9()  # at T0: the reminder is due at T0 + 1 h
    finally:
        first.stop()
        driver.close()

    set_clock(env, T0 + timedelta(hours=1, minutes=5))
    second = ServeProcess(env, port)
    try:
        assert emulator.wait_for(lambda: texts(emulator, "Team not assembled"), timeout=30), \
            "".join(second.log)
        # Let the ticker run on: the first-statement reminder at T0 + 3 h comes after many
        # more ticks, and still only one team-assembly reminder was posted.
        set_clock(env, T0 + timedelta(hours=3))
        assert emulator.wait_for(lambda: texts(emulator, "First statement"), timeout=30), \
            "".join(second.log)
    finally:
        second.stop()
    [team] = texts(emulator, "Team not assembled")
    assert "<@ULEAD>" in team and "Spokesperson" in team and "Legal counsel" in team
    engine = make_engine(url)
    try:
        with uow_factory(engine)() as uow:
            sent = [e for e in uow.timeline.for_incident(1) if isinstance(e, ReminderSent)]
    finally:
        engine.dispose()
    assert [e.kind for e in sent].count("team_assembly") == 1
    assert [e.at for e in sent if e.kind == "team_assembly"] == [T0 + timedelta(hours=1, minutes=5)]
