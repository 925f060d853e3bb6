"""Pure webhook parsers: a decoded JSON payload -> alerts (no I/O, no storage).

- :func:`parse_alertmanager` — Prometheus Alertmanager webhook, version 4;
- :func:`parse_grafana` — Grafana unified alerting (its payload extends Alertmanager's);
- :func:`parse_generic` — crisisbot's own payload (SPEC §2), one object or a list of them.

Every problem raises :class:`PayloadError` naming the field; a payload is parsed whole before
any alert is handled, so a bad one stores nothing.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.domain.alerts import MAX_FINGERPRINT, MAX_MONITOR, MAX_TITLE, Alert, AlertStatus
from bot.domain.severity import Severity

MAX_ALERTS = 1000
MAX_URL = 2000


class PayloadError(ValueError):
    """The payload is not what the endpoint accepts; the message names the problem."""


# --------------------------------------------------------------------------- Alertmanager


def parse_alertmanager(payload: Any, *, now: datetime) -> list[Alert]:
    """Alertmanager v4: ``{"version": "4", "alerts": [{"status", "labels", "annotations",
    "startsAt", "endsAt", "generatorURL", "fingerprint"}, …], "commonLabels", …}``.

    The monitor is the ``alertname`` label; title the ``summary`` annotation (else
    ``description``, else the alert name); ``value`` / ``threshold`` annotations are read
    when numeric.
    """
    body = _object(payload, "payload")
    alerts = _alerts(body)
    return [_am_alert(raw, f"alerts[{i}]", now=now) for i, raw in enumerate(alerts)]


def _am_alert(raw: Any, where: str, *, now: datetime, value: float | None = None) -> Alert:
    alert = _object(raw, where)
    labels = _string_map(alert.get("labels"), f"{where}.labels", required=True)
    annotations = _string_map(alert.get("annotations"), f"{where}.annotations")
    monitor = labels.get("alertname") or labels.get("__alert_rule_title__")
    if not monitor:
        raise PayloadError(f"{where}.labels.alertname is missing")
    status = _status(alert.get("status"), f"{where}.status")
    fingerprint = alert.get("fingerprint") or _label_fingerprint(labels)
    stamp = alert.get("startsAt") if status is AlertStatus.FIRING else alert.get("endsAt")
    title = annotations.get("summary") or annotations.get("description") or monitor
    return _alert(
        monitor=monitor, fingerprint=str(fingerprint), status=status, title=title,
        observed_at=_time(stamp, f"{where}.{'startsAt' if status is AlertStatus.FIRING else 'endsAt'}",
                          default=now),
        severity=_severity(labels.get("severity")),
        crisis_type=labels.get("crisis_type") or None,
        value=value if value is not None else _number(annotations.get("value")),
        threshold=_number(annotations.get("threshold")),
        labels=labels,
        url=str(alert.get("generatorURL") or ""),
        where=where,
    )


# --------------------------------------------------------------------------- Grafana


def parse_grafana(payload: Any, *, now: datetime) -> list[Alert]:
    """Grafana unified alerting: Alertmanager's shape plus ``values`` (``{"B": 512.0, "C": 1}``),
    ``valueString``, ``dashboardURL`` / ``panelURL``. The value is the first numeric entry of
    ``values`` that is not the condition (``C``), else the first numeric one."""
    body = _object(payload, "payload")
    result = []
    for i, raw in enumerate(_alerts(body)):
        where = f"alerts[{i}]"
        values = _object(raw, where).get("values") or {}
        if not isinstance(values, dict):
            raise PayloadError(f"{where}.values must be an object")
        alert = _am_alert(raw, where, now=now, value=_grafana_value(values))
        panel = raw.get("panelURL") or raw.get("dashboardURL") or raw.get("generatorURL") or ""
        result.append(_replace_url(alert, str(panel)))
    return result


def _grafana_value(values: dict[str, Any]) -> float | None:
    numeric = [(k, _number(v)) for k, v in values.items()]
    numeric = [(k, v) for k, v in numeric if v is not None]
    preferred = [v for k, v in numeric if k != "C"]
    if preferred:
        return preferred[0]
    return numeric[0][1] if numeric else None


def _replace_url(alert: Alert, url: str) -> Alert:
    return replace(alert, url=url) if url else alert


# --------------------------------------------------------------------------- generic


def parse_generic(payload: Any, *, now: datetime) -> list[Alert]:
    """SPEC §2: ``{"monitor", "fingerprint", "status", "title", "severity"?, "crisis_type"?,
    "value"?, "threshold"?, "labels"?, "url"?, "observed_at"?}`` — or a list of them."""
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise PayloadError("the payload list is empty")
    if len(items) > MAX_ALERTS:
        raise PayloadError(f"at most {MAX_ALERTS} alerts per payload, got {len(items)}")
    prefix = "" if not isinstance(payload, list) else "[{}]"
    result = []
    for i, raw in enumerate(items):
        where = prefix.format(i) or "payload"
        body = _object(raw, where)
        for key in ("monitor", "fingerprint", "status", "title"):
            if body.get(key) in (None, ""):
                raise PayloadError(f"{_field(where, key)} is missing")
            if not isinstance(body[key], str):
                raise PayloadError(f"{_field(where, key)} must be a string")
        severity = body.get("severity")
        if severity is not None and _severity(severity) is None:
            raise PayloadError(f"{_field(where, 'severity')} must be SS, S or A")
        for key in ("value", "threshold"):
            if body.get(key) is not None and _number(body[key]) is None:
                raise PayloadError(f"{_field(where, key)} must be a number")
        crisis_type = body.get("crisis_type")
        if crisis_type is not None and not isinstance(crisis_type, str):
            raise PayloadError(f"{_field(where, 'crisis_type')} must be a string")
        url = body.get("url") or ""
        if not isinstance(url, str):
            raise PayloadError(f"{_field(where, 'url')} must be a string")
        result.append(_alert(
            monitor=body["monitor"], fingerprint=body["fingerprint"],
            status=_status(body["status"], _field(where, "status")), title=body["title"],
            observed_at=_time(body.get("observed_at"), _field(where, "observed_at"), default=now),
            severity=_severity(severity), crisis_type=crisis_type or None,
            value=_number(body.get("value")), threshold=_number(body.get("threshold")),
            labels=_string_map(body.get("labels"), _field(where, "labels")), url=url, where=where,
        ))
    return result


PARSERS: dict[str, Callable[..., list[Alert]]] = {
    "alertmanager": parse_alertmanager,
    "grafana": parse_grafana,
    "generic": parse_generic,
}


# --------------------------------------------------------------------------- helpers


def _field(where: str, key: str) -> str:
    return key if where == "payload" else f"{where}.{key}"


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be a JSON object")
    return value


def _alerts(body: dict[str, Any]) -> list[Any]:
    alerts = body.get("alerts")
    if alerts is None:
        raise PayloadError("alerts is missing")
    if not isinstance(alerts, list) or not alerts:
        raise PayloadError("alerts must be a non-empty list")
    if len(alerts) > MAX_ALERTS:
        raise PayloadError(f"at most {MAX_ALERTS} alerts per payload, got {len(alerts)}")
    return alerts


def _string_map(value: Any, where: str, *, required: bool = False) -> dict[str, str]:
    if value is None:
        if required:
            raise PayloadError(f"{where} is missing")
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be an object")
    return {str(k)[:100]: str(v)[:500] for k, v in value.items()}


def _status(value: Any, where: str) -> AlertStatus:
    try:
        return AlertStatus(str(value).lower())
    except ValueError:
        raise PayloadError(f"{where} must be firing or resolved, not {str(value)[:40]!r}") from None


def _severity(value: Any) -> Severity | None:
    if not isinstance(value, str):
        return None
    try:
        return Severity.parse(value)
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _time(value: Any, where: str, *, default: datetime) -> datetime:
    if value in (None, "") or (isinstance(value, str) and value.startswith("0001-01-01")):
        return default  # Alertmanager writes the zero time for "not ended yet"
    if not isinstance(value, str):
        raise PayloadError(f"{where} must be an ISO-8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        # Go writes nanoseconds; Python reads at most microseconds.
        try:
            head, _, rest = value.replace("Z", "+00:00").partition(".")
            digits = "".join(c for c in rest if c.isdigit())
            zone = rest[len(digits):]
            parsed = datetime.fromisoformat(f"{head}.{digits[:6]}{zone}")
        except ValueError:
            raise PayloadError(f"{where} is not an ISO-8601 time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _label_fingerprint(labels: dict[str, str]) -> str:
    text = "\x00".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _alert(*, monitor: str, fingerprint: str, title: str, where: str, **rest: Any) -> Alert:
    monitor, fingerprint, title = monitor.strip(), fingerprint.strip(), " ".join(title.split())
    if not monitor or len(monitor) > MAX_MONITOR:
        raise PayloadError(f"{_field(where, 'monitor')} must be 1 to {MAX_MONITOR} characters")
    if not fingerprint or len(fingerprint) > MAX_FINGERPRINT:
        raise PayloadError(f"{_field(where, 'fingerprint')} must be 1 to {MAX_FINGERPRINT} characters")
    if not title:
        raise PayloadError(f"{_field(where, 'title')} is empty")
    if len(rest.get("url") or "") > MAX_URL:
        raise PayloadError(f"{_field(where, 'url')} is longer than {MAX_URL} characters")
    return Alert(monitor=monitor, fingerprint=fingerprint, title=title[:MAX_TITLE], **rest)
