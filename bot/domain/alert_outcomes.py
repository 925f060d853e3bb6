"""Dynamic thresholds (动态阈值): what became of each signal alert, each rule's precision and
lead time, and the threshold its history suggests (pure).

Outcomes:

- ``kept`` — the alert's incident stayed an incident (every level, SS, S and A, counts:
  "A or above");
- ``dismissed`` — the team dismissed it: the incident was resolved with a summary starting
  ``dismissed`` / ``false alarm`` / ``误报``, or resolved within ``dismiss_within`` of its
  declaration without publishing a statement;
- ``snoozed`` — it arrived while its monitor was snoozed (recorded, nothing opened);
- ``pending`` — its incident is still young and open: not counted yet.

Precision is kept ÷ (kept + dismissed + snoozed). Lead time is how long before the peak of
its signal the alert fired (the warning it gave). The suggested threshold is the highest one
that would still have fired for every kept alert (recall kept), if that cuts false alerts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

KEPT, DISMISSED, SNOOZED, PENDING = "kept", "dismissed", "snoozed", "pending"
DISMISS_WORDS = ("dismissed", "dismiss", "false alarm", "false positive", "误报", "誤報", "虚警")


@dataclass(frozen=True)
class AlertFacts:
    """One stored alert and what its incident did."""

    monitor: str
    fingerprint: str
    status: str
    first_seen: datetime
    value: float | None
    threshold: float | None
    declared_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str = ""
    statements_published: int = 0
    peak_at: datetime | None = None


def outcome(alert: AlertFacts, *, now: datetime,
            dismiss_within: timedelta = timedelta(hours=1)) -> str:
    if alert.status == "snoozed":
        return SNOOZED
    if alert.declared_at is None:
        return PENDING
    summary = alert.resolution.strip().lower()
    if alert.resolved_at is not None and summary.startswith(DISMISS_WORDS):
        return DISMISSED
    if (alert.resolved_at is not None and alert.resolved_at - alert.declared_at < dismiss_within
            and alert.statements_published == 0):
        return DISMISSED
    if alert.resolved_at is None and now - alert.declared_at < dismiss_within:
        return PENDING
    return KEPT


@dataclass(frozen=True)
class RuleReview:
    monitor: str
    current: float | None
    outcomes: dict[str, int] = field(default_factory=dict)
    precision: float | None = None
    lead_time: timedelta | None = None
    suggested: float | None = None
    cut: int = 0
    reason: str = ""


def review_rule(monitor: str, alerts: Sequence[AlertFacts], *, now: datetime,
                direction: int = 1, dismiss_within: timedelta = timedelta(hours=1)) -> RuleReview:
    """``direction`` is +1 for rules that fire at or above their threshold, −1 below."""
    labelled = [(a, outcome(a, now=now, dismiss_within=dismiss_within)) for a in alerts]
    counts = {k: sum(1 for _, o in labelled if o == k) for k in (KEPT, DISMISSED, SNOOZED, PENDING)}
    decided = counts[KEPT] + counts[DISMISSED] + counts[SNOOZED]
    precision = counts[KEPT] / decided if decided else None
    leads = sorted(a.peak_at - a.first_seen for a, o in labelled
                   if o == KEPT and a.peak_at is not None and a.peak_at >= a.first_seen)
    lead = leads[len(leads) // 2] if leads else None
    current = next((a.threshold for a in reversed(alerts) if a.threshold is not None), None)
    kept_values = [a.value * direction for a, o in labelled if o == KEPT and a.value is not None]
    false_values = [a.value * direction for a, o in labelled
                    if o in (DISMISSED, SNOOZED) and a.value is not None]
    suggested, cut, reason = None, 0, ""
    if not kept_values:
        reason = "no kept alert yet: nothing to keep recall against"
    elif not false_values:
        reason = "no false alert: the threshold can stay"
    else:
        level = _round_down(min(kept_values))  # every kept alert fired at or above this
        cut = sum(1 for v in false_values if v < level)
        if cut == 0:
            reason = "the false alerts fired as high as the kept ones: a threshold cannot tell them apart"
        elif current is not None and level <= current * direction:
            cut = 0
            reason = "the current threshold is already at the lowest kept alert"
        else:
            suggested = level * direction
            reason = (f"keeps all {len(kept_values)} kept alert(s), would have cut "
                      f"{cut} of {len(false_values)} false one(s)")
    return RuleReview(monitor, current, counts, precision, lead, suggested, cut, reason)


def _round_down(value: float) -> float:
    """A readable threshold a little under ``value`` (two significant figures)."""
    if value <= 0:
        return value
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return math.floor(value / step) * step
