"""Two `crisisbot serve` replicas on one PostgreSQL: 50 due reminders, 50 messages, no duplicates.

The 50 incidents are declared and their channels opened in this process first; then both
replicas start with their clock (``CRISISBOT_TEST_CLOCK_FILE``) past the team-assembly deadline
of every incident, and both tick every 0.2 s over the same reminders table and outbox.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.adapters.db import make_engine
from bot.adapters.db.models import ReminderRow
from bot.adapters.slack.gateway import Pacer
from bot.adapters.slack.pacing import MethodBudget
from bot.bootstrap import build_bot
from bot.domain.roles import Actor
from bot.domain.severity import Severity
from bot.sandbox.emulator import SlackEmulator
from bot.settings import Settings
from tests.conftest import T0, FakeClock, fresh_pg_database
from tests.integration.processes import ServeProcess, free_port
from tests.integration.reminder_env import serve_env, set_clock

INCIDENTS = 50
TEAM = "Team not assembled"


def posts(emulator, needle: str) -> list[tuple[str, str]]:
    """(channel, text) of every successful chat.postMessage whose text holds ``needle``."""
    return [(r["args"].get("channel", ""), r["args"].get("text", ""))
            for r in emulator.requests("chat.postMessage")
            if r["ok"] and needle in str(r["args"].get("text", ""))]


@pytest.mark.postgres
def test_two_replicas_send_fifty_due_reminders_exactly_once(tmp_path: Path, pg_server, pg_template):
    url = fresh_pg_database(pg_server, pg_template)
    # Fifty channels opened at once would take Slack's Tier 2 minutes: the rate tiers are not
    # what this test is about, so they are off (sizes and scopes stay strict).
    with SlackEmulator(lenient=True) as emulator:
        emulator.add_user("ULEAD", name="lead")
        emulator.add_user("UCOMMS", name="comms")
        env = serve_env(tmp_path, database_url=url, emulator=emulator,
                        roster={"comms": ["UCOMMS"]}, now=T0)
        settings = replace(Settings.from_env(env, dotenv=tmp_path / "none.env"))
        clock = FakeClock(T0)
        bot = build_bot(settings, clock=clock, pacer=Pacer(pace=0),
                        budget=MethodBudget(enabled=False), start_gateway=False)
        bot.gateway.sleep = lambda seconds: None
        try:
            for n in range(INCIDENTS):
                # S: team within 1 h; spokesperson and legal stay unfilled.
                bot.handler.declare(title=f"Rumour wave {n}", crisis_type="brand_reputation",
                                    severity=Severity.S, description="",
                                    actor=Actor("ULEAD"), key=None)
            while bot.gateway.drain():
                pass
            assert bot.gateway.store.pending_count() == 0
        finally:
            bot.close()

        replicas = [ServeProcess(env, free_port()), ServeProcess(env, free_port())]
        try:
            # Both are up and ticking before anything is due: they race for the same rows.
            set_clock(env, T0 + timedelta(hours=1, minutes=5))  # every team assembly is due
            arrived = emulator.wait_for(lambda: len(posts(emulator, TEAM)) >= INCIDENTS,
                                        timeout=90)
            assert arrived, "".join(replicas[0].log[-20:] + replicas[1].log[-20:])
            # Past the escalation grace: 50 more reminders, which the replicas can only send
            # after ticking on; by then any duplicate of the first 50 would have been posted.
            set_clock(env, T0 + timedelta(hours=1, minutes=35))
            assert emulator.wait_for(
                lambda: len(posts(emulator, "Escalation")) >= INCIDENTS, timeout=90)
        finally:
            for replica in replicas:
                replica.stop()
        shares = [sum("sent reminder team_assembly" in line for line in r.log) for r in replicas]
        print(f"team-assembly reminders sent per replica: {shares}")

        team = posts(emulator, TEAM)
        assert len(team) == INCIDENTS
        assert Counter(channel for channel, _ in team).most_common(1)[0][1] == 1
        assert len(posts(emulator, "Escalation")) == INCIDENTS

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            statuses = Counter(conn.execute(select(ReminderRow.key).where(
                ReminderRow.status == "sent")).scalars())
    finally:
        engine.dispose()
    assert statuses["team_assembly"] == INCIDENTS
