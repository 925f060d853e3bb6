"""The alert use case: a monitor alert opens, joins or updates an incident.

One path for every source (Alertmanager, Grafana, the generic webhook, custom mappings, polled
signal rules), following the per-fingerprint state table of :func:`bot.domain.alerts.transition`:

- a *repeat* (the firing already stored, with the same ``starts_at``; without one, a firing
  alert on an active incident) is counted in one short transaction (count, last value, last
  seen) — no timeline replay, no Slack effect, never a reopen offer or a new incident, also
  after a person resolved the incident;
- a *fire* or *re-fire* claims and locks the alert's group row, and the alert joins the
  group's incident (``linked``), re-joins it when it was resolved less than ``refire_window``
  ago (the card then offers a reopen), or opens a new incident (``opened``) declared with source
  ``monitor:<name>``; the ``alert.fired`` event, the declaration and the Slack effects are
  saved in that one transaction;
- a ``resolved`` alert records ``alert.resolved`` on its incident (quietly when a person
  already resolved it); a resolve of an older firing (an earlier ``starts_at``) is ignored;
- a snoozed monitor's alerts are only stored, with status ``snoozed``.

Within a batch, alerts of one fingerprint are handled in their order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.alerts import (
    MAX_MONITOR,
    Alert,
    AlertAction,
    AlertOutcome,
    Route,
    Transition,
    transition,
)
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.incident import Incident
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.services.alert_ports import AlertRecord, AlertUnitOfWork
from bot.services.incidents import IncidentService

MONITOR_ACTOR = Actor.system("monitor")
#: The alert group of the storm incident (no router produces keys with this prefix).
STORM_GROUP = "crisisbot:alert-storm"
STORM_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class AlertPolicy:
    """``refire_window``: how long after a resolution a re-firing alert rejoins its incident.
    ``raise_severity``: a linked alert more severe than its incident raises it (else the
    channel is asked to)."""

    refire_window: timedelta = timedelta(hours=2)
    raise_severity: bool = True
    #: Storm guard: monitors open at most this many incidents a minute; past that, new
    #: groups join one "alert storm" incident (see :meth:`AlertService._storm_target`).
    max_opened_per_minute: int = 10


@dataclass
class AlertService:
    incidents: IncidentService
    router: Callable[[Alert], Route]
    #: Roster holders of the roles invited for (crisis type, severity): the severity's list plus
    #: the crisis type's own roles (security for a data breach…).
    roles_for: Callable[[str, Severity], Mapping[Role, str]] = lambda crisis_type, severity: {}
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    #: Snoozes from the site config: monitor name -> until (``/crisis snooze`` ones are stored).
    config_snoozes: Callable[[str, datetime], bool] = lambda monitor, now: False

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.incidents.clock

    def _uow(self) -> AlertUnitOfWork:
        return self.incidents.uow_factory()  # type: ignore[return-value]

    # ------------------------------------------------------------------ ingest

    def ingest_many(self, alerts: Sequence[Alert]) -> list[AlertOutcome]:
        """Handle alerts in order; raises the first error (see :meth:`ingest_batch`)."""
        results = self.ingest_batch(alerts)
        for result in results:
            if isinstance(result, DomainError):
                raise result
        return results  # type: ignore[return-value]

    def ingest_batch(self, alerts: Sequence[Alert]) -> list[AlertOutcome | DomainError]:
        """Handle a batch: repeats are all counted in ONE short transaction; the rest go one by
        one through :meth:`ingest`, in order. Once an alert of a fingerprint takes the slow
        path, the later ones of that fingerprint follow it, so a ``resolved`` never overtakes
        an earlier ``firing`` (or the reverse). A domain error (say, a route naming an unknown
        crisis type) is returned in that alert's place.

        Consecutive repeats of one fingerprint with the same ``starts_at`` and severity are
        counted by one statement (count + n): the statement neither reads nor changes what it
        tests, so n statements in a row would all answer alike."""
        now = self.clock()
        results: list[AlertOutcome | DomainError | None] = [None] * len(alerts)
        slow: set[tuple[str, str]] = set()
        runs: dict[tuple[str, str], list[list[int]]] = {}
        for index, alert in enumerate(alerts):
            key = (alert.monitor, alert.fingerprint)
            # Without a starts_at, alerts that could raise a severity take the full path
            # (it compares first); with one, the repeat statement compares.
            could_raise = alert.severity is not None and alert.starts_at is None
            if (key in slow or not alert.firing or could_raise
                    or self.config_snoozes(alert.monitor, now) or self.router(alert).ignore):
                slow.add(key)
                continue
            key_runs = runs.setdefault(key, [])
            if key_runs and _same_repeat(alerts[key_runs[-1][-1]], alert):
                key_runs[-1].append(index)
            else:
                key_runs.append([index])
        with self._uow() as uow:
            for key, key_runs in runs.items():
                for run in key_runs:
                    first = alerts[run[0]]
                    number = uow.alerts.bump_firing(
                        monitor=first.monitor, fingerprint=first.fingerprint, at=now,
                        value=next((alerts[i].value for i in reversed(run)
                                    if alerts[i].value is not None), None),
                        starts_at=first.starts_at, severity_rank=_rank(first), repeats=len(run),
                    )
                    if number is None:
                        break  # this run and the later ones take the slow path, in order
                    for i in run:
                        results[i] = AlertOutcome(number, AlertAction.DEDUPLICATED)
            uow.commit()
        for index, alert in enumerate(alerts):
            if results[index] is None:
                try:
                    results[index] = self.ingest(alert)
                except DomainError as exc:
                    results[index] = exc
        return results  # type: ignore[return-value]

    def ingest(self, alert: Alert) -> AlertOutcome:
        now = self.clock()
        if not alert.firing:
            return self._resolve(alert, now)
        route = self.router(alert)
        if route.ignore:
            return AlertOutcome(None, AlertAction.IGNORED)
        if self.config_snoozes(alert.monitor, now):
            return self._snoozed(alert, route)
        with self._uow() as uow:
            # Counts the repeat unless the monitor is snoozed (then the slow path stores it).
            number = uow.alerts.bump_firing(
                monitor=alert.monitor, fingerprint=alert.fingerprint, value=alert.value, at=now,
                starts_at=alert.starts_at, severity_rank=_rank(alert),
            )
            if number is not None and (alert.starts_at is not None  # the statement compared
                                       or not self._escalates(uow, alert, number)):
                uow.commit()
                return AlertOutcome(number, AlertAction.DEDUPLICATED)
            if uow.alerts.snoozed_until(alert.monitor, now=now):
                return self._snoozed(alert, route, uow)
        return self._fire(alert, route, now)

    def _escalates(self, uow: AlertUnitOfWork, alert: Alert, number: int) -> bool:
        if alert.severity is None:
            return False
        state = uow.alerts.incident_state(number)
        return (state is not None and state.status == "active"
                and alert.severity.rank > Severity(state.severity).rank)

    def _snoozed(self, alert: Alert, route: Route, uow: AlertUnitOfWork | None = None) -> AlertOutcome:
        if uow is None:
            with self._uow() as fresh:
                return self._snoozed(alert, route, fresh)
        found = uow.alerts.find(monitor=alert.monitor, fingerprint=alert.fingerprint)
        same = found is not None and found.status == "snoozed"
        uow.alerts.save(
            alert, group_key=route.group_key, incident=None, status="snoozed",
            count=found.count + 1 if same and found else 1,
            first_seen=found.first_seen if same and found else alert.observed_at,
        )
        uow.commit()
        return AlertOutcome(None, AlertAction.SNOOZED)

    def _fire(self, alert: Alert, route: Route, now: datetime) -> AlertOutcome:
        with self._uow() as uow:
            group_incident = uow.alerts.claim_group(route.group_key, at=now)
            found = uow.alerts.find(monitor=alert.monitor, fingerprint=alert.fingerprint)
            target = self._target(uow, group_incident, now)
            storming, storm_incident = (False, None) if target is not None else self._storm(uow, now)
            target = target if storm_incident is None else storm_incident
            incident: Incident
            already = False
            if target is None:
                incident = self._open(uow, alert, route, now, storm=storming)
                uow.alerts.set_group(route.group_key, incident=incident.number, at=now)
                if storming:
                    uow.alerts.set_group(STORM_GROUP, incident=incident.number, at=now)
                action = AlertAction.OPENED
            else:
                incident = uow.incidents.get(target)
                already = _firing_on(found, target) and (
                    transition(stored_status=found.status if found else None,
                               stored_starts_at=found.starts_at if found else None,
                               incoming=alert, incident_active=incident.is_active)
                    is Transition.REPEAT)
                if already and not (alert.severity and alert.severity.rank > incident.severity.rank):
                    # A copy that lost the race to the one that opened or linked it.
                    self._save(uow, alert, route, target, found, now, repeat=True)
                    uow.commit()
                    return AlertOutcome(target, AlertAction.DEDUPLICATED)
                action = AlertAction.DEDUPLICATED if already else AlertAction.LINKED
            first_seen = found.first_seen if already and found else (
                alert.starts_at or alert.observed_at)
            incident.record_alert_fired(
                monitor=alert.monitor, fingerprint=alert.fingerprint, title=alert.title,
                severity=alert.severity.value if alert.severity else None, value=alert.value,
                threshold=alert.threshold, url=alert.url, observed_at=alert.observed_at,
                first_seen=first_seen, labels=dict(alert.labels), actor=MONITOR_ACTOR, at=now,
                description=alert.description, links=dict(alert.links),
                value_text=alert.value_text, truncated=alert.truncated,
            )
            if (action is not AlertAction.OPENED and incident.is_active and alert.severity
                    and alert.severity.rank > incident.severity.rank and self.policy.raise_severity):
                incident.change_severity(
                    alert.severity, playbook=self.incidents.catalog.playbook(incident.crisis_type),
                    actor=MONITOR_ACTOR, at=now, reason=f"monitor {alert.monitor}: {alert.title}",
                )
            self._save(uow, alert, route, incident.number, found, now, repeat=already)
            self.incidents._finish(uow, incident)  # saves, plans Slack effects, commits
            return AlertOutcome(incident.number, action)

    def _target(self, uow: AlertUnitOfWork, group_incident: int | None, now: datetime) -> int | None:
        """The incident the group feeds: active, or resolved within the re-fire window."""
        if group_incident is None:
            return None
        state = uow.alerts.incident_state(group_incident)
        if state is None:
            return None
        if state.status == "active":
            return group_incident
        if (state.status == "resolved" and state.resolved_at is not None
                and now - state.resolved_at <= self.policy.refire_window):
            return group_incident
        return None

    # ------------------------------------------------------------------ storm guard

    def _storm(self, uow: AlertUnitOfWork, now: datetime) -> tuple[bool, int | None]:
        """Whether monitors already opened ``max_opened_per_minute`` incidents in the last
        minute, and if so the alert-storm incident a new group joins (None: open it).

        The storm group's row is locked first, so concurrent openers (threads, replicas)
        count one after another and the limit holds exactly."""
        storm = uow.alerts.claim_group(STORM_GROUP, at=now)
        opened = uow.incidents.count_declared(by=MONITOR_ACTOR.id, since=now - STORM_WINDOW)
        if opened < self.policy.max_opened_per_minute:
            return False, None
        return True, self._target(uow, storm, now)

    def _open(self, uow: AlertUnitOfWork, alert: Alert, route: Route, now: datetime, *,
              storm: bool = False) -> Incident:
        """A new incident for ``alert``; with ``storm``, the one alert-storm incident that
        the groups opening past the limit join (announced once, like any incident)."""
        try:
            playbook = self.incidents.catalog.playbook(route.crisis_type)
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0])) from None
        title, description = alert.title, _description(alert)
        if storm:
            limit = self.policy.max_opened_per_minute
            title = f"Alert storm: monitors opened {limit} incidents within a minute"
            description = (f"Further alert groups join this incident until the rate falls below "
                           f"{limit} a minute. First: {alert.monitor}: {alert.title}. {description}")
        incident = Incident.declare(
            number=uow.incidents.next_number(), title=title[:200], playbook=playbook,
            severity=route.severity, description=description, actor=MONITOR_ACTOR,
            at=now, source=f"monitor:{alert.monitor}",
        )
        for role, user in self.roles_for(incident.crisis_type, incident.severity).items():
            incident.assign_role(role, user, actor=MONITOR_ACTOR, at=now)
        uow.incidents.add(incident)
        return incident

    @staticmethod
    def _save(uow: AlertUnitOfWork, alert: Alert, route: Route, number: int,
              found: AlertRecord | None, now: datetime, *, repeat: bool) -> None:
        same = repeat and _firing_on(found, number)
        uow.alerts.save(
            alert, group_key=route.group_key, incident=number, status="firing",
            count=(found.count + 1) if same and found else 1,
            first_seen=found.first_seen if same and found else alert.observed_at,
        )

    def _resolve(self, alert: Alert, now: datetime) -> AlertOutcome:
        with self._uow() as uow:
            found = uow.alerts.find(monitor=alert.monitor, fingerprint=alert.fingerprint)
            step = transition(stored_status=found.status if found else None,
                              stored_starts_at=found.starts_at if found else None,
                              incoming=alert, incident_active=False)
            if found is None or step is Transition.STALE:
                return AlertOutcome(found.incident if found else None, AlertAction.IGNORED)
            if step is Transition.NOTHING or found.incident is None:
                if found.status == "snoozed":
                    uow.alerts.mark_resolved(monitor=alert.monitor, fingerprint=alert.fingerprint,
                                             at=alert.observed_at)
                    uow.commit()
                return AlertOutcome(found.incident, AlertAction.RESOLVED)
            uow.alerts.mark_resolved(monitor=alert.monitor, fingerprint=alert.fingerprint,
                                     at=alert.observed_at)
            incident = uow.incidents.get(found.incident)
            if incident.status.value == "closed":
                uow.commit()
                return AlertOutcome(found.incident, AlertAction.RESOLVED)
            # On an incident a person already resolved this is recorded quietly (no message).
            incident.record_alert_resolved(
                monitor=alert.monitor, fingerprint=alert.fingerprint,
                observed_at=alert.observed_at, actor=MONITOR_ACTOR, at=now,
            )
            self.incidents._finish(uow, incident)
            return AlertOutcome(found.incident, AlertAction.RESOLVED)

    # ------------------------------------------------------------------ snooze

    def snooze(self, monitor: str, *, duration: timedelta, actor: Actor) -> datetime:
        """Store alerts of ``monitor`` as ``snoozed`` (no incident) for ``duration``."""
        monitor = monitor.strip()
        if not monitor or len(monitor) > MAX_MONITOR:
            raise InvalidInput("Name the monitor to snooze, e.g. `/crisis snooze checkout-5xx 2h`.")
        now = self.clock()
        until = now + duration
        with self._uow() as uow:
            uow.alerts.snooze(monitor, until=until, by=actor.id, at=now)
            uow.commit()
        return until


def _same_repeat(a: Alert, b: Alert) -> bool:
    return a.starts_at == b.starts_at and _rank(a) == _rank(b)


def _rank(alert: Alert) -> int:
    return alert.severity.rank if alert.severity is not None else 0


def _firing_on(found: AlertRecord | None, number: int) -> bool:
    return found is not None and found.incident == number and found.status == "firing"


def _description(alert: Alert) -> str:
    parts = [f"Opened by monitor {alert.monitor}."]
    if alert.description:
        parts.append(alert.description[:500])
    if alert.value is not None:
        parts.append(f"Value {alert.value:g}" + (
            f" (threshold {alert.threshold:g})." if alert.threshold is not None else "."))
    if alert.url:
        parts.append(alert.url)
    return " ".join(parts)
