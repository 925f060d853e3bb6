"""Post-mortem use cases: build (or reuse) a stored version, publish it to the incident.

The data shapes (:class:`TimelineRecord`, :class:`SignalSample`, :class:`PostmortemInput`) are
plain dataclasses; rendering and storage are ports implemented in adapters. A version is
stored per distinct input: building again from the same data returns the stored version, so
the same data always gives the same report.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Protocol, Sequence

from bot.domain.errors import Conflict
from bot.domain.incident import incident_id
from bot.domain.roles import Actor
from bot.services.incidents import IncidentService, Outcome


@dataclass(frozen=True, slots=True)
class TimelineRecord:
    """One stored timeline row: ``payload`` is the event's ``payload()`` dict."""

    name: str
    actor: str
    at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SignalSample:
    """One monitor reading: ``series`` is ``mentions``, ``negative``, ``neutral`` or ``positive``
    for social monitors, or any metric name for others."""

    monitor: str
    series: str
    at: datetime
    value: float


@dataclass(frozen=True)
class PostmortemInput:
    """Everything one report is computed from; the same input always gives the same report."""

    incident: int
    records: tuple[TimelineRecord, ...]
    samples: tuple[SignalSample, ...] = ()
    #: The timeline's hash-chain head when read (``crisisbot verify`` prints the same). Left
    #: out of :meth:`digest`: it follows from the records, publications included.
    chain_head: str = ""
    #: The listening section's figures (``bot.domain.listening_review``), when posts exist.
    listening: Mapping[str, Any] | None = None

    def digest(self, *, lang: str) -> str:
        """A stable hash of the input. Post-mortem publications are left out: publishing a
        report must not change what the next build of the same data shows."""
        h = hashlib.sha256(f"{self.incident}|{lang}".encode())
        for r in self.records:
            if r.name == "postmortem.published":
                continue
            h.update(json.dumps([r.name, r.actor, r.at.isoformat(), r.payload],
                                sort_keys=True, default=str, ensure_ascii=False).encode())
        for s in self.samples:
            h.update(f"|{s.monitor}|{s.series}|{s.at.isoformat()}|{s.value!r}".encode())
        if self.listening:
            h.update(json.dumps(self.listening, sort_keys=True, default=str).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class RenderedPostmortem:
    markdown: str
    html: str
    json: str
    summary: tuple[str, ...]  # headline figures, one line each, for the Slack message


@dataclass(frozen=True)
class StoredPostmortem:
    incident: int
    version: int
    digest: str
    lang: str
    created_at: datetime
    created_by: str
    rendered: RenderedPostmortem
    reused: bool = False

    @property
    def incident_label(self) -> str:
        return incident_id(self.incident)

    def filename(self, ext: str) -> str:
        return f"{self.incident_label}-postmortem-v{self.version}.{ext}"


class PostmortemRenderer(Protocol):
    def render(self, source: PostmortemInput, *, lang: str) -> RenderedPostmortem: ...


class PostmortemArchive(Protocol):
    def records(self, number: int) -> list[TimelineRecord]:
        """The incident's timeline as stored, in order; raises ``NotFound`` for no incident."""

    def chain_head(self, number: int) -> str:
        """The head of the incident's timeline hash chain (see ``bot.domain.chain``)."""

    def find(self, number: int, digest: str) -> StoredPostmortem | None: ...

    def get(self, number: int, version: int) -> StoredPostmortem | None: ...

    def save(self, number: int, *, digest: str, lang: str, rendered: RenderedPostmortem,
             at: datetime, by: str) -> StoredPostmortem:
        """Store the next version; if the same digest was stored meanwhile, return that one."""


class SignalSource(Protocol):
    def samples(self, number: int) -> Sequence[SignalSample]: ...


class NoSignals:
    """The default signal source: no monitor samples stored."""

    def samples(self, number: int) -> Sequence[SignalSample]:
        return ()


@dataclass
class PostmortemService:
    archive: PostmortemArchive
    renderer: PostmortemRenderer
    incidents: IncidentService
    clock: Callable[[], datetime]
    signals: SignalSource = field(default_factory=NoSignals)
    default_lang: str = "en"
    #: The listening section's figures of an incident (None: no posts, or listening is off).
    listening: Callable[[int], Mapping[str, Any] | None] | None = None

    def source(self, number: int) -> PostmortemInput:
        records = tuple(self.archive.records(number))
        return PostmortemInput(number, records, tuple(self.signals.samples(number)),
                               chain_head=self.archive.chain_head(number),
                               listening=self.listening(number) if self.listening else None)

    def generate(self, number: int, *, by: str, lang: str | None = None) -> StoredPostmortem:
        """The stored version for the incident's current data, built and stored if new."""
        lang = lang or self.default_lang
        source = self.source(number)
        digest = source.digest(lang=lang)
        found = self.archive.find(number, digest)
        if found is not None:
            return found
        rendered = self.renderer.render(source, lang=lang)
        return self.archive.save(number, digest=digest, lang=lang, rendered=rendered,
                                 at=self.clock(), by=by)

    def publish(
        self, number: int, *, actor: Actor, lang: str | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[StoredPostmortem, Outcome]:
        """Build (or reuse) the report and record ``postmortem.published``; the Slack planner
        turns that event into the upload of the files."""
        incident = self.incidents.get(number)
        if incident.resolved_at is None:
            raise Conflict(f"{incident.id} is not resolved yet; the post-mortem comes after "
                           f"`/crisis resolve`. `crisisbot postmortem {incident.id}` builds a "
                           "draft meanwhile.")
        stored = self.generate(number, by=actor.id, lang=lang)
        outcome = self.incidents.publish_postmortem(
            number, version=stored.version, actor=actor, idempotency_key=idempotency_key)
        return stored, outcome
