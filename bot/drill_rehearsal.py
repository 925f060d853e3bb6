"""``crisisbot drill list|run <scenario>``: a facilitator rehearses a drill scenario with no
Slack workspace, like ``crisisbot demo``: the local Slack emulator and the real bot in this
process, a throw-away SQLite database, and a stepped clock that jumps from inject to inject
(nobody waits 45 minutes). Prints the drill channel as the team would read it, then the
scorecard; the scorecard files are kept in the working directory."""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

import yaml

from bot.adapters.drills.loader import load_scenarios
from bot.adapters.playbooks import load_catalog
from bot.adapters.rendering.formatting import crisis_type_label, duration
from bot.adapters.slack.api_methods import required_scopes
from bot.adapters.slack.gateway import Pacer
from bot.adapters.slack.pacing import MethodBudget
from bot.bootstrap import build_bot, playbooks_dir
from bot.demo_transcript import Transcript
from bot.domain.errors import InvalidInput
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.serving import serve_in_thread
from bot.settings import Settings

FACILITATOR = ("UFACIL", "facilitator", "Fay Facilitator")
PLAYERS = {"UMEI": ("mei", "Mei Chen"), "UOMAR": ("omar", "Omar Haddad")}


class SteppedClock:
    """The rehearsal's clock: real time at the start, then moved from inject to inject."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def list_scenarios(*, settings: Settings, out: TextIO = sys.stdout) -> int:
    directory = playbooks_dir(settings)
    catalog = load_catalog(directory)
    scenarios = load_scenarios(directory, catalog=catalog)
    if not scenarios:
        print(f"no drill scenarios in {directory / 'drills'}", file=out)
        return 0
    for key, s in sorted(scenarios.items()):
        kind = crisis_type_label(s.crisis_type, catalog=catalog)
        print(f"{key:<32} {kind:<20} {s.severity.value:<3} {len(s.injects):>2} injects  "
              f"{duration(s.duration)} ≙ {duration(s.represents)}  {s.title.en}", file=out)
    return 0


def run_rehearsal(scenario: str, *, settings: Settings, out: TextIO = sys.stdout,
                  scale: timedelta | None = None, workdir: Path | None = None) -> int:
    directory = playbooks_dir(settings)
    scenarios = load_scenarios(directory, catalog=load_catalog(directory))
    if scenario not in scenarios:
        raise InvalidInput(f"there is no drill scenario `{scenario}`; see `crisisbot drill list`")
    temporary = workdir is None
    base = Path(workdir or tempfile.mkdtemp(prefix="crisisbot-drill-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        with SlackEmulator(lenient=True, scopes=required_scopes()) as emulator:
            return _run(emulator, base, out, scenario=scenario, scale=scale,
                        playbooks=settings.playbooks_dir)
    except BaseException:
        if temporary:
            shutil.rmtree(base, ignore_errors=True)
        raise


def _run(emulator: SlackEmulator, base: Path, out: TextIO, *, scenario: str,
         scale: timedelta | None, playbooks: Path | None) -> int:
    people = {FACILITATOR[0]: FACILITATOR[1:], **PLAYERS}
    for user_id, (name, real_name) in people.items():
        emulator.add_user(user_id, name=name, real_name=real_name)
    general = emulator.add_channel("general", members=[*people, "UBOT"])
    emulator.add_channel("crisis-drills", members=["UBOT"])
    config = base / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({
        "company": {"name": "Acme Shop", "contact": "help.acme.example · 400-800-1234"},
        "drills": {"channel": "crisis-drills", "facilitators": [FACILITATOR[0]]},
    }), encoding="utf-8")
    secret = secrets.token_hex(16)
    clock = SteppedClock()
    bot = build_bot(Settings(database_url=f"sqlite:///{base / 'drill.db'}",
                             slack_api_url=emulator.api_url, slack_bot_token=emulator.token,
                             slack_signing_secret=secret, config_path=config,
                             playbooks_dir=playbooks),
                    clock=clock, pacer=Pacer(pace=0.0), budget=MethodBudget(enabled=False),
                    start_gateway=False, start_pollers=False)
    server = serve_in_thread(bot.web)
    driver = SlackDriver(bot_url=server.url, emulator=emulator, signing_secret=secret)
    names = {uid: name for uid, (name, _) in people.items()} | {"UBOT": "crisisbot"}
    story = Transcript(emulator, out, names, channels=["crisis-drills"])
    try:
        story.say(f"crisisbot drill run {scenario} — a rehearsal against the local Slack emulator; "
                  "the clock jumps from inject to inject.\n")
        typed = f"drill start {scenario} team <@UMEI> <@UOMAR>" + (
            f" scale {int(scale.total_seconds() // 60)}m" if scale else "")

        def command(text: str, channel: str) -> None:
            story.action(f"/crisis {text}", user=FACILITATOR[0], at=clock())
            response = driver.replied(lambda: driver.command(text, user=FACILITATOR[0], channel=channel),
                                      timeout=120.0)
            if response.status_code != 200:
                raise RuntimeError(f"/crisis {text} → HTTP {response.status_code}")
            bot.gateway.drain()

        command(typed, general)
        place = bot.gateway.store.place(1)
        story.catch_up(place.channel_id if place else None)
        run = bot.drills.run_for(1)
        for inject in bot.drills.scenario(scenario).injects:
            clock.now = max(clock.now, run.wall_at(inject.at))
            bot.drill_ticker.tick()
            bot.gateway.drain()
            story.catch_up(place.channel_id)
        clock.now = run.wall_at(run.duration)
        command("drill end", place.channel_id)
        story.catch_up(place.channel_id)
        folder = base / "scorecard"
        folder.mkdir(exist_ok=True)
        for file in emulator.files():
            (folder / file["name"]).write_bytes(file["content"] or b"")
        story.say(f"\nThe rehearsal's files are in {base}:")
        for path in sorted(folder.iterdir()):
            story.say(f"  {path}")
    finally:
        driver.close()
        server.stop()
        bot.close()
    return 0
