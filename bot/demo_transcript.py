"""The story ``crisisbot demo`` prints: every action and what it caused, in time order.

After each action the transcript shows who did what (``/crisis …`` or a button), what only
that person saw (the ephemeral reply), and what appeared in the incident, announce and comms
channels — Slack markup rendered as a person reads it, times stamped with their zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.sandbox.emulator import SlackEmulator

#: Slack shortcodes the bot uses, as the emoji Slack shows for them.
SHORTCODES = {":warning:": "⚠️", ":white_check_mark:": "✅", ":memo:": "📝", ":pushpin:": "📌",
              ":lock:": "🔒", ":information_source:": "ℹ️", ":page_facing_up:": "📄",
              ":rotating_light:": "🚨", ":no_entry:": "⛔"}
_LEADING_EMOJI = re.compile(r"^✅ (?=[^\w\s*_`<@#(])")


def stamp(at: datetime) -> str:
    """``05:00:22 UTC``: every time in the transcript carries its zone."""
    return at.astimezone(UTC).strftime("%H:%M:%S UTC")


def ts_time(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)


@dataclass
class Transcript:
    emulator: SlackEmulator
    out: TextIO
    names: dict[str, str]
    channels: list[str]  # names of the channels narrated besides the incident channel
    shown: dict[str, int] = field(default_factory=dict)
    replies_shown: int = 0

    def say(self, line: str = "") -> None:
        print(line, file=self.out, flush=True)

    def render(self, text: str) -> str:
        channel_names = {c["id"]: c["name"] for c in self.emulator.channels()}
        text = re.sub(r"<@([A-Z0-9]+)(?:\|[^>]*)?>",
                      lambda m: "@" + self.names.get(m.group(1), m.group(1)), text)
        text = re.sub(r"<#([A-Z0-9]+)(?:\|([^>]*))?>",
                      lambda m: "#" + (m.group(2) or channel_names.get(m.group(1), m.group(1))), text)
        text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
        for code, emoji in SHORTCODES.items():
            text = text.replace(code, emoji)
        text = _LEADING_EMOJI.sub("", text)  # "✅ 👤 …": the event's own icon is enough
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def action(self, what: str, *, user: str | None, at: datetime) -> None:
        who = self.names.get(user, user) if user else "crisisbot"
        self.say(f"[{stamp(at)}] {who} › {self.render(what)}")

    def catch_up(self, incident_channel: str | None) -> None:
        """Print what happened since the last call: the reply to the actor, then new posts."""
        posts = self.emulator.response_url_posts()
        for post in posts[self.replies_shown:]:
            text = self.render(str((post.get("payload") or {}).get("text", "")))
            if text:
                lines = [line for line in text.splitlines() if not line.startswith(">")]
                who = self.names.get(post.get("user"), "the actor")
                self.say(f"    ↳ only {who} sees: {lines[0]}")
                for line in lines[1:4]:
                    self.say(f"      {line}")
        self.replies_shown = len(posts)
        new: list[tuple[str, str, dict[str, Any]]] = []
        for channel in ([incident_channel] if incident_channel else []) + self.channels:
            messages = self.emulator.messages(channel)
            name = next((c["name"] for c in self.emulator.channels() if channel in (c["id"], c["name"])),
                        channel)
            new += [(m["ts"], name, m) for m in messages[self.shown.get(channel, 0):]]
            self.shown[channel] = len(messages)
        for ts, name, message in sorted(new, key=lambda item: float(item[0])):
            self.post(name, message)

    def post(self, channel: str, message: dict[str, Any], *, prefix: str = "") -> None:
        lines = self.render(message.get("text", "")).splitlines() or [""]
        who = self.names.get(message.get("user"), "crisisbot")
        pin = " 📌 pinned" if message.get("pinned") else ""
        short = channel if len(channel) <= 24 else channel[:23] + "…"
        self.say(f"    #{short} · {who}{pin} ({stamp(ts_time(message['ts']))}): {prefix}{lines[0]}")
        for line in lines[1:]:
            self.say(f"        {line}")
