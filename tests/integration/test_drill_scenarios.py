"""The bundled drill scenarios validate; broken ones are reported FILE:LINE: (WHERE) MESSAGE by
`crisisbot playbooks validate`, every problem at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.adapters.drills.loader import (
    DrillError,
    load_scenarios,
    severities_of,
    validate_scenarios,
)
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.domain.drills import CRISIS_TYPES, InjectKind
from bot.domain.severity import Severity
from tests.integration.test_playbooks_validate import run_validate

TOPICS = ("cosmetic-allergy-viral", "courier-strike-festival", "hero-product-stockout",
          "fake-rumour-video", "credential-stuffing-breach", "checkout-outage-sales-day",
          "kol-controversy", "customs-hold-cross-border", "price-error-order-flood",
          "regulator-inquiry", "leaked-internal-memo", "supplier-contamination-recall")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(bundled_playbooks_dir(), target)
    return target


def test_all_twelve_scenarios_validate_and_cover_every_type_at_every_severity():
    directory = bundled_playbooks_dir()
    catalog = load_catalog(directory)
    assert validate_scenarios(directory, catalog=catalog) == []
    scenarios = load_scenarios(directory, catalog=catalog)
    assert set(TOPICS) <= set(scenarios) and len(scenarios) >= 12
    for crisis_type in CRISIS_TYPES:
        seen = set().union(*(severities_of(s) for s in scenarios.values() if s.crisis_type == crisis_type))
        assert seen == set(Severity), crisis_type
    kinds = {i.kind for s in scenarios.values() for i in s.injects}
    assert kinds == set(InjectKind)
    for s in scenarios.values():
        assert s.title.en and s.title.zh and s.summary.zh
        assert all(i.text.zh and i.text.en for i in s.injects)
        assert s.expectations, s.key


def test_the_cli_validates_the_bundled_drills_with_exit_0():
    result = run_validate()
    assert result.returncode == 0, result.stderr


def test_broken_drills_are_each_reported_with_file_and_line(broken: Path):
    path = broken / "drills" / "customs-hold-cross-border.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    retracts: 4", "    retracts: 3", 1)
    text = text.replace("  - at: 20m\n", "  - at: 50m\n", 1)
    text = text.replace("check: fact_confirmed, fact: 2, by: 15m", "check: fact_confirmd, fact: 2, by: 15m", 1)
    path.write_text(text, encoding="utf-8")
    result = run_validate(str(broken))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    lines_of = {n + 1: line for n, line in enumerate(text.splitlines())}

    def reported(where: str, message: str) -> str:
        hits = [line for line in lines if f"({where})" in line and message in line]
        assert len(hits) == 1, (where, lines)
        return hits[0]

    retract = reported("injects[4].retracts", "is not an earlier `fact` inject")
    line = int(retract.split(".yaml:")[1].split(":")[0])
    assert "retracts: 3" in lines_of[line] and str(path) in retract
    late = reported("injects[3].at", "after the drill ends")
    assert "at: 50m" in lines_of[int(late.split(".yaml:")[1].split(":")[0])]
    reported("injects[1].expect.check", "unknown value `fact_confirmd`")


def test_an_unknown_task_and_a_missing_severity_set_are_reported(broken: Path):
    path = broken / "drills" / "hero-product-stockout.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "task: calculate-stock-cover", "task: no-such-task"), encoding="utf-8")
    (broken / "drills" / "leaked-internal-memo.yaml").unlink()
    problems = [str(p) for p in validate_scenarios(broken, catalog=load_catalog(broken))]
    assert any("playbook supply_chain has no task `no-such-task`" in p for p in problems)
    with pytest.raises(DrillError):
        load_scenarios(broken, catalog=load_catalog(broken))
    path.write_text(path.read_text(encoding="utf-8").replace("no-such-task", "calculate-stock-cover"),
                    encoding="utf-8")
    problems = [str(p) for p in validate_scenarios(broken, catalog=load_catalog(broken))]
    assert any("holds 11 drill scenario(s)" in p for p in problems)
    assert any("no drill of data_security at severity A" in p for p in problems)
