"""A whole drill at a compressed scale: signed slash commands over real HTTP to the bolt app,
the Slack emulator behind it, an injected clock. The team acts on some injects and not on others;
the scorecard reports exactly the expectations met and missed. Nothing of the drill reaches the
real announce or comms channels, the real metrics, or `crisisbot report` by default."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cli import main as cli
from bot.domain.clocks import all_clocks
from bot.domain.drills import DRILL_MARKER
from tests.integration.slack_world import make_world

FACILITATOR = "UANNA"
#: cosmetic-allergy-viral at 9 minutes: one scenario minute is 12 wall seconds.
TEMPO = 9 / 45


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, extra_config={
        "comms_channel": "crisis-comms",
        "drills": {"channel": "crisis-drills", "facilitators": [FACILITATOR]},
    })
    w.emulator.add_channel("crisis-comms", members=["UBOT"])
    w.emulator.add_channel("crisis-drills", members=["UBOT"])
    yield w
    w.close()


def at(world, clock, start, minute: float) -> None:
    """Move to scenario minute ``minute`` and let the ticker fire what is due."""
    clock.now = start + timedelta(minutes=minute * TEMPO)
    world.bot.drill_ticker.tick()
    world.bot.gateway.drain()


def channel_texts(world, name: str) -> list[str]:
    return [m.get("text", "") for m in world.emulator.messages(name)]


def test_a_whole_drill_is_scored_exactly_as_the_team_acted(world, clock, tmp_path, monkeypatch):
    start = clock.now
    reply = world.cmd("drill start cosmetic-allergy-viral team <@ULEAD> <@UCOMMS> scale 9m",
                      user=FACILITATOR, channel=world.general)
    assert "started" in reply["text"], reply
    assert world.bot.core.incidents.list()[0].number == 1
    place = world.bot.gateway.store.place(1)
    assert place.channel_name.startswith("drill-1-")
    run = world.bot.drills.run_for(1)
    assert run.clock_factor == pytest.approx(40.0)  # 6 hours in 9 minutes
    # Inject 1 (T+0) is a monitor alert, through the real alert pipeline, on the drill incident.
    names = [e.name for e in world.bot.core.incidents.timeline(1)]
    assert "alert.fired" in names
    # Every incident clock runs on the drill's compressed clock: the golden 4 hours are 6 wall
    # minutes, team assembly (A: 2 h) 3 minutes, and the card shows them so.
    incident = world.incident(1)
    catalog = world.bot.core.catalog.for_source(incident.source)
    clocks = {c.key: c for c in all_clocks(incident, playbook=catalog.playbook(incident.crisis_type),
                                           policy=catalog.policy, now=clock.now)}
    assert clocks["first_statement"].due_at == start + timedelta(minutes=6)
    assert clocks["team_assembly"].due_at == start + timedelta(minutes=3)
    due = [t.due_at - start for t in incident.tasks if t.due_at is not None]
    assert min(due) == timedelta(seconds=45) and max(due) <= timedelta(hours=24) / 40  # 30m … 24h ÷ 40
    with world.bot.core.incidents.uow_factory() as uow:
        reminders = uow.reminders.for_incident(1)
    first = sorted(r.due_at - start for r in reminders if r.clock == "first_statement")
    # "60 and 15 minutes before the golden 4 hours" on the ×40 clock: 90 and 22.5 seconds before.
    assert timedelta(minutes=6) - timedelta(seconds=90) in first
    assert timedelta(minutes=6) - timedelta(seconds=22.5) in first
    card = world.cmd("status", channel=place.channel_id)
    assert "first statement" in str(card).lower()
    assert world.bot.core.catalog.playbook(incident.crisis_type) is not catalog.playbook(incident.crisis_type)
    assert world.cmd("status", channel=place.channel_id)["text"].startswith(DRILL_MARKER)
    listing = world.cmd("drill list", channel=world.general)["text"]
    assert not listing.startswith(DRILL_MARKER)
    assert "Service &amp; logistics" in listing and "service_logistics" not in listing
    cmd = lambda text, user="ULEAD": world.cmd(text, user=user, channel=place.channel_id)

    at(world, clock, start, 2)       # inject 2: the viral post (answered by T+6)
    assert ":white_check_mark:" in cmd("note Seen the viral post; drafting a reply")["text"]
    at(world, clock, start, 4)       # inject 3: fact #1 revealed (confirm by T+12: missed)
    at(world, clock, start, 6)       # inject 4: journalist (legal by T+10)
    at(world, clock, start, 7)
    assert cmd("role legal <@ULEGAL>")["text"].startswith(DRILL_MARKER + " · :white_check_mark:")
    assert ":white_check_mark:" in cmd("role comms <@UCOMMS>")["text"]
    at(world, clock, start, 10)      # inject 5: the lab "fact" #2
    at(world, clock, start, 14)      # inject 6: escalation to S (by T+18)
    assert ":white_check_mark:" in cmd("fact confirm 1")["text"]   # late: T+14 > T+12
    at(world, clock, start, 15)
    assert ":white_check_mark:" in cmd("sev S")["text"]
    at(world, clock, start, 16)      # inject 7: customers ask (customer statement approved by T+20)
    assert "Drafted" in cmd("statement customers holding en")["text"]
    assert ":white_check_mark:" in cmd("statement submit 1")["text"]
    at(world, clock, start, 18)
    assert ":white_check_mark:" in cmd("statement approve 1", user="UCOMMS")["text"]
    assert ":white_check_mark:" in cmd("statement approve 1", user="ULEGAL")["text"]
    at(world, clock, start, 20)      # inject 8: the lab retracts (retract fact 2 by T+26)
    at(world, clock, start, 22)
    assert ":white_check_mark:" in cmd("fact retract 2 counterfeit sample")["text"]
    at(world, clock, start, 26)      # inject 9: SS trending (by T+30) — the team does not raise it
    at(world, clock, start, 30)      # inject 10: the regulator calls (publish by T+36)
    at(world, clock, start, 31)
    published = cmd("statement publish 1 weibo")
    assert ":white_check_mark:" in published["text"] or "ublish" in published["text"], published
    at(world, clock, start, 38)      # inject 11: the CEO asks (answer by T+42) — nobody answers
    at(world, clock, start, 45)
    assert set(world.bot.drills.run_for(1).fired) == set(range(1, 12))

    ended = world.cmd("drill end", user=FACILITATOR, channel=place.channel_id)
    assert "6/9 expectations met" in ended["text"], ended
    card = world.bot.drills.scorecard(world.bot.drills.run_for(1))
    met = {r.inject for r in card.results if r.met}
    missed = {r.inject: r.met_at for r in card.results if not r.met}
    assert met == {2, 4, 6, 7, 8, 10}
    assert set(missed) == {3, 9, 11}
    assert missed[3] == pytest.approx(timedelta(minutes=14), abs=timedelta(seconds=1))
    assert missed[9] is None and missed[11] is None
    assert card.retractions[0].caught and card.retractions[0].published_before == 0
    assert card.first_statement.value == pytest.approx(timedelta(minutes=31), abs=timedelta(seconds=1))
    assert card.first_statement.target == timedelta(minutes=30)  # 4 h of 6 h in 45 scenario minutes
    assert card.first_statement.met is False
    assert [round(a.answered_after.total_seconds() / 60) if a.answered_after is not None else None
            for a in card.answers] == [0, 1, 0, 1, None]  # posts 2, 4, 7, 10, 11

    # The channel got the scorecard with its Markdown and HTML files.
    texts = world.texts(1)
    assert any("Drill scorecard" in t and "6/9" in t for t in texts)
    summary = next(t for t in texts if "Drill scorecard" in t)
    assert "达成 6/9 项预期" in summary and "— due T+" in summary and ", not done" in summary
    assert "done —" not in summary and "项达成" not in summary
    uploads = {f["name"]: f for f in world.emulator.files() if f["channels"] == [place.channel_id]}
    assert sorted(uploads) == ["inc-1-drill-cosmetic-allergy-viral-run1.html",
                               "inc-1-drill-cosmetic-allergy-viral-run1.md"]
    md = uploads["inc-1-drill-cosmetic-allergy-viral-run1.md"]["content"].decode()
    assert md.startswith("# Drill scorecard — Allergy complaints") and "| #3 |" in md
    assert "演练评分卡" in md
    assert "· Started: " in md and "(UTC)" in md and "开始于: " in md  # the run's date, zoned
    zh_part = md[md.index("演练评分卡"):]
    assert "| 注入 | 事实 |" in zh_part and "fact #" not in zh_part
    html = uploads["inc-1-drill-cosmetic-allergy-viral-run1.html"]["content"].decode()
    assert html.startswith("<!doctype html>") and "演练" in html

    # Every bot message of the drill carries the DRILL marker.
    assert texts and all(t.startswith(DRILL_MARKER) for t in texts), [t[:60] for t in texts]
    # Announced in the drill channel; nothing in the real announce or comms channels.
    assert any("DRILL" in t and "INC-1" in t for t in channel_texts(world, "crisis-drills"))
    assert channel_texts(world, "crisis-announce") == []
    assert channel_texts(world, "crisis-comms") == []

    # `crisisbot report` leaves the drill out unless --drills.
    env = {"CRISISBOT_DATABASE_URL": world.bot.core.settings.database_url,
           "CRISISBOT_CONFIG": str(world.bot.core.settings.config_path)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    report = tmp_path / "report.md"
    assert cli(["report", "-o", str(report)]) == 0
    assert "cosmetic" not in report.read_text().lower() and "DRILL" not in report.read_text()
    assert cli(["report", "--drills", "-o", str(report)]) == 0
    text = report.read_text()
    assert "cosmetic-allergy-viral" in text and "67%" in text
