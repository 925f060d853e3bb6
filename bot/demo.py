"""``crisisbot demo``: a whole scripted crisis, no Slack workspace, no token, no network.

Starts the local Slack emulator and the real bot (uvicorn, bolt, SQLite in a throw-away
directory) in this process, then plays a crisis team over signed HTTP: declare, roles, facts,
notes, impact, tasks through the checklist buttons, every stage, resolve. Prints the incident
channel as a person would read it.
"""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

import yaml

from bot.adapters.slack.api_methods import required_scopes
from bot.adapters.slack.gateway import Pacer
from bot.adapters.slack.ids import Action, encode_ref, encode_statement_ref
from bot.adapters.slack.pacing import MethodBudget
from bot.bootstrap import Bot, build_bot
from bot.demo_monitors import demo_monitors, signal_fires
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.serving import serve_in_thread
from bot.settings import Settings

#: Messages into one channel are paced at 1/s against real Slack; the demo runs the emulator
#: leniently (rate tiers off; sizes and scopes as strict as Slack) and paces at 20/s to finish
#: in seconds. The pacing code path is the same.
DEMO_PACE_SECONDS = 0.05

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

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def command(self, text: str, *, user: str, channel: str | None = None) -> None:
        response = self.driver.replied(
            lambda: self.driver.command(text, user=user, channel=channel or self.channel()))
        if response.status_code != 200:
            raise RuntimeError(f"/crisis {text} → HTTP {response.status_code}")
        self.bot.gateway.drain()

    def click(self, action: Action, value: str, *, user: str, message_ts: str = "") -> None:
        response = self.driver.replied(lambda: self.driver.click(
            action_id=action, value=value, user=user, channel=self.channel(), message_ts=message_ts))
        if response.status_code != 200:
            raise RuntimeError(f"click {action} → HTTP {response.status_code}")
        self.bot.gateway.drain()

    def channel(self) -> str:
        place = self.bot.gateway.store.place(1)
        return place.channel_id if place else self.general


def run_demo(*, out: TextIO = sys.stdout, workdir: Path | None = None) -> int:
    """Run the scripted crisis; returns the process exit code. Its files (database,
    post-mortem) stay in ``workdir``, by default a new temporary directory that is kept."""
    base = Path(workdir or tempfile.mkdtemp(prefix="crisisbot-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    with SlackEmulator(lenient=True, scopes=required_scopes()) as emulator:
        return _run(emulator, base, out)


def _run(emulator: SlackEmulator, base: Path, out: TextIO) -> int:
    for user_id, (name, real_name, _) in TEAM.items():
        emulator.add_user(user_id, name=name, real_name=real_name)
    general = emulator.add_channel("general", members=list(TEAM) + ["UBOT"])
    emulator.add_channel("crisis-announce", members=["UBOT"])
    emulator.add_channel("crisis-comms", members=["UBOT"])
    config = base / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({
        "company": {"name": "Acme Shop", "contact": "help.acme.example · 400-800-1234"},
        "announce_channel": "crisis-announce",
        "comms_channel": "crisis-comms",
        "statements": {"timezone": "Asia/Shanghai"},
        "roster": {role: [uid] for uid, (_, _, role) in TEAM.items() if role != "commander"},
        "monitors": demo_monitors(base),
    }), encoding="utf-8")
    secret = secrets.token_hex(16)
    settings = Settings(
        database_url=f"sqlite:///{base / 'demo.db'}", slack_api_url=emulator.api_url,
        slack_bot_token=emulator.token, slack_signing_secret=secret, config_path=config,
    )
    bot = build_bot(settings, pacer=Pacer(pace=DEMO_PACE_SECONDS),
                    budget=MethodBudget(enabled=False), start_gateway=False, start_pollers=False)
    server = serve_in_thread(bot.web)
    driver = SlackDriver(bot_url=server.url, emulator=emulator, signing_secret=secret)
    demo = Demo(emulator, driver, bot, out, general)
    try:
        _script(demo)
        _print_transcript(demo)
        _postmortem(demo, base)
    finally:
        driver.close()
        server.stop()
        bot.close()
    return 0


def _script(demo: Demo) -> None:
    demo.say("crisisbot demo — a brand-reputation crisis played against the local Slack emulator\n")
    signal_fires(demo)  # the mentions monitor opens INC-1 (bot/demo_monitors.py)
    demo.command("role commander <@UMEI|mei>", user="UMEI")
    demo.command("role comms <@UOMAR|omar>", user="UMEI")
    demo.command("role spokesperson <@ULIN|lin>", user="UMEI")
    demo.command("role legal <@UPRIYA|priya>", user="UMEI")
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
            demo.click(Action.TASK_DONE, encode_ref(1, task.no), user="UOMAR", message_ts=checklist_ts)
        if incident.stage.value == "recover":
            demo.command("note lesson: keep third-party test reports ready to publish", user="UMEI")
            demo.command("resolve Lab retest clean; influencer corrected the video", user="UMEI")
        else:
            demo.click(Action.STAGE_NEXT, encode_ref(1), user="UMEI", message_ts=checklist_ts)
    demo.command("status", user="UMEI")


def _print_transcript(demo: Demo) -> None:
    names = {uid: name for uid, (name, _, _) in TEAM.items()} | {"UBOT": "crisisbot"}
    channel_names = {c["id"]: c["name"] for c in demo.emulator.channels()}
    render = _renderer(names, channel_names)
    channel = demo.channel()
    name = channel_names.get(channel, channel)
    demo.say(f"#{name} — transcript")
    demo.say("=" * 72)
    for message in demo.emulator.messages(channel):
        pin = " 📌" if message.get("pinned") else ""
        demo.say(f"[{_clock(message['ts'])}] {names.get(message.get('user'), 'crisisbot')}{pin}:")
        for line in render(message.get("text", "")).splitlines():
            demo.say(f"    {line}")
    demo.say("\nReplies only the person who acted saw:")
    for post in demo.emulator.response_url_posts():
        text = render(str((post.get("payload") or {}).get("text", "")))
        first = text.splitlines()[0] if text else ""
        demo.say(f"  → {names.get(post.get('user'), post.get('user'))}: {first}")
    demo.say("\n#crisis-announce:")
    for message in demo.emulator.messages("crisis-announce"):
        demo.say(f"    {render(message.get('text', ''))}")
    _print_statements(demo, render)
    incident = demo.bot.core.incidents.get(1)
    demo.say(f"\n{incident.id} is {incident.status.value}; stages visited: "
             + " → ".join(s.value for s in incident.stage_entered_at))


def _renderer(names: dict[str, str], channels: dict[str, str]) -> Callable[[str], str]:
    def render(text: str) -> str:
        text = re.sub(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "@" + names.get(m.group(1), m.group(1)), text)
        text = re.sub(r"<#([A-Z0-9]+)(?:\|([^>]*))?>",
                      lambda m: "#" + (m.group(2) or channels.get(m.group(1), m.group(1))), text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return render


def _clock(ts: str) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(float(ts), tz=timezone.utc).strftime("%H:%M:%S")


def _statements(demo: Demo) -> None:
    """The spokesperson drafts the customer holding statement in Chinese and English; each is
    submitted, approved by comms and legal (the demo incident is severity S) and published."""
    for sid, lang in ((1, "zh"), (2, "en")):
        demo.command(f"statement customers holding {lang}", user="ULIN")
        card = [m for m in demo.emulator.messages(demo.channel()) if f"Statement #{sid} ·" in m["text"]][-1]
        value = encode_statement_ref(1, sid, 1)
        demo.click(Action.STATEMENT_SUBMIT, value, user="ULIN", message_ts=card["ts"])
        demo.click(Action.STATEMENT_APPROVE, value, user="ULIN", message_ts=card["ts"])  # refused: own draft
        demo.click(Action.STATEMENT_APPROVE, value, user="UOMAR", message_ts=card["ts"])
        demo.command(f"statement approve {sid}", user="UPRIYA")
        demo.command(f"statement publish {sid} website", user="UOMAR")


def _print_statements(demo: Demo, render: Callable[[str], str]) -> None:
    demo.say("\n#crisis-comms (published statements):")
    for message in demo.emulator.messages("crisis-comms"):
        for line in render(message.get("text", "")).splitlines():
            demo.say(f"    {line}")
    incident = demo.bot.core.incidents.get(1)
    for statement in incident.statements.values():
        approvals = ", ".join(f"{render(f'<@{a.user}>')} as {a.role}"
                              for a in statement.current_approvals())
        where = ", ".join(f"{p.channel} at {p.at:%H:%M:%S} UTC" for p in statement.publications)
        demo.say(f"Statement #{statement.id} ({statement.lang}) v{statement.version}: approved by "
                 f"{approvals}; published to {where or 'nowhere yet'}")


def _postmortem(demo: Demo, base: Path) -> None:
    """`/crisis postmortem` in the incident channel; the uploaded files are saved in ``base``."""
    demo.command("followup Keep third-party test reports ready to publish <@UOMAR|omar>", user="UMEI")
    demo.command("postmortem", user="UMEI")
    folder = base / "postmortem"
    folder.mkdir(exist_ok=True)
    posted = [m for m in demo.emulator.messages(demo.channel()) if m.get("files")]
    demo.say("\nPost-mortem posted to the incident channel:")
    for line in (posted[-1]["text"] if posted else "").splitlines():
        demo.say(f"    {line}")
    demo.say("Files:")
    for file in demo.emulator.files():
        path = folder / file["name"]
        path.write_bytes(file["content"] or b"")
        demo.say(f"  {path}")
    stored = demo.bot.handler.postmortems.generate(1, by="demo")  # the stored version: no rebuild
    path = folder / stored.filename("json")
    path.write_text(stored.rendered.json, encoding="utf-8")
    demo.say(f"  {path}")
