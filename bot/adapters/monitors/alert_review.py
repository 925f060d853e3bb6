"""``crisisbot report --alerts``: every signal rule's precision and lead time from what became
of its alerts, and the threshold its history suggests; ``--apply`` writes suggestions into the
site config after confirmation (see ``bot.domain.alert_outcomes`` for the definitions).

Rules are the site config's polled sources (``monitors.sources``) and post rules
(``listening.rules``); alerts of other monitors (webhooks) are reported without a suggestion.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.adapters.db.drills import DrillRunRow
from bot.adapters.db.models import IncidentRow, TimelineRow
from bot.adapters.db.monitor_models import AlertRow, SignalSampleRow
from bot.domain.alert_outcomes import AlertFacts, RuleReview, review_rule
from bot.domain.errors import InvalidInput

#: How far after an alert its signal's peak is looked for.
PEAK_WINDOW = timedelta(hours=72)
#: The rule setting each kind's threshold lives in.
THRESHOLD_KEY = {"change": "pct", "threshold": "value", "zscore": "z"}


@dataclass(frozen=True)
class RuleConfig:
    monitor: str
    path: tuple[str | int, ...]  # where the rule mapping is in the YAML
    kind: str
    key: str
    direction: int
    metric: str


def configured_rules(raw: dict[str, Any]) -> dict[str, RuleConfig]:
    found: dict[str, RuleConfig] = {}
    places = ((("monitors", "sources"), (raw.get("monitors") or {}).get("sources") or []),
              (("listening", "rules"), (raw.get("listening") or {}).get("rules") or []))
    for prefix, items in places:
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("rule"), dict):
                continue
            rule = item["rule"]
            kind = str(rule.get("kind", ""))
            if kind not in THRESHOLD_KEY:
                continue
            key = THRESHOLD_KEY[kind]
            if kind == "change":
                direction = 1 if float(rule.get("pct", 0)) >= 0 else -1
            elif kind == "threshold":
                direction = 1 if str(rule.get("op", ">")).startswith(">") else -1
            else:
                direction = -1 if rule.get("direction") == "down" else 1
            found[str(item.get("name"))] = RuleConfig(str(item.get("name")), (*prefix, i, "rule"),
                                                      kind, key, direction, str(item.get("metric")))
    return found


#: Monitor names of a drill's injected alerts (``bot.services.drills.MONITOR_PREFIX``).
DRILL_MONITOR_PREFIX = "crisisbot-drill-"


def collect(engine: Engine, rules: dict[str, RuleConfig]) -> dict[str, list[AlertFacts]]:
    """Every stored alert with its incident's fate, by monitor. A drill's injected alerts
    are left out: drills never count in real metrics."""
    out: dict[str, list[AlertFacts]] = defaultdict(list)
    with Session(engine) as session:
        drills = set(session.execute(select(DrillRunRow.incident)
                                     .where(DrillRunRow.incident.is_not(None))).scalars())
        incidents = {r.number: r for r in session.execute(select(IncidentRow)).scalars()}
        timeline = session.execute(select(TimelineRow.incident, TimelineRow.name, TimelineRow.payload)
                                   .where(TimelineRow.name.in_(("incident.resolved", "statement.published",
                                                                "alert.fired")))
                                   .order_by(TimelineRow.id)).all()
        resolution: dict[int, str] = {}
        published: dict[int, int] = defaultdict(int)
        fired: dict[tuple[int, str, str], float] = {}
        for number, name, payload in timeline:
            if name == "incident.resolved":
                resolution[number] = str(payload.get("summary") or "")
            elif name == "statement.published":
                published[number] += 1
            elif isinstance(payload.get("value"), (int, float)):
                key = (number, str(payload.get("monitor")), str(payload.get("fingerprint")))
                fired[key] = max(fired.get(key, float("-inf")), float(payload["value"]))
        for row in session.execute(select(AlertRow).order_by(AlertRow.first_seen)).scalars():
            if row.incident in drills or row.monitor.startswith(DRILL_MONITOR_PREFIX):
                continue
            incident = incidents.get(row.incident) if row.incident is not None else None
            values = [v for v in (row.last_value, fired.get((row.incident or 0, row.monitor, row.fingerprint)))
                      if v is not None]
            rule = rules.get(row.monitor)
            direction = rule.direction if rule else 1
            value = (max(values) if direction > 0 else min(values)) if values else None
            peak = _peak_at(session, row, rule, incident)
            out[row.monitor].append(AlertFacts(
                monitor=row.monitor, fingerprint=row.fingerprint, status=row.status,
                first_seen=row.first_seen, value=value, threshold=row.threshold,
                declared_at=incident.declared_at if incident else None,
                resolved_at=incident.resolved_at if incident else None,
                resolution=resolution.get(row.incident or 0, ""),
                statements_published=published.get(row.incident or 0, 0), peak_at=peak))
    return dict(out)


def _peak_at(session: Session, row: AlertRow, rule: RuleConfig | None,
             incident: IncidentRow | None) -> datetime | None:
    metric = rule.metric if rule else str((row.labels or {}).get("metric") or "")
    if not metric:
        return None
    until = (incident.resolved_at if incident and incident.resolved_at else row.first_seen + PEAK_WINDOW)
    found = session.execute(
        select(SignalSampleRow.at).where(SignalSampleRow.monitor == row.monitor,
                                         SignalSampleRow.series == metric,
                                         SignalSampleRow.at >= row.first_seen - timedelta(hours=1),
                                         SignalSampleRow.at <= until)
        .order_by(SignalSampleRow.value.desc(), SignalSampleRow.at).limit(1)).scalar_one_or_none()
    return found


def review_all(engine: Engine, raw: dict[str, Any], *, now: datetime) -> list[tuple[RuleReview, RuleConfig | None]]:
    rules = configured_rules(raw)
    alerts = collect(engine, rules)
    out = []
    for monitor in sorted(set(alerts) | set(rules)):
        rule = rules.get(monitor)
        out.append((review_rule(monitor, alerts.get(monitor, []), now=now,
                                direction=rule.direction if rule else 1), rule))
    return out


def render(reviews: list[tuple[RuleReview, RuleConfig | None]]) -> str:
    lines = [("| rule | alerts (kept / dismissed / snoozed / pending) | precision | median lead time "
             "| threshold | suggested | why |"), "|---|---|---|---|---|---|---|"]
    for r, rule in reviews:
        o = r.outcomes
        counts = f"{sum(o.values())} ({o.get('kept', 0)} / {o.get('dismissed', 0)} / {o.get('snoozed', 0)} / {o.get('pending', 0)})"
        precision = "—" if r.precision is None else f"{r.precision * 100:.0f}%"
        lead = "—" if r.lead_time is None else _span(r.lead_time)
        key = f"{rule.key} " if rule else ""
        current = "—" if r.current is None else f"{key}{r.current:g}"
        suggested = "—" if r.suggested is None else f"{key}{r.suggested:g}"
        why = r.reason if rule else (r.reason + "; not a configured rule" if r.reason else "not a configured rule")
        lines.append(f"| {r.monitor} | {counts} | {precision} | {lead} | {current} | {suggested} | {why} |")
    return "\n".join(lines)


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def apply(path: Path, reviews: list[tuple[RuleReview, RuleConfig | None]], *,
          confirm: Callable[[str], bool]) -> list[str]:
    """Write each suggestion the person confirms into the site config (a copy of the old file
    is kept as ``<name>.bak``); returns what was written."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path}: cannot be read for --apply ({exc})") from None
    written: list[str] = []
    for review, rule in reviews:
        if rule is None or review.suggested is None:
            continue
        question = (f"{review.monitor}: {rule.key} {review.current:g} → {review.suggested:g} "
                    f"({review.reason})")
        if not confirm(question):
            continue
        node: Any = data
        for part in rule.path:
            node = node[part]
        node[rule.key] = review.suggested
        written.append(question)
    if written:
        shutil.copyfile(path, path.with_name(path.name + ".bak"))
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return written
