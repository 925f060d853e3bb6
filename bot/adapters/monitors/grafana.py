"""Grafana unified alerting's webhook (Grafana 8–11): Alertmanager's shape plus ``values``
(``{"B": 512.0, "C": 1}``), ``valueString`` (Grafana 8/9, and the only value of some alerts),
``panelURL`` / ``dashboardURL`` / ``silenceURL`` and the rule's labels.

- the monitor is ``alertname`` (the rule title; ``DatasourceNoData`` / ``DatasourceError``
  for no-data and error alerts, which carry the rule in ``rulename``), else the rule name;
- the group is the rule: ``__alert_rule_uid__``, else ``rulename`` + ``alertname``;
- the value is the first numeric entry of ``values`` that is not the condition (``C``), else
  the first numeric one, else the first ``value=`` of ``valueString`` that is not ``C``'s;
- a contact point's *Test* notification raises :class:`TestNotification` (nothing is opened);
- a legacy (pre-unified) alerting body is refused, saying so and how to switch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.adapters.monitors import payload as p
from bot.adapters.monitors.alertmanager import am_alert
from bot.domain.alerts import DEFAULT_SEVERITY_LABELS, Alert

LEGACY_MESSAGE = (
    "this is a legacy Grafana alerting body (ruleName/evalMatches, Grafana 8 and older legacy "
    "alerting); crisisbot reads Grafana Alerting (unified alerting): switch the dashboard alert "
    "to Grafana Alerting (Grafana 9+ does by default) and send it through a webhook contact point "
    "to /monitors/grafana"
)
_VALUE = re.compile(r"var='(?P<var>[^']*)'[^\]]*?value=(?P<value>[-+0-9.eE]+|NaN|null)")
_BARE_VALUE = re.compile(r"value=(?P<value>[-+0-9.eE]+)")


class TestNotification(Exception):
    """The body is Grafana's contact-point test ("TestAlert" / "Notification test")."""

    __test__ = False  # not a pytest class


def is_test_notification(body: dict[str, Any]) -> bool:
    """Grafana's *Test* button sends ``alertname=TestAlert`` with ``instance=Grafana`` and the
    summary "Notification test" (Grafana 8–11); legacy alerting titled it "Test notification"."""
    alerts = body.get("alerts")
    if isinstance(alerts, list) and alerts and all(isinstance(a, dict) for a in alerts):
        for alert in alerts:
            labels = alert.get("labels") if isinstance(alert.get("labels"), dict) else {}
            notes = alert.get("annotations") if isinstance(alert.get("annotations"), dict) else {}
            test = labels.get("alertname") == "TestAlert" and (
                labels.get("instance") == "Grafana" or notes.get("summary") == "Notification test")
            if not test:
                return False
        return True
    return False


def is_legacy(body: dict[str, Any]) -> bool:
    return "alerts" not in body and any(k in body for k in ("evalMatches", "ruleName", "ruleId", "ruleUrl"))


def parse_grafana(
    payload: Any, *, now: datetime, severities: Mapping[str, str] = DEFAULT_SEVERITY_LABELS,
) -> list[Alert]:
    body = p.obj(payload, "payload")
    if is_legacy(body):
        raise p.PayloadError(LEGACY_MESSAGE)
    if is_test_notification(body):
        raise TestNotification()
    truncated = p.number(body.get("truncatedAlerts"))
    common = body.get("commonLabels") if isinstance(body.get("commonLabels"), dict) else {}
    result = []
    for i, raw in enumerate(p.alert_list(body)):
        where = f"alerts[{i}]"
        entry = p.obj(raw, where)
        values = entry.get("values") or {}
        if not isinstance(values, dict):
            raise p.PayloadError(f"{where}.values must be an object")
        labels = entry.get("labels") if isinstance(entry.get("labels"), dict) else {}
        value_string = entry.get("valueString") if isinstance(entry.get("valueString"), str) else ""
        value = _grafana_value(values)
        if value is None:
            value = _value_string_value(value_string)
        name = (labels.get("alertname") or labels.get("__alert_rule_title__") or labels.get("rulename")
                or common.get("alertname") or None)
        result.append(am_alert(
            raw, where, now=now, severities=severities, monitor=str(name) if name else None,
            group=_rule_group(labels, name), truncated=int(truncated) if truncated and truncated > 0 else 0,
            value=value, value_text="" if value is not None else " ".join(value_string.split())[:300],
            extra_links=[("panel", entry.get("panelURL")), ("dashboard", entry.get("dashboardURL")),
                         ("silence", entry.get("silenceURL"))],
        ))
    return [_prefer_panel(alert) for alert in result]


def _rule_group(labels: dict[str, Any], name: Any) -> str:
    uid = labels.get("__alert_rule_uid__")
    if uid:
        return f"grafana:rule={uid}"
    rule = labels.get("rulename") or ""
    return f"grafana:rule={rule}/{name or ''}"


def _prefer_panel(alert: Alert) -> Alert:
    """The alert's main link is its panel (else dashboard, else the rule's page)."""
    for label in ("panel", "dashboard"):
        url = next((u for k, u in alert.links if k == label), "")
        if url:
            return replace(alert, url=url)
    return alert


def _grafana_value(values: dict[str, Any]) -> float | None:
    numeric = [(k, p.number(v)) for k, v in values.items()]
    numeric = [(k, v) for k, v in numeric if v is not None]
    preferred = [v for k, v in numeric if k != "C"]
    if preferred:
        return preferred[0]
    return numeric[0][1] if numeric else None


def _value_string_value(text: str) -> float | None:
    """``[ var='B' labels={…} value=17 ], [ var='C' labels={…} value=1 ]`` -> 17.0."""
    pairs = [(m["var"], p.number(m["value"])) for m in _VALUE.finditer(text)]
    for var, value in pairs:
        if var != "C" and value is not None:
            return value
    if pairs:
        return next((v for _, v in pairs if v is not None), None)
    bare = _BARE_VALUE.search(text)
    return p.number(bare["value"]) if bare else None
