"""`crisisbot postmortem` and `crisisbot report` against a real SQLite database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.db import make_engine, upgrade
from bot.adapters.db.uow import uow_factory
from bot.cli import main
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.services import IncidentService
from tests.conftest import FakeClock

ROOT = Path(__file__).resolve().parents[2]  # the subprocess imports this checkout's bot/
LEAD = Actor("ULEAD", roles=frozenset({Role.COMMANDER}))


@pytest.fixture
def database(tmp_path, catalog, monkeypatch):
    """Three incidents: two brand-reputation S (first statements at 3 h and 5 h), one open A."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    clock = FakeClock()
    svc = IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock)
    for hours_to_statement in (3, 5):
        number = svc.declare(title=f"Video storm {hours_to_statement}", crisis_type="brand_reputation",
                             severity=Severity.S, actor=LEAD,
                             roles={Role.COMMANDER: "ULEAD"}).incident.number
        for role, minutes in ((Role.COMMS, 10), (Role.SPOKESPERSON, 10), (Role.LEGAL, 20)):
            clock.advance(minutes=minutes)
            svc.assign_role(number, role, "U" + role.value.upper(), actor=LEAD)
        clock.now = svc.get(number).declared_at + timedelta(hours=hours_to_statement)
        with uow_factory(engine)() as uow:  # a statement published (the statements feature's event)
            incident = uow.incidents.get(number)
            incident.record_statement_published(statement_id=1, audience="customers",
                                                kind="holding", lang="en", channel="C1",
                                                actor=LEAD, at=clock.now)
            uow.incidents.save(incident)
            uow.timeline.append(tuple(incident.pending))
            uow.commit()
        clock.advance(hours=1)
        svc.resolve(number, actor=LEAD, summary="calm")
        clock.advance(days=2)
    svc.declare(title="Stock-out of the 50 ml", crisis_type="supply_chain", severity=Severity.A,
                actor=LEAD, roles={Role.COMMANDER: "ULEAD"})
    engine.dispose()
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", url)
    monkeypatch.delenv("CRISISBOT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def test_postmortem_prints_markdown_by_default(database):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "postmortem", "INC-1"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "CRISISBOT_DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Post-mortem — INC-1: Video storm 3")
    assert "| Declare → team assembled | 40m | 1h | Met |" in result.stdout


def test_postmortem_writes_html_and_json_files(database, tmp_path, capsys):
    assert main(["postmortem", "INC-2", "--format", "html", "-o", str(tmp_path / "out/pm.html")]) == 0
    assert "INC-2 post-mortem v1 written to" in capsys.readouterr().err
    page = (tmp_path / "out/pm.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert main(["postmortem", "inc-2", "--format", "json", "-o", str(tmp_path / "pm.json")]) == 0
    data = json.loads((tmp_path / "pm.json").read_text(encoding="utf-8"))
    assert data["metrics"]["first_statement"]["seconds"] == 5 * 3600
    assert data["metrics"]["first_statement"]["state"] == "missed"
    assert "v1 written" in capsys.readouterr().err  # same data: the stored version again


def test_postmortem_headings_follow_the_lang_flag(database, capsys):
    assert main(["postmortem", "INC-1", "--lang", "zh"]) == 0
    assert "## 响应指标" in capsys.readouterr().out


def test_postmortem_of_an_unknown_or_malformed_incident_fails_clearly(database, capsys):
    assert main(["postmortem", "INC-42"]) == 1
    assert "There is no incident INC-42" in capsys.readouterr().err
    assert main(["postmortem", "forty-two"]) == 2
    assert "is not an incident id" in capsys.readouterr().err


def test_report_compares_incidents_per_crisis_type_and_severity(database):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "report", "--format", "csv"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "CRISISBOT_DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    rows = {(r["crisis_type"], r["severity"]): r for r in csv.DictReader(io.StringIO(result.stdout))}
    brand = rows[("brand_reputation", "S")]
    # both teams assembled at 40 min; first statements at 3 h and 5 h → median 4 h, 1 of 2 in time
    assert brand["count"] == "2"
    assert brand["time_to_team_s"] == str(40 * 60)
    assert brand["time_to_first_statement_s"] == str(4 * 3600)
    assert brand["first_statement_within_4h"] == "0.5"
    assert brand["clocks_missed"] == "1"
    open_a = rows[("supply_chain", "A")]
    assert open_a["count"] == "1" and open_a["time_to_resolve_s"] == ""


def test_report_since_filters_by_declaration_date_and_renders_markdown_and_html(database, capsys, tmp_path):
    # INC-2 was declared on 11-22 at 13:00, INC-3 two days later
    assert main(["report", "--since", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert "| brand_reputation | S | 1 |" in out and "supply_chain" in out
    assert main(["report", "--format", "html", "-o", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<td>brand_reputation</td><td>S</td><td>2</td>" in page
    assert main(["report", "--since", "yesterday"]) == 2
    assert "is not a date" in capsys.readouterr().err
