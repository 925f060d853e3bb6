"""Build a :class:`Report` (every section and figure) from a :class:`PostmortemInput`.

Clock figures replay the incident through the domain (``bot.domain.clocks``) where its
timeline can be replayed; records of features the domain does not know (alerts, statement
review, reminders) are read directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.adapters.rendering.postmortem import metrics as m
from bot.collector import without_collector_pauses
from bot.adapters.rendering.postmortem.inputs import PostmortemInput, TimelineRecord
from bot.adapters.rendering.postmortem.paging import paging_metrics
from bot.adapters.rendering.postmortem.timeline_text import describe
from bot.domain.clocks import all_clocks, first_statement_clock, team_assembly_clock
from bot.domain.events import EVENT_TYPES, Event
from bot.domain.incident import Incident, incident_id
from bot.domain.playbook import Playbook
from bot.domain.severity import Severity, SeverityPolicy

NOTE_SECTIONS = ("worked", "didnt", "cause", "lesson")


@dataclass(frozen=True)
class Report:
    """Every section of one post-mortem as plain data (see :mod:`.jsonout` for the shape)."""

    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.data["incident"]["id"]


@without_collector_pauses
def build_report(
    source: PostmortemInput, *, policy: SeverityPolicy, playbook: Playbook | None
) -> Report:
    """Compute the report; figures are as of the last record (so the same data gives the
    same report). Post-mortem publications are left out of the input."""
    records = [r for r in source.records if r.name != "postmortem.published"]
    declared = next((r for r in records if r.name == "incident.declared"), None)
    if declared is None:
        raise ValueError(f"{incident_id(source.incident)} has no declaration on its timeline")
    # In time order (stable: records of one instant keep their stored order); the declaration
    # leads even when an alert of the same instant was stored before it.
    records = [declared, *sorted((r for r in records if r is not declared), key=lambda r: r.at)]
    declared_at = declared.at
    as_of = max(r.at for r in records)
    frame = m.records_frame(records)
    replayed = _replay(source.incident, records)

    resolved_at = _resolved_at(records)
    end_at = resolved_at or as_of
    severities = _severity_history(records)

    def severity_at(at: datetime) -> str:
        current = severities[0]["severity"]
        for change in severities:
            if change["at"] <= at:
                current = change["severity"]
        return current

    def every(severity: str) -> timedelta:
        return policy.level(Severity(severity)).update_every

    published = [r.at for r in records if r.name == "statement.published"]
    stays = m.stage_intervals(frame, declared_at=declared_at, end_at=end_at)
    detection = m.detection(frame, declared_at=declared_at,
                            source=str(declared.payload.get("source") or "slack"))
    team, first_statement, clocks = _clock_figures(replayed, policy, playbook, as_of, declared_at)
    metrics = {
        "detect_to_declare_s": detection["detect_to_declare_s"] if detection else None,
        "team": team,
        "first_statement": first_statement,
        "resolve_s": m.seconds(resolved_at - declared_at) if resolved_at else None,
        "approvals": m.approval_waits(frame),
        "stages": stays,
        "stage_totals": m.stage_totals(stays),
        "tasks": m.task_stats(frame, as_of=as_of),
        "cadence": m.update_cadence(published, severity_at=severity_at, every=every,
                                    end_at=end_at, resolved=resolved_at is not None),
        "clocks": clocks,
        "clocks_met": sum(1 for c in clocks if c["state"] == "met"),
        "clocks_missed": sum(1 for c in clocks if c["state"] == "missed"),
        "clocks_pending": sum(1 for c in clocks if c["state"] == "pending"),
        "reminders": m.reminders(frame),
        "paging": paging_metrics(records),
    }
    samples = m.samples_frame(source.samples)
    data = {
        "incident": _summary(source.incident, records, severities, resolved_at, as_of),
        "as_of": as_of,
        "impact": _impact(records),
        "detection": detection,
        "metrics": metrics,
        "communications": m.communications(frame),
        "facts": _facts(records),
        "signals": m.signal_metrics(samples, declared_at=declared_at, resolved_at=resolved_at),
        "listening": dict(source.listening) if source.listening else None,
        "notes": _notes(frame.rows("note.added")),
        "followups": _followups(records),
        "timeline": [{"at": r.at, "offset_s": m.seconds(r.at - declared_at), "actor": r.actor,
                      "name": r.name, "text": describe(r.name, r.payload),
                      "payload": dict(r.payload)} for r in records],
        "integrity": {"chain_head": source.chain_head, "events": len(records)},
    }
    return Report(data)


# --------------------------------------------------------------------------- parts


def _replay(number: int, records: list[TimelineRecord]) -> Incident | None:
    """The incident as the domain sees it, from the records it knows; None if that fails."""
    events: list[Event] = []
    applied: dict[str, bool] = {}  # per event name, not per record
    try:
        for r in records:
            # events the aggregate does not apply (kept on the timeline only) are skipped
            known = applied.get(r.name)
            if known is None:
                known = applied[r.name] = (r.name in EVENT_TYPES and hasattr(
                    Incident, "_on_" + r.name.replace(".", "_")))
            if known:
                # from_record only reads the payload (no copy needed)
                events.append(Event.from_record(r.name, incident=number, actor=r.actor, at=r.at,
                                                payload=r.payload))  # type: ignore[arg-type]
        return Incident.replay(events)
    except (ValueError, KeyError, TypeError):
        return None


def _clock_figures(
    incident: Incident | None, policy: SeverityPolicy, playbook: Playbook | None,
    as_of: datetime, declared_at: datetime,
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    if incident is None:
        return {}, {}, []
    team = team_assembly_clock(incident, policy, as_of)
    first = first_statement_clock(incident, policy, as_of)

    def figure(clock: Any, target: timedelta, at_key: str) -> dict[str, Any]:
        return {at_key: clock.met_at,
                "seconds": m.seconds(clock.met_at - declared_at) if clock.met_at else None,
                "target_s": m.seconds(target), "state": clock.state.value,
                "due_at": clock.due_at}

    clocks = []
    if playbook is not None:
        chosen = all_clocks(incident, playbook=playbook, policy=policy, now=as_of)
    else:  # an unknown crisis type: the clocks every incident has
        chosen = [team, first]
    for clock in chosen:
        if clock.key == "postmortem":
            continue  # this report is what meets it
        clocks.append({"key": clock.key, "label_en": clock.label.en, "label_zh": clock.label.zh,
                       "due_at": clock.due_at, "state": clock.state.value,
                       "met_at": clock.met_at})
    level = policy.level(incident.severity)
    return (figure(team, level.team_within, "assembled_at"),
            figure(first, policy.first_statement_within, "published_at"), clocks)


def _resolved_at(records: list[TimelineRecord]) -> datetime | None:
    resolved: datetime | None = None
    for r in records:
        if r.name == "incident.resolved":
            resolved = r.at
        elif r.name == "incident.reopened":
            resolved = None
    return resolved


def _severity_history(records: list[TimelineRecord]) -> list[dict[str, Any]]:
    history = [{"severity": str(records[0].payload.get("severity")), "at": records[0].at,
                "reason": ""}]
    for r in records:
        if r.name == "incident.severity_changed":
            history.append({"severity": str(r.payload.get("new")), "at": r.at,
                            "reason": str(r.payload.get("reason") or "")})
    return history


def _summary(number: int, records: list[TimelineRecord], severities: list[dict[str, Any]],
             resolved_at: datetime | None, as_of: datetime) -> dict[str, Any]:
    declared = records[0]
    roles: dict[str, str] = {}
    status = "active"
    closed_at = None
    resolution = ""
    for r in records:
        if r.name == "role.assigned":
            roles[str(r.payload.get("role"))] = str(r.payload.get("user"))
        elif r.name == "incident.resolved":
            status, resolution = "resolved", str(r.payload.get("summary") or "")
        elif r.name == "incident.reopened":
            status = "active"
        elif r.name == "incident.closed":
            status, closed_at = "closed", r.at
    p = declared.payload
    return {
        "id": incident_id(number), "number": number, "title": str(p.get("title") or ""),
        "crisis_type": str(p.get("crisis_type") or ""), "severity": severities[-1]["severity"],
        "severity_history": severities, "status": status, "declared_at": declared.at,
        "declared_by": declared.actor, "resolved_at": resolved_at, "closed_at": closed_at,
        "duration_s": m.seconds((resolved_at or as_of) - declared.at), "roles": roles,
        "source": str(p.get("source") or "slack"), "description": str(p.get("description") or ""),
        "resolution": resolution,
    }


def _impact(records: list[TimelineRecord]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for r in records:
        if r.name == "impact.recorded":
            figures.update(dict(r.payload.get("figures") or {}))
    return figures


def _facts(records: list[TimelineRecord]) -> list[dict[str, Any]]:
    facts: dict[Any, dict[str, Any]] = {}
    for r in records:
        no = r.payload.get("fact_no")
        if r.name == "fact.added":
            facts[no] = {"fact_no": no, "text": str(r.payload.get("text") or ""),
                         "status": "unconfirmed", "added_at": r.at, "decided_at": None,
                         "reason": ""}
        elif r.name in ("fact.confirmed", "fact.retracted") and no in facts:
            facts[no].update(status="confirmed" if r.name == "fact.confirmed" else "retracted",
                             decided_at=r.at, reason=str(r.payload.get("reason") or ""))
    return list(facts.values())


def _notes(added: list[tuple[str, str, datetime, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The tagged notes per section (one pass over the notes, not one per section)."""
    notes: dict[str, list[dict[str, Any]]] = {tag: [] for tag in NOTE_SECTIONS}
    for _, actor, at, payload in added:
        tag = payload.get("tag")
        section = notes.get(tag) if isinstance(tag, str) else None
        if section is not None:
            section.append({"text": str(payload.get("text") or ""), "by": actor, "at": at})
    return notes


def _followups(records: list[Any]) -> list[dict[str, Any]]:
    """The action items with their state: ``done`` (by whom, when) or ``open``."""
    done: dict[Any, Any] = {}
    for r in records:
        if r.name == "followup.done":
            done[r.payload.get("item_no")] = r
        elif r.name == "followup.reopened":
            done.pop(r.payload.get("item_no"), None)
    out = []
    for r in records:
        if r.name != "followup.added":
            continue
        no = r.payload.get("item_no")
        closed = done.get(no)
        out.append({"item_no": no, "text": str(r.payload.get("text") or ""),
                    "owner": r.payload.get("owner"), "by": r.actor, "at": r.at,
                    "state": "done" if closed is not None else "open",
                    "done_by": closed.actor if closed is not None else None,
                    "done_at": closed.at if closed is not None else None})
    return out
