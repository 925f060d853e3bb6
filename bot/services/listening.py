"""Listening use cases: posts in (classify, store, run the post rules into the alert
pipeline). The incident side (digests, KOLs, spread) is ``listening_incidents.py``.

Ports: a classifier, a post store and the rules (``bot.adapters.listening``), and the alert
service's ``ingest_batch``; the service decides when the rules run (at most once per
``evaluate_every``, so a flood of small batches does not rebuild the series each time).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.alerts import Alert, AlertOutcome
from bot.domain.errors import DomainError
from bot.domain.listening import Post

log = logging.getLogger(__name__)


class Classifier(Protocol):
    def classify_all(self, posts: Sequence[Post]) -> list[Post]: ...


class PostStore(Protocol):
    def save(self, posts: Sequence[Post], *, source: str, at: datetime) -> int: ...

    def posts(self, *, since: datetime, until: datetime | None = None,
              classes: Sequence[str] | None = None) -> list[Post]: ...


class SignalRules(Protocol):
    def evaluate(self, now: datetime) -> list[Alert]: ...


@dataclass(frozen=True)
class IngestReport:
    stored: int
    outcomes: list[AlertOutcome] = field(default_factory=list)
    rule_errors: list[str] = field(default_factory=list)


class ListeningService:
    def __init__(self, *, classifier: Classifier, store: PostStore, rules: SignalRules,
                 alerts: Callable[[Sequence[Alert]], list[AlertOutcome | DomainError]],
                 clock: Callable[[], datetime], evaluate_every: timedelta = timedelta(seconds=30)) -> None:
        self.classifier = classifier
        self.store = store
        self.rules = rules
        self.alerts = alerts
        self.clock = clock
        self.evaluate_every = evaluate_every
        self._last_evaluation: datetime | None = None
        self._lock = threading.Lock()

    def ingest(self, posts: Sequence[Post], *, source: str, evaluate: bool = True) -> IngestReport:
        """Classify and store ``posts`` in one transaction, then run the rules if due."""
        classified = self.classifier.classify_all(posts)
        stored = self.store.save(classified, source=source, at=self.clock())
        if not evaluate:
            return IngestReport(stored)
        outcomes, errors = self.evaluate()
        return IngestReport(stored, outcomes, errors)

    def evaluate(self, *, force: bool = False) -> tuple[list[AlertOutcome], list[str]]:
        """Run the post rules (when due, or ``force``) and hand their verdicts to the alert
        pipeline; returns the outcomes and the messages of alerts it refused."""
        now = self.clock()
        with self._lock:
            due = (force or self._last_evaluation is None
                   or now - self._last_evaluation >= self.evaluate_every)
            if not due:
                return [], []
            self._last_evaluation = now
        try:
            alerts = self.rules.evaluate(now)
        except Exception:  # the posts are stored; a rule that cannot run must not lose them
            error_id = uuid.uuid4().hex[:8]
            log.exception("listening rules failed (error id %s)", error_id)
            return [], [f"the post rules could not run (error id {error_id}); the posts are stored"]
        if not alerts:
            return [], []
        results = self.alerts(alerts)
        outcomes = [r for r in results if isinstance(r, AlertOutcome)]
        errors = [r.message for r in results if isinstance(r, DomainError)]
        return outcomes, errors

    def posts(self, *, since: datetime, until: datetime | None = None,
              classes: Sequence[str] | None = None) -> list[Post]:
        return self.store.posts(since=since, until=until, classes=classes)
