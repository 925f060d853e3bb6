"""`crisisbot drill list|run`: a facilitator lists the scenarios and rehearses one against the
local emulator (no workspace, no token), as `crisisbot demo` does."""

from __future__ import annotations

import os
import subprocess
import sys


def crisisbot(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CRISISBOT_", "SLACK_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True,
                          text=True, cwd=cwd, check=False, env=env, timeout=600)


def test_drill_list_names_every_scenario(tmp_path):
    result = crisisbot("drill", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 12
    assert any(line.startswith("courier-strike-festival") and "Service & logistics" in line
               for line in lines)
    assert not any("_" in line.split()[1] for line in lines)  # readable types, not raw keys


def test_drill_run_rehearses_a_scenario_and_keeps_the_scorecard(tmp_path):
    result = crisisbot("drill", "run", "price-error-order-flood", "--scale", "15m", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "#drill-1-" in out and "*DRILL*" in out
    for no in range(1, 6):
        assert f"inject {no} ·" in out
    assert "Drill scorecard" in out and "0/4 expectations met" in out
    assert "still firing" not in out  # the drill resolves its own alert when it ends
    assert "run1.md" in out and "run1.html" in out


def test_an_unknown_scenario_is_one_line(tmp_path):
    result = crisisbot("drill", "run", "no-such-drill", cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "no drill scenario `no-such-drill`" in result.stderr
