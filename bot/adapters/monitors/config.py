"""The ``monitors:`` section of the site config.

```yaml
monitors:
  fallback_type: service_logistics   # crisis type of alerts no route or label types
  refire_window: 2h                  # a re-fire this soon after resolution rejoins the incident
  on_higher_severity: raise          # raise | propose
  allow_signatures_without_timestamp: false  # true accepts HMACs of the bare body (replayable)
  max_opened_per_minute: 10          # storm guard: past this, new groups join one storm incident
  routes:                            # first match wins; globs allowed in monitor and label values
    - match: {monitor: "checkout-*", labels: {env: prod}}
      crisis_type: service_logistics
      severity: S
      group_by: [monitor]            # label names (and "monitor"); same values = one incident
    - match: {labels: {env: staging}}
      ignore: true
  snoozes:
    - {monitor: nightly-batch, until: "2026-12-01T06:00:00Z"}
  severity_labels: {critical: S, page: SS, warning: A, info: ignore}   # added to the defaults
  grafana_hmac:                      # Grafana's contact-point HMAC (secret: CRISISBOT_MONITOR_SECRET)
    header: X-Grafana-Alerting-Signature
    timestamp_header: X-Grafana-Alerting-Timestamp   # optional; as set in Grafana
    max_skew: 5m
  custom:                            # POST /monitors/custom/<name> (see custom.py)
    mentions-tool: {monitor: "social", fingerprint: "/id", status: "/state", title: "/headline"}
  sources:                           # polled signal monitors
    - name: social-mentions
      path: samples/mentions.csv     # or url: https://…/series.json (JSON or CSV)
      interval: 5m
      metric: negative
      rule: {kind: change, window: 24h, pct: 300}
      title: Negative mentions surging
      crisis_type: brand_reputation
      severity: S
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.alerts import DEFAULT_SEVERITY_LABELS, IGNORE
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.severity import Severity

RULE_KINDS = ("threshold", "change", "zscore")


@dataclass(frozen=True)
class RouteRule:
    monitor: str = "*"
    labels: dict[str, str] = field(default_factory=dict)
    crisis_type: str | None = None
    severity: Severity | None = None
    group_by: tuple[str, ...] | None = None
    ignore: bool = False


@dataclass(frozen=True)
class RuleSpec:
    """A signal rule: ``threshold`` (``op``, ``value``), ``change`` (``window``, ``pct``,
    ``baseline``: ``window`` or ``same_hour``, ``days``) or ``zscore`` (``window``, ``z``,
    ``min_history``, ``direction``: ``up``/``down``/``both``)."""

    kind: str
    op: str = ">"
    value: float = 0.0
    window: timedelta = timedelta(hours=24)
    pct: float = 0.0
    baseline: str = "window"
    days: int = 7
    z: float = 3.0
    min_history: int = 24
    direction: str = "up"


@dataclass(frozen=True)
class SourceSpec:
    name: str
    metric: str
    rule: RuleSpec
    url: str | None = None
    path: Path | None = None
    interval: timedelta = timedelta(minutes=5)
    title: str = ""
    crisis_type: str | None = None
    severity: Severity | None = None
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GrafanaHmac:
    """Where Grafana puts its HMAC-SHA256 signature (bare hex) and, optionally, the Unix
    timestamp it signed as ``<timestamp>:<body>``; ``max_skew`` bounds that timestamp."""

    header: str = "X-Grafana-Alerting-Signature"
    timestamp_header: str = ""
    max_skew: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class MonitorsConfig:
    fallback_type: str = "service_logistics"
    refire_window: timedelta = timedelta(hours=2)
    raise_severity: bool = True
    routes: tuple[RouteRule, ...] = ()
    snoozes: dict[str, datetime] = field(default_factory=dict)
    sources: tuple[SourceSpec, ...] = ()
    #: Accept ``X-Crisisbot-Signature`` over the bare body, without ``X-Crisisbot-Timestamp``.
    #: Such a signature can be replayed forever: switch it on only while senders migrate.
    allow_signatures_without_timestamp: bool = False
    #: Storm guard: monitors open at most this many incidents a minute.
    max_opened_per_minute: int = 10
    severity_labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_LABELS))
    grafana_hmac: GrafanaHmac = field(default_factory=GrafanaHmac)
    #: Custom webhook mappings by name (``bot.adapters.monitors.custom.Mapping``).
    custom: dict[str, Any] = field(default_factory=dict)

    def snoozed(self, monitor: str, now: datetime) -> bool:
        until = self.snoozes.get(monitor)
        return until is not None and now < until


def parse_monitors(data: Any, *, source: str = "site config", base: Path | None = None) -> MonitorsConfig:
    """Parse the ``monitors:`` mapping; problems raise :class:`InvalidInput` naming the key."""
    if data is None:
        return MonitorsConfig()
    where = f"{source}: monitors"
    if not isinstance(data, dict):
        raise InvalidInput(f"{where} must be a mapping")
    on_higher = str(data.get("on_higher_severity", "raise")).strip().lower()
    if on_higher not in ("raise", "propose"):
        raise InvalidInput(f"{where}.on_higher_severity must be raise or propose, not {on_higher!r}")
    return MonitorsConfig(
        fallback_type=str(data.get("fallback_type") or "service_logistics"),
        refire_window=_duration(data.get("refire_window", "2h"), f"{where}.refire_window"),
        raise_severity=on_higher == "raise",
        routes=tuple(_route(r, f"{where}.routes[{i}]") for i, r in enumerate(_list(data, "routes", where))),
        snoozes=dict(_snooze(s, f"{where}.snoozes[{i}]") for i, s in enumerate(_list(data, "snoozes", where))),
        sources=tuple(_source(s, f"{where}.sources[{i}]", base)
                      for i, s in enumerate(_list(data, "sources", where))),
        allow_signatures_without_timestamp=_flag(
            data.get("allow_signatures_without_timestamp", False),
            f"{where}.allow_signatures_without_timestamp"),
        max_opened_per_minute=_positive(data.get("max_opened_per_minute", 10),
                                        f"{where}.max_opened_per_minute"),
        severity_labels=_severity_labels(data.get("severity_labels"), f"{where}.severity_labels"),
        grafana_hmac=_grafana_hmac(data.get("grafana_hmac"), f"{where}.grafana_hmac"),
        custom=_custom(data.get("custom"), f"{where}.custom"),
    )


def _positive(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{where} must be a whole number of at least 1")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where} must be true or false")
    return value


def _severity_labels(raw: Any, where: str) -> dict[str, str]:
    table = dict(DEFAULT_SEVERITY_LABELS)
    for key, value in _mapping(raw or {}, where).items():
        level = str(value).strip()
        if level.lower() == IGNORE:
            table[str(key).strip().lower()] = IGNORE
            continue
        severity = _severity(level, f"{where}.{key}")
        table[str(key).strip().lower()] = severity.value if severity else IGNORE
    return table


def _grafana_hmac(raw: Any, where: str) -> GrafanaHmac:
    raw = _mapping(raw or {}, where)
    return GrafanaHmac(
        header=str(raw.get("header") or GrafanaHmac.header).strip(),
        timestamp_header=str(raw.get("timestamp_header") or "").strip(),
        max_skew=_duration(raw.get("max_skew", "5m"), f"{where}.max_skew"),
    )


def _custom(raw: Any, where: str) -> dict[str, Any]:
    from bot.adapters.monitors.custom import parse_mapping

    mappings = {}
    for name, spec in _mapping(raw or {}, where).items():
        mappings[str(name)] = parse_mapping(str(name), spec, where=f"{where}.{name}")
    return mappings


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise InvalidInput(f"{where}.{key} must be a list")
    return value


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be a mapping")
    return value


def _duration(value: Any, where: str) -> timedelta:
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def _severity(value: Any, where: str) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity.parse(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def _labels(value: Any, where: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in _mapping(value or {}, where).items()}


def _route(raw: Any, where: str) -> RouteRule:
    raw = _mapping(raw, where)
    match = _mapping(raw.get("match") or {}, f"{where}.match")
    group_by = raw.get("group_by")
    if group_by is not None and (not isinstance(group_by, list) or not group_by):
        raise InvalidInput(f"{where}.group_by must be a non-empty list of label names")
    return RouteRule(
        monitor=str(match.get("monitor") or "*"),
        labels=_labels(match.get("labels"), f"{where}.match.labels"),
        crisis_type=str(raw["crisis_type"]) if raw.get("crisis_type") else None,
        severity=_severity(raw.get("severity"), f"{where}.severity"),
        group_by=tuple(str(g) for g in group_by) if group_by else None,
        ignore=bool(raw.get("ignore", False)),
    )


def _snooze(raw: Any, where: str) -> tuple[str, datetime]:
    raw = _mapping(raw, where)
    monitor, until = raw.get("monitor"), raw.get("until")
    if not monitor or not until:
        raise InvalidInput(f"{where} needs monitor and until (ISO-8601 with a time zone)")
    try:
        when = until if isinstance(until, datetime) else datetime.fromisoformat(str(until))
    except ValueError:
        raise InvalidInput(f"{where}.until: {until!r} is not an ISO-8601 time") from None
    if when.tzinfo is None:
        raise InvalidInput(f"{where}.until needs a time zone, e.g. 2026-12-01T06:00:00Z")
    return str(monitor), when


def _rule(raw: Any, where: str) -> RuleSpec:
    raw = _mapping(raw, where)
    kind = str(raw.get("kind", "")).lower()
    if kind not in RULE_KINDS:
        raise InvalidInput(f"{where}.kind must be one of {', '.join(RULE_KINDS)}")
    try:
        spec = RuleSpec(
            kind=kind,
            op=str(raw.get("op", ">")),
            value=float(raw.get("value", 0)),
            window=_duration(raw.get("window", "24h"), f"{where}.window"),
            pct=float(raw.get("pct", 0)),
            baseline=str(raw.get("baseline", "window")),
            days=int(raw.get("days", 7)),
            z=float(raw.get("z", 3)),
            min_history=int(raw.get("min_history", 24)),
            direction=str(raw.get("direction", "up")),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    if spec.op not in (">", ">=", "<", "<="):
        raise InvalidInput(f"{where}.op must be >, >=, < or <=")
    if spec.baseline not in ("window", "same_hour"):
        raise InvalidInput(f"{where}.baseline must be window or same_hour")
    if spec.direction not in ("up", "down", "both"):
        raise InvalidInput(f"{where}.direction must be up, down or both")
    if kind == "change" and spec.pct == 0:
        raise InvalidInput(f"{where}.pct must be a non-zero percentage (300 or -10)")
    return spec


def _source(raw: Any, where: str, base: Path | None) -> SourceSpec:
    raw = _mapping(raw, where)
    name, metric = raw.get("name"), raw.get("metric")
    if not name or not metric:
        raise InvalidInput(f"{where} needs name and metric")
    url, path = raw.get("url"), raw.get("path")
    if bool(url) == bool(path):
        raise InvalidInput(f"{where} needs exactly one of url or path")
    if url and not str(url).startswith(("http://", "https://")):
        raise InvalidInput(f"{where}.url must be an http(s) URL")
    resolved = Path(str(path)) if path else None
    if resolved is not None and not resolved.is_absolute() and base is not None:
        resolved = base / resolved
    return SourceSpec(
        name=str(name), metric=str(metric), rule=_rule(raw.get("rule"), f"{where}.rule"),
        url=str(url) if url else None, path=resolved,
        interval=_duration(raw.get("interval", "5m"), f"{where}.interval"),
        title=str(raw.get("title") or f"{name}: {metric}"),
        crisis_type=str(raw["crisis_type"]) if raw.get("crisis_type") else None,
        severity=_severity(raw.get("severity"), f"{where}.severity"),
        labels=_labels(raw.get("labels"), f"{where}.labels"),
    )
