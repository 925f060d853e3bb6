"""`kill -9` in the middle of an incident: state and timeline intact, pending effects delivered."""

from __future__ import annotations

import re
from collections import Counter

from bot.bootstrap import build_core
from bot.settings import Settings
from tests.integration.processes import free_port


def wait_for_card(site, name: str) -> str:
    """The incident channel's id, once the bot has pinned its card there (so it knows it)."""

    def pinned() -> bool:
        channel = site.emulator.channel_by_name(name)
        return channel is not None and any(
            m.get("pinned") for m in site.emulator.messages(channel["id"]))

    assert site.emulator.wait_for(pinned, timeout=30)
    return site.emulator.channel_by_name(name)["id"]


def test_kill_9_mid_incident_keeps_state_and_timeline_and_delivers_pending_effects(site, pg_url):
    port = free_port()
    first = site.serve(pg_url, port)
    driver = site.driver(f"http://127.0.0.1:{port}")

    def run(text: str, channel: str) -> str:
        reply = driver.replied(lambda: driver.command(text, user="ULEAD", channel=channel))
        assert reply.status_code == 200, reply.text
        return site.emulator.response_url_posts()[-1]["payload"]["text"]

    try:
        assert "INC-1 declared" in run("declare Courier API down sev:S type:service_logistics",
                                       site.general)
        channel = wait_for_card(site, "inc-1-courier-api-down")
        assert "fact #1" in run("fact Courier API answers 500 since 09:12", channel)
        run("task done 1", channel)
        run("impact orders=1200", channel)
        site.emulator.fail_for(3600, status=503)  # Slack down: the next effects stay pending
        for i in range(3):
            assert ":white_check_mark:" in run(f"note outage step {i}", channel)
        first.kill9()
    finally:
        first.stop()

    core = build_core(Settings(database_url=pg_url), migrate=False)
    try:
        incident = core.incidents.get(1)
        names = Counter(e.name for e in core.incidents.timeline(1))
    finally:
        core.close()
    assert names["note.added"] == 3 and names["fact.added"] == 1
    assert names["impact.recorded"] == 1 and names["task.completed"] == 1
    assert incident.impact["orders"] == 1200
    assert not incident.task(1).is_open

    site.emulator.clear_faults()
    second = site.serve(pg_url, port)
    try:
        def delivered() -> bool:
            texts = [m.get("text", "") for m in site.emulator.messages(channel)]
            return all(any(f"outage step {i}" in t for t in texts) for i in range(3))

        assert site.emulator.wait_for(delivered, timeout=60), "".join(second.log)
    finally:
        driver.close()
        second.stop()
    texts = [m.get("text", "") for m in site.emulator.messages(channel)]
    for i in range(3):
        assert sum(bool(re.search(rf"outage step {i}\b", t)) for t in texts) == 1
    assert len([r for r in site.emulator.requests("conversations.create") if r["ok"]]) == 1
    assert sum(1 for m in site.emulator.messages(channel) if m.get("pinned")) == 1
