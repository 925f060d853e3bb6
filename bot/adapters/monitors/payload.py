"""Shared pieces of the webhook parsers: field checks that raise :class:`PayloadError` naming
the field, times as Go and Python write them, and the :class:`~bot.domain.alerts.Alert` builder
that bounds every field."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.domain.alerts import (
    IGNORE,
    MAX_FINGERPRINT,
    MAX_MONITOR,
    MAX_TITLE,
    Alert,
    AlertStatus,
    severity_from_label,
)
from bot.domain.severity import Severity

MAX_ALERTS = 1000
MAX_URL = 2000
MAX_DESCRIPTION = 1000


class PayloadError(ValueError):
    """The payload is not what the endpoint accepts; the message names the problem."""


def field_name(where: str, key: str) -> str:
    return key if where == "payload" else f"{where}.{key}"


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be a JSON object")
    return value


def alert_list(body: dict[str, Any]) -> list[Any]:
    alerts = body.get("alerts")
    if alerts is None:
        raise PayloadError("alerts is missing")
    if not isinstance(alerts, list) or not alerts:
        raise PayloadError("alerts must be a non-empty list")
    if len(alerts) > MAX_ALERTS:
        raise PayloadError(f"at most {MAX_ALERTS} alerts per payload, got {len(alerts)}")
    return alerts


def string_map(value: Any, where: str, *, required: bool = False) -> dict[str, str]:
    if value is None:
        if required:
            raise PayloadError(f"{where} is missing")
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be an object")
    return {str(k)[:100]: str(v)[:500] for k, v in value.items()}


def status(value: Any, where: str) -> AlertStatus:
    try:
        return AlertStatus(str(value).lower())
    except ValueError:
        raise PayloadError(f"{where} must be firing or resolved, not {str(value)[:40]!r}") from None


def severity(value: Any, table: Mapping[str, str]) -> tuple[Severity | None, bool]:
    """``(severity, ignored)`` of a label value through the site's ``severity_labels``."""
    if not isinstance(value, str):
        return None, False
    level = severity_from_label(value, table)
    if level == IGNORE:
        return None, True
    return (level if isinstance(level, Severity) else None), False


def number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        return None
    return parsed if math.isfinite(parsed) else None


def when(value: Any, where: str, *, default: datetime | None) -> datetime | None:
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


def label_fingerprint(labels: dict[str, str]) -> str:
    text = "\x00".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def bounded_name(name: str) -> str:
    """Names past :data:`MAX_MONITOR` keep a prefix and a digest, so they stay distinct and
    stable instead of refusing the whole notification."""
    if len(name) <= MAX_MONITOR:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{name[:MAX_MONITOR - 14]}…#{digest}"


def links(pairs: list[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    """``(label, url)`` pairs that are http(s) URLs of sane length, first of each URL only."""
    seen: set[str] = set()
    kept = []
    for label, url in pairs:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            continue
        if len(url) > MAX_URL or url in seen:
            continue
        seen.add(url)
        kept.append((label, url))
    return tuple(kept)


def build(*, monitor: str, fingerprint: str, title: str, where: str, **rest: Any) -> Alert:
    monitor, fingerprint, title = bounded_name(monitor.strip()), fingerprint.strip(), " ".join(title.split())
    if not monitor:
        raise PayloadError(f"{field_name(where, 'monitor')} is empty")
    if not fingerprint or len(fingerprint) > MAX_FINGERPRINT:
        raise PayloadError(f"{field_name(where, 'fingerprint')} must be 1 to {MAX_FINGERPRINT} characters")
    if not title:
        raise PayloadError(f"{field_name(where, 'title')} is empty")
    if len(rest.get("url") or "") > MAX_URL:
        raise PayloadError(f"{field_name(where, 'url')} is longer than {MAX_URL} characters")
    if "description" in rest:
        rest["description"] = " ".join(str(rest["description"]).split())[:MAX_DESCRIPTION]
    return Alert(monitor=monitor, fingerprint=fingerprint, title=title[:MAX_TITLE], **rest)
