"""Prometheus Alertmanager's webhook (version 4), as Alertmanager really sends it.

``{"version": "4", "groupKey", "truncatedAlerts", "externalURL", "alerts": [{"status",
"labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}, …], …}``

- the monitor is the ``alertname`` label; the title the ``summary`` annotation (else
  ``description``, else the alert name); ``description`` is kept when it says more;
- ``value`` / ``threshold`` annotations are read when numeric;
- ``startsAt`` tells a repeat from a re-fire; ``groupKey`` is the default incident group;
- links: ``generatorURL`` (source), the ``runbook_url`` annotation, and Alertmanager's own
  page of the alert (``externalURL``);
- ``truncatedAlerts`` (alerts Alertmanager did not send) is carried on every alert.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from bot.adapters.monitors import payload as p
from bot.domain.alerts import DEFAULT_SEVERITY_LABELS, Alert, AlertStatus


def parse_alertmanager(
    payload: Any, *, now: datetime, severities: Mapping[str, str] = DEFAULT_SEVERITY_LABELS,
) -> list[Alert]:
    body = p.obj(payload, "payload")
    alerts = p.alert_list(body)
    group = _group(body)
    truncated = _truncated(body)
    external = body.get("externalURL") if isinstance(body.get("externalURL"), str) else ""
    return [
        am_alert(raw, f"alerts[{i}]", now=now, severities=severities, group=group,
                 truncated=truncated, external=external)
        for i, raw in enumerate(alerts)
    ]


def _group(body: dict[str, Any]) -> str:
    key = body.get("groupKey")
    return f"alertmanager:{key}" if isinstance(key, str) and key else ""


def _truncated(body: dict[str, Any]) -> int:
    value = p.number(body.get("truncatedAlerts"))
    return int(value) if value and value > 0 else 0


def am_alert(
    raw: Any, where: str, *, now: datetime, severities: Mapping[str, str], group: str = "",
    truncated: int = 0, external: str = "", monitor: str | None = None,
    value: float | None = None, value_text: str = "", extra_links: list[tuple[str, Any]] | None = None,
) -> Alert:
    """One entry of ``alerts`` (Grafana's entries extend it; see ``grafana.py``)."""
    alert = p.obj(raw, where)
    labels = p.string_map(alert.get("labels"), f"{where}.labels", required=True)
    annotations = p.string_map(alert.get("annotations"), f"{where}.annotations")
    name = monitor or labels.get("alertname")
    if not name:
        raise p.PayloadError(f"{where}.labels.alertname is missing")
    status = p.status(alert.get("status"), f"{where}.status")
    fingerprint = alert.get("fingerprint") or p.label_fingerprint(labels)
    starts_at = p.when(alert.get("startsAt"), f"{where}.startsAt", default=None)
    if status is AlertStatus.FIRING:
        observed = starts_at or now
    else:
        observed = p.when(alert.get("endsAt"), f"{where}.endsAt", default=now) or now
    summary = annotations.get("summary") or ""
    description = annotations.get("description") or ""
    title = summary or description or name
    severity, ignored = p.severity(labels.get("severity"), severities)
    generator = alert.get("generatorURL")
    pairs: list[tuple[str, Any]] = [*(extra_links or []), ("source", generator),
                                    ("runbook", annotations.get("runbook_url"))]
    if external and not extra_links:
        pairs.append(("alertmanager", _am_alert_page(external, labels)))
    return p.build(
        monitor=name, fingerprint=str(fingerprint), status=status, title=title,
        observed_at=observed, starts_at=starts_at,
        severity=severity, severity_ignored=ignored,
        crisis_type=labels.get("crisis_type") or None,
        value=value if value is not None else p.number(annotations.get("value")),
        value_text=value_text,
        threshold=p.number(annotations.get("threshold")),
        labels=labels,
        url=str(generator or "") if isinstance(generator, str) and len(generator) <= p.MAX_URL else "",
        description=description if description and description != title else "",
        links=p.links(pairs), group=group, truncated=truncated,
        where=where,
    )


def _am_alert_page(external: str, labels: dict[str, str]) -> str:
    """Alertmanager's UI filtered to this alert (``/#/alerts?filter={alertname="X",…}``)."""
    matchers = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k in ("alertname", "instance"))
    return f"{external.rstrip('/')}/#/alerts?filter={quote('{' + matchers + '}')}"
