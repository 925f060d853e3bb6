"""Storm guard: monitors open at most N incidents a minute; further new groups join one
"alert storm" incident, and the announce channel hears about that storm once."""

from __future__ import annotations

import pytest

from bot.adapters.monitors.config import parse_monitors
from bot.domain.errors import InvalidInput
from tests.integration.monitor_helpers import SECRET, generic, post
from tests.integration.slack_world import make_world

LIMIT = 3


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET,
                   site_extra={"monitors": {"max_opened_per_minute": LIMIT}})
    yield w
    w.close()


def alerts(count: int, prefix: str = "svc") -> list[dict]:
    return [generic(f"fp-{i}", monitor=f"{prefix}-{i}", title=f"{prefix} {i} failing")
            for i in range(count)]


def announcements(world) -> list[str]:
    channel = world.emulator.channel_by_name("crisis-announce")["id"]
    return [m.get("text", "") for m in world.emulator.messages(channel)]


def test_one_request_with_many_groups_opens_at_most_the_limit_plus_one_storm(world):
    response = post(world.server.url, "generic", alerts(40))
    assert response.status_code == 202, response.text
    actions = [entry["action"] for entry in response.json()]
    assert actions.count("opened") == LIMIT + 1 and actions.count("linked") == 40 - LIMIT - 1
    world.bot.gateway.drain()
    incidents = world.bot.core.incidents.list()
    assert len(incidents) == LIMIT + 1
    storm = max(incidents, key=lambda i: i.number)
    assert storm.title.startswith("Alert storm")
    assert {e["incident"] for e in response.json()[LIMIT:]} == {f"INC-{storm.number}"}
    storm_notices = [t for t in announcements(world) if "Alert storm" in t]
    assert len(storm_notices) == 1
    assert len(announcements(world)) == LIMIT + 1


def test_later_new_groups_keep_joining_the_storm_incident(world):
    post(world.server.url, "generic", alerts(LIMIT + 1))
    later = post(world.server.url, "generic", alerts(5, prefix="late"))
    assert [e["action"] for e in later.json()] == ["linked"] * 5
    world.bot.gateway.drain()
    assert len(world.bot.core.incidents.list()) == LIMIT + 1
    assert len([t for t in announcements(world) if "Alert storm" in t]) == 1


def test_once_the_minute_has_passed_new_groups_open_their_own_incidents(world, clock):
    post(world.server.url, "generic", alerts(LIMIT + 2))
    clock.advance(seconds=61)
    fresh = post(world.server.url, "generic", [generic("calm", monitor="calm-1", title="calm")])
    assert fresh.json()[0]["action"] == "opened"
    assert len(world.bot.core.incidents.list()) == LIMIT + 2


def test_repeats_of_groups_already_open_are_not_counted(world):
    post(world.server.url, "generic", alerts(LIMIT))
    again = post(world.server.url, "generic", alerts(LIMIT))
    assert {e["action"] for e in again.json()} == {"deduplicated"}
    assert len(world.bot.core.incidents.list()) == LIMIT


def test_the_limit_must_be_a_positive_whole_number():
    assert parse_monitors({}).max_opened_per_minute == 10
    for bad in (0, -1, "ten", 2.5, True):
        with pytest.raises(InvalidInput, match="max_opened_per_minute"):
            parse_monitors({"max_opened_per_minute": bad})
