"""Every expected failure of the `crisisbot` executable: one line (two at most) saying what is
wrong, where and what to do; exit code 2; no traceback unless --debug or CRISISBOT_DEBUG=1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.playbooks import bundled_playbooks_dir
from tests.integration.processes import ServeProcess, free_port

EXECUTABLE = str(Path(sys.executable).with_name("crisisbot"))


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no CRISISBOT_* or SLACK_* leaks in from the test runner."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CRISISBOT_", "SLACK_"))}
    env.update(CRISISBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
               SLACK_SIGNING_SECRET="s" * 32, SLACK_BOT_TOKEN="xoxb-test",
               SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/", TMPDIR=str(tmp_path))
    env.update(extra)
    return env


def run(tmp_path: Path, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXECUTABLE, *args], capture_output=True, text=True, timeout=120, check=False,
                          cwd=cwd or tmp_path, env=base_env(tmp_path, **env))


def one_line_error(result: subprocess.CompletedProcess[str], *, lines: int = 1) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    err = result.stderr.strip().splitlines()
    assert 1 <= len(err) <= lines, result.stderr
    assert err[0].startswith("crisisbot: "), result.stderr
    return result.stderr.strip()


def test_database_url_that_is_not_a_url(tmp_path):
    err = one_line_error(run(tmp_path, "incidents", CRISISBOT_DATABASE_URL="notaurl"))
    assert "CRISISBOT_DATABASE_URL `notaurl` is not a database URL" in err
    assert "postgresql+psycopg://" in err


def test_postgres_scheme_is_rewritten_to_psycopg(tmp_path):
    url = f"postgres://bot:pa55word@127.0.0.1:{free_port()}/crisisbot"
    err = one_line_error(run(tmp_path, "incidents", CRISISBOT_DATABASE_URL=url))
    # Rewritten to postgresql+psycopg://, so the failure is the refused connection itself.
    assert "cannot reach the database postgresql+psycopg://bot:***@127.0.0.1" in err
    assert "pa55word" not in err
    assert "CRISISBOT_DATABASE_URL" in err


def test_mysql_is_explained(tmp_path):
    err = one_line_error(run(tmp_path, "incidents", CRISISBOT_DATABASE_URL="mysql://u:secret@db/x"))
    assert "`mysql` is not supported" in err and "SQLite or PostgreSQL" in err
    assert "secret" not in err


def test_malformed_site_config_names_file_and_line(tmp_path):
    (tmp_path / "crisisbot.yaml").write_text('company: {name: "Acme"\nroster: [\n', encoding="utf-8")
    err = one_line_error(run(tmp_path, "serve", "--port", str(free_port())))
    assert "crisisbot.yaml:2: invalid YAML:" in err
    assert "fix the YAML" in err


def test_roster_that_is_not_a_mapping(tmp_path):
    config = tmp_path / "site.yaml"
    config.write_text("roster: hello\n", encoding="utf-8")
    err = one_line_error(run(tmp_path, "serve", "--port", str(free_port()), CRISISBOT_CONFIG=str(config)))
    assert f"{config}: roster must be a mapping of role to Slack user ids" in err


def test_unknown_role_in_roster(tmp_path):
    config = tmp_path / "site.yaml"
    config.write_text("roster:\n  janitor: [U1]\n", encoding="utf-8")
    err = one_line_error(run(tmp_path, "serve", "--port", str(free_port()), CRISISBOT_CONFIG=str(config)))
    assert "unknown role `janitor`; roles are: commander" in err


def test_site_config_that_does_not_exist(tmp_path):
    err = one_line_error(run(tmp_path, "serve", CRISISBOT_CONFIG="/nonexistent/crisisbot.yaml"))
    assert "site config /nonexistent/crisisbot.yaml does not exist; set CRISISBOT_CONFIG" in err


def test_site_config_that_is_a_directory_is_reported_not_ignored(tmp_path):
    (tmp_path / "crisisbot.yaml").mkdir()
    err = one_line_error(run(tmp_path, "serve", "--port", str(free_port())))
    assert "site config crisisbot.yaml is a directory, not a YAML file" in err


@pytest.fixture
def broken_playbooks(tmp_path: Path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(bundled_playbooks_dir(), target)
    (target / "supply_chain.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    return target


def test_broken_playbook_fails_before_the_migrations_run(tmp_path, broken_playbooks):
    err = one_line_error(run(tmp_path, "serve", "--port", str(free_port()),
                             CRISISBOT_PLAYBOOKS=str(broken_playbooks)), lines=2)
    assert f"{broken_playbooks / 'supply_chain.yaml'}:2: (while parsing a flow sequence) invalid YAML:" in err
    assert "crisisbot playbooks validate" in err
    assert not (tmp_path / "bot.db").exists()  # nothing was migrated


def test_playbooks_directory_that_does_not_exist(tmp_path):
    for command in (["serve"], ["incidents"], ["demo"]):
        err = one_line_error(run(tmp_path, *command, CRISISBOT_PLAYBOOKS="/nonexistent"))
        assert "playbooks /nonexistent is not a directory; set CRISISBOT_PLAYBOOKS" in err
    assert not list(tmp_path.glob("crisisbot-demo-*"))


def test_validate_prints_yaml_errors_as_file_line_where_message(tmp_path, broken_playbooks):
    result = run(tmp_path, "playbooks", "validate", str(broken_playbooks))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        (f"{broken_playbooks / 'supply_chain.yaml'}:2: (while parsing a flow sequence) invalid YAML: "
         "expected ',' or ']', but got '<stream end>'"),
        f"1 problem(s) in {broken_playbooks}",
    ]


def test_failed_demo_leaves_no_temporary_directory(tmp_path):
    # Playbooks without statement templates: the bot starts, the demo fails part-way through.
    playbooks = tmp_path / "playbooks"
    shutil.copytree(bundled_playbooks_dir(), playbooks)
    shutil.rmtree(playbooks / "templates")
    result = run(tmp_path, "demo", CRISISBOT_PLAYBOOKS=str(playbooks))
    assert result.returncode != 0
    assert not list(tmp_path.glob("crisisbot-demo-*")), result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = run(tmp_path, "--debug", "incidents", CRISISBOT_DATABASE_URL="notaurl")
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert "ConfigError" in result.stderr
    result = run(tmp_path, "incidents", CRISISBOT_DATABASE_URL="notaurl", CRISISBOT_DEBUG="1")
    assert result.returncode == 1 and "Traceback" in result.stderr


def test_serve_starts_without_the_bolt_token_warning(tmp_path):
    server = ServeProcess(base_env(tmp_path), free_port())
    try:
        assert server.proc.poll() is None
    finally:
        server.stop()
    log = "".join(server.log)
    assert "Uvicorn running on" in log
    assert "will be unused" not in log
