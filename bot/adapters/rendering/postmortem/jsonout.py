"""The post-mortem as JSON: every figure, times as ISO-8601, durations in seconds."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.collector import without_collector_pauses
from bot.adapters.rendering.postmortem.report import Report

SCHEMA = "crisisbot.postmortem/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def report_dict(report: Report) -> dict[str, Any]:
    data = dict(report.data)  # the timeline's raw payloads are for the readable versions only
    data["timeline"] = [{k: v for k, v in e.items() if k != "payload"} for e in data["timeline"]]
    return {"schema": SCHEMA, **_plain(data)}


@without_collector_pauses
def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, sort_keys=False)
