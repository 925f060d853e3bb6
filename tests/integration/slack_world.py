"""A running bot against the Slack emulator, for scenario tests (real HTTP both ways)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.adapters.slack.gateway import Pacer
from bot.adapters.slack.pacing import MethodBudget
from bot.bootstrap import Bot, build_bot
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.serving import RunningServer, serve_in_thread
from bot.settings import Settings

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yaml"


def manifest_scopes() -> list[str]:
    """The bot scopes ``slack/manifest.yaml`` asks for: what the emulator grants."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


PEOPLE = {
    "ULEAD": "lead", "UCOMMS": "comms", "USPOKE": "spokesperson", "ULEGAL": "legal",
    "UCS": "cs", "UOPS": "ops", "UEXEC": "exec", "UANNA": None,
}


@dataclass
class World:
    emulator: SlackEmulator
    bot: Bot
    server: RunningServer
    driver: SlackDriver
    general: str

    # ------------------------------------------------------------------ acting

    def cmd(self, text: str, *, user: str = "ULEAD", channel: str | None = None) -> dict[str, Any]:
        """Run ``/crisis text`` and deliver its effects; returns the bot's reply to the user."""
        response = self.driver.replied(
            lambda: self.driver.command(text, user=user, channel=channel or self.channel()))
        assert response.status_code == 200, response.text
        self.bot.gateway.drain()
        if response.content:
            return response.json()
        return self.emulator.response_url_posts()[-1]["payload"]

    def click(self, action_id: str, value: str = "", *, user: str = "ULEAD",
              message_ts: str = "", **kwargs: Any) -> dict[str, Any]:
        response = self.driver.replied(lambda: self.driver.click(
            action_id=action_id, value=value, user=user, channel=self.channel(),
            message_ts=message_ts, **kwargs))
        assert response.status_code == 200, response.text
        self.bot.gateway.drain()
        return self.emulator.response_url_posts()[-1]["payload"]

    def declare(self, title: str = "Checkout failing for card payments", extra: str = "sev:S type:service_logistics") -> int:
        self.cmd(f"declare {title} {extra}", channel=self.general)
        return self.bot.core.incidents.list()[0].number

    # ------------------------------------------------------------------ looking

    def channel(self, number: int = 1) -> str:
        place = self.bot.gateway.store.place(number)
        return place.channel_id if place else self.general

    def messages(self, number: int = 1) -> list[dict[str, Any]]:
        return self.emulator.messages(self.channel(number))

    def texts(self, number: int = 1) -> list[str]:
        return [m.get("text", "") for m in self.messages(number)]

    def incident(self, number: int = 1):
        return self.bot.core.incidents.get(number)

    def close(self) -> None:
        self.driver.close()
        self.server.stop()
        self.bot.close()
        self.emulator.stop()


def make_world(tmp_path: Path, *, clock, database_url: str | None = None,
               pacer: Pacer | None = None, emulator_clock=None,
               extra_config: dict[str, Any] | None = None, monitor_secret: str | None = None,
               site_extra: dict[str, Any] | None = None,
               settings_extra: dict[str, Any] | None = None) -> World:
    # Scenario tests drive many commands a second: Slack's rate tiers are off here (the tier
    # tests and bench/slack_limits.py run with them on); sizes and scopes stay strict.
    emulator = SlackEmulator(**({"clock": emulator_clock} if emulator_clock else {}),
                             lenient=True, scopes=manifest_scopes()).start()
    for user_id in PEOPLE:
        emulator.add_user(user_id, name=user_id.lower())
    general = emulator.add_channel("general", members=list(PEOPLE) + ["UBOT"])
    emulator.add_channel("crisis-announce", members=["UBOT"])
    config = tmp_path / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({
        "company": {"name": "Acme Shop", "contact": "help.acme.example"},
        "announce_channel": "crisis-announce",
        "roster": {role: [uid] for uid, role in PEOPLE.items() if role and role != "lead"},
        **(extra_config or {}),
        **(site_extra or {}),
    }), encoding="utf-8")
    secret = secrets.token_hex(16)
    settings = Settings(
        database_url=database_url or f"sqlite:///{tmp_path / 'bot.db'}",
        slack_api_url=emulator.api_url, slack_bot_token=emulator.token,
        slack_signing_secret=secret, config_path=config, monitor_secret=monitor_secret,
        **(settings_extra or {}),
    )
    bot = build_bot(settings, clock=clock, pacer=pacer or Pacer(pace=0),
                    budget=MethodBudget(enabled=False), start_gateway=False, start_pollers=False)
    bot.gateway.sleep = lambda seconds: None
    server = serve_in_thread(bot.web)
    driver = SlackDriver(bot_url=server.url, emulator=emulator, signing_secret=secret)
    return World(emulator, bot, server, driver, general)
