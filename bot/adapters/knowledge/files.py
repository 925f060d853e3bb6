"""Historical cases from files (``crisisbot kb import FILE``) and back (``kb export``).

YAML: a list of cases (or ``cases:`` holding one), each a mapping of the case fields
(:class:`~bot.domain.knowledge.Case`). CSV: the columns ``id, title, crisis_type, severity,
date, summary, worked, didnt, lessons, tags``, lists separated by ``|``. Every bad entry is
reported as ``FILE:LINE: message``; a file with any bad entry imports nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.domain.knowledge import Case, CaseError

CSV_COLUMNS = ("id", "title", "crisis_type", "severity", "date", "summary", "worked", "didnt",
               "lessons", "tags")
MAX_BYTES = 20 * 1024 * 1024


def bundled_cases_file() -> Path:
    """``samples/cases.yaml``: ``bot/_samples`` inside an installed wheel (mapped in at build
    time), else the source tree's ``samples/``."""
    package = Path(__file__).resolve().parents[2]
    installed = package / "_samples" / "cases.yaml"
    if installed.is_file():
        return installed
    for parent in package.parents:
        candidate = parent / "samples" / "cases.yaml"
        if candidate.is_file():
            return candidate
    return installed


class CaseFileError(Exception):
    """The file's problems, one ``FILE:LINE: message`` each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "invalid case file")
        self.problems = problems


def read_cases(path: Path, *, crisis_types: Iterable[str]) -> list[Case]:
    """All cases of ``path`` (YAML or CSV by its suffix), or :class:`CaseFileError`."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CaseFileError([f"{path}: larger than {MAX_BYTES // 1024 // 1024} MiB"])
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError([f"{path}: not UTF-8 text"]) from None
    except OSError as exc:
        raise CaseFileError([f"{path}: cannot read it ({exc.strerror or exc})"]) from None
    known = set(crisis_types)
    if path.suffix.lower() == ".csv":
        entries = _csv_entries(path, raw)
    else:
        entries = _yaml_entries(path, raw)
    problems: list[str] = []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for line, entry in entries:
        try:
            case = Case.from_dict(entry)
        except CaseError as exc:
            problems.append(f"{path}:{line}: {exc}")
            continue
        if case.id.upper().startswith("INC-"):
            problems.append(f"{path}:{line}: id: `{case.id}` is reserved for our incidents; "
                            "use another id")
            continue
        if known and case.crisis_type not in known:
            problems.append(f"{path}:{line}: crisis_type: `{case.crisis_type}` is not one of "
                            f"{', '.join(sorted(known))}")
            continue
        if case.id in seen:
            problems.append(f"{path}:{line}: id: `{case.id}` is already used on line "
                            f"{seen[case.id]}")
            continue
        seen[case.id] = line
        cases.append(case)
    if problems:
        raise CaseFileError(problems)
    if not cases:
        raise CaseFileError([f"{path}:1: no cases in the file"])
    return cases


def _yaml_entries(path: Path, raw: str) -> list[tuple[int, Any]]:
    try:
        root = yaml.compose(raw, Loader=yaml.SafeLoader)
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CaseFileError([f"{path}:{line}: not valid YAML: {problem}"]) from None
    if isinstance(data, dict) and "cases" in data and isinstance(root, yaml.MappingNode):
        data = data["cases"]
        root = next(v for k, v in root.value if getattr(k, "value", None) == "cases")
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise CaseFileError([f"{path}:1: expected a list of cases (or `cases:` holding one)"])
    return [(node.start_mark.line + 1, item) for node, item in zip(root.value, data)]


def _csv_entries(path: Path, raw: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in CSV_COLUMNS]
    if missing or extra:
        what = "; ".join(x for x in (
            f"missing column(s) {', '.join(missing)}" if missing else "",
            f"unknown column(s) {', '.join(extra)}" if extra else "") if x)
        raise CaseFileError([f"{path}:1: {what} (columns: {', '.join(CSV_COLUMNS)})"])
    out: list[tuple[int, Any]] = []
    line = 1
    try:
        for row in reader:
            start = line + 1
            line = reader.line_num
            if None in row:
                raise CaseFileError([f"{path}:{start}: more fields than columns"])
            entry = {k.strip(): _uncell(v or "") for k, v in row.items()}
            if not any(v.strip() for v in entry.values()):
                continue
            out.append((start, entry))
    except csv.Error as exc:
        raise CaseFileError([f"{path}:{reader.line_num}: not valid CSV: {exc}"]) from None
    return out


#: A spreadsheet evaluates a cell starting with one of these as a formula (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """``value`` inert in a spreadsheet: a leading formula character gets a ``'``."""
    return f"'{value}" if value.startswith(_FORMULA) else value


def _uncell(value: str) -> str:
    """The inverse of :func:`_cell`, so an exported file imports unchanged."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA) else value


def export_cases(cases: list[Case], *, fmt: str) -> str:
    """The cases as YAML (every field) or CSV (the import columns)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for case in cases:
            writer.writerow([_cell(v) for v in (
                case.id, case.title, case.crisis_type, case.severity, case.date.isoformat(),
                case.summary, "|".join(case.worked), "|".join(case.didnt),
                "|".join(case.lessons), "|".join(case.tags))])
        return buffer.getvalue()
    docs = []
    for case in cases:
        doc = {k: v for k, v in case.to_dict().items() if v not in (None, [], {}, "")}
        docs.append(doc)
    return yaml.safe_dump({"cases": docs}, allow_unicode=True, sort_keys=False, width=100)
