"""``crisisbot demo``: a whole scripted crisis, no Slack workspace, no token, no network.

Starts the local Slack emulator and the real bot (uvicorn, bolt, SQLite in a throw-away
directory) in this process, then plays a crisis team over signed HTTP: declare, roles, facts,
notes, impact, tasks through the checklist buttons, every stage, resolve. Prints the incident
channel as a person would read it.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.adapters.knowledge.files import bundled_cases_file, read_cases
from bot.adapters.playbooks import load_catalog
from bot.adapters.rendering.formatting import lang_label, role_label, stage_label, status_label
from bot.adapters.slack.api_methods import required_scopes
from bot.adapters.slack.gateway import Pacer
from bot.adapters.slack.ids import Action, encode_ref, encode_statement_ref
from bot.adapters.slack.pacing import MethodBudget
from bot.bootstrap import Bot, build_bot, build_knowledge
from bot.demo_monitors import demo_listening, demo_monitors, signal_fires
from bot.demo_transcript import Transcript, stamp
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.serving import serve_in_thread
from bot.settings import Settings
from bot.siteconfig import load_site_config

#: Messages into one channel are paced at 1/s against real Slack; the demo runs the emulator
#: leniently (rate tiers off; sizes and scopes as strict as Slack) and paces at 20/s to finish
#: in seconds. The pacing code path is the same.
DEMO_PACE_SECONDS = 0.05
#: How long the demo waits for the bot's answer to one action: generous, for loaded machines.
REPLY_TIMEOUT = 120.0

TEAM = {
    "UMEI": ("mei", "Mei Chen", "commander"),
    "UOMAR": ("omar", "Omar Haddad", "comms"),
    "ULIN": ("lin", "Lin Zhou", "spokesperson"),
    "UPRIYA": ("priya", "Priya Nair", "legal"),
    "UCARLOS": ("carlos", "Carlos Ruiz", "cs"),
    "UDANA": ("dana", "Dana Kim", "exec"),
}


@dataclass
class Demo:
    emulator: SlackEmulator
    driver: SlackDriver
    bot: Bot
    out: TextIO
    general: str
    story: Transcript

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def command(self, text: str, *, user: str, channel: str | None = None) -> None:
        self.story.action(f"/crisis {text}", user=user, at=datetime.now(UTC))
        response = self.driver.replied(
            lambda: self.driver.command(text, user=user, channel=channel or self.channel()),
            timeout=REPLY_TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"/crisis {text} → HTTP {response.status_code}")
        self.bot.gateway.drain()
        self.story.catch_up(self.incident_channel())

    def click(self, action: Action, value: str, *, user: str, message_ts: str = "",
              label: str = "") -> None:
        self.story.action(f"clicks [{label or action}]", user=user, at=datetime.now(UTC))
        response = self.driver.replied(lambda: self.driver.click(
            action_id=action, value=value, user=user, channel=self.channel(), message_ts=message_ts),
            timeout=REPLY_TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"click {action} → HTTP {response.status_code}")
        self.bot.gateway.drain()
        self.story.catch_up(self.incident_channel())

    def channel(self) -> str:
        return self.incident_channel() or self.general

    def incident_channel(self) -> str | None:
        place = self.bot.gateway.store.place(1)
        return place.channel_id if place else None


def run_demo(*, out: TextIO = sys.stdout, workdir: Path | None = None,
             settings: Settings | None = None) -> int:
    """Run the scripted crisis; returns the process exit code. Its files (database,
    post-mortem) stay in ``workdir``, by default a new temporary directory that is kept when the
    demo succeeds and removed when it fails. ``settings`` (from the environment) supply
    ``CRISISBOT_PLAYBOOKS`` and ``CRISISBOT_CONFIG``: the demo's team, channels and monitor are
    laid over the site config."""
    site = load_site_config(settings.config_path) if settings else None  # bad config: fail first
    playbooks = settings.playbooks_dir if settings else None
    if playbooks is not None:
        load_catalog(playbooks)  # a broken directory fails before anything is created
    temporary = workdir is None
    base = Path(workdir or tempfile.mkdtemp(prefix="crisisbot-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        with SlackEmulator(lenient=True, scopes=required_scopes()) as emulator:
            return _run(emulator, base, out, raw=site.raw if site else {}, playbooks=playbooks)
    except BaseException:
        if temporary:
            shutil.rmtree(base, ignore_errors=True)
        raise


def _run(emulator: SlackEmulator, base: Path, out: TextIO, *, raw: dict[str, Any],
         playbooks: Path | None) -> int:
    for user_id, (name, real_name, _) in TEAM.items():
        emulator.add_user(user_id, name=name, real_name=real_name)
    general = emulator.add_channel("general", members=list(TEAM) + ["UBOT"])
    emulator.add_channel("crisis-announce", members=["UBOT"])
    emulator.add_channel("crisis-comms", members=["UBOT"])
    config = base / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({
        "company": {"name": "Acme Shop", "contact": "help.acme.example · 400-800-1234"},
        "statements": {"timezone": "Asia/Shanghai"},
        **raw,  # the site config's company, statements, reminders, postmortem_lang
        "announce_channel": "crisis-announce",
        "comms_channel": "crisis-comms",
        "roster": {role: [uid] for uid, (_, _, role) in TEAM.items() if role != "commander"},
        "monitors": demo_monitors(base),
        "listening": demo_listening(base),
    }), encoding="utf-8")
    secret = secrets.token_hex(16)
    settings = Settings(
        database_url=f"sqlite:///{base / 'demo.db'}", slack_api_url=emulator.api_url,
        slack_bot_token=emulator.token, slack_signing_secret=secret, config_path=config,
        playbooks_dir=playbooks,
    )
    bot = build_bot(settings, pacer=Pacer(pace=DEMO_PACE_SECONDS),
                    budget=MethodBudget(enabled=False), start_gateway=False, start_pollers=False)
    # Past crises for the knowledge base: the demo's incident shows similar ones.
    build_knowledge(bot.core).import_cases(
        read_cases(bundled_cases_file(), crisis_types=bot.core.catalog.playbooks))
    server = serve_in_thread(bot.web)
    driver = SlackDriver(bot_url=server.url, emulator=emulator, signing_secret=secret)
    names = {uid: name for uid, (name, _, _) in TEAM.items()} | {"UBOT": "crisisbot"}
    story = Transcript(emulator, out, names, channels=["crisis-announce", "crisis-comms"])
    demo = Demo(emulator, driver, bot, out, general, story)
    try:
        _script(demo)
        _postmortem(demo, base)
        _ending(demo, base)
    finally:
        driver.close()
        server.stop()
        bot.close()
    return 0


def _script(demo: Demo) -> None:
    demo.say("crisisbot demo — a brand-reputation crisis played against the local Slack emulator")
    demo.say("Each action below is followed by what it caused: the reply only the actor sees (↳) "
             "and the posts in the channels.\n")
    demo.story.action("polls the social-mentions monitor (raw posts from the listening export)",
                      user=None, at=datetime.now(UTC))
    signal_fires(demo)  # the mentions monitor opens INC-1 (bot/demo_monitors.py)
    demo.story.catch_up(demo.incident_channel())
    # Nobody commands a monitor-opened incident: the executive of the roster (who may act
    # everywhere) hands command to Mei, who then fills the team.
    demo.command("role commander <@UMEI|mei>", user="UDANA")
    demo.command("role comms <@UOMAR|omar>", user="UMEI")
    demo.command("role spokesperson <@ULIN|lin>", user="UMEI")
    demo.command("role legal <@UPRIYA|priya>", user="UMEI")
    demo.command("listening spread", user="UOMAR")  # where the story came from
    demo.command("fact The video shows batch 2411-B of the 50 ml moisturiser", user="UOMAR")
    demo.command("fact Two customers reported redness after use", user="UCARLOS")
    demo.command("fact confirm 1", user="UMEI")
    demo.command("note Video passed 2M views in 3 hours; comments split", user="UOMAR")
    demo.command("impact orders=1200 revenue=USD 35000 customers=950 regions=east,north", user="UMEI")
    _statements(demo)
    demo.command("stage next", user="UMEI")  # refused: required tasks open
    for _ in range(4):
        incident = demo.bot.core.incidents.get(1)
        if not incident.is_active:
            break
        checklist_ts = demo.bot.gateway.store.place(1).checklist_ts or ""
        for task in incident.blocking_tasks():
            demo.click(Action.TASK_DONE, encode_ref(1, task.no), user="UOMAR", message_ts=checklist_ts,
                       label=f"Done ✓ task #{task.no}")
        if incident.stage.value == "recover":
            demo.command("note lesson: keep third-party test reports ready to publish", user="UMEI")
            demo.command("resolve Lab retest clean; influencer corrected the video", user="UMEI")
        else:
            demo.click(Action.STAGE_NEXT, encode_ref(1), user="UMEI", message_ts=checklist_ts,
                       label="Advance stage")
    demo.command("status", user="UMEI")


def _statements(demo: Demo) -> None:
    """The spokesperson drafts the customer holding statement in Chinese, English and Traditional
    Chinese (zh-Hant, converted by OpenCC); each is submitted, approved by comms and legal (the
    demo incident is severity S) and published."""
    demo.command("fact 1 zh 视频中的产品是50毫升保湿霜2411-B批次", user="UOMAR")  # the Chinese version
    for sid, lang in ((1, "zh"), (2, "en"), (3, "zh-Hant")):
        demo.command(f"statement customers holding {lang}", user="ULIN")
        card = [m for m in demo.emulator.messages(demo.channel()) if f"Statement #{sid} ·" in m["text"]][-1]
        value = encode_statement_ref(1, sid, 1)
        demo.click(Action.STATEMENT_SUBMIT, value, user="ULIN", message_ts=card["ts"],
                   label=f"Submit for review · statement #{sid}")
        demo.click(Action.STATEMENT_APPROVE, value, user="ULIN", message_ts=card["ts"],
                   label=f"Approve · statement #{sid}")  # refused: own draft
        demo.click(Action.STATEMENT_APPROVE, value, user="UOMAR", message_ts=card["ts"],
                   label=f"Approve · statement #{sid}")
        demo.command(f"statement approve {sid}", user="UPRIYA")
        demo.command(f"statement publish {sid} website", user="UOMAR")


def _postmortem(demo: Demo, base: Path) -> None:
    """An action item, then `/crisis postmortem` in the incident channel; the uploaded files are
    saved in ``base``, with the Chinese versions beside them."""
    demo.command("followup Keep third-party test reports ready to publish <@UOMAR|omar>", user="UMEI")
    demo.command("postmortem", user="UMEI")
    folder = base / "postmortem"
    folder.mkdir(exist_ok=True)
    for file in demo.emulator.files():
        (folder / file["name"]).write_bytes(file["content"] or b"")
    stored = demo.bot.handler.postmortems.generate(1, by="demo")  # the stored version: no rebuild
    (folder / stored.filename("json")).write_text(stored.rendered.json, encoding="utf-8")
    chinese = demo.bot.handler.postmortems.renderer.render(
        demo.bot.handler.postmortems.source(1), lang="zh")
    (folder / stored.filename("md").replace(".md", ".zh.md")).write_text(chinese.markdown, encoding="utf-8")
    (folder / stored.filename("html").replace(".html", ".zh.html")).write_text(chinese.html,
                                                                                 encoding="utf-8")


def _ending(demo: Demo, base: Path) -> None:
    """Where things ended: the card, the statements, the post-mortem and the files."""
    render = demo.story.render
    incident = demo.bot.core.incidents.get(1)
    card = next((m for m in demo.emulator.messages(demo.channel()) if m.get("pinned")), None)
    demo.say("\nWhere it ended")
    demo.say("=" * 72)
    demo.say(f"Incident channel: #{_channel_name(demo)}")
    if card is not None:
        demo.say(f"📌 Card (kept up to date): {render(card.get('text', '')).splitlines()[0]}")
    for statement in incident.statements.values():
        approvals = ", ".join(f"{render(f'<@{a.user}>')} as {role_label(a.role)}"
                              for a in statement.current_approvals())
        where = ", ".join(f"{p.channel} at {stamp(p.at)}" for p in statement.publications)
        demo.say(f"Statement #{statement.id} ({lang_label(statement.lang)}) v{statement.version}: "
                 f"approved by {approvals}; published to {where or 'nowhere yet'}")
    demo.say(f"{incident.id} is {status_label(incident.status.value)}; stages visited: "
             + " → ".join(stage_label(s.value) for s in incident.stage_entered_at))
    demo.say("\nRehearse a drill the same way: `crisisbot drill list`, then e.g. "
             "`crisisbot drill run cosmetic-allergy-viral` (README, \"Drills\").")
    demo.say(f"\nThe demo's files are in {base}:")
    demo.say(f"  {base / 'demo.db'}  (the SQLite database)")
    for path in sorted((base / "postmortem").iterdir()):
        demo.say(f"  {path}")


def _channel_name(demo: Demo) -> str:
    channel = demo.channel()
    return next((c["name"] for c in demo.emulator.channels() if c["id"] == channel), channel)
