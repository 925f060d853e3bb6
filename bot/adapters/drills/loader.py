"""Load and validate drill scenarios (``playbooks/drills/*.yaml``) into the domain's
:class:`~bot.domain.drills.Scenario`.

Like the playbook loader, every problem is collected with its file, line and the path inside
the document, so ``crisisbot playbooks validate`` shows an author all of them at once::

    playbooks/drills/courier-strike.yaml:31: (injects[4].expect.by) must not be before the inject (20m)
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from yaml.nodes import Node, SequenceNode

from bot.adapters.playbooks.loader import PlaybookError, Problem, _Reader
from bot.domain.drills import (
    CHECK_ARGUMENT,
    CRISIS_TYPES,
    DEFAULT_DURATION,
    Check,
    Expectation,
    Inject,
    InjectKind,
    Persona,
    Scenario,
)
from bot.domain.durations import format_duration, parse_duration
from bot.domain.playbook import Catalog
from bot.domain.roles import Role
from bot.domain.severity import Severity
from bot.domain.statements import AUDIENCES

DRILLS_DIR = "drills"
#: The least a scenario set must hold (the practice: 12 in monthly rotation).
MIN_SCENARIOS = 12
#: An inject's text, per language: one post (Slack messages stay far inside their budget).
MAX_INJECT_TEXT = 1000
_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MONITOR = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,80}$")


class DrillError(PlaybookError):
    """The drill scenarios are invalid; ``problems`` lists everything wrong."""


def drills_dir(playbooks: Path | str) -> Path:
    return Path(playbooks) / DRILLS_DIR


def load_scenarios(playbooks: Path | str, *, catalog: Catalog | None = None) -> dict[str, Scenario]:
    """Every scenario under ``<playbooks>/drills``; raises :class:`DrillError` when invalid."""
    scenarios, problems = _load(drills_dir(playbooks), catalog=catalog, require_set=False)
    if problems:
        raise DrillError(problems)
    return scenarios


def validate_scenarios(playbooks: Path | str, *, catalog: Catalog | None = None,
                       require_set: bool = True) -> list[Problem]:
    """Problems of ``<playbooks>/drills`` (none when it does not exist). ``require_set``: the
    set must hold 12 scenarios covering the five crisis types at all three severities."""
    directory = drills_dir(playbooks)
    if not directory.is_dir():
        return []
    return _load(directory, catalog=catalog, require_set=require_set)[1]


def _load(directory: Path, *, catalog: Catalog | None,
          require_set: bool) -> tuple[dict[str, Scenario], list[Problem]]:
    problems: list[Problem] = []
    scenarios: dict[str, Scenario] = {}
    if not directory.is_dir():
        return scenarios, problems
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    for path in files:
        scenario = _ScenarioReader(path, problems, catalog).scenario()
        if scenario is not None:
            scenarios[scenario.key] = scenario
    if require_set and not problems:
        problems += _coverage(directory, list(scenarios.values()))
    return scenarios, problems


def _coverage(directory: Path, scenarios: list[Scenario]) -> list[Problem]:
    out = []
    if len(scenarios) < MIN_SCENARIOS:
        out.append(Problem(str(directory), 0, "", f"holds {len(scenarios)} drill scenario(s); "
                           f"a rotation needs at least {MIN_SCENARIOS}"))
    for crisis_type in CRISIS_TYPES:
        have = {sev for s in scenarios if s.crisis_type == crisis_type for sev in severities_of(s)}
        missing = [s.value for s in Severity if s not in have]
        if missing:
            out.append(Problem(str(directory), 0, "", f"no drill of {crisis_type} at severity "
                               f"{', '.join(missing)}; drills x"))
    return out


def severities_of(scenario: Scenario) -> set[Severity]:
    """The severities a scenario passes through: where it starts and where it escalates to."""
    return {scenario.severity, *(i.severity for i in scenario.injects
                                 if i.kind is InjectKind.SEVERITY and i.severity)}


class _ScenarioReader(_Reader):
    def __init__(self, path: Path, problems: list[Problem], catalog: Catalog | None) -> None:
        super().__init__(path, problems)
        self.catalog = catalog

    def scenario(self) -> Scenario | None:
        root = self._root()
        if root is None:
            return None
        keys = {"key", "title", "summary", "crisis_type", "severity", "duration", "represents",
                "injects"}
        doc = self._mapping(root, "", keys, required={"key", "title", "summary", "crisis_type",
                                                      "severity", "injects"})
        key = self._scalar(doc.get("key"), "key", str)
        if key is not None and not _KEY.match(key):
            self._problem(doc["key"], "key", f"`{key}` must be kebab-case: lowercase letters, digits and -")
        elif key is not None and key != self.path.stem:
            self._problem(doc["key"], "key", f"`{key}` must match the file name `{self.path.stem}`")
        title = self._text(doc.get("title"), "title")
        summary = self._text(doc.get("summary"), "summary")
        crisis_type = self._scalar(doc.get("crisis_type"), "crisis_type", str)
        if crisis_type is not None and self.catalog is not None and crisis_type not in self.catalog.playbooks:
            self._problem(doc["crisis_type"], "crisis_type",
                          f"unknown crisis type `{crisis_type}`; known: "
                          f"{', '.join(sorted(self.catalog.playbooks))}")
            crisis_type = None
        elif crisis_type is not None and self.catalog is None and crisis_type not in CRISIS_TYPES:
            self._problem(doc["crisis_type"], "crisis_type",
                          f"unknown crisis type `{crisis_type}`; known: {', '.join(CRISIS_TYPES)}")
        severity = self._enum(doc.get("severity"), "severity", Severity)
        duration = self._duration(doc["duration"], "duration") if "duration" in doc else DEFAULT_DURATION
        represents = (self._duration(doc["represents"], "represents")
                      if "represents" in doc else duration)
        if duration and represents and represents < duration:
            self._problem(doc["represents"], "represents",
                          "must be at least the drill's duration (a drill compresses time, never stretches it)")
        injects = self._injects(doc.get("injects"), duration or DEFAULT_DURATION, crisis_type)
        if len(self.problems) > self.errors_before:
            return None
        assert key and title and summary and crisis_type and severity and duration and represents
        return Scenario(key=key, title=title, summary=summary, crisis_type=crisis_type,
                        severity=severity, injects=tuple(injects), duration=duration,
                        represents=represents, source=str(self.path))

    def _injects(self, node: Node | None, duration, crisis_type: str | None) -> list[Inject]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode) or not node.value:
            self._problem(node, "injects", "must be a non-empty list of injects")
            return []
        out: list[Inject] = []
        kinds: dict[int, InjectKind] = {}
        for index, item in enumerate(node.value):
            inject = self._inject(item, f"injects[{index}]", index + 1, duration, kinds, crisis_type)
            if inject is not None:
                if out and inject.at < out[-1].at:
                    self._problem(item, f"injects[{index}].at",
                                  "injects must be in time order (this one comes before the one above it)")
                out.append(inject)
                kinds[inject.no] = inject.kind
        return out

    def _inject(self, node: Node, where: str, no: int, duration, kinds: dict[int, InjectKind],
                crisis_type: str | None) -> Inject | None:
        keys = {"at", "kind", "text", "persona", "monitor", "severity", "value", "threshold",
                "retracts", "expect"}
        doc = self._mapping(node, where, keys, required={"at", "kind", "text"})
        before = len(self.problems)
        at = self._offset(doc.get("at"), f"{where}.at")
        if at is not None and at > duration:
            self._problem(doc["at"], f"{where}.at", f"is after the drill ends ({_fmt(duration)})")
        kind = self._enum(doc.get("kind"), f"{where}.kind", InjectKind)
        text = self._text(doc.get("text"), f"{where}.text")
        if text is not None and max(len(text.en), len(text.zh)) > MAX_INJECT_TEXT:
            self._problem(doc["text"], f"{where}.text",
                          f"is longer than {MAX_INJECT_TEXT} characters; an inject is one post")
        persona = self._enum(doc["persona"], f"{where}.persona", Persona) if "persona" in doc else Persona.CONTROL
        monitor = self._scalar(doc.get("monitor"), f"{where}.monitor", str) or ""
        severity = self._enum(doc["severity"], f"{where}.severity", Severity) if "severity" in doc else None
        value = self._number(doc.get("value"), f"{where}.value")
        threshold = self._number(doc.get("threshold"), f"{where}.threshold")
        retracts = self._scalar(doc.get("retracts"), f"{where}.retracts", int)
        if kind is InjectKind.ALERT and not monitor:
            self._problem(node, f"{where}.monitor", "an alert inject names its `monitor`")
        elif monitor and not _MONITOR.match(monitor):
            self._problem(doc["monitor"], f"{where}.monitor", "lowercase letters, digits, . _ and -")
        if kind is InjectKind.SEVERITY and severity is None:
            self._problem(node, f"{where}.severity", "a severity inject names the new `severity`")
        if kind is InjectKind.POST and "persona" not in doc:
            self._problem(node, f"{where}.persona", "a post names its `persona`: "
                          + ", ".join(p.value for p in Persona))
        if kind is InjectKind.RETRACT:
            if retracts is None:
                self._problem(node, f"{where}.retracts", "a retraction names the fact inject it retracts")
            elif kinds.get(retracts) is not InjectKind.FACT:
                self._problem(doc["retracts"], f"{where}.retracts",
                              f"inject {retracts} is not an earlier `fact` inject")
        expect = self._expect(doc.get("expect"), f"{where}.expect", at, kinds, crisis_type, no, kind)
        if len(self.problems) > before or at is None or kind is None or text is None:
            return None
        return Inject(no=no, at=at, kind=kind, text=text, persona=persona, monitor=monitor,
                      severity=severity, value=value, threshold=threshold, retracts=retracts,
                      expect=expect, line=node.start_mark.line + 1)

    def _expect(self, node: Node | None, where: str, at, kinds: dict[int, InjectKind],
                crisis_type: str | None, no: int, kind: InjectKind | None) -> Expectation | None:
        if node is None:
            return None
        keys = {"check", "by", "text", "audience", "role", "task", "severity", "fact"}
        doc = self._mapping(node, where, keys, required={"check", "by", "text"})
        check = self._enum(doc.get("check"), f"{where}.check", Check)
        by = self._offset(doc.get("by"), f"{where}.by")
        text = self._text(doc.get("text"), f"{where}.text")
        if by is not None and at is not None and by < at:
            self._problem(doc["by"], f"{where}.by", f"must not be before the inject ({_fmt(at)})")
        audience = self._scalar(doc.get("audience"), f"{where}.audience", str)
        if audience is not None and audience not in AUDIENCES:
            self._problem(doc["audience"], f"{where}.audience",
                          f"unknown audience `{audience}`; use one of: {', '.join(AUDIENCES)}")
        role = self._enum(doc["role"], f"{where}.role", Role) if "role" in doc else None
        severity = self._enum(doc["severity"], f"{where}.severity", Severity) if "severity" in doc else None
        task = self._scalar(doc.get("task"), f"{where}.task", str)
        fact = self._scalar(doc.get("fact"), f"{where}.fact", int)
        if check is not None:
            needed = CHECK_ARGUMENT[check]
            given = {"role": role, "task": task, "severity": severity, "fact": fact}
            if needed and not needed.endswith("?") and given.get(needed) is None and needed not in doc:
                self._problem(node, f"{where}.{needed}", f"check `{check.value}` needs `{needed}`")
            if check in (Check.FACT_RETRACTED, Check.FACT_CONFIRMED) and fact is not None:
                fact_kind = InjectKind.FACT if fact != no else kind
                if kinds.get(fact, fact_kind if fact == no else None) is not InjectKind.FACT:
                    self._problem(doc["fact"], f"{where}.fact",
                                  f"inject {fact} is not a `fact` inject at or before this one")
            if task is not None and crisis_type and self.catalog is not None:
                playbook = self.catalog.playbooks.get(crisis_type)
                if playbook is not None and playbook.task_template(task) is None:
                    self._problem(doc["task"], f"{where}.task",
                                  f"playbook {crisis_type} has no task `{task}`")
        if check is None or by is None or text is None:
            return None
        return Expectation(check=check, by=by, text=text, audience=audience, role=role,
                           task=task, severity=severity, fact=fact)

    def _offset(self, node: Node | None, where: str):
        """``0m``, ``T+12m`` or ``12m``: scenario time since the drill started."""
        value = self._scalar(node, where, str)
        if value is None:
            return None
        text = str(value).strip().upper().removeprefix("T+").lower()
        if text in ("0", "0m", "0s"):
            return timedelta(0)
        try:
            return parse_duration(text)
        except ValueError as exc:
            self._problem(node, where, str(exc).replace(f"`{text}`", f"`{value}`"))
            return None

    def _number(self, node: Node | None, where: str) -> float | None:
        if node is None:
            return None
        try:
            return float(node.value)
        except (TypeError, ValueError):
            self._problem(node, where, f"must be a number, not `{getattr(node, 'value', '')}`")
            return None


def _fmt(delta: timedelta) -> str:
    return "T+" + format_duration(delta)
