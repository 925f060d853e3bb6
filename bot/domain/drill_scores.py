"""The drill scorecard: expectations met or missed, and the response measured on the drill's
compressed clock. Pure: a function of the scenario, the run, the incident's timeline and the
times the injects fired.

Times in the scorecard are *scenario time* (``T+12m``: twelve scenario minutes after the drill
started, pauses excluded); targets from the severity policy and the playbook are scaled by the
run's clock factor (the golden 4 hours are 30 scenario-clock minutes at factor 8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import events as ev
from bot.domain.drills import Check, DrillRun, Expectation, Inject, InjectKind, Scenario
from bot.domain.severity import Severity, SeverityPolicy

#: Team actions (not the bot's, not drill control's) that count as answering an inject.
_SYSTEM = ("system:",)


@dataclass(frozen=True, slots=True)
class ExpectationResult:
    inject: int
    expectation: Expectation
    met: bool
    #: Scenario time the expectation was met (None: never).
    met_at: timedelta | None
    due: timedelta


@dataclass(frozen=True, slots=True)
class Measure:
    """A response figure on the drill clock against its scaled target (None: no target)."""

    value: timedelta | None
    target: timedelta | None

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value is not None and self.value <= self.target


@dataclass(frozen=True, slots=True)
class InjectAnswer:
    inject: int
    fired_at: timedelta | None
    answered_after: timedelta | None


@dataclass(frozen=True, slots=True)
class RetractionCatch:
    inject: int
    fact_no: int | None
    caught: bool
    retracted_at: timedelta | None
    published_before: int


@dataclass(frozen=True, slots=True)
class Scorecard:
    scenario: str
    run: int
    results: tuple[ExpectationResult, ...]
    team_assembly: Measure
    first_statement: Measure
    approval_waits: tuple[timedelta, ...]
    lint_errors_at_submission: int
    tasks_on_time: int
    tasks_late: int
    tasks_open: int
    answers: tuple[InjectAnswer, ...]
    retractions: tuple[RetractionCatch, ...]
    clock_factor: float
    trend: tuple[float, ...] = field(default_factory=tuple)

    @property
    def met(self) -> int:
        return sum(1 for r in self.results if r.met)

    @property
    def missed(self) -> int:
        return len(self.results) - self.met

    @property
    def score(self) -> float:
        """Share of expectations met, 0..1 (1 when the scenario states none)."""
        return self.met / len(self.results) if self.results else 1.0


def fact_numbers(events: list[ev.Event], fired_at: dict[int, datetime],
                 scenario: Scenario) -> dict[int, int]:
    """Inject number → the fact number its FACT inject added (matched by time and text)."""
    out: dict[int, int] = {}
    facts = [e for e in events if isinstance(e, ev.FactAdded)]
    for inject in scenario.injects:
        if inject.kind is not InjectKind.FACT or inject.no not in fired_at:
            continue
        for fact in facts:
            if fact.at >= fired_at[inject.no] and fact.text in (inject.text.en, inject.text.zh) \
                    and fact.fact_no not in out.values():
                out[inject.no] = fact.fact_no
                break
    return out


def score(
    *, scenario: Scenario, run: DrillRun, events: list[ev.Event], fired_at: dict[int, datetime],
    policy: SeverityPolicy, assemble: tuple, lint_errors: int = 0, trend: tuple[float, ...] = (),
    now: datetime, approved_at: dict[int, datetime] | None = None,
) -> Scorecard:
    """The scorecard of ``run`` from the incident's ``events`` (oldest first).

    ``policy`` is the *unscaled* severity policy; ``assemble`` the roles the team needs;
    ``lint_errors``: lint errors found on statements at submission (the adapter lints);
    ``approved_at``: statement id → when its approvals met the approval rule."""
    approved_at = approved_at or {}
    t = run.scenario_time
    factor = run.clock_factor
    tempo = run.tempo
    facts = fact_numbers(events, fired_at, scenario)
    results = tuple(
        _evaluate(inject, expect, events=events, run=run, fired_at=fired_at, facts=facts,
                  approved_at=approved_at)
        for inject, expect in scenario.expectations
    )
    declared = next((e for e in events if isinstance(e, ev.IncidentDeclared)), None)
    severity = Severity(declared.severity) if declared else scenario.severity
    team_target = policy.level(severity).team_within / factor / tempo
    filled: dict[str, datetime] = {}
    for e in events:
        if isinstance(e, ev.RoleAssigned) and e.role not in filled:
            filled[e.role] = e.at
    needed = [str(getattr(r, "value", r)) for r in assemble]
    assembled = max((filled[r] for r in needed), default=run.started_at) \
        if all(r in filled for r in needed) else None
    team = Measure(t(assembled) if assembled else None, team_target)
    first_pub = min((e.at for e in events if isinstance(e, ev.StatementPublished)
                     and e.audience != "employees"), default=None)
    first = Measure(t(first_pub) if first_pub else None,
                    policy.first_statement_within / factor / tempo)
    submitted: dict[tuple[int, int], datetime] = {}
    waits: list[timedelta] = []
    for e in events:
        if isinstance(e, ev.StatementSubmitted):
            submitted[e.statement_id] = e.at
    for sid, at in sorted(approved_at.items()):
        if sid in submitted:
            waits.append((at - submitted[sid]) / tempo)
    on_time = late = open_ = 0
    due: dict[int, datetime | None] = {}
    done: dict[int, datetime] = {}
    for e in events:
        if isinstance(e, ev.TaskAdded):
            due[e.task_no] = e.due_at
        elif isinstance(e, ev.TaskCompleted):
            done[e.task_no] = e.at
    for no, due_at in due.items():
        if due_at is None:
            continue
        if no not in done:
            open_ += 1
        elif done[no] <= due_at:
            on_time += 1
        else:
            late += 1
    answers = tuple(_answer(i, events, fired_at, t) for i in scenario.injects
                    if i.kind is InjectKind.POST)
    retractions = tuple(_retraction(i, events, fired_at, facts, t) for i in scenario.injects
                        if i.kind is InjectKind.RETRACT)
    return Scorecard(
        scenario=scenario.key, run=run.id, results=results, team_assembly=team,
        first_statement=first, approval_waits=tuple(waits), lint_errors_at_submission=lint_errors,
        tasks_on_time=on_time, tasks_late=late, tasks_open=open_, answers=answers,
        retractions=retractions, clock_factor=factor, trend=trend,
    )


def _team_action(e: ev.Event) -> bool:
    return not e.actor.startswith(_SYSTEM) and not isinstance(
        e, (ev.IncidentDeclared, ev.ReminderSent, ev.AlertFired, ev.AlertResolved))


def _answer(inject: Inject, events: list[ev.Event], fired_at: dict[int, datetime], t) -> InjectAnswer:
    fired = fired_at.get(inject.no)
    if fired is None:
        return InjectAnswer(inject.no, None, None)
    reply = next((e.at for e in events if e.at >= fired and _team_action(e)), None)
    return InjectAnswer(inject.no, t(fired), (t(reply) - t(fired)) if reply else None)


def _retraction(inject: Inject, events: list[ev.Event], fired_at: dict[int, datetime],
                facts: dict[int, int], t) -> RetractionCatch:
    fact_no = facts.get(inject.retracts or 0)
    revealed = fired_at.get(inject.retracts or 0)
    retracted = next((e.at for e in events if isinstance(e, ev.FactRetracted)
                      and e.fact_no == fact_no), None) if fact_no else None
    published = [e.at for e in events if isinstance(e, ev.StatementPublished)
                 and revealed is not None and e.at >= revealed
                 and (retracted is None or e.at < retracted)]
    caught = retracted is not None and not published
    return RetractionCatch(inject.no, fact_no, caught, t(retracted) if retracted else None,
                           len(published))


def _evaluate(inject: Inject, expect: Expectation, *, events: list[ev.Event], run: DrillRun,
              fired_at: dict[int, datetime], facts: dict[int, int],
              approved_at: dict[int, datetime]) -> ExpectationResult:
    """When (scenario time) the expectation was first satisfied; met when by its ``by``."""
    at = _satisfied_at(inject, expect, events=events, fired_at=fired_at, facts=facts,
                       approved_at=approved_at)
    met_at = run.scenario_time(at) if at is not None else None
    met = met_at is not None and met_at <= expect.by
    return ExpectationResult(inject.no, expect, met, met_at, expect.by)


def _satisfied_at(inject: Inject, expect: Expectation, *, events: list[ev.Event],
                  fired_at: dict[int, datetime], facts: dict[int, int],
                  approved_at: dict[int, datetime]) -> datetime | None:
    check = expect.check
    audience_of: dict[int, str] = {e.statement_id: e.audience for e in events
                                   if isinstance(e, ev.StatementDrafted)}
    if check is Check.STATEMENT_APPROVED:
        return min((at for sid, at in approved_at.items()
                    if expect.audience is None or audience_of.get(sid) == expect.audience),
                   default=None)
    if check is Check.STATEMENT_PUBLISHED:
        return next((e.at for e in events if isinstance(e, ev.StatementPublished)
                     and (expect.audience is None or e.audience == expect.audience)), None)
    if check is Check.ROLE_FILLED:
        role = str(getattr(expect.role, "value", expect.role))
        return next((e.at for e in events if isinstance(e, ev.RoleAssigned) and e.role == role), None)
    if check is Check.TASK_DONE:
        tasks = {e.task_no for e in events if isinstance(e, ev.TaskAdded) and e.template == expect.task}
        return next((e.at for e in events if isinstance(e, ev.TaskCompleted) and e.task_no in tasks), None)
    if check is Check.SEVERITY_AT_LEAST:
        want = expect.severity.rank if expect.severity else 0
        return next((e.at for e in events if isinstance(e, ev.SeverityChanged)
                     and Severity(e.new).rank >= want), None)
    if check in (Check.FACT_RETRACTED, Check.FACT_CONFIRMED):
        fact_no = facts.get(expect.fact or 0)
        if fact_no is None:
            return None
        kind = ev.FactRetracted if check is Check.FACT_RETRACTED else ev.FactConfirmed
        at = next((e.at for e in events if isinstance(e, kind) and e.fact_no == fact_no), None)
        if at is not None and check is Check.FACT_RETRACTED:
            revealed = fired_at.get(expect.fact or 0)
            if any(isinstance(e, ev.StatementPublished) and revealed and revealed <= e.at < at
                   for e in events):
                return None  # published with the false fact in the register: not caught in time
        return at
    if check is Check.ANSWERED:
        fired = fired_at.get(inject.no)
        if fired is None:
            return None
        return next((e.at for e in events if e.at >= fired and _team_action(e)), None)
    return None  # pragma: no cover - Check is closed
