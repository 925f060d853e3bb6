"""Drills: a scripted crisis rehearsed end to end on a compressed clock.

A :class:`Scenario` (``playbooks/drills/*.yaml``) is a script of timed :class:`Inject` s —
monitor alerts, posts by the "drill control" persona, facts revealed, retractions, severity
escalations — each optionally carrying an :class:`Expectation` of what the team should have
done by when. Times in a scenario are *scenario minutes*: the script runs in ``duration``
(45 minutes by default) and stands for ``represents`` of a real crisis (say 6 hours).

A :class:`DrillRun` is one rehearsal: when it started, its wall-clock length (``scale``), when it
was paused, which injects fired. Pure functions turn scenario time into wall-clock time and
back, and scale the incident clocks (team assembly, golden 4 hours, cadence, tasks, regulatory)
by :attr:`DrillRun.clock_factor`.

>>> run = DrillRun(scenario="x", started_at=datetime(2026, 1, 1, 15, 0), duration=timedelta(minutes=45),
...                represents=timedelta(hours=6), scale=timedelta(minutes=15))
>>> run.wall_at(timedelta(minutes=30)).time(), run.clock_factor
(datetime.time(15, 10), 24.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.playbook import Catalog, ClockSpec, Playbook, TaskTemplate
from bot.domain.reminders import ReminderSettings
from bot.domain.roles import Role
from bot.domain.severity import Severity, SeverityLevel, SeverityPolicy
from bot.domain.text import LocalText

#: ``IncidentDeclared.source`` of a drill incident.
DRILL_SOURCE = "drill"
#: Channel prefix of a drill incident (``drill-12-courier-strike``).
DRILL_CHANNEL_PREFIX = "drill"
#: The marker every bot message of a drill carries.
DRILL_MARKER = ":construction: *DRILL*"
#: The five crisis types a scenario set must cover.
CRISIS_TYPES = ("product_quality", "service_logistics", "supply_chain", "brand_reputation",
                "data_security")
DEFAULT_DURATION = timedelta(minutes=45)


def is_drill_source(source: str | None) -> bool:
    return bool(source) and (source == DRILL_SOURCE or str(source).startswith(DRILL_SOURCE + ":"))


class InjectKind(StrEnum):
    ALERT = "alert"          # a monitor alert, through the real alert pipeline
    POST = "post"            # drill control posts as a persona
    FACT = "fact"            # a fact revealed (added, unconfirmed, to the facts register)
    RETRACT = "retract"      # a fact revealed earlier turns out false
    SEVERITY = "severity"    # the crisis escalates


class Persona(StrEnum):
    SOCIAL = "social"
    JOURNALIST = "journalist"
    REGULATOR = "regulator"
    CUSTOMER = "customer"
    EXECUTIVE = "executive"
    CONTROL = "control"


class Check(StrEnum):
    """What an expectation checks on the incident's timeline."""

    STATEMENT_APPROVED = "statement_approved"    # a statement (of ``audience``) approved
    STATEMENT_PUBLISHED = "statement_published"  # a statement (of ``audience``) published
    ROLE_FILLED = "role_filled"                  # ``role`` held in the incident
    FACT_RETRACTED = "fact_retracted"            # the inject's fact retracted before any publication
    FACT_CONFIRMED = "fact_confirmed"            # the inject's fact confirmed
    TASK_DONE = "task_done"                      # playbook task ``task`` done
    SEVERITY_AT_LEAST = "severity_at_least"      # severity raised to ``severity``
    ANSWERED = "answered"                        # the team acted in the channel after the inject


#: The argument each check needs (None: none).
CHECK_ARGUMENT: dict[Check, str | None] = {
    Check.STATEMENT_APPROVED: "audience?", Check.STATEMENT_PUBLISHED: "audience?",
    Check.ROLE_FILLED: "role", Check.FACT_RETRACTED: "fact", Check.FACT_CONFIRMED: "fact",
    Check.TASK_DONE: "task", Check.SEVERITY_AT_LEAST: "severity", Check.ANSWERED: None,
}


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the team should do by scenario time ``by`` (counted from the drill's start)."""

    check: Check
    by: timedelta
    text: LocalText
    audience: str | None = None
    role: Role | None = None
    task: str | None = None
    severity: Severity | None = None
    #: For fact checks: the number of the inject that revealed the fact.
    fact: int | None = None


@dataclass(frozen=True, slots=True)
class Inject:
    no: int
    at: timedelta
    kind: InjectKind
    text: LocalText
    persona: Persona = Persona.CONTROL
    #: ALERT: the monitor alert (monitor, fingerprint, title, severity, value, threshold).
    monitor: str = ""
    severity: Severity | None = None
    value: float | None = None
    threshold: float | None = None
    #: RETRACT: the inject whose fact turns out false.
    retracts: int | None = None
    expect: Expectation | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: LocalText
    summary: LocalText
    crisis_type: str
    severity: Severity
    injects: tuple[Inject, ...]
    duration: timedelta = DEFAULT_DURATION
    represents: timedelta = timedelta(hours=6)
    source: str = ""

    def inject(self, no: int) -> Inject:
        for inject in self.injects:
            if inject.no == no:
                return inject
        raise KeyError(f"scenario {self.key} has no inject {no}; it has 1-{len(self.injects)}")

    @property
    def expectations(self) -> tuple[tuple[Inject, Expectation], ...]:
        return tuple((i, i.expect) for i in self.injects if i.expect is not None)


class RunStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class DrillRun:
    """One rehearsal of ``scenario``; times are wall-clock, pauses excluded from drill time."""

    scenario: str
    started_at: datetime
    duration: timedelta = DEFAULT_DURATION
    represents: timedelta = timedelta(hours=6)
    #: How long the drill runs on the wall clock (default: the scenario's ``duration``).
    scale: timedelta | None = None
    status: RunStatus = RunStatus.RUNNING
    paused_at: datetime | None = None
    paused_total: timedelta = timedelta(0)
    ended_at: datetime | None = None
    fired: frozenset[int] = frozenset()
    team: tuple[str, ...] = ()
    id: int = 0
    incident: int | None = None

    @property
    def wall_duration(self) -> timedelta:
        return self.scale or self.duration

    @property
    def tempo(self) -> float:
        """Wall seconds per scenario second (1.0 at the scenario's own 45 minutes)."""
        return self.wall_duration / self.duration

    @property
    def clock_factor(self) -> float:
        """How much faster than real life the incident clocks run (6 h in 45 min: 8)."""
        return self.represents / self.wall_duration

    def wall_at(self, scenario_time: timedelta) -> datetime:
        """When scenario time ``scenario_time`` comes on the wall clock (pauses so far counted;
        while paused, never before now's resume)."""
        return self.started_at + self.paused_total + scenario_time * self.tempo

    def scenario_time(self, at: datetime) -> timedelta:
        """Scenario time at wall-clock ``at`` (pauses excluded)."""
        end = self.paused_at if self.paused_at is not None and at > self.paused_at else at
        return (end - self.started_at - self.paused_total) / self.tempo

    def due_injects(self, scenario: Scenario, now: datetime) -> list[Inject]:
        """Injects due by ``now`` and not yet fired (none while paused or ended)."""
        if self.status is not RunStatus.RUNNING:
            return []
        return [i for i in scenario.injects if i.no not in self.fired and self.wall_at(i.at) <= now]

    def next_due(self, scenario: Scenario) -> datetime | None:
        waiting = [self.wall_at(i.at) for i in scenario.injects if i.no not in self.fired]
        return min(waiting, default=None) if self.status is RunStatus.RUNNING else None

    def pause(self, at: datetime) -> DrillRun:
        if self.status is not RunStatus.RUNNING:
            raise ValueError(f"the drill is {self.status.value}, not running")
        return replace(self, status=RunStatus.PAUSED, paused_at=at)

    def resume(self, at: datetime) -> DrillRun:
        if self.status is not RunStatus.PAUSED or self.paused_at is None:
            raise ValueError(f"the drill is {self.status.value}, not paused")
        return replace(self, status=RunStatus.RUNNING, paused_at=None,
                       paused_total=self.paused_total + (at - self.paused_at))

    def end(self, at: datetime) -> DrillRun:
        if self.status is RunStatus.ENDED:
            raise ValueError("the drill has already ended")
        run = self.resume(at) if self.status is RunStatus.PAUSED else self
        return replace(run, status=RunStatus.ENDED, ended_at=at)

    def scaled(self, real: timedelta) -> timedelta:
        """A real-life duration on this drill's compressed clock (4 h at factor 8: 30 min)."""
        return real / self.clock_factor


# ---------------------------------------------------------------------------- scaled clocks


def scale_policy(policy: SeverityPolicy, factor: float) -> SeverityPolicy:
    """Every severity clock divided by ``factor`` (team assembly, cadence, golden 4 h, 72 h)."""
    if factor == 1:
        return policy
    levels = {sev: _scale_level(level, factor) for sev, level in policy.levels.items()}
    return replace(policy, levels=levels, first_statement_within=policy.first_statement_within / factor,
                   postmortem_within=policy.postmortem_within / factor)


def _scale_level(level: SeverityLevel, factor: float) -> SeverityLevel:
    return replace(level, team_within=level.team_within / factor,
                   update_every=level.update_every / factor)


def scale_playbook(playbook: Playbook, factor: float) -> Playbook:
    """Task due offsets and regulatory clocks divided by ``factor``."""
    if factor == 1:
        return playbook
    tasks = tuple(_scale_task(t, factor) for t in playbook.tasks)
    clocks = tuple(_scale_clock(c, factor) for c in playbook.clocks)
    return replace(playbook, tasks=tasks, clocks=clocks)


def _scale_task(task: TaskTemplate, factor: float) -> TaskTemplate:
    return replace(task, due=task.due / factor) if task.due is not None else task


def _scale_clock(clock: ClockSpec, factor: float) -> ClockSpec:
    return replace(clock, within=clock.within / factor)


def scale_reminders(settings: ReminderSettings, source: str | None) -> ReminderSettings:
    """Reminder offsets on a drill's compressed clock ("an hour before" the golden 4 h is 90 s
    before it at ×40); ``late_within`` and who is mentioned stay as they are."""
    factor = factor_of(source)
    if factor == 1:
        return settings
    return replace(
        settings,
        first_statement_before=tuple(d / factor for d in settings.first_statement_before),
        task_due_soon=settings.task_due_soon / factor,
        regulatory_before=tuple(d / factor for d in settings.regulatory_before),
        postmortem_before=settings.postmortem_before / factor,
        escalation_grace=settings.escalation_grace / factor,
    )


def drill_source(factor: float) -> str:
    """The incident source of a drill whose clocks run ``factor`` times faster: ``drill:x8``."""
    return f"{DRILL_SOURCE}:x{factor:g}"


def factor_of(source: str | None) -> float:
    """The clock factor a drill incident's source carries (1 for anything else)."""
    if not is_drill_source(source) or ":x" not in str(source):
        return 1.0
    try:
        value = float(str(source).split(":x", 1)[1])
    except ValueError:
        return 1.0
    return value if value > 0 else 1.0


_SCALED: dict[tuple[int, float], Catalog] = {}


def scaled_catalog(catalog: Catalog, source: str | None) -> Catalog:
    """``catalog`` with every clock divided by the drill factor ``source`` carries (cached)."""
    factor = factor_of(source)
    if factor == 1:
        return catalog
    key = (id(catalog), factor)
    cached = _SCALED.get(key)
    if cached is None or cached.stages != catalog.stages:
        cached = replace(catalog, policy=scale_policy(catalog.policy, factor),
                         playbooks={k: scale_playbook(p, factor) for k, p in catalog.playbooks.items()})
        _SCALED[key] = cached
    return cached


@dataclass(frozen=True, slots=True)
class Rotation:
    """The scenarios a drill calendar rotates through, in order."""

    scenarios: tuple[str, ...] = field(default_factory=tuple)

    def pick(self, index: int) -> str | None:
        return self.scenarios[index % len(self.scenarios)] if self.scenarios else None
