"""Routing: which incident an alert may open or join (crisis type, severity, group key).

The first route whose ``match`` fits (monitor name and label values, globs allowed) decides;
what it leaves open comes from the alert itself (its ``crisis_type`` / ``severity``, given in
the payload or as labels), then the defaults: the fallback crisis type, severity A, and one
incident per monitor.
"""

from __future__ import annotations

from collections.abc import Collection
from fnmatch import fnmatchcase

from bot.adapters.monitors.config import MonitorsConfig, RouteRule
from bot.domain.alerts import Alert, Route
from bot.domain.severity import Severity

DEFAULT_GROUP_BY = ("monitor",)


class Router:
    def __init__(self, config: MonitorsConfig, *, crisis_types: Collection[str]) -> None:
        self.config = config
        self.crisis_types = frozenset(crisis_types)

    def __call__(self, alert: Alert) -> Route:
        rule = next((r for r in self.config.routes if _matches(r, alert)), None)
        if rule is not None and rule.ignore:
            return Route(crisis_type=self.config.fallback_type, severity=Severity.A,
                         group_key="", ignore=True)
        crisis_type = (rule.crisis_type if rule else None) or alert.crisis_type
        if crisis_type not in self.crisis_types:
            crisis_type = self.config.fallback_type
        severity = (rule.severity if rule else None) or alert.severity or Severity.A
        group_by = (rule.group_by if rule else None) or DEFAULT_GROUP_BY
        return Route(crisis_type=crisis_type, severity=severity,
                     group_key=group_key(alert, group_by))


def group_key(alert: Alert, group_by: tuple[str, ...]) -> str:
    """``monitor=checkout-5xx,region=eu``: the values of the ``group_by`` labels."""
    parts = []
    for name in group_by:
        value = alert.monitor if name == "monitor" else alert.labels.get(name, "")
        parts.append(f"{name}={value}")
    return ",".join(parts)[:200]


def _matches(rule: RouteRule, alert: Alert) -> bool:
    if not fnmatchcase(alert.monitor, rule.monitor):
        return False
    return all(fnmatchcase(alert.labels.get(k, ""), v) for k, v in rule.labels.items())
