"""Keeping drill alerts and real alerts apart.

Drill injects go through the real :class:`~bot.services.alerts.AlertService` with a router of
their own that puts every alert of run N in group ``crisisbot:drill:N``, which the drill's start
bound to the drill incident. The real router is wrapped so no outside alert can ever name that
group (an Alertmanager ``groupKey`` is the sender's to choose)."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.alerts import Alert, Route
from bot.domain.severity import Severity
from bot.services.drills import GROUP_PREFIX, MONITOR_PREFIX


def drill_router(alert: Alert) -> Route:
    """The drill pipeline's router: the group the drill's start bound to its incident."""
    if not alert.group.startswith(GROUP_PREFIX):
        return Route(crisis_type=alert.crisis_type or "brand_reputation", severity=Severity.A,
                     group_key="", ignore=True)
    return Route(crisis_type=alert.crisis_type or "brand_reputation",
                 severity=alert.severity or Severity.A, group_key=alert.group)


def real_alerts_only(router: Callable[[Alert], Route]) -> Callable[[Alert], Route]:
    """The real router, except that a group key in the drill namespace is moved out of it."""

    def route(alert: Alert) -> Route:
        found = router(alert)
        if alert.monitor.startswith(MONITOR_PREFIX):  # a drill's name: never a real alert
            return Route(crisis_type=found.crisis_type, severity=found.severity, group_key="",
                         ignore=True)
        if found.group_key.startswith(GROUP_PREFIX):
            return Route(crisis_type=found.crisis_type, severity=found.severity,
                         group_key="external:" + found.group_key, ignore=found.ignore)
        return found

    return route
