"""``crisisbot monitors test NAME FILE`` and ``crisisbot monitors validate [CONFIG]``.

``test`` prints what a webhook body would become — alerts, their route and group — without
storing anything; NAME is ``alertmanager``, ``grafana``, ``generic`` or a custom mapping.
``validate`` checks the ``monitors:`` section of the site config and reports each problem of
a custom mapping as ``FILE:LINE: monitors.custom.NAME.FIELD: message``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.adapters.monitors.config import MonitorsConfig, parse_monitors
from bot.adapters.monitors.custom import FIELDS, MappingError, compile_getter, parse_mapping
from bot.adapters.monitors.routing import Router
from bot.adapters.monitors.webhooks import PARSERS, PayloadError, TestNotification
from bot.domain.alerts import Alert
from bot.domain.errors import InvalidInput


def test_body(*, name: str, body_path: Path, config: MonitorsConfig, crisis_types: Collection[str],
              out: TextIO, now: datetime | None = None) -> int:
    """Print what ``body_path`` becomes through ``name``; 0 when it parses, 1 when not."""
    mapping = config.custom.get(name)
    parser = mapping.parse if mapping is not None else PARSERS.get(name)
    if parser is None:
        known = ", ".join([*PARSERS, *sorted(config.custom)])
        out.write(f"crisisbot: no monitor webhook or custom mapping {name!r}; known: {known}\n")
        return 1
    try:
        payload = json.loads(body_path.read_text(encoding="utf-8"))
    except OSError as exc:
        out.write(f"crisisbot: cannot read {body_path}: {exc.strerror or exc}\n")
        return 1
    except json.JSONDecodeError as exc:
        out.write(f"crisisbot: {body_path} is not valid JSON: {exc}\n")
        return 1
    try:
        alerts = parser(payload, now=now or datetime.now(UTC), severities=config.severity_labels)
    except TestNotification:
        out.write(f"{body_path}: a test notification: crisisbot answers 202 "
                  "{\"action\": \"test\"} and posts a confirmation; nothing is opened.\n")
        return 0
    except PayloadError as exc:
        out.write(f"{body_path}: refused (400): {exc}\n")
        return 1
    router = Router(config, crisis_types=crisis_types)
    out.write(f"{body_path} -> {len(alerts)} alert(s) (nothing stored):\n")
    out.writelines(describe(number, alert, router(alert)) for number, alert in enumerate(alerts, 1))
    return 0


def describe(number: int, alert: Alert, route: Any) -> str:
    lines = [f"{number}. {alert.status.value} {alert.monitor} [{alert.fingerprint}]: {alert.title}"]
    fate = "ignored" if route.ignore else (
        f"crisis type {route.crisis_type}, severity {route.severity.value}, group {route.group_key}")
    lines.append(f"   route: {fate}")
    if alert.value is not None or alert.value_text:
        limit = f" (threshold {alert.threshold:g})" if alert.threshold is not None else ""
        lines.append(f"   value: {alert.value:g}{limit}" if alert.value is not None else f"   value: {alert.value_text}")
    if alert.starts_at:
        lines.append(f"   starts at: {alert.starts_at.isoformat()}")
    if alert.labels:
        lines.append("   labels: " + ", ".join(f"{k}={v}" for k, v in alert.labels.items()))
    if alert.description:
        lines.append(f"   description: {alert.description}")
    for label, url in alert.links:
        lines.append(f"   {label}: {url}")
    return "\n".join(lines) + "\n"


def validate_config(path: Path, *, out: TextIO) -> int:
    """Report every problem of the ``monitors:`` section with its line; 0 when valid."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
    except OSError as exc:
        out.write(f"{path}: cannot read: {exc.strerror or exc}\n")
        return 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        out.write(f"{path}:{mark.line + 1 if mark else 1}: not valid YAML: {exc}\n")
        return 1
    problems: list[str] = []
    monitors = _child(root, "monitors")
    custom = _child(monitors, "custom") if monitors is not None else None
    if isinstance(custom, yaml.MappingNode):
        for key_node, spec_node in custom.value:
            name = str(key_node.value)
            where = f"monitors.custom.{name}"
            problems += _mapping_problems(path, name, where, key_node, spec_node)
    if not problems:
        try:
            data = yaml.safe_load(text) or {}
            parse_monitors(data.get("monitors") if isinstance(data, dict) else None,
                           source=str(path), base=path.parent)
        except InvalidInput as exc:
            line = monitors.start_mark.line + 1 if monitors is not None else 1
            problems.append(f"{path}:{line}: {exc.message}")
    out.writelines(problem + "\n" for problem in problems)
    if problems:
        out.write(f"{len(problems)} problem(s) in {path}\n")
        return 1
    out.write(f"{path}: monitors valid\n")
    return 0


def _mapping_problems(path: Path, name: str, where: str, key_node: yaml.Node,
                      spec_node: yaml.Node) -> list[str]:
    if not isinstance(spec_node, yaml.MappingNode):
        return [(f"{path}:{key_node.start_mark.line + 1}: {where}: must be a mapping of field: "
                 "JSON pointer or expression")]
    problems = []
    for field_key, value_node in spec_node.value:
        line = value_node.start_mark.line + 1
        key = str(field_key.value)
        if key not in FIELDS and key != "list":
            problems.append(f"{path}:{field_key.start_mark.line + 1}: {where}.{key}: not a mapping "
                            f"field; use {', '.join(FIELDS)} or list")
            continue
        try:
            compile_getter(yaml.safe_load(yaml.serialize(value_node)), where=where, key=key)
        except MappingError as exc:
            problems.append(f"{path}:{line}: {where}.{key}: {exc.reason}")
    if not problems:
        try:
            parse_mapping(name, yaml.safe_load(yaml.serialize(spec_node)), where=where)
        except MappingError as exc:
            problems.append(f"{path}:{key_node.start_mark.line + 1}: {exc.message}")
    return problems


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)
