"""Polled signal monitors: read each source on its interval, store its samples, evaluate its
rule, and send the verdict through the alert pipeline (same dedup as the webhooks).

The clock is injected and :meth:`Poller.run_due` does one cycle, so tests (and ``crisisbot
demo``) drive polls directly; :meth:`Poller.start` runs cycles in a thread for ``serve``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from bot.adapters.db.leader import LeaderLock
from bot.adapters.monitors.config import SourceSpec
from bot.adapters.monitors.urls import public_url
from bot.adapters.scheduler.leader_loop import LeaderPolling
from bot.domain.alerts import Alert, AlertOutcome, AlertStatus
from bot.services.alert_ports import SampleStore

if TYPE_CHECKING:
    from bot.adapters.monitors.rules import Verdict

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    source: str
    verdict: Verdict | None
    outcome: AlertOutcome | None
    samples: int
    error: str | None = None


class Poller(LeaderPolling):
    thread_name = "monitor-poller"

    def __init__(
        self,
        *,
        sources: Sequence[SourceSpec],
        ingest: Callable[[Sequence[Alert]], list[AlertOutcome]],
        samples: SampleStore,
        clock: Callable[[], datetime],
        client: httpx.Client | None = None,
        leader: LeaderLock | None = None,
    ) -> None:
        self.sources = tuple(sources)
        #: With replicas, only the holder of this lock polls (the others would fetch the same
        #: data again; their alerts would be deduplicated, but the sources would be hit twice).
        self.leader = leader
        self.ingest = ingest
        self.samples = samples
        self.clock = clock
        self._client = client
        self._next: dict[str, datetime] = {}

    def poll(self, source: SourceSpec) -> PollResult:
        """Read ``source`` once, store its samples, evaluate its rule, ingest the verdict."""
        # pandas loads with the first poll, not at start-up: a bot without polled sources
        # never pays for it (start-up time and idle memory, SPEC P5).
        from bot.adapters.monitors.rules import evaluate
        from bot.adapters.monitors.sources import SourceError, fetch, read_file

        try:
            frame = fetch(self.client, source.url) if source.url else read_file(source.path)  # type: ignore[arg-type]
        except SourceError as exc:
            log.warning("source %s unreadable: %s", source.name, exc)
            return PollResult(source.name, None, None, 0, str(exc))
        if source.metric not in frame.columns:
            error = f"{source.name}: no series {source.metric!r} (has {', '.join(frame.columns)})"
            log.warning(error)
            return PollResult(source.name, None, None, 0, error)
        rows = [
            (str(series), stamp.to_pydatetime(), float(value))
            for series in frame.columns
            for stamp, value in frame[series].dropna().items()
        ]
        stored = self.samples.store_samples(source.name, rows)
        verdict = evaluate(source.rule, frame[source.metric])
        if verdict.at is None:
            return PollResult(source.name, verdict, None, stored)
        outcome = self.ingest([alert_for(source, verdict)])[0]
        return PollResult(source.name, verdict, outcome, stored)

    def run_due(self) -> list[PollResult]:
        """One cycle: poll every source whose interval has elapsed (all of them the first time)."""
        now = self.clock()
        results = []
        for source in self.sources:
            if self._next.get(source.name, now) > now:
                continue
            self._next[source.name] = now + source.interval
            try:
                results.append(self.poll(source))
            except Exception as exc:
                log.exception("polling %s failed", source.name)
                results.append(PollResult(source.name, None, None, 0, str(exc)))
        return results


def alert_for(source: SourceSpec, verdict: Verdict) -> Alert:
    """The alert a verdict becomes: firing when the rule fired, else resolved."""
    assert verdict.at is not None
    labels = dict(source.labels) | {"metric": source.metric, "rule": source.rule.kind,
                                    "reason": verdict.reason}
    return Alert(
        monitor=source.name, fingerprint=f"{source.name}/{source.metric}/{source.rule.kind}",
        status=AlertStatus.FIRING if verdict.fired else AlertStatus.RESOLVED,
        title=source.title, observed_at=verdict.at, severity=source.severity,
        crisis_type=source.crisis_type, value=verdict.value, threshold=verdict.threshold,
        labels=labels, url=public_url(source.url) if source.url else "",
    )
