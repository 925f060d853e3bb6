"""Load and validate ``playbooks/`` (YAML) into the domain's :class:`Catalog`.

Validation collects every problem — file, line and the path inside the document — instead of
stopping at the first, so ``crisisbot playbooks validate`` shows a playbook author all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.domain.durations import parse_duration
from bot.domain.lifecycle import STAGES, Phase
from bot.domain.playbook import (
    CLAIM_PLACEHOLDERS,
    Catalog,
    ClockSpec,
    DueFrom,
    Playbook,
    PublicClaim,
    TaskTemplate,
)
from bot.domain.roles import Role
from bot.domain.severity import ApprovalRule, Severity, SeverityLevel, SeverityPolicy
from bot.domain.text import LocalText

SEVERITIES_FILE = "severities.yaml"
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        where = f" ({self.where})" if self.where else ""
        line = f":{self.line}" if self.line else ""  # 0: the file (or directory) as a whole
        return f"{self.file}{line}:{where} {self.message}"


class PlaybookError(Exception):
    """The playbook directory is invalid; ``problems`` lists everything wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def bundled_playbooks_dir() -> Path:
    """The playbooks shipped with crisisbot: ``bot/_playbooks`` inside an installed wheel (the
    top-level ``playbooks/`` mapped in at build time), else the source tree's ``playbooks/``."""
    package = Path(__file__).resolve().parents[2]
    installed = package / "_playbooks"
    if (installed / SEVERITIES_FILE).is_file():
        return installed
    for parent in package.parents:
        candidate = parent / "playbooks"
        if (candidate / SEVERITIES_FILE).is_file():
            return candidate
    return installed


def load_catalog(directory: Path | str) -> Catalog:
    """Load severities and every playbook in ``directory``; raises :class:`PlaybookError`."""
    catalog, problems = _load(Path(directory))
    if problems or catalog is None:
        raise PlaybookError(problems)
    return catalog


def validate_dir(directory: Path | str) -> list[Problem]:
    """Every problem in ``directory`` (empty when valid)."""
    return _load(Path(directory))[1]


def _load(directory: Path) -> tuple[Catalog | None, list[Problem]]:
    problems: list[Problem] = []
    if not directory.is_dir():
        return None, [Problem(str(directory), 0, "", "is not a directory")]
    policy = _Reader(directory / SEVERITIES_FILE, problems).severities()
    playbooks: dict[str, Playbook] = {}
    files = sorted(p for p in directory.glob("*.yaml") if p.name != SEVERITIES_FILE)
    files += sorted(p for p in directory.glob("*.yml"))
    if not files:
        problems.append(Problem(str(directory), 0, "", "holds no playbook (*.yaml)"))
    for path in files:
        playbook = _Reader(path, problems).playbook()
        if playbook is not None:
            playbooks[playbook.key] = playbook
    if problems or policy is None:
        return None, problems
    return Catalog(playbooks=playbooks, policy=policy), problems

#: libyaml's parser where PyYAML has it (playbooks and drills are read at every start-up: the
#: pure-Python parser took most of a second), the same nodes and line marks either way.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> Node | None:
    """The node tree of ``text``; a broken file is parsed again by the Python parser, whose
    error wording (``FILE:LINE: (while …) invalid YAML: …``) is the one people know."""
    try:
        return yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        if _YAML_LOADER is yaml.SafeLoader:
            raise
    return yaml.compose(text, Loader=yaml.SafeLoader)


class _Reader:
    """Reads one YAML file node by node, recording problems with line numbers."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.errors_before = len(problems)

    # ------------------------------------------------------------------ documents

    def _root(self) -> MappingNode | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._problem(None, "", "file is missing")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self._problem(None, "", f"cannot be read: {exc}")
            return None
        try:
            root = _compose(text)
        except yaml.YAMLError as exc:
            # One line: FILE:LINE: (while parsing …) invalid YAML: expected …, but found …
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark else 0
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            where = getattr(exc, "context", None) or ""
            self.problems.append(Problem(str(self.path), line, where, f"invalid YAML: {problem}"))
            return None
        if not isinstance(root, MappingNode):
            self._problem(root, "", "must be a mapping of keys to values")
            return None
        return root

    def severities(self) -> SeverityPolicy | None:
        root = self._root()
        if root is None:
            return None
        doc = self._mapping(root, "", {"levels", "clocks"}, required={"levels"})
        levels: dict[Severity, SeverityLevel] = {}
        levels_node = doc.get("levels")
        if isinstance(levels_node, MappingNode):
            entries = self._mapping(levels_node, "levels", {s.value for s in Severity})
            for severity in Severity:
                node = entries.get(severity.value)
                if node is None:
                    self._problem(levels_node, "levels", f"severity {severity.value} is missing")
                    continue
                level = self._level(node, f"levels.{severity.value}", severity)
                if level:
                    levels[severity] = level
        elif levels_node is not None:
            self._problem(levels_node, "levels", "must map SS, S and A to their settings")
        first, postmortem = timedelta(hours=4), timedelta(hours=72)
        clocks_node = doc.get("clocks")
        if clocks_node is not None:
            clocks = self._mapping(clocks_node, "clocks", {"first_statement", "postmortem"})
            first = self._duration(clocks.get("first_statement"), "clocks.first_statement") or first
            postmortem = self._duration(clocks.get("postmortem"), "clocks.postmortem") or postmortem
        if len(self.problems) > self.errors_before or len(levels) != 3:
            return None
        return SeverityPolicy(levels, first_statement_within=first, postmortem_within=postmortem)

    def _level(self, node: Node, where: str, severity: Severity) -> SeverityLevel | None:
        keys = {"label", "description", "team_within", "update_every", "approvals", "invite", "assemble"}
        doc = self._mapping(node, where, keys, required=keys - {"description"})
        label = self._text(doc.get("label"), f"{where}.label")
        description = self._text(doc.get("description"), f"{where}.description", optional=True)
        team = self._duration(doc.get("team_within"), f"{where}.team_within")
        cadence = self._duration(doc.get("update_every"), f"{where}.update_every")
        approvals = self._approvals(doc.get("approvals"), f"{where}.approvals")
        invite = self._roles(doc.get("invite"), f"{where}.invite")
        assemble = self._roles(doc.get("assemble"), f"{where}.assemble")
        if invite and assemble and not set(assemble) <= set(invite):
            missing = ", ".join(r.value for r in assemble if r not in invite)
            self._problem(doc["assemble"], f"{where}.assemble",
                          f"roles {missing} must also be in `invite`: the team cannot assemble without them")
        if None in (label, team, cadence, approvals, invite, assemble):
            return None
        return SeverityLevel(
            severity=severity, label=label, description=description or LocalText("", ""),
            team_within=team, update_every=cadence, approvals=approvals,
            invite=tuple(invite), assemble=tuple(assemble),
        )

    def _approvals(self, node: Node | None, where: str) -> ApprovalRule | None:
        if node is None:
            return None
        doc = self._mapping(node, where, {"roles", "people"})
        if ("roles" in doc) == ("people" in doc):
            self._problem(node, where, "give either `roles: [...]` or `people: N`, not both")
            return None
        if "roles" in doc:
            roles = self._roles(doc["roles"], f"{where}.roles")
            return ApprovalRule(roles=tuple(roles)) if roles else None
        people = self._scalar(doc["people"], f"{where}.people", int)
        if people is not None and people < 1:
            self._problem(doc["people"], f"{where}.people", "must be at least 1")
            return None
        return ApprovalRule(people=people) if people else None

    def playbook(self) -> Playbook | None:
        root = self._root()
        if root is None:
            return None
        keys = {"key", "name", "description", "covers", "default_severity", "stages", "clocks",
                "confidential", "invite", "assemble"}
        doc = self._mapping(root, "", keys, required={"key", "name", "default_severity", "stages"})
        key = self._scalar(doc.get("key"), "key", str)
        if key is not None:
            if not _KEY.match(key):
                self._problem(doc["key"], "key", f"`{key}` must be lowercase letters, digits and _")
            elif key != self.path.stem:
                self._problem(doc["key"], "key", f"`{key}` must match the file name `{self.path.stem}`")
        name = self._text(doc.get("name"), "name")
        description = self._text(doc.get("description"), "description", optional=True)
        severity = self._enum(doc.get("default_severity"), "default_severity", Severity)
        covers = self._covers(doc.get("covers"))
        confidential = (self._scalar(doc["confidential"], "confidential", bool)
                        if "confidential" in doc else False)
        tasks = self._stages(doc.get("stages"))
        clocks = self._clocks(doc.get("clocks"), {t.id: t for t in tasks})
        parsed_invite = self._roles(doc.get("invite"), "invite")
        invite = parsed_invite or []
        assemble = self._roles(doc.get("assemble"), "assemble") or []
        invite_ok = parsed_invite is not None or "invite" not in doc
        if invite_ok and assemble and not set(assemble) <= set(invite):
            missing = ", ".join(r.value for r in assemble if r not in invite)
            self._problem(doc["assemble"], "assemble",
                          f"roles {missing} must also be in `invite`: the team cannot assemble without them")
        if len(self.problems) > self.errors_before:
            return None
        assert key and name and severity
        return Playbook(
            key=key, name=name, description=description or LocalText("", ""),
            default_severity=severity, tasks=tuple(tasks), clocks=tuple(clocks), covers=covers,
            confidential=bool(confidential),
            invite=tuple(invite), assemble=tuple(assemble),
        )

    def _claim(self, node: Node | None, where: str) -> PublicClaim | None:
        """``public_claim: {en, zh, pending: {en, zh}}``: the done form holds ``{time}``."""
        if node is None:
            return None
        doc = self._mapping(node, where, {"en", "zh", "pending"}, required={"en", "zh"})
        if not doc:
            return None
        en = self._scalar(doc.get("en"), f"{where}.en", str)
        zh = self._scalar(doc.get("zh"), f"{where}.zh", str)
        done = LocalText(en, zh) if en and zh else None
        pending = self._text(doc.get("pending"), f"{where}.pending", optional=True)
        for text, at, past in ((done, where, True), (pending, f"{where}.pending", False)):
            if text is None:
                continue
            for lang, value in (("en", text.en), ("zh", text.zh)):
                unknown = set(re.findall(r"\{[^{}]*\}", value)) - set(CLAIM_PLACEHOLDERS)
                if unknown:
                    self._problem(node, f"{at}.{lang}", f"unknown placeholder(s) {', '.join(sorted(unknown))}; "
                                  f"use {' and '.join(CLAIM_PLACEHOLDERS)}")
                if past and "{time}" not in value:
                    self._problem(node, f"{at}.{lang}",
                                  "a done claim states when: put `{time}` in it")
        if done is None:
            return None
        return PublicClaim(done=done, pending=pending)

    def _covers(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        doc = self._mapping(node, "covers", {"en", "zh"})
        items = doc.get("en")
        if not isinstance(items, SequenceNode):
            self._problem(node, "covers", "needs `en: [...]` (and optionally `zh: [...]`)")
            return ()
        return tuple(str(self._scalar(n, "covers.en", str) or "") for n in items.value)

    def _stages(self, node: Node | None) -> list[TaskTemplate]:
        if node is None:
            return []
        stage_names = {s.value for s in STAGES}
        doc = self._mapping(node, "stages", stage_names, required=stage_names)
        tasks: list[TaskTemplate] = []
        seen: dict[str, int] = {}
        for stage in STAGES:
            stage_node = doc.get(stage.value)
            if stage_node is None:
                continue
            where = f"stages.{stage.value}"
            if not isinstance(stage_node, SequenceNode):
                self._problem(stage_node, where, "must be a list of tasks")
                continue
            if not stage_node.value:
                self._problem(stage_node, where, "has no tasks")
            for index, task_node in enumerate(stage_node.value):
                task = self._task(task_node, f"{where}[{index}]", stage)
                if task is None:
                    continue
                if task.id in seen:
                    self._problem(task_node, f"{where}[{index}].id",
                                  f"duplicate task id `{task.id}` (first on line {seen[task.id]})")
                seen.setdefault(task.id, task_node.start_mark.line + 1)
                tasks.append(task)
        return tasks

    def _task(self, node: Node, where: str, stage: Phase) -> TaskTemplate | None:
        keys = {"id", "text", "owner", "due", "from", "required", "severities", "public_claim", "track"}
        doc = self._mapping(node, where, keys, required={"id", "text", "owner"})
        if not doc:
            return None
        before = len(self.problems)
        task_id = self._identifier(doc.get("id"), f"{where}.id")
        text = self._text(doc.get("text"), f"{where}.text")
        owner = self._enum(doc.get("owner"), f"{where}.owner", Role)
        due = self._duration(doc.get("due"), f"{where}.due") if "due" in doc else None
        due_from = DueFrom.STAGE
        if "from" in doc:
            due_from = self._enum(doc["from"], f"{where}.from", DueFrom, allowed=("declared", "stage"))
            if "due" not in doc:
                self._problem(doc["from"], f"{where}.from", "`from` needs a `due` duration")
        required = self._scalar(doc["required"], f"{where}.required", bool) if "required" in doc else False
        severities = self._severities(doc.get("severities"), f"{where}.severities")
        claim = self._claim(doc.get("public_claim"), f"{where}.public_claim")
        track = self._scalar(doc["track"], f"{where}.track", bool) if "track" in doc else False
        if track and stage is STAGES[0]:
            self._problem(doc["track"], f"{where}.track",
                          f"tasks of `{stage.value}` start at declaration already; `track` is for later stages")
        if track and due_from is not DueFrom.DECLARED and "due" in doc:
            self._problem(doc["track"], f"{where}.track",
                          "a track task runs from declaration: give it `from: declared`")
        if len(self.problems) > before or not (task_id and text and owner):
            return None
        return TaskTemplate(
            id=task_id, stage=stage, text=text, owner=owner, due=due,
            due_from=due_from or DueFrom.STAGE, required=bool(required), severities=severities,
            public_claim=claim, track=bool(track),
        )

    def _clocks(self, node: Node | None, tasks: dict[str, TaskTemplate]) -> list[ClockSpec]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self._problem(node, "clocks", "must be a list of clocks")
            return []
        clocks: list[ClockSpec] = []
        seen: set[str] = set()
        for index, clock_node in enumerate(node.value):
            where = f"clocks[{index}]"
            keys = {"key", "label", "within", "from", "met_by_task", "severities"}
            doc = self._mapping(clock_node, where, keys, required={"key", "label", "within", "met_by_task"})
            before = len(self.problems)
            key = self._identifier(doc.get("key"), f"{where}.key")
            if key in seen:
                self._problem(doc["key"], f"{where}.key", f"duplicate clock key `{key}`")
            seen.add(key or "")
            label = self._text(doc.get("label"), f"{where}.label")
            within = self._duration(doc.get("within"), f"{where}.within")
            due_from = DueFrom.DECLARED
            if "from" in doc:
                due_from = self._enum(doc["from"], f"{where}.from", DueFrom, allowed=("declared", "resolved"))
            met_by = self._scalar(doc["met_by_task"], f"{where}.met_by_task", str) if "met_by_task" in doc else None
            severities = self._severities(doc.get("severities"), f"{where}.severities")
            if met_by is not None and met_by not in tasks:
                self._problem(doc["met_by_task"], f"{where}.met_by_task",
                              f"no task with id `{met_by}` in this playbook")
            elif met_by is not None and tasks[met_by].severities is not None and not (
                severities is not None and severities <= tasks[met_by].severities
            ):
                self._problem(doc["met_by_task"], f"{where}.met_by_task",
                              f"task `{met_by}` does not apply at every severity this clock applies to")
            if len(self.problems) > before or not (key and label and within):
                continue
            clocks.append(ClockSpec(key=key, label=label, within=within,
                                    due_from=due_from or DueFrom.DECLARED, met_by_task=met_by,
                                    severities=severities))
        return clocks

    # ------------------------------------------------------------------ values

    def _mapping(
        self, node: Node | None, where: str, allowed: set[str], required: set[str] = frozenset()
    ) -> dict[str, Node]:
        if node is None:
            return {}
        if not isinstance(node, MappingNode):
            self._problem(node, where, "must be a mapping (key: value)")
            return {}
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{where}.{key}" if where else key
            if key not in allowed:
                self._problem(key_node, path,
                              f"unknown key `{key}`; allowed: {', '.join(sorted(allowed))}")
                continue
            if key in result:
                self._problem(key_node, path, f"`{key}` is given twice")
            result[key] = value_node
        for key in sorted(required - set(result)):
            self._problem(node, f"{where}.{key}" if where else key, f"`{key}` is missing")
        return result

    def _scalar(self, node: Node | None, where: str, kind: Callable[..., T]) -> T | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self._problem(node, where, "must be a single value")
            return None
        value: Any = (yaml.constructor.SafeConstructor().construct_object(node)
                      if node.tag != "tag:yaml.org,2002:str" else node.value)
        if kind is bool and not isinstance(value, bool):
            self._problem(node, where, f"must be true or false, not `{node.value}`")
            return None
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self._problem(node, where, f"must be a whole number, not `{node.value}`")
            return None
        if kind is str:
            value = str(value)
            if not value.strip():
                self._problem(node, where, "must not be empty")
                return None
        return value

    def _identifier(self, node: Node | None, where: str) -> str | None:
        value = self._scalar(node, where, str)
        if value is not None and not _ID.match(value):
            self._problem(node, where, f"`{value}` must be kebab-case: lowercase letters, digits and -")
            return None
        return value

    def _text(self, node: Node | None, where: str, optional: bool = False) -> LocalText | None:
        if node is None:
            if not optional:
                self._problem(None, where, "is missing")
            return None
        doc = self._mapping(node, where, {"en", "zh"}, required={"en", "zh"})
        en = self._scalar(doc.get("en"), f"{where}.en", str)
        zh = self._scalar(doc.get("zh"), f"{where}.zh", str)
        return LocalText(en, zh) if en and zh else None

    def _duration(self, node: Node | None, where: str) -> timedelta | None:
        value = self._scalar(node, where, str)
        if value is None:
            return None
        try:
            return parse_duration(value)
        except ValueError as exc:
            self._problem(node, where, str(exc))
            return None

    def _enum(self, node: Node | None, where: str, enum: Any, allowed: tuple[str, ...] | None = None) -> Any:
        value = self._scalar(node, where, str)
        if value is None:
            return None
        options = allowed or tuple(e.value for e in enum)
        if value not in options:
            self._problem(node, where, f"unknown value `{value}`; use one of: {', '.join(options)}")
            return None
        return enum(value)

    def _roles(self, node: Node | None, where: str) -> list[Role] | None:
        if node is None:
            return None
        if not isinstance(node, SequenceNode):
            self._problem(node, where, "must be a list of roles")
            return None
        roles = [self._enum(n, f"{where}[{i}]", Role) for i, n in enumerate(node.value)]
        return None if None in roles else roles

    def _severities(self, node: Node | None, where: str) -> frozenset[Severity] | None:
        if node is None:
            return None
        if not isinstance(node, SequenceNode) or not node.value:
            self._problem(node, where, "must be a non-empty list of severities (SS, S, A)")
            return None
        values = [self._enum(n, f"{where}[{i}]", Severity) for i, n in enumerate(node.value)]
        return None if None in values else frozenset(values)

    def _problem(self, node: Node | None, where: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 0
        self.problems.append(Problem(str(self.path), line, where, message))
