"""A whole drill against a real `crisisbot serve` child process: signed slash commands over
real HTTP, the local Slack emulator, and the bot's clock injected through
``CRISISBOT_TEST_CLOCK_FILE``. The scenario runs at a compressed scale (45 scenario minutes
in 9 wall minutes of the injected clock); the team meets the first three expectations and
misses the rest, and the posted scorecard and its files report exactly those.

Every wait is on a condition (the emulator wakes its waiters on each request it answers);
nothing sleeps."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from bot.adapters.db import make_engine
from bot.adapters.db.drills import SqlDrillStore
from bot.adapters.db.uow import session_factory
from bot.domain.drills import DRILL_MARKER
from bot.sandbox.driver import signed_command
from bot.sandbox.emulator import SlackEmulator
from bot.testclock import FileClock
from tests.conftest import T0
from tests.integration.processes import ServeProcess, free_port
from tests.integration.slack_world import manifest_scopes

FACILITATOR = "UANNA"
PEOPLE = ("ULEAD", "UCOMMS", "ULEGAL", FACILITATOR)
#: cosmetic-allergy-viral at 9 minutes: one scenario minute is 12 wall seconds.
TEMPO = 9 / 45
WAIT = 120.0  # generous: the machine is shared


@pytest.fixture
def emulator():
    with SlackEmulator(lenient=True, scopes=manifest_scopes()) as emu:
        for user in PEOPLE:
            emu.add_user(user, name=user.lower())
        yield emu


class Team:
    """Signed `/crisis` commands to the serve process; answers read from the response URL."""

    def __init__(self, *, url: str, emulator: SlackEmulator, secret: str) -> None:
        self.url = url + "/slack/events"
        self.emulator = emulator
        self.secret = secret
        self.http = httpx.Client(timeout=WAIT)

    def cmd(self, text: str, *, user: str, channel: str) -> str:
        body, headers = signed_command(secret=self.secret, emulator=self.emulator, text=text,
                                       channel=channel, user=user)
        before = len(self.emulator.response_url_posts())
        response = self.http.post(self.url, content=body, headers=headers)
        assert response.status_code == 200, response.text
        if response.content:
            return response.text
        assert self.emulator.wait_for(
            lambda: len(self.emulator.response_url_posts()) > before, timeout=WAIT), text
        return str(self.emulator.response_url_posts()[before]["payload"].get("text", ""))


def test_a_drill_through_crisisbot_serve_is_scored_exactly_as_the_team_acted(
        tmp_path: Path, emulator):
    general = emulator.add_channel("general", members=[*PEOPLE, "UBOT"])
    for name in ("crisis-announce", "crisis-comms", "crisis-drills"):
        emulator.add_channel(name, members=["UBOT"])
    config = tmp_path / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({
        "company": {"name": "Acme Shop", "contact": "help.acme.example"},
        "announce_channel": "crisis-announce", "comms_channel": "crisis-comms",
        "roster": {"comms": ["UCOMMS"], "legal": ["ULEGAL"]},
        "drills": {"channel": "crisis-drills", "facilitators": [FACILITATOR]},
    }), encoding="utf-8")
    clock_file = tmp_path / "clock.txt"
    FileClock.write(clock_file, T0)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    env = {k: v for k, v in os.environ.items() if k != "CRISISBOT_PLAYBOOKS"}
    env.update({
        "CRISISBOT_DATABASE_URL": url, "CRISISBOT_CONFIG": str(config),
        "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "CRISISBOT_TEST_CLOCK_FILE": str(clock_file), "CRISISBOT_REMINDER_INTERVAL": "0.2",
    })
    engine = make_engine(url)
    serve = ServeProcess(env, free_port())
    team = Team(url=f"http://127.0.0.1:{serve.port}", emulator=emulator,
                secret=env["SLACK_SIGNING_SECRET"])
    try:
        store = SqlDrillStore(session_factory(engine))

        def fired() -> set[int]:
            run = store.for_incident(1)
            return set() if run is None else set(store.fired_at(run.id))

        def at(minute: float, *, injects: set[int]) -> None:
            """Move the bot's clock to scenario minute ``minute``; wait until ``injects`` fired."""
            FileClock.write(clock_file, T0 + timedelta(minutes=minute * TEMPO))
            assert emulator.wait_for(lambda: injects <= fired(), timeout=WAIT), \
                (minute, fired(), "".join(serve.log[-30:]))

        reply = team.cmd("drill start cosmetic-allergy-viral team <@ULEAD> <@UCOMMS> scale 9m",
                         user=FACILITATOR, channel=general)
        assert "started" in reply, reply
        assert emulator.wait_for(lambda: 1 in fired(), timeout=WAIT), "".join(serve.log[-30:])
        drill_channel = next(c["id"] for c in emulator.channels()
                             if c["name"].startswith("drill-1-"))

        def cmd(text: str, user: str = "ULEAD") -> str:
            return team.cmd(text, user=user, channel=drill_channel)

        at(2, injects={2})                  # the viral post: answered by T+6 — met
        assert ":white_check_mark:" in cmd("note Seen the viral post; drafting a reply")
        at(4, injects={3})                  # fact #1 revealed: confirm by T+12 — met
        at(5, injects=set())
        assert ":white_check_mark:" in cmd("fact confirm 1")
        at(6, injects={4})                  # a journalist: legal on the team by T+10 — met
        at(7, injects=set())
        assert ":white_check_mark:" in cmd("role legal <@ULEGAL>")
        # From here the team does nothing: every later expectation is missed.
        at(45, injects=set(range(1, 12)))

        ended = cmd("drill end", user=FACILITATOR)
        assert "3/9 expectations met" in ended, ended

        def posted() -> list[dict]:
            return [m for m in emulator.messages(drill_channel)
                    if "Drill scorecard" in m.get("text", "")]

        def uploads() -> dict[str, dict]:
            return {f["name"]: f for f in emulator.files() if f["channels"] == [drill_channel]}

        assert emulator.wait_for(lambda: posted() and len(uploads()) == 2, timeout=WAIT), \
            "".join(serve.log[-30:])
    finally:
        team.http.close()
        serve.stop()
        engine.dispose()

    # The Slack summary: the exact expectations met and missed.
    [message] = posted()
    text = message["text"]
    assert text.startswith(DRILL_MARKER) and "— 3/9 expectations met" in text, text
    marks = {int(n): icon == "white_check_mark"
             for icon, n in re.findall(r":(white_check_mark|x): #(\d+) ", text)}
    assert marks == {2: True, 3: True, 4: True, 6: False, 7: False, 8: False, 9: False,
                     10: False, 11: False}, text

    # The files say the same.
    stem = "inc-1-drill-cosmetic-allergy-viral-run1"
    files = uploads()
    assert sorted(files) == [f"{stem}.html", f"{stem}.md"]
    md = files[f"{stem}.md"]["content"].decode()
    section = md.split("## Expectations", 1)[1].split("## ", 1)[0]
    rows = {int(m.group(1)): m.group(2)
            for m in re.finditer(r"^\| #(\d+) \|.*\| (met|missed) \|$", section, re.MULTILINE)}
    assert rows == {n: ("met" if ok else "missed") for n, ok in marks.items()}, section
    assert "(3/9)" in md and "演练评分卡" in md
    html = files[f"{stem}.html"]["content"].decode()
    assert html.startswith("<!doctype html>") and "3/9" in html
