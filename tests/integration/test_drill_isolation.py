"""Drills are harmless: their alerts never touch real incidents and real alerts never join a
drill; a restart mid-drill (or a crash between an inject's effect and its record) fires no
inject twice; pause, resume and early injects move the drill clock as the facilitator says."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.adapters.slack.gateway import Pacer
from bot.adapters.slack.pacing import MethodBudget
from bot.bootstrap import build_bot
from bot.domain.alerts import Alert, AlertStatus
from tests.integration.monitor_helpers import SECRET, generic, post
from tests.integration.slack_world import make_world

FACILITATOR = "UANNA"


@pytest.fixture
def world(tmp_path, clock, db_url):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET, database_url=db_url, extra_config={
        "drills": {"channel": "crisis-drills", "facilitators": [FACILITATOR]}})
    w.emulator.add_channel("crisis-drills", members=["UBOT"])
    yield w
    w.close()


def start(world, scenario: str = "cosmetic-allergy-viral", extra: str = "") -> int:
    reply = world.cmd(f"drill start {scenario} {extra}".strip(), user=FACILITATOR, channel=world.general)
    assert "started" in reply["text"], reply
    return max(r.number for r in world.bot.core.incidents.list())


def names(world, number: int) -> list[str]:
    return [e.name for e in world.bot.core.incidents.timeline(number)]


def texts(world, number: int, needle: str) -> list[str]:
    return [t for t in world.texts(number) if needle in t]


def test_drill_alerts_and_real_alerts_never_cross(world, clock):
    # A real incident opened by the same monitor name a drill scenario uses.
    answer = post(world.server.url, "generic", generic("real-1", monitor="social-mentions"))
    assert answer.status_code == 202 and answer.json()["action"] == "opened"
    real = int(answer.json()["incident"].split("-")[1])
    before = names(world, real)
    drill = start(world)  # inject 1 is a social-mentions alert
    assert names(world, real) == before
    assert names(world, drill).count("alert.fired") == 1
    # A real alert never joins the drill: not by naming the drill's monitor…
    forged = post(world.server.url, "generic", generic(
        "drill:1:inject:1", monitor="crisisbot-drill-1-social-mentions"))
    assert forged.json()["action"] == "ignored"
    # …nor by naming its alert group.
    outcome = world.bot.alerts.ingest(Alert(
        monitor="am", fingerprint="x", status=AlertStatus.FIRING, title="grouped",
        observed_at=clock.now, group="crisisbot:drill:1"))
    assert outcome.incident not in (drill, None)
    assert names(world, drill).count("alert.fired") == 1
    # Real announcements and metrics: the drill counts in neither.
    assert not [t for t in world.emulator.messages("crisis-announce") if "DRILL" in t.get("text", "")]
    metrics = httpx.get(f"{world.server.url}/metrics", timeout=30)
    assert metrics.status_code == 200
    total = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.text.splitlines()
                if line.startswith("crisisbot_incidents_open{"))
    assert total == 2  # the two real incidents, not the drill


def test_a_restart_mid_drill_resumes_without_firing_any_inject_twice(world, clock, monkeypatch):
    t0 = clock.now
    number = start(world)  # scale: the scenario's own 45 minutes
    clock.now = t0 + timedelta(minutes=5)
    world.bot.drill_ticker.tick()
    world.bot.gateway.drain()
    assert world.bot.drills.run_for(number).fired == frozenset({1, 2, 3})
    # Restart: a new process on the same database and Slack (the old one stops ticking).
    settings = world.bot.core.settings
    world.bot.drill_ticker.stop()
    if world.bot.gateway.leader is not None:  # the old process is gone: its outbox lock too
        world.bot.gateway.leader.release()
    second = build_bot(settings, clock=clock, pacer=Pacer(pace=0), budget=MethodBudget(enabled=False),
                       start_gateway=False, start_pollers=False)
    second.gateway.sleep = lambda seconds: None
    try:
        assert second.drill_ticker.tick() == 0  # nothing new is due; nothing fires again
        # A crash between inject 5's effects (a fact, a message) and its record: the next tick
        # runs the effects again, and their keys make that a no-op.
        clock.now = t0 + timedelta(minutes=11)
        store = second.drills.store
        real_mark = store.mark_fired
        calls = {"n": 0}

        def crash_once(run_id, no, **kw):
            calls["n"] += 1
            if no == 5 and calls["n"] == 2:
                raise RuntimeError("killed after the effect, before the record")
            return real_mark(run_id, no, **kw)

        monkeypatch.setattr(store, "mark_fired", crash_once)
        second.drill_ticker.tick()
        assert second.drills.run_for(number).fired == frozenset({1, 2, 3, 4})
        second.drill_ticker.tick()
        second.gateway.drain()
        assert second.drills.run_for(number).fired == frozenset({1, 2, 3, 4, 5})
        for no in range(1, 6):
            assert len(texts(world, number, f"inject {no} ·")) == 1, no
        facts = [e for e in second.core.incidents.timeline(number) if e.name == "fact.added"]
        assert len(facts) == 2  # injects 3 and 5, once each
        assert names(world, number).count("alert.fired") == 1
    finally:
        second.close()


def test_pause_resume_and_an_early_inject_move_the_drill_clock(world, clock):
    t0 = clock.now
    number = start(world, extra="scale 45m")
    channel = world.bot.gateway.store.place(number).channel_id
    lead = lambda text, user=FACILITATOR: world.cmd(text, user=user, channel=channel)
    refused = lead("drill pause", user="UCS")
    assert ":lock:" in refused["text"]
    clock.now = t0 + timedelta(minutes=1)
    assert "Drill paused" in lead("drill pause")["text"]
    assert "not running" in lead("drill pause")["text"]
    clock.now = t0 + timedelta(minutes=31)  # thirty minutes paused: no inject fires
    world.bot.drill_ticker.tick()
    assert world.bot.drills.run_for(number).fired == frozenset({1})
    assert "Drill resumed" in lead("drill resume")["text"]
    clock.now = t0 + timedelta(minutes=32)  # drill time T+2: inject 2 is due
    world.bot.drill_ticker.tick()
    assert world.bot.drills.run_for(number).fired == frozenset({1, 2})
    assert "fired early" in lead("drill inject 9")["text"]
    assert 9 in world.bot.drills.run_for(number).fired
    assert "already fired" in lead("drill inject 9")["text"]
    assert "has no inject 40" in lead("drill inject 40")["text"]
    ended = lead("drill end")
    assert "expectations met" in ended["text"]
    assert "already ended" in lead("drill end")["text"]
