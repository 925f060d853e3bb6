"""Runtime settings from environment variables (SPEC §2), with a ``.env`` file read too.

Only this module reads the environment; everything else receives a :class:`Settings`.
Secrets are kept out of ``repr`` so they never reach a log line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

DEFAULT_DATABASE_URL = "sqlite:///crisisbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    monitor_secret: str | None = field(default=None, repr=False)
    config_path: Path | None = None
    playbooks_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: Path | None = None) -> "Settings":
        """Read the environment; values in ``./.env`` fill in what the environment lacks."""
        values = dict(read_dotenv(dotenv or Path.cwd() / ".env"))
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        config = get("CRISISBOT_CONFIG")
        if config is None and Path("crisisbot.yaml").is_file():
            config = "crisisbot.yaml"
        playbooks = get("CRISISBOT_PLAYBOOKS")
        return cls(
            database_url=get("CRISISBOT_DATABASE_URL") or DEFAULT_DATABASE_URL,
            slack_api_url=get("SLACK_API_URL") or DEFAULT_SLACK_API_URL,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            monitor_secret=get("CRISISBOT_MONITOR_SECRET"),
            config_path=Path(config) if config else None,
            playbooks_dir=Path(playbooks) if playbooks else None,
        )

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log redactor (the database password included)."""
        values = [self.slack_bot_token, self.slack_signing_secret, self.slack_app_token,
                  self.monitor_secret]
        password = _url_password(self.database_url)
        return [v for v in (*values, password) if v]


def _url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except ArgumentError:
        return None


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines; blank lines and ``#`` comments skipped; surrounding quotes removed."""
    if not path.is_file():
        return {}
    result: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        result[key.strip()] = value
    return result
