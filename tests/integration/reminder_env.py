"""Helpers for reminder tests against real `crisisbot serve` processes.

``quiet_playbooks`` copies the bundled severities and the brand-reputation playbook with every
task deadline and regulatory clock removed, so the only reminders are the clocks every incident
has (team assembly, first statement...) and a test knows exactly what is due when.
``serve_env`` sets the test clock hook: ``CRISISBOT_TEST_CLOCK_FILE`` (see ``bot/testclock.py``)
and a fast ticker interval.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import datetime
from pathlib import Path

import yaml

from bot.adapters.playbooks import bundled_playbooks_dir
from bot.testclock import FileClock


def quiet_playbooks(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    bundled = bundled_playbooks_dir()
    shutil.copy(bundled / "severities.yaml", directory / "severities.yaml")
    data = yaml.safe_load((bundled / "brand_reputation.yaml").read_text(encoding="utf-8"))
    for tasks in data["stages"].values():
        for task in tasks:
            task.pop("due", None)
            task.pop("from", None)
    data.pop("clocks", None)
    (directory / "brand_reputation.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


def serve_env(tmp_path: Path, *, database_url: str, emulator, roster: dict[str, list[str]],
              now: datetime) -> dict[str, str]:
    """Environment for `crisisbot serve` children sharing one clock file (set to ``now``)."""
    config = tmp_path / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({"roster": roster}), encoding="utf-8")
    clock_file = tmp_path / "clock.txt"
    FileClock.write(clock_file, now)
    return {
        **os.environ,
        "CRISISBOT_DATABASE_URL": database_url,
        "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": secrets.token_hex(16), "CRISISBOT_CONFIG": str(config),
        "CRISISBOT_PLAYBOOKS": str(quiet_playbooks(tmp_path / "playbooks")),
        "CRISISBOT_TEST_CLOCK_FILE": str(clock_file),
        "CRISISBOT_REMINDER_INTERVAL": "0.2",
    }


def set_clock(env: dict[str, str], now: datetime) -> None:
    FileClock.write(Path(env["CRISISBOT_TEST_CLOCK_FILE"]), now)
