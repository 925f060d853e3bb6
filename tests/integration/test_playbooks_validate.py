"""`crisisbot playbooks validate` on the bundled playbooks and on broken copies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.playbooks import PlaybookError, bundled_playbooks_dir, load_catalog, validate_dir
from bot.domain.lifecycle import STAGES


def run_validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "playbooks", "validate", *args],
        capture_output=True, text=True,
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(bundled_playbooks_dir(), target)
    return target


def test_bundled_playbooks_validate_with_exit_0():
    result = run_validate()
    assert result.returncode == 0, result.stderr
    assert "all playbooks valid" in result.stdout


def test_bundled_catalog_has_five_crisis_types_each_with_required_tasks_in_every_stage():
    catalog = load_catalog(bundled_playbooks_dir())
    assert set(catalog.playbooks) == {
        "product_quality", "service_logistics", "supply_chain", "brand_reputation", "data_security"
    }
    for playbook in catalog.playbooks.values():
        for stage in STAGES:
            tasks = [t for t in playbook.tasks if t.stage == stage]
            assert any(t.required for t in tasks), (playbook.key, stage)
            assert all(t.text.en and t.text.zh for t in tasks)
    assert catalog.playbook("product_quality").clocks[0].within.total_seconds() == 24 * 3600
    assert catalog.playbook("data_security").clocks[0].within.total_seconds() == 72 * 3600


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def test_bad_stage_missing_text_and_unknown_role_are_each_reported_with_file_and_line(broken):
    playbook = broken / "brand_reputation.yaml"
    stage_line = _edit(playbook, "  respond:", "  respnd:")
    role_line = _edit(playbook, "owner: comms", "owner: janitor")
    other = broken / "supply_chain.yaml"
    text = other.read_text(encoding="utf-8")
    start = text.index("    - id: ", text.index("stages:"))
    text_key = text.index("      text:", start)
    end = text.index("      owner:", text_key)
    text_line = text[:start].count("\n") + 1
    other.write_text(text[:text_key] + text[end:], encoding="utf-8")

    result = run_validate(str(broken))
    assert result.returncode == 1
    err = result.stderr
    assert f"brand_reputation.yaml:{stage_line}: (stages.respnd) unknown key `respnd`" in err
    assert "(stages.respond) `respond` is missing" in err
    assert f"brand_reputation.yaml:{role_line}: (stages.assess[0].owner) unknown value `janitor`" in err
    assert f"supply_chain.yaml:{text_line}: (stages.assess[0].text) `text` is missing" in err
    assert "problem(s) in" in err


def test_invalid_yaml_and_bad_duration_are_reported(broken):
    (broken / "supply_chain.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    _edit(broken / "data_security.yaml", "due: 1h", "due: soon")
    problems = [str(p) for p in validate_dir(broken)]
    assert any("supply_chain.yaml" in p and "invalid YAML" in p for p in problems)
    assert any("data_security.yaml" in p and "`soon` is not a duration" in p for p in problems)


def test_clock_pointing_at_a_missing_task_is_reported(broken):
    _edit(broken / "product_quality.yaml", "met_by_task: report-regulator", "met_by_task: nothing-here")
    problems = [str(p) for p in validate_dir(broken)]
    assert any("no task with id `nothing-here`" in p for p in problems)


def test_load_catalog_raises_with_every_problem(broken):
    _edit(broken / "severities.yaml", "team_within: 30m", "team_within: -5")
    _edit(broken / "brand_reputation.yaml", "default_severity: A", "default_severity: Z")
    with pytest.raises(PlaybookError) as info:
        load_catalog(broken)
    messages = [p.message for p in info.value.problems]
    assert any("not a duration" in m for m in messages)
    assert any("unknown value `Z`" in m for m in messages)


def test_missing_directory_is_a_clear_error(tmp_path):
    result = run_validate(str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "is not a directory" in result.stderr


def test_public_claims_tracks_and_per_type_roles_are_validated(broken):
    data = broken / "data_security.yaml"
    _edit(data, 'en: "We reported the incident to {authority} at {time}."',
          'en: "We reported the incident to {regulator}."')
    _edit(data, "invite: [security]", "invite: [security, janitor]")
    quality = broken / "product_quality.yaml"
    _edit(quality, "assemble: [legal, ops]", "assemble: [legal, ops, exec]")
    text = quality.read_text(encoding="utf-8")
    start = text.index("    - id: confirm-defect")
    quality.write_text(text[:start + len("    - id: confirm-defect")] + "\n      track: true"
                       + text[start + len("    - id: confirm-defect"):], encoding="utf-8")
    _edit(broken / "supply_chain.yaml", "      track: true", "      track: maybe")
    result = run_validate(str(broken))
    assert result.returncode == 1
    err = result.stderr
    assert "public_claim.en) unknown placeholder(s) {regulator}" in err
    assert "public_claim.en) a done claim states when: put `{time}` in it" in err
    assert "(invite[1]) unknown value `janitor`" in err
    assert "(assemble) roles exec must also be in `invite`" in err
    assert "tasks of `assess` start at declaration already" in err
    assert "track) must be true or false, not `maybe`" in err
