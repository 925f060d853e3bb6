"""Drill use cases: start a scenario as a drill incident, fire its injects on the compressed
clock, pause / resume / end it, score it, and keep the drill calendar.

Exactly-once injects: each inject's effect carries an idempotency key (a fact through the
incident service, a drill-control post through an outbox dedupe key, an alert through the alert
pipeline's own repeat detection), and only then is the inject marked fired. A crash between the
two re-runs the effect on the next tick, which the key turns into a no-op: never twice, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain import drill_scores
from bot.domain.alerts import Alert, AlertStatus
from bot.domain.drill_scores import Scorecard
from bot.domain.drills import (
    DrillRun,
    Inject,
    InjectKind,
    RunStatus,
    Scenario,
    drill_source,
    is_drill_source,
)
from bot.domain.errors import Conflict, InvalidInput, NotFound
from bot.domain.events import Event, IncidentDeclared, StatementSubmitted
from bot.domain.incident import Incident
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.services.incidents import IncidentService, Outcome

log = logging.getLogger(__name__)

#: The actor drill control acts as (facts revealed, the drill's resolution).
CONTROL = Actor.system("drill-control")
#: Alert group of a drill's injected alerts: only the drill's own router produces these keys.
GROUP_PREFIX = "crisisbot:drill:"
#: Monitor names of a drill's injected alerts (the real pipeline ignores any alert named so).
MONITOR_PREFIX = "crisisbot-drill-"
MAX_SCALE = timedelta(hours=24)
MIN_SCALE = timedelta(minutes=1)


def drill_group(run_id: int) -> str:
    return f"{GROUP_PREFIX}{run_id}"


class DrillStore(Protocol):
    def add(self, run: DrillRun, *, started_by: str) -> DrillRun: ...
    def save(self, run: DrillRun) -> None: ...
    def save_scorecard(self, run_id: int, *, score: float, scorecard: dict[str, Any]) -> None: ...
    def get(self, run_id: int) -> DrillRun | None: ...
    def for_incident(self, number: int) -> DrillRun | None: ...
    def active(self) -> list[DrillRun]: ...
    def runs(self, *, scenario: str | None = None) -> list[tuple[DrillRun, float | None, dict | None]]: ...
    def fired_at(self, run_id: int) -> dict[int, datetime]: ...
    def mark_fired(self, run_id: int, no: int, *, at: datetime, early: bool = False) -> bool: ...


class DrillNarrator(Protocol):
    """The words of drill control (the Slack adapter's messages), as outbox payloads."""

    def inject(self, *, scenario: Scenario, inject: Inject, run: DrillRun, early: bool) -> dict[str, Any]: ...
    def control(self, *, what: str, scenario: Scenario, run: DrillRun, by: str) -> dict[str, Any]: ...
    def scorecard(self, *, scenario: Scenario, run: DrillRun, card: Scorecard,
                  incident: Incident) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Ended:
    run: DrillRun
    card: Scorecard
    files: dict[str, Any]


@dataclass
class DrillService:
    incidents: IncidentService
    scenarios: Mapping[str, Scenario]
    store: DrillStore
    narrator: DrillNarrator
    #: Ingests drill alerts through the alert pipeline (an AlertService with the drill router).
    ingest_alert: Callable[[Alert], Any] | None = None
    #: Lint errors of statement ``id`` in the incident as given (the adapter lints); the
    #: scorecard passes the incident as it stood when the statement was submitted.
    statement_lint_errors: Callable[[Incident, int], int] = lambda incident, statement_id: 0
    wake: Callable[[], None] = lambda: None
    on_fired: Sequence[Callable[[DrillRun, Inject], None]] = field(default_factory=tuple)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.incidents.clock

    # ------------------------------------------------------------------ reads

    def scenario(self, key: str) -> Scenario:
        try:
            return self.scenarios[key]
        except KeyError:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise InvalidInput(f"There is no drill scenario `{key}`; scenarios: {known}.") from None

    def run_for(self, number: int) -> DrillRun:
        run = self.store.for_incident(number)
        if run is None:
            raise NotFound(f"INC-{number} is not a drill.")
        return run

    def is_drill(self, number: int) -> bool:
        return self.store.for_incident(number) is not None

    # ------------------------------------------------------------------ start

    def start(self, key: str, *, actor: Actor, team: Sequence[str] = (),
              scale: timedelta | None = None,
              idempotency_key: str | None = None) -> tuple[DrillRun, Outcome]:
        """Open scenario ``key`` as a drill incident (``drill-…`` channel). The first of
        ``team`` (else the facilitator) leads; the others are invited and assemble the team
        themselves (``/crisis role …``), which the scorecard times."""
        scenario = self.scenario(key)
        if scale is not None and not MIN_SCALE <= scale <= MAX_SCALE:
            raise InvalidInput("A drill's scale is between 1m and 24h, e.g. `scale 45m`.")
        now = self.clock()
        run = DrillRun(scenario=key, started_at=now, duration=scenario.duration,
                       represents=scenario.represents, scale=scale, team=tuple(team))
        if scale is not None and run.represents < scale:
            raise InvalidInput(f"`scale` is longer than the real crisis the scenario stands for; "
                               f"use at most {int(scenario.represents.total_seconds() // 60)}m.")
        lead = team[0] if team else actor.id
        outcome = self.incidents.declare(
            title=f"DRILL: {scenario.title.en}"[:150], crisis_type=scenario.crisis_type,
            severity=scenario.severity, description=scenario.summary.en, actor=CONTROL,
            roles={Role.COMMANDER: lead}, source=drill_source(run.clock_factor),
            idempotency_key=idempotency_key,
        )
        if outcome.duplicate:
            existing = self.store.for_incident(outcome.incident.number)
            if existing is not None:
                return existing, outcome
        run = self.store.add(replace(run, incident=outcome.incident.number), started_by=actor.id)
        with self.incidents.uow_factory() as uow:
            alerts = getattr(uow, "alerts", None)
            if alerts is not None:
                alerts.claim_group(drill_group(run.id), at=now)
                alerts.set_group(drill_group(run.id), incident=run.incident, at=now)
            others = [u for u in (*team, actor.id) if u != lead and not u.startswith("system:")]
            if others:
                uow.outbox.add("invite", {"users": others}, at=now, incident=run.incident,
                               dedupe_key=f"drill:{run.id}:team")
            uow.outbox.add("post_message", self.narrator.control(
                what="started", scenario=scenario, run=run, by=actor.id),
                at=now, incident=run.incident, dedupe_key=f"drill:{run.id}:started")
            uow.commit()
        self.wake()
        self.tick()  # injects at T+0 fire at once
        return run, outcome

    # ------------------------------------------------------------------ injects

    def tick(self) -> list[tuple[int, int]]:
        """Fire every inject that is due; returns (run, inject) pairs fired. Never raises for
        one run's failure: the others still fire, and the failed one is retried next tick."""
        fired: list[tuple[int, int]] = []
        now = self.clock()
        for run in self.store.active():
            scenario = self.scenarios.get(run.scenario)
            if scenario is None:
                continue
            for inject in run.due_injects(scenario, now):
                try:
                    if self._fire(run, scenario, inject, early=False):
                        fired.append((run.id, inject.no))
                except Exception:
                    log.exception("drill %s inject %s failed; retrying on the next tick",
                                  run.id, inject.no)
                    break
        return fired

    def inject_now(self, number: int, no: int, *, actor: Actor) -> Inject:
        """The controller fires inject ``no`` early."""
        run = self.run_for(number)
        if run.status is RunStatus.ENDED:
            raise Conflict("The drill has ended.")
        scenario = self.scenario(run.scenario)
        try:
            inject = scenario.inject(no)
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0])) from None
        if no in run.fired:
            raise Conflict(f"Inject {no} has already fired.")
        self._fire(run, scenario, inject, early=True)
        return inject

    def _fire(self, run: DrillRun, scenario: Scenario, inject: Inject, *, early: bool) -> bool:
        assert run.incident is not None
        now = self.clock()
        key = f"drill:{run.id}:inject:{inject.no}"
        incident = self.incidents.get(run.incident)
        if inject.kind is InjectKind.ALERT and self.ingest_alert is not None and incident.is_active:
            self.ingest_alert(self._alert(run, scenario, inject, now=now))
        if inject.kind is InjectKind.FACT and incident.is_active:
            self.incidents.add_fact(run.incident, inject.text.en, actor=CONTROL,
                                    idempotency_key=key + ":fact")
        with self.incidents.uow_factory() as uow:
            uow.outbox.add("post_message", self.narrator.inject(
                scenario=scenario, inject=inject, run=run, early=early),
                at=now, incident=run.incident, dedupe_key=key)
            uow.commit()
        first = self.store.mark_fired(run.id, inject.no, at=now, early=early)
        self.wake()
        if first:
            for hook in self.on_fired:
                hook(run, inject)
        return first

    @staticmethod
    def _alert(run: DrillRun, scenario: Scenario, inject: Inject, *, now: datetime,
               status: AlertStatus = AlertStatus.FIRING) -> Alert:
        """Inject ``inject`` as a monitor alert in the drill's own monitor and group names."""
        return Alert(
            monitor=f"{MONITOR_PREFIX}{run.id}-{inject.monitor}"[:255],
            fingerprint=f"drill:{run.id}:inject:{inject.no}", status=status,
            title=inject.text.en[:150], observed_at=now, severity=inject.severity,
            value=inject.value, threshold=inject.threshold, crisis_type=scenario.crisis_type,
            labels={"drill": str(run.id)}, starts_at=run.wall_at(inject.at),
            group=drill_group(run.id), description=inject.text.zh,
        )

    # ------------------------------------------------------------------ control

    def pause(self, number: int, *, actor: Actor) -> DrillRun:
        return self._control(number, "paused", lambda run, now: run.pause(now), actor)

    def resume(self, number: int, *, actor: Actor) -> DrillRun:
        run = self._control(number, "resumed", lambda run, now: run.resume(now), actor)
        self.tick()
        return run

    def _control(self, number: int, what: str, change, actor: Actor) -> DrillRun:
        run = self.run_for(number)
        now = self.clock()
        try:
            run = change(run, now)
        except ValueError as exc:
            raise Conflict(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None
        self.store.save(run)
        self._post(run, self.narrator.control(what=what, scenario=self.scenario(run.scenario),
                                              run=run, by=actor.id), now=now)
        return run

    def end(self, number: int, *, actor: Actor) -> Ended:
        """End the drill: resolve its incident, score it, post the scorecard with its files."""
        run = self.run_for(number)
        now = self.clock()
        try:
            run = run.end(now)
        except ValueError as exc:
            raise Conflict("The drill has already ended.") from exc
        self.store.save(run)
        incident = self.incidents.get(number)
        scenario = self.scenario(run.scenario)
        if self.ingest_alert is not None:  # the drill's monitors stop firing with it
            for inject in scenario.injects:
                if inject.kind is InjectKind.ALERT and inject.no in run.fired:
                    self.ingest_alert(self._alert(run, scenario, inject, now=now,
                                                  status=AlertStatus.RESOLVED))
        if incident.is_active:
            self.incidents.resolve(number, actor=CONTROL, summary="Drill ended.",
                                   idempotency_key=f"drill:{run.id}:resolve")
        card = self.scorecard(run)
        files = self.narrator.scorecard(scenario=scenario, run=run, card=card,
                                        incident=self.incidents.get(number))
        self.store.save_scorecard(run.id, score=card.score, scorecard=files.get("summary", {}))
        self._post(run, {"kind": "upload_drill_scorecard", **files}, now=now,
                   key=f"drill:{run.id}:scorecard")
        return Ended(run=run, card=card, files=files)

    def scorecard(self, run: DrillRun) -> Scorecard:
        assert run.incident is not None
        scenario = self.scenario(run.scenario)
        incident = self.incidents.get(run.incident)
        events = self.incidents.timeline(run.incident)
        trend = tuple(score for earlier, score, _ in self.store.runs(scenario=run.scenario)
                      if earlier.id < run.id and score is not None)
        catalog = self.incidents.catalog
        return drill_scores.score(
            scenario=scenario, run=run, events=events, fired_at=self.store.fired_at(run.id),
            policy=catalog.policy, assemble=catalog.assemble_for(scenario.crisis_type, scenario.severity),
            lint_errors=self.lint_errors_at_submission(events), trend=trend, now=self.clock(),
            approved_at=approved_times(incident, catalog.policy),
        )

    def lint_errors_at_submission(self, events: Sequence[Event]) -> int:
        """Lint errors of every statement submission, on the text (and facts) as they were at
        that moment: the timeline is replayed once, and each ``statement.submitted`` lints the
        state just after it. A later edit does not change what was submitted."""
        if not events or not isinstance(events[0], IncidentDeclared):
            return 0
        state = Incident.replay([events[0]])
        total = 0
        for event in events[1:]:
            state.catch_up([event])
            if isinstance(event, StatementSubmitted):
                total += self.statement_lint_errors(state, event.statement_id)
        return total

    def _post(self, run: DrillRun, payload: dict[str, Any], *, now: datetime,
              key: str | None = None) -> None:
        kind = payload.pop("kind", "post_message")
        with self.incidents.uow_factory() as uow:
            uow.outbox.add(kind, payload, at=now, incident=run.incident, dedupe_key=key)
            uow.commit()
        self.wake()


def approved_times(incident: Incident, policy: Any) -> dict[int, datetime]:
    """Statement id → when its approvals met the rule frozen at its submission."""
    out: dict[int, datetime] = {}
    for statement in incident.statements.values():
        severity = Severity(statement.submitted_severity) if statement.submitted_severity \
            else incident.severity
        approvals = statement.current_approvals()
        if approvals and statement.is_approved(policy.level(severity).approvals):
            out[statement.id] = max(a.at for a in approvals)
    return out


def is_drill_incident(incident: Incident) -> bool:
    return is_drill_source(incident.source)
