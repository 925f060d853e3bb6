"""Pure webhook parsers: a decoded JSON payload -> alerts (no I/O, no storage).

- :func:`parse_alertmanager` — Prometheus Alertmanager webhook, version 4 (``alertmanager.py``);
- :func:`parse_grafana` — Grafana unified alerting (``grafana.py``);
- :func:`parse_generic` — crisisbot's own payload (SPEC §2), one object or a list of them;
- custom mappings of any JSON webhook live in ``custom.py``.

Every problem raises :class:`PayloadError` naming the field; a payload is parsed whole before
any alert is handled, so a bad one stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.adapters.monitors import payload as p
from bot.adapters.monitors.alertmanager import parse_alertmanager
from bot.adapters.monitors.grafana import TestNotification, parse_grafana
from bot.adapters.monitors.payload import MAX_ALERTS, MAX_URL, PayloadError
from bot.domain.alerts import DEFAULT_SEVERITY_LABELS, Alert

__all__ = ["MAX_ALERTS", "MAX_URL", "PARSERS", "PayloadError", "TestNotification",
           "parse_alertmanager", "parse_generic", "parse_grafana"]


def parse_generic(
    payload: Any, *, now: datetime, severities: Mapping[str, str] = DEFAULT_SEVERITY_LABELS,
) -> list[Alert]:
    """SPEC §2: ``{"monitor", "fingerprint", "status", "title", "severity"?, "crisis_type"?,
    "value"?, "threshold"?, "labels"?, "url"?, "observed_at"?, "starts_at"?, "description"?}``
    — or a list of them. ``severity`` is SS, S, A or a name of ``severity_labels``."""
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise PayloadError("the payload list is empty")
    if len(items) > MAX_ALERTS:
        raise PayloadError(f"at most {MAX_ALERTS} alerts per payload, got {len(items)}")
    prefix = "" if not isinstance(payload, list) else "[{}]"
    result = []
    for i, raw in enumerate(items):
        where = prefix.format(i) or "payload"
        body = p.obj(raw, where)
        for key in ("monitor", "fingerprint", "status", "title"):
            if body.get(key) in (None, ""):
                raise PayloadError(f"{p.field_name(where, key)} is missing")
            if not isinstance(body[key], str):
                raise PayloadError(f"{p.field_name(where, key)} must be a string")
        severity = body.get("severity")
        level, ignored = p.severity(severity, severities)
        if severity is not None and level is None and not ignored:
            raise PayloadError(f"{p.field_name(where, 'severity')} must be SS, S or A")
        for key in ("value", "threshold"):
            if body.get(key) is not None and p.number(body[key]) is None:
                raise PayloadError(f"{p.field_name(where, key)} must be a number")
        for key in ("crisis_type", "description"):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise PayloadError(f"{p.field_name(where, key)} must be a string")
        url = body.get("url") or ""
        if not isinstance(url, str):
            raise PayloadError(f"{p.field_name(where, 'url')} must be a string")
        result.append(p.build(
            monitor=body["monitor"], fingerprint=body["fingerprint"],
            status=p.status(body["status"], p.field_name(where, "status")), title=body["title"],
            observed_at=p.when(body.get("observed_at"), p.field_name(where, "observed_at"), default=now),
            starts_at=p.when(body.get("starts_at"), p.field_name(where, "starts_at"), default=None),
            severity=level, severity_ignored=ignored, crisis_type=body.get("crisis_type") or None,
            value=p.number(body.get("value")), threshold=p.number(body.get("threshold")),
            labels=p.string_map(body.get("labels"), p.field_name(where, "labels")), url=url,
            description=body.get("description") or "", where=where,
        ))
    return result


PARSERS: dict[str, Callable[..., list[Alert]]] = {
    "alertmanager": parse_alertmanager,
    "grafana": parse_grafana,
    "generic": parse_generic,
}
