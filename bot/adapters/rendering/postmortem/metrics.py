"""Response metrics computed from the timeline records (pandas for the signal samples).

Every function takes the records as a :class:`RecordIndex` (``frame``: the records grouped by
name once, so each section reads only its own records instead of scanning the whole timeline)
and returns plain values: times as ``datetime``, durations as whole seconds, so the JSON
carries every figure as is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

from bot.adapters.rendering.postmortem.inputs import SignalSample, TimelineRecord

SENTIMENTS = ("negative", "neutral", "positive")

_Row = tuple[str, str, datetime, Any]


class RecordIndex:
    """The records in timeline order, indexed by name (positions only: the rows a section
    asks for are made when it asks)."""

    def __init__(self, records: Sequence[TimelineRecord]) -> None:
        self._records = records
        self._at: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            self._at.setdefault(r.name, []).append(i)

    def rows(self, *names: str) -> list[_Row]:
        """``(name, actor, at, payload)`` of the records with any of ``names``, in timeline order."""
        at = self._at
        found = (at.get(names[0], []) if len(names) == 1
                 else sorted(i for name in dict.fromkeys(names) for i in at.get(name, ())))
        records = self._records
        return [(r.name, r.actor, r.at, r.payload) for r in map(records.__getitem__, found)]


def records_frame(records: Sequence[TimelineRecord]) -> RecordIndex:
    return RecordIndex(records)


def seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def _rows(frame: RecordIndex, *names: str) -> list[_Row]:
    return frame.rows(*names)


def parse_time(value: Any) -> datetime | None:
    """Payload times are ISO-8601 strings; anything unreadable counts as absent."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


# --------------------------------------------------------------------------- detection


def detection(frame: RecordIndex, *, declared_at: datetime, source: str) -> dict[str, Any] | None:
    """The alerts linked to the incident and how long before the declaration the first signal came.

    The first signal is the earliest ``first_seen`` / ``observed_at`` of any fired alert (the
    record time when the alert carries neither). ``None`` when no monitor was involved.
    """
    fired = _rows(frame, "alert.fired")
    resolved = {
        (p.get("monitor"), p.get("fingerprint")): parse_time(p.get("observed_at")) or at
        for _, _, at, p in _rows(frame, "alert.resolved")
    }
    monitor = source.split(":", 1)[1] if source.startswith("monitor:") else None
    if not fired and monitor is None:
        return None
    alerts = []
    for _, _, at, p in fired:
        first = parse_time(p.get("first_seen")) or parse_time(p.get("observed_at")) or at
        alerts.append({
            "monitor": p.get("monitor"), "fingerprint": p.get("fingerprint"),
            "title": p.get("title") or "", "severity": p.get("severity"),
            "value": p.get("value"), "threshold": p.get("threshold"), "url": p.get("url"),
            "fired_at": at, "first_seen": first,
            "resolved_at": resolved.get((p.get("monitor"), p.get("fingerprint"))),
        })
    first_signal = min((a["first_seen"] for a in alerts), default=None)
    return {
        "monitor": monitor or (alerts[0]["monitor"] if alerts else None),
        "alerts": alerts,
        "first_signal_at": first_signal,
        "detect_to_declare_s": seconds(declared_at - first_signal) if first_signal else None,
    }


# --------------------------------------------------------------------------- stages


def stage_intervals(
    frame: RecordIndex, *, declared_at: datetime, end_at: datetime
) -> list[dict[str, Any]]:
    """Each stay in a stage (``assess`` from the declaration; a reopen re-enters ``recover``);
    the last stay ends at resolution, or at ``end_at`` while the incident is active."""
    stays: list[dict[str, Any]] = []
    current: tuple[str, datetime] | None = ("assess", declared_at)
    for name, _, at, p in _rows(frame, "stage.advanced", "incident.resolved", "incident.reopened"):
        if current is not None:
            stays.append({"stage": current[0], "entered_at": current[1], "left_at": at})
            current = None
        if name == "stage.advanced":
            current = (str(p.get("to_stage")), at)
        elif name == "incident.reopened":
            current = ("recover", at)
    if current is not None:
        stays.append({"stage": current[0], "entered_at": current[1], "left_at": None})
    for stay in stays:
        stay["seconds"] = seconds((stay["left_at"] or end_at) - stay["entered_at"])
    return stays


def stage_totals(stays: list[dict[str, Any]]) -> dict[str, int]:
    if not stays:
        return {}
    table = pd.DataFrame(stays)
    totals = table.groupby("stage", sort=False)["seconds"].sum()
    return {str(k): int(v) for k, v in totals.items()}


# --------------------------------------------------------------------------- tasks


def task_stats(frame: RecordIndex, *, as_of: datetime) -> dict[str, Any]:
    """Tasks on time, late and open (and open past their due time at ``as_of``).

    A task without a due time that was completed counts as on time.
    """
    added = _rows(frame, "task.added")
    if not added:
        return {"total": 0, "on_time": 0, "late": 0, "open": 0, "open_overdue": 0, "items": []}
    tasks: dict[int, dict[str, Any]] = {}
    for _, _, _, p in added:  # a task number added twice counts once (the first)
        no = int(p.get("task_no", 0))
        if no not in tasks:
            tasks[no] = {"task_no": no, "text": p.get("text_en") or "", "stage": p.get("stage"),
                         "owner_role": p.get("owner_role"), "due_at": parse_time(p.get("due_at"))}
    done: dict[int, tuple[datetime, bool]] = {}
    for _, _, at, p in _rows(frame, "task.completed"):  # the first completion counts
        done.setdefault(int(p.get("task_no", 0)), (at, bool(p.get("late"))))
    items = []
    counts = {"on_time": 0, "late": 0, "open": 0, "open_overdue": 0}
    for task in tasks.values():
        due = task["due_at"]
        done_at, late_flag = done.get(task["task_no"], (None, False))
        if done_at is None:
            state = "open"
            counts["open"] += 1
            if due is not None and as_of > due:
                counts["open_overdue"] += 1
                state = "open_overdue"
        elif late_flag or (due is not None and done_at > due):
            state = "late"
            counts["late"] += 1
        else:
            state = "on_time"
            counts["on_time"] += 1
        items.append({**task, "done_at": done_at, "state": state})
    return {"total": len(items), **counts, "items": items}


# --------------------------------------------------------------------------- statements


def approval_waits(frame: RecordIndex) -> list[dict[str, Any]]:
    """Per statement: first submission → final approval (the last approval before it was
    first published, or the last approval when it never was), rejections and versions."""
    rows = _rows(frame, "statement.drafted", "statement.edited", "statement.submitted",
                 "statement.approved", "statement.rejected", "statement.published")
    statements: dict[Any, dict[str, Any]] = {}
    for name, _, at, p in rows:
        sid = p.get("statement_id")
        s = statements.setdefault(sid, {
            "statement_id": sid, "audience": p.get("audience"), "kind": p.get("kind"),
            "lang": p.get("lang"), "versions": 0, "drafted_at": None, "submitted_at": None,
            "approved_at": None, "approvals": 0, "rejections": 0, "published_at": None,
        })
        for key in ("audience", "kind", "lang"):
            s[key] = s[key] or p.get(key)
        if p.get("version") is not None:
            s["versions"] = max(s["versions"], int(p["version"]))
        if name == "statement.drafted":
            s["drafted_at"] = s["drafted_at"] or at
        elif name == "statement.submitted":
            s["submitted_at"] = s["submitted_at"] or at
        elif name == "statement.approved":
            if s["published_at"] is None:
                s["approved_at"] = at
                s["approvals"] += 1
        elif name == "statement.rejected":
            s["rejections"] += 1
        elif name == "statement.published":
            s["published_at"] = s["published_at"] or at
    out = []
    for s in statements.values():
        if s["submitted_at"] is None:
            continue  # published without review (or only drafted): nothing waited for approval
        end = s["approved_at"]
        s["wait_s"] = seconds(end - s["submitted_at"]) if end else None
        s["versions"] = max(s["versions"], 1)
        out.append(s)
    return out


def communications(frame: RecordIndex) -> list[dict[str, Any]]:
    """Published statements grouped by audience, in publication order."""
    by_audience: dict[str, list[dict[str, Any]]] = {}
    for _, actor, at, p in _rows(frame, "statement.published"):
        by_audience.setdefault(str(p.get("audience") or "?"), []).append({
            "statement_id": p.get("statement_id"), "kind": p.get("kind"), "lang": p.get("lang"),
            "version": p.get("version"), "channel": p.get("channel") or "", "at": at, "by": actor,
        })
    return [{"audience": a, "count": len(s), "statements": s} for a, s in by_audience.items()]


def update_cadence(
    published: Sequence[datetime], *, severity_at: Callable[[datetime], str],
    every: Callable[[str], timedelta], end_at: datetime, resolved: bool,
) -> dict[str, Any]:
    """Gaps between stakeholder updates against the severity's cadence.

    Counted from the first published statement; each gap to the next publication (and the
    last one to the resolution) is kept when it is no longer than the cadence of the severity
    in force when the gap began. While the incident is active, the running gap counts only
    once it is already missed.
    """
    gaps = []
    times = sorted(published)
    ends = [*times[1:], end_at] if times else []
    for i, (start, stop) in enumerate(zip(times, ends)):
        last = i == len(times) - 1
        severity = severity_at(start)
        allowed = every(severity)
        kept = (stop - start) <= allowed
        if last and not resolved and kept:
            continue  # still running and not yet late
        gaps.append({"from": start, "to": stop, "seconds": seconds(stop - start),
                     "allowed_s": seconds(allowed), "severity": severity, "kept": kept,
                     "running": last and not resolved})
    kept_count = sum(1 for g in gaps if g["kept"])
    return {"kept": kept_count, "missed": len(gaps) - kept_count, "gaps": gaps}


# --------------------------------------------------------------------------- reminders


def reminders(frame: RecordIndex) -> dict[str, Any]:
    sent = _rows(frame, "reminder.sent")
    by_clock: dict[str, int] = {}
    for _, _, _, p in sent:
        key = str(p.get("clock") or p.get("kind") or "?")
        by_clock[key] = by_clock.get(key, 0) + 1
    return {"total": len(sent), "by_clock": by_clock}


# --------------------------------------------------------------------------- signals


def samples_frame(samples: Iterable[SignalSample]) -> pd.DataFrame:
    rows = list(samples)
    return pd.DataFrame({
        "monitor": [s.monitor for s in rows], "series": [s.series for s in rows],
        "at": pd.to_datetime([s.at for s in rows], utc=True),
        "value": [float(s.value) for s in rows],
    })


def signal_metrics(
    samples: pd.DataFrame, *, declared_at: datetime, resolved_at: datetime | None
) -> dict[str, Any] | None:
    """Mention-volume decay and sentiment share before / during / after the incident."""
    if samples.empty:
        return None
    out: dict[str, Any] = {"monitors": sorted(samples["monitor"].unique().tolist()),
                           "mentions": None, "sentiment": None}
    mentions = samples[samples["series"] == "mentions"].groupby("at")["value"].sum().sort_index()
    if not mentions.empty:
        peak_at = mentions.idxmax()
        peak = float(mentions.max())
        after_peak = mentions[mentions.index > peak_at]
        below = after_peak[after_peak <= peak / 2]
        half_life = seconds(below.index[0].to_pydatetime() - peak_at.to_pydatetime()) if not below.empty else None
        at_resolution = None
        if resolved_at is not None:
            upto = mentions[mentions.index <= pd.Timestamp(resolved_at)]
            if not upto.empty and peak:
                at_resolution = round(float(upto.iloc[-1]) / peak, 4)
        out["mentions"] = {
            "peak": peak, "peak_at": peak_at.to_pydatetime(), "half_life_s": half_life,
            "at_resolution_share": at_resolution, "total": float(mentions.sum()),
            "points": [(t.to_pydatetime(), float(v)) for t, v in mentions.items()],
        }
    sentiment = samples[samples["series"].isin(SENTIMENTS)].copy()
    if not sentiment.empty:
        declared = pd.Timestamp(declared_at)
        resolved = pd.Timestamp(resolved_at) if resolved_at else None
        period = pd.Series("during", index=sentiment.index)
        period[sentiment["at"] < declared] = "before"
        if resolved is not None:
            period[sentiment["at"] >= resolved] = "after"
        sentiment["period"] = period
        sums = sentiment.pivot_table(index="period", columns="series", values="value",
                                     aggfunc="sum", fill_value=0.0)
        shares: dict[str, dict[str, float]] = {}
        for name in ("before", "during", "after"):
            if name not in sums.index:
                continue
            row = sums.loc[name]
            total = float(row.sum())
            if total <= 0:
                continue
            shares[name] = {s: round(float(row.get(s, 0.0)) / total, 4) for s in SENTIMENTS}
        out["sentiment"] = shares
    return out
