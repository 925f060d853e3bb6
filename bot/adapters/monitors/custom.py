"""Custom monitor mappings: any JSON webhook becomes alerts through the site config, served at
``POST /monitors/custom/<name>``.

```yaml
monitors:
  custom:
    brand-radar:                     # POST /monitors/custom/brand-radar
      list: /alerts                  # optional: where the alerts are, for batched bodies
      monitor: "'brand-radar'"       # a quoted string is a constant
      fingerprint: /id               # "/…" is a JSON pointer (RFC 6901) into the item
      status: "'resolved' if item.state == 'ok' else 'firing'"   # else a Jinja expression
      title: "item.query ~ ': mentions +' ~ item.change_pct ~ '%'"
      value: /mentions
      severity: /level               # SS, S, A or a name of severity_labels
      labels: "{'channel': item.channel}"
      url: /link
      crisis_type: "'brand_reputation'"
```

Required: ``monitor``, ``fingerprint``, ``title``; ``status`` defaults to firing. Expressions
run in crisisbot's Jinja sandbox and see ``item`` (the alert's object) and ``body`` (the whole
body); a missing key is ``None``. Status words: firing/alerting/triggered/open/active/problem
→ firing; resolved/ok/normal/closed/recovered → resolved.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

from bot.adapters.monitors import payload as p
from bot.adapters.rendering.jinja_env import build_expression_environment
from bot.domain.alerts import DEFAULT_SEVERITY_LABELS, Alert
from bot.domain.errors import InvalidInput

FIELDS = ("monitor", "fingerprint", "status", "title", "value", "threshold", "severity",
          "labels", "url", "crisis_type", "description", "starts_at")
REQUIRED = ("monitor", "fingerprint", "title")
FIRING_WORDS = frozenset({"firing", "alerting", "triggered", "trigger", "open", "opened",
                          "active", "problem", "alert", "critical"})
RESOLVED_WORDS = frozenset({"resolved", "ok", "normal", "closed", "recovered", "recovery",
                            "cleared", "inactive"})
_ENV = build_expression_environment()


class MappingError(InvalidInput):
    """A mapping of the site config is broken; ``field`` names the key."""

    def __init__(self, where: str, key: str, reason: str) -> None:
        super().__init__(f"{where}.{key}: {reason}")
        self.where, self.key, self.reason = where, key, reason


@dataclass(frozen=True)
class Getter:
    """One field of a mapping: a JSON pointer (``/a/0/b``), a constant, or an expression."""

    source: str
    pointer: tuple[str, ...] | None = None
    constant: Any = None
    expression: Any = None

    def __call__(self, item: Any, body: Any) -> Any:
        if self.pointer is not None:
            return resolve_pointer(item, self.pointer)
        if self.expression is not None:
            return self.expression(item=item, body=body)
        return self.constant


@dataclass(frozen=True)
class Mapping:
    name: str
    getters: dict[str, Getter] = field(default_factory=dict)
    list_path: Getter | None = None

    def parse(self, payload: Any, *, now: datetime,
              severities: MappingABC[str, str] = DEFAULT_SEVERITY_LABELS) -> list[Alert]:
        """The body's alerts; a problem raises :class:`PayloadError` naming item and field."""
        if self.list_path is not None:
            items = self._run(self.list_path, "list", payload, payload, "payload")
            if not isinstance(items, list) or not items:
                raise p.PayloadError(f"list ({self.list_path.source}) must give a non-empty list")
            if len(items) > p.MAX_ALERTS:
                raise p.PayloadError(f"at most {p.MAX_ALERTS} alerts per payload, got {len(items)}")
        else:
            items = [payload]
        return [self._alert(item, payload, f"item {i}" if self.list_path else "payload",
                            now=now, severities=severities)
                for i, item in enumerate(items)]

    def _run(self, getter: Getter, key: str, item: Any, body: Any, where: str) -> Any:
        try:
            return getter(item, body)
        except (TemplateError, SecurityError, TypeError, ValueError, ArithmeticError,
                LookupError, AttributeError, RecursionError) as exc:
            raise p.PayloadError(f"{where}: {key} ({getter.source}) failed: "
                                 f"{exc.__class__.__name__}: {str(exc)[:200]}") from None

    def _text(self, key: str, item: Any, body: Any, where: str) -> str:
        getter = self.getters.get(key)
        if getter is None:
            return ""
        value = self._run(getter, key, item, body, where)
        return "" if value is None else str(value)

    def _alert(self, item: Any, body: Any, where: str, *, now: datetime,
               severities: MappingABC[str, str]) -> Alert:
        text = {}
        for key in REQUIRED:  # first, so a foreign body is named as such
            text[key] = self._text(key, item, body, where)
            if not text[key].strip():
                raise p.PayloadError(f"{where}: {key} ({self.getters[key].source}) gave nothing")
        for key in ("status", "url", "crisis_type", "description", "severity", "starts_at"):
            text[key] = self._text(key, item, body, where)
        status = text["status"].strip().lower() or "firing"
        if status in FIRING_WORDS:
            status = "firing"
        elif status in RESOLVED_WORDS:
            status = "resolved"
        else:
            raise p.PayloadError(f"{where}: status gave {status[:40]!r}; map it to firing or resolved")
        numbers = {}
        for key in ("value", "threshold"):
            raw = self._run(self.getters[key], key, item, body, where) if key in self.getters else None
            numbers[key] = p.number(raw)
            if raw not in (None, "") and numbers[key] is None:
                raise p.PayloadError(f"{where}: {key} gave {str(raw)[:40]!r}, not a number")
        labels_raw = self._run(self.getters["labels"], "labels", item, body, where) if "labels" in self.getters else {}
        labels = p.string_map(labels_raw or {}, f"{where}: labels")
        level, ignored = p.severity(text["severity"] or None, severities)
        url = text["url"]
        return p.build(
            monitor=text["monitor"], fingerprint=text["fingerprint"][:200],
            status=p.status(status, f"{where}: status"), title=text["title"],
            observed_at=now, starts_at=p.when(text["starts_at"] or None, f"{where}: starts_at", default=None),
            severity=level, severity_ignored=ignored, crisis_type=text["crisis_type"] or None,
            value=numbers["value"], threshold=numbers["threshold"], labels=labels,
            url=url if url.startswith(("http://", "https://")) else "",
            description=text["description"], links=p.links([("source", url)]), where=where,
        )


def resolve_pointer(document: Any, parts: tuple[str, ...]) -> Any:
    """RFC 6901: ``("alerts", "0", "id")``; a missing step gives ``None``."""
    current = document
    for part in parts:
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def compile_getter(raw: Any, *, where: str, key: str) -> Getter:
    if isinstance(raw, (int, float, bool)) or raw is None:
        return Getter(source=repr(raw), constant=raw)
    if isinstance(raw, (dict, list)):
        return Getter(source="(constant)", constant=raw)
    source = str(raw).strip()
    if not source:
        raise MappingError(where, key, "is empty")
    if source.startswith("/"):
        parts = tuple(s.replace("~1", "/").replace("~0", "~") for s in source[1:].split("/"))
        return Getter(source=source, pointer=parts)
    try:
        expression = _ENV.compile_expression(source, undefined_to_none=True)
    except TemplateError as exc:
        raise MappingError(where, key, f"not a valid expression ({exc.message or exc}): {source[:80]}") from None
    return Getter(source=source, expression=expression)


def parse_mapping(name: str, spec: Any, *, where: str) -> Mapping:
    """A mapping from the site config; problems raise :class:`MappingError` naming the key."""
    if not name or "/" in name or len(name) > 60:
        raise MappingError(where, "name", "must be 1 to 60 characters without '/'")
    if not isinstance(spec, dict):
        raise MappingError(where, "", "must be a mapping of field: JSON pointer or expression")
    unknown = sorted(set(spec) - set(FIELDS) - {"list"})
    if unknown:
        raise MappingError(where, str(unknown[0]), f"is not a mapping field; use {', '.join(FIELDS)} or list")
    for key in REQUIRED:
        if spec.get(key) in (None, ""):
            raise MappingError(where, key, "is required")
    getters = {key: compile_getter(spec[key], where=where, key=key) for key in FIELDS if key in spec}
    list_path = compile_getter(spec["list"], where=where, key="list") if spec.get("list") else None
    return Mapping(name=name, getters=getters, list_path=list_path)
