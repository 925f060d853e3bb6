"""Polled post sources: a JSON or CSV export, at a URL or in a file, read on its interval.

Each poll reads the whole export and ingests it (a post already stored only has its
engagement updated), so an export that grows over time is simply read again. Bad records are
logged one line each (``export.csv:7: posts.posted_at …``) and skipped. The same loop runs
the post rules when they are due and the incident side's periodic work (digests).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from bot.adapters.db.leader import LeaderLock
from bot.adapters.listening.config import PostSource
from bot.adapters.listening.records import (
    RecordError,
    RecordProblem,
    parse_csv,
    parse_records,
    records_from_json,
)
from bot.adapters.monitors.urls import public_url
from bot.adapters.scheduler.leader_loop import LeaderPolling
from bot.domain.alerts import AlertOutcome
from bot.domain.listening import Post
from bot.services.listening import ListeningService

log = logging.getLogger(__name__)

MAX_EXPORT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class SourceResult:
    source: str
    stored: int = 0
    rejected: list[RecordError] = field(default_factory=list)
    error: str | None = None
    outcomes: list[AlertOutcome] = field(default_factory=list)


def read_export(text: str, *, source: str) -> tuple[list[Post], list[RecordError]]:
    """Posts of a JSON (list or ``{"posts": [...]}``) or CSV export."""
    if text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordProblem(f"{source}: not valid JSON: {exc}") from None
        try:
            records = records_from_json(data)
        except RecordProblem as exc:
            raise RecordProblem(f"{source}: {exc}") from None
        return parse_records(records, locate=lambda i: f"{source}: posts[{i}]")
    return parse_csv(text, source=source)


class PostSourcePoller(LeaderPolling):
    thread_name = "listening"

    def __init__(self, *, sources: Sequence[PostSource], service: Callable[[], ListeningService],
                 clock: Callable[[], datetime], client: httpx.Client | None = None,
                 periodic: Sequence[Callable[[], object]] = (), leader: LeaderLock | None = None) -> None:
        self.sources = tuple(sources)
        self.service = service
        self.clock = clock
        self._client = client
        self.periodic = tuple(periodic)
        #: With replicas only the lock holder polls and posts digests (marks dedupe anyway).
        self.leader = leader
        self._next: dict[str, datetime] = {}

    def _text(self, source: PostSource) -> str:
        if source.url:
            shown = public_url(source.url)
            try:  # streamed: an endless or huge export is never held in memory past the limit
                with self.client.stream("GET", source.url, timeout=30) as response:
                    if response.status_code != 200:
                        raise RecordProblem(f"{shown}: HTTP {response.status_code}")
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > MAX_EXPORT_BYTES:
                            raise RecordProblem(f"{shown}: larger than {MAX_EXPORT_BYTES} bytes")
                        chunks.append(chunk)
                    return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
            except httpx.HTTPError as exc:
                raise RecordProblem(f"{shown}: {exc.__class__.__name__}: {exc}") from None
        assert source.path is not None
        try:
            if Path(source.path).stat().st_size > MAX_EXPORT_BYTES:
                raise RecordProblem(f"{source.path}: larger than {MAX_EXPORT_BYTES} bytes")
            return Path(source.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise RecordProblem(f"{source.path}: cannot be read ({reason})") from None

    def poll(self, source: PostSource) -> SourceResult:
        shown = public_url(source.url) if source.url else str(source.path)
        try:
            posts, rejected = read_export(self._text(source), source=shown)
        except RecordProblem as exc:
            log.warning("post source %s unreadable: %s", source.name, exc)
            return SourceResult(source.name, error=str(exc))
        for problem in rejected[:20]:
            log.warning("post source %s: %s", source.name, problem.error)
        report = self.service().ingest(posts, source=source.name) if posts else None
        if report is None:
            return SourceResult(source.name, 0, rejected)
        return SourceResult(source.name, report.stored, rejected, outcomes=report.outcomes)

    def run_due(self) -> list[SourceResult]:
        now = self.clock()
        results = []
        for source in self.sources:
            if now < self._next.get(source.name, now):
                continue
            self._next[source.name] = now + source.interval
            try:
                results.append(self.poll(source))
            except Exception as exc:
                log.exception("polling posts from %s failed", source.name)
                results.append(SourceResult(source.name, error=str(exc)))
        for job in self.periodic:
            try:
                job()
            except Exception:
                log.exception("listening job failed")
        return results
