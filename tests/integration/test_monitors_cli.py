"""`crisisbot monitors test NAME FILE` and `crisisbot monitors validate [CONFIG]` as a user runs
them: a child process, the shipped samples, broken mappings reported with file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect

ROOT = Path(__file__).parent.parent.parent
SAMPLES = ROOT / "samples"


def crisisbot(*args: str, config: Path | None = None, tmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRISISBOT_")}
    if config is not None:
        env["CRISISBOT_CONFIG"] = str(config)
    if tmp is not None:
        env["CRISISBOT_DATABASE_URL"] = f"sqlite:///{tmp / 'untouched.db'}"
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)


def test_monitors_test_prints_what_a_sample_becomes_and_stores_nothing(tmp_path):
    result = crisisbot("monitors", "test", "social-listening",
                       str(SAMPLES / "monitor-bodies" / "social_mention_spike.json"),
                       config=SAMPLES / "crisisbot.custom-monitors.yaml", tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "1 alert(s) (nothing stored)" in out
    assert "firing social-listening [Acme Shop:negative_mentions:weibo]" in out
    assert "route: crisis type brand_reputation, severity S" in out
    assert "value: 1840 (threshold 410)" in out
    assert "Sample post by @lihua_shops" in out
    db = tmp_path / "untouched.db"
    assert not db.exists() or inspect(create_engine(f"sqlite:///{db}")).get_table_names() == []


def test_monitors_test_reads_builtin_formats_and_names_refusals(tmp_path):
    grafana = ROOT / "tests" / "fixtures" / "grafana"
    ok = crisisbot("monitors", "test", "grafana", str(grafana / "g11_nodata.json"), tmp=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "firing DatasourceNoData" in ok.stdout and "group grafana:rule=viable/strict is broken" in ok.stdout
    test = crisisbot("monitors", "test", "grafana", str(grafana / "g9_test_notification.json"))
    assert test.returncode == 0 and "a test notification" in test.stdout
    legacy = crisisbot("monitors", "test", "grafana", str(grafana / "legacy.json"))
    assert legacy.returncode == 1 and "legacy Grafana alerting body" in legacy.stdout
    unknown = crisisbot("monitors", "test", "nagios", str(grafana / "legacy.json"))
    assert unknown.returncode == 1 and "known: alertmanager, grafana, generic" in unknown.stdout


def test_monitors_validate_accepts_the_samples():
    result = crisisbot("monitors", "validate", str(SAMPLES / "crisisbot.custom-monitors.yaml"))
    assert result.returncode == 0, result.stdout
    assert "monitors valid" in result.stdout


def test_monitors_validate_reports_bad_mappings_with_file_and_line(tmp_path):
    config = tmp_path / "crisisbot.yaml"
    config.write_text(
        "monitors:\n"                                   # 1
        "  custom:\n"                                   # 2
        "    broken:\n"                                 # 3
        "      monitor: \"'x'\"\n"                      # 4
        "      fingerprint: \"item.id ~\"\n"            # 5: dangling operator
        "      title: /headline\n"                      # 6
        "      colour: /red\n"                          # 7: not a field
        "    missing:\n"                                # 8
        "      monitor: \"'y'\"\n",                     # 9: no fingerprint, no title
        encoding="utf-8")
    result = crisisbot("monitors", "validate", str(config))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{config}:5: monitors.custom.broken.fingerprint: not a valid expression")
               for line in lines), result.stdout
    assert f"{config}:7: monitors.custom.broken.colour: not a mapping field" in result.stdout
    assert f"{config}:8: monitors.custom.missing.fingerprint: is required" in result.stdout
    assert "3 problem(s)" in result.stdout
