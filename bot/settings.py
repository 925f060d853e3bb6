"""Runtime settings from environment variables (SPEC §2), with a ``.env`` file read too.

Only this module reads the environment; everything else receives a :class:`Settings`.
Secrets are kept out of ``repr`` so they never reach a log line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Callable, Mapping

from bot.domain.durations import parse_duration

DEFAULT_DATABASE_URL = "sqlite:///crisisbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DATABASE_URL_EXAMPLES = "sqlite:///crisisbot.db or postgresql+psycopg://user:password@host/dbname"

#: Variables that libraries read from the process environment on their own: slack-bolt takes
#: ``SLACK_BOT_TOKEN`` when no ``token`` is passed and then warns "As you gave `client` as well,
#: `token` will be unused". crisisbot passes the token explicitly (see :func:`withhold_from_libraries`).
READ_BY_LIBRARIES = ("SLACK_BOT_TOKEN",)


class ConfigError(Exception):
    """An expected configuration problem; the message says what is wrong, where, and what to do."""


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    monitor_secret: str | None = field(default=None, repr=False)
    metrics_token: str | None = field(default=None, repr=False)
    config_path: Path | None = None
    playbooks_dir: Path | None = None
    reminder_interval: float = 15.0
    reminder_late_within: timedelta = timedelta(hours=6)
    test_clock_file: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: Path | None = None) -> "Settings":
        """Read the environment; values in ``./.env`` fill in what the environment lacks."""
        values = dict(read_dotenv(dotenv or Path.cwd() / ".env"))
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        config = get("CRISISBOT_CONFIG")
        if config is None and Path("crisisbot.yaml").exists():  # a directory is reported, not skipped
            config = "crisisbot.yaml"
        playbooks = get("CRISISBOT_PLAYBOOKS")
        return cls(
            database_url=database_url(get("CRISISBOT_DATABASE_URL") or DEFAULT_DATABASE_URL),
            slack_api_url=get("SLACK_API_URL") or DEFAULT_SLACK_API_URL,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            monitor_secret=get("CRISISBOT_MONITOR_SECRET"),
            metrics_token=get("CRISISBOT_METRICS_TOKEN"),
            config_path=Path(config) if config else None,
            playbooks_dir=Path(playbooks) if playbooks else None,
            **_reminder_settings(get),
        )

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log redactor (the database password included)."""
        values = [self.slack_bot_token, self.slack_signing_secret, self.slack_app_token,
                  self.monitor_secret, self.metrics_token]
        password = _url_password(self.database_url)
        return [v for v in (*values, password) if v]


def withhold_from_libraries(environ: dict[str, str] | None = None) -> None:
    """Remove :data:`READ_BY_LIBRARIES` from the process environment once the settings are read:
    crisisbot hands those values to libraries explicitly, so nothing else picks them up."""
    target = os.environ if environ is None else environ
    for name in READ_BY_LIBRARIES:
        target.pop(name, None)


def database_url(url: str) -> str:
    """Check ``CRISISBOT_DATABASE_URL``: SQLite or PostgreSQL through psycopg 3. ``postgres://`` and
    ``postgresql://`` (the forms hosting providers print) are rewritten to ``postgresql+psycopg://``;
    anything else is a :class:`ConfigError`."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"CRISISBOT_DATABASE_URL `{_hide_password(url)}` is not a database URL; "
                          f"write it as {DATABASE_URL_EXAMPLES}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgres", "postgresql") and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return url
    raise ConfigError(f"CRISISBOT_DATABASE_URL: `{parsed.drivername}` is not supported; crisisbot runs "
                      f"on SQLite or PostgreSQL (psycopg 3): write {DATABASE_URL_EXAMPLES}")


def _hide_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def _url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except ArgumentError:
        return None


def _reminder_settings(get: Callable[[str], str | None]) -> dict[str, object]:
    """``CRISISBOT_REMINDER_INTERVAL`` (seconds between ticks), ``CRISISBOT_REMINDER_LATE_WITHIN``
    (a reminder missed while the process was down is still sent if it became due at most this
    long ago, e.g. ``6h``), and ``CRISISBOT_TEST_CLOCK_FILE`` — for tests only: a file holding an
    ISO-8601 time that replaces the real clock (see :mod:`bot.testclock`)."""
    values: dict[str, object] = {}
    interval = get("CRISISBOT_REMINDER_INTERVAL")
    if interval:
        try:
            values["reminder_interval"] = float(interval)
        except ValueError:
            raise SystemExit(f"CRISISBOT_REMINDER_INTERVAL={interval!r} is not a number of seconds, "
                             "e.g. 15") from None
        if values["reminder_interval"] <= 0:  # type: ignore[operator]
            raise SystemExit("CRISISBOT_REMINDER_INTERVAL must be more than zero seconds")
    late = get("CRISISBOT_REMINDER_LATE_WITHIN")
    if late:
        try:
            values["reminder_late_within"] = parse_duration(late)
        except ValueError as exc:
            raise SystemExit(f"CRISISBOT_REMINDER_LATE_WITHIN: {exc}") from None
    clock_file = get("CRISISBOT_TEST_CLOCK_FILE")
    if clock_file:
        values["test_clock_file"] = Path(clock_file)
    return values


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
