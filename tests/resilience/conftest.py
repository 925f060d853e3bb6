"""The resilience suite runs on PostgreSQL: real `crisisbot serve` processes, a real Slack
emulator, and faults injected into both (crashes, outages, restarts, two replicas)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import fresh_pg_database
from tests.integration.processes import ServeProcess, free_port

MONITOR_SECRET = "resilience-monitor-secret"
PEOPLE = {"ULEAD": None, "UCOMMS": "comms", "ULEGAL": "legal", "UEXEC": "exec", "UCS": "cs"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/resilience/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.postgres)


@dataclass
class Site:
    """An emulated workspace plus everything a `crisisbot serve` process needs to join it."""

    emulator: SlackEmulator
    general: str
    secret: str
    config: Path

    def env(self, database_url: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "CRISISBOT_DATABASE_URL": database_url,
            "SLACK_API_URL": self.emulator.api_url, "SLACK_BOT_TOKEN": self.emulator.token,
            "SLACK_SIGNING_SECRET": self.secret, "CRISISBOT_CONFIG": str(self.config),
            "CRISISBOT_MONITOR_SECRET": MONITOR_SECRET,
            **extra,
        }

    def serve(self, database_url: str, port: int | None = None) -> ServeProcess:
        return ServeProcess(self.env(database_url), port or free_port())

    def driver(self, url: str) -> SlackDriver:
        return SlackDriver(bot_url=url, emulator=self.emulator, signing_secret=self.secret)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with SlackEmulator() as emulator:
        for user in PEOPLE:
            emulator.add_user(user, name=user.lower())
        general = emulator.add_channel("general", members=[*PEOPLE, "UBOT"])
        emulator.add_channel("crisis-announce", members=["UBOT"])
        config = tmp_path / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({
            "announce_channel": "crisis-announce",
            "roster": {role: [uid] for uid, role in PEOPLE.items() if role},
        }), encoding="utf-8")
        yield Site(emulator, general, secrets.token_hex(16), config)


@pytest.fixture
def pg_url(pg_server, pg_template) -> str:
    return fresh_pg_database(pg_server, pg_template)
