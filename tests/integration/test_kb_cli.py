"""``crisisbot kb import|list|show|export|rebuild`` and the report's repeated lessons, against a
real SQLite database through the command line's entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cases.yaml"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_import_list_show_and_export(db, capsys):
    assert main(["kb", "import", str(SAMPLES)]) == 0
    assert "imported 30 case(s)" in capsys.readouterr().out
    assert main(["kb", "list", "--type", "data_security"]) == 0
    out = capsys.readouterr().out
    assert "H-DS-01" in out and "[confidential]" in out and "6 case(s)" in out
    assert main(["kb", "show", "H-PQ-02"]) == 0
    assert "儿童玩具含铅超标被曝光" in capsys.readouterr().out
    assert main(["kb", "show", "H-NOPE"]) == 2
    assert "there is no case `H-NOPE`" in capsys.readouterr().err
    assert main(["kb", "export", "--format", "csv", "-o", str(db / "out.csv")]) == 0
    assert (db / "out.csv").read_text(encoding="utf-8").startswith(
        "id,title,crisis_type,severity,date,summary,worked,didnt,lessons,tags\n")


def test_the_shipped_samples_import_without_a_path_and_bad_arguments_are_one_line(db, capsys):
    assert main(["kb", "import", "--samples"]) == 0
    out = capsys.readouterr().out
    assert "imported 30 case(s) from" in out and out.rstrip().endswith("cases.yaml")
    assert main(["kb", "import"]) == 2
    assert "either FILE or --samples" in capsys.readouterr().err
    assert main(["kb", "import", str(SAMPLES), "--samples"]) == 2
    capsys.readouterr()
    assert main(["kb", "list", "--type", "brand"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown crisis type `brand`" in err and "brand_reputation" in err


def test_a_bad_file_reports_every_bad_row_and_imports_nothing(db, capsys):
    bad = db / "bad.csv"
    bad.write_text("id,title,crisis_type,severity,date,summary,worked,didnt,lessons,tags\n"
                   "H-1,Fine,supply_chain,S,2020-01-01,,,,,\n"
                   "H-2,Bad,nope,S,2020-01-01,,,,,\n"
                   "H-3,Worse,supply_chain,Q,2020-01-01,,,,,\n", encoding="utf-8")
    assert main(["kb", "import", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{bad}:3: crisis_type: `nope`")
    assert err[1] == f"{bad}:4: severity: `Q` is not one of SS, S, A"
    assert err[2] == "nothing was imported (2 problem(s))"
    assert main(["kb", "list"]) == 0
    assert "0 case(s)" in capsys.readouterr().out


def test_report_names_lessons_repeated_across_incidents(db, capsys):
    assert main(["kb", "import", str(SAMPLES)]) == 0
    capsys.readouterr()
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert "## Lessons repeated across incidents" in out
    assert "| 避免使用绝对化和无法证实的用语 | H-PQ-04, H-BR-06 | 2 |" in out
