"""The drill calendar: the site's monthly slot (first Tuesday 15:00 in Shanghai) and rotation;
reminders a day and an hour before in the drill channel, each once; a drill due and not started
is flagged to the roster's execs; a drill started in time is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.slack_world import make_world

SLOT = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # Tuesday 1 December, 15:00 in Shanghai
ROTATION = ["courier-strike-festival", "kol-controversy", "regulator-inquiry"]


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, extra_config={"drills": {
        "channel": "crisis-drills", "facilitators": ["UANNA"], "rotation": ROTATION,
        "schedule": {"every": "month", "weekday": "tuesday", "week": 1, "time": "15:00",
                     "zone": "Asia/Shanghai"}}})
    w.emulator.add_channel("crisis-drills", members=["UBOT"])
    yield w
    w.close()


def drill_posts(world) -> list[str]:
    return [m.get("text", "") for m in world.emulator.messages("crisis-drills")]


def tick(world, clock, at: datetime) -> None:
    clock.now = at
    world.bot.drill_ticker.tick()
    world.bot.gateway.drain()


def test_reminders_a_day_and_an_hour_before_then_the_overdue_flag(world, clock):
    # December 2026 is month 323 since 2000-01: 323 % 3 = 2 → the third of the rotation.
    tick(world, clock, SLOT - timedelta(hours=30))
    assert drill_posts(world) == []
    tick(world, clock, SLOT - timedelta(hours=23))
    tick(world, clock, SLOT - timedelta(hours=22))  # the same reminder is not sent twice
    posts = drill_posts(world)
    assert len(posts) == 1 and "Drill in 1d" in posts[0] and "2026-12-01 15:00" in posts[0]
    assert "`regulator-inquiry`" in posts[0]
    tick(world, clock, SLOT - timedelta(minutes=50))
    posts = drill_posts(world)
    assert len(posts) == 2 and "Drill in 1h" in posts[1]
    tick(world, clock, SLOT + timedelta(hours=1))
    assert len(drill_posts(world)) == 2  # within the two hours' grace: no flag yet
    tick(world, clock, SLOT + timedelta(hours=2, minutes=5))
    tick(world, clock, SLOT + timedelta(hours=3))
    posts = drill_posts(world)
    assert len(posts) == 3
    assert "<@UEXEC>" in posts[2] and "has not been started" in posts[2]


def test_a_drill_started_in_time_is_not_flagged(world, clock):
    clock.now = SLOT + timedelta(minutes=5)
    reply = world.cmd("drill start regulator-inquiry", user="UANNA", channel=world.general)
    assert "started" in reply["text"]
    tick(world, clock, SLOT + timedelta(hours=3))
    assert not any("has not been started" in p for p in drill_posts(world))
