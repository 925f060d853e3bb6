"""Routing: which incident an alert may open or join (crisis type, severity, group key).

The first route whose ``match`` fits (monitor name and label values, globs allowed) decides;
what it leaves open comes from the alert itself (its ``crisis_type`` / ``severity``, given in
the payload or as labels), then the defaults: the fallback crisis type, severity A, and the
source's own grouping — one incident per Alertmanager ``groupKey``, per Grafana rule
(``__alert_rule_uid__``, else rule name + alert name) — else one incident per monitor. A route's
``group_by`` overrides the source's grouping. An alert whose ``severity`` label maps to
``ignore`` (``monitors.severity_labels``) is ignored unless a route gives it a severity.
"""

from __future__ import annotations

import hashlib
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
        if (rule is not None and rule.ignore) or (alert.severity_ignored and not (rule and rule.severity)):
            return Route(crisis_type=self.config.fallback_type, severity=Severity.A,
                         group_key="", ignore=True)
        crisis_type = (rule.crisis_type if rule else None) or alert.crisis_type
        if crisis_type not in self.crisis_types:
            crisis_type = self.config.fallback_type
        severity = (rule.severity if rule else None) or alert.severity or Severity.A
        group_by = rule.group_by if rule else None
        if group_by:
            key = group_key(alert, group_by)
        elif alert.group:
            key = _bounded(alert.group)
        else:
            key = group_key(alert, DEFAULT_GROUP_BY)
        return Route(crisis_type=crisis_type, severity=severity, group_key=key)


def group_key(alert: Alert, group_by: tuple[str, ...]) -> str:
    """``monitor=checkout-5xx,region=eu``: the values of the ``group_by`` labels."""
    parts = []
    for name in group_by:
        value = alert.monitor if name == "monitor" else alert.labels.get(name, "")
        parts.append(f"{name}={value}")
    return _bounded(",".join(parts))


def _bounded(key: str, limit: int = 200) -> str:
    """Group keys fit the 200-character column; longer ones keep a prefix and a digest."""
    if len(key) <= limit:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"{key[:limit - 26]}#{digest}"


def _matches(rule: RouteRule, alert: Alert) -> bool:
    if not fnmatchcase(alert.monitor, rule.monitor):
        return False
    return all(fnmatchcase(alert.labels.get(k, ""), v) for k, v in rule.labels.items())
