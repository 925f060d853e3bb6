"""The timeline's hash chain: each event stores SHA-256(previous event's hash + its own
canonical content), per incident, starting from :data:`GENESIS`.

Editing, deleting or reordering any stored event (even by a database superuser who can
switch the append-only triggers off) breaks the chain at that event; :func:`verify` names the
first broken link. The head (the last hash) sums up the whole history: a post-mortem or an
export that quotes it lets anyone check later that nothing was changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def _normal(value: Any) -> Any:
    """Values as they come back from either database's JSON column (PostgreSQL's JSONB
    returns 1e20 as an integer, so whole floats are hashed as integers)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    return value


def canonical(*, incident: int, name: str, actor: str, at: datetime, payload: dict[str, Any]) -> bytes:
    """The bytes an event's hash covers: every stored field, in a fixed order and form."""
    document = {
        "incident": incident, "name": name, "actor": actor,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": _normal(payload),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(previous: str, content: bytes) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + content).hexdigest()


@dataclass(frozen=True)
class StoredEvent:
    """One timeline row as stored: its row id, position and stored hash."""

    row_id: int
    incident: int
    name: str
    actor: str
    at: datetime
    payload: dict[str, Any]
    stored_hash: str | None


@dataclass(frozen=True)
class ChainReport:
    incident: int
    events: int
    head: str
    #: The first event whose stored hash does not follow from its predecessor and content.
    broken: StoredEvent | None = None
    broken_index: int | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(incident: int, events: Iterable[StoredEvent]) -> ChainReport:
    """Recompute the chain over ``events`` (in row order); stop at the first broken link."""
    previous, count = GENESIS, 0
    for index, event in enumerate(events, start=1):
        expected = link(previous, canonical(incident=event.incident, name=event.name,
                                            actor=event.actor, at=event.at, payload=event.payload))
        if event.stored_hash != expected or event.incident != incident:
            return ChainReport(incident, index - 1, previous, broken=event, broken_index=index)
        previous, count = expected, index
    return ChainReport(incident, count, previous)
