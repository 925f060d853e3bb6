"""Incident snapshots: the replayed state of an incident and the id of its last event.

Written in the same transaction as the events it includes (:class:`SnapshotWriter`, called by
the unit of work just before it commits); read by ``SqlIncidentRepository.get`` as snapshot +
the events after it. A snapshot of another :data:`~bot.domain.snapshot.SCHEMA`, or one that
cannot be read, is ignored: the incident is replayed from its whole timeline, and its next
change stores a fresh snapshot. :func:`check_incident` compares snapshot + tail with a full
replay (``crisisbot verify``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, ForeignKey, String, Text, bindparam, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.adapters.db.models import Base, IncidentRow, TimelineRow
from bot.adapters.db.types import BigId
from bot.domain import snapshot
from bot.domain.events import Event
from bot.domain.incident import Incident

log = logging.getLogger(__name__)


class SnapshotRow(Base):
    __tablename__ = "incident_snapshots"
    incident: Mapped[int] = mapped_column(ForeignKey("incidents.number"), primary_key=True)
    #: :data:`bot.domain.snapshot.SCHEMA` of the code that wrote it.
    schema: Mapped[str] = mapped_column(String(40), nullable=False)
    #: The timeline id of the last event the state includes.
    last_event: Mapped[int] = mapped_column(BigId, nullable=False)
    state: Mapped[str] = mapped_column(Text, nullable=False)


# Built once (see repositories): every command reads a snapshot and its tail, and every
# change writes one; a dialect's ``INSERT … ON CONFLICT`` would be compiled on every call.
_READ = (select(SnapshotRow.schema, SnapshotRow.last_event, SnapshotRow.state)
         .where(SnapshotRow.incident == bindparam("number")))
_TAIL = (select(TimelineRow.id, TimelineRow.name, TimelineRow.actor, TimelineRow.occurred_at,
                TimelineRow.payload)
         .where(TimelineRow.incident == bindparam("number"), TimelineRow.id > bindparam("after"))
         .order_by(TimelineRow.id))

#: A change made only of ``timeline_only`` events (notes, captured messages, reminders sent)
#: changes no state but ``updated_at``: its snapshot is not rewritten while the tail after
#: the stored one stays shorter than this, so a burst of notes does not re-encode the whole
#: state each time, and a load still applies at most this many events.
MAX_TAIL = 16
_WRITE = text(
    'INSERT INTO incident_snapshots (incident, "schema", last_event, state) '
    "VALUES (:incident, :schema, :last_event, :state) ON CONFLICT (incident) DO UPDATE SET "
    '"schema" = excluded."schema", last_event = excluded.last_event, state = excluded.state')


@dataclass(frozen=True)
class Stored:
    """A readable snapshot: the incident as of timeline id ``last_event``."""

    incident: Incident
    last_event: int


def read(session: Session, number: int) -> Stored | None:
    """The incident's snapshot if there is one of the current schema that can be read."""
    row = session.execute(_READ, {"number": number}).one_or_none()
    if row is None:
        return None
    return usable(number, schema=row.schema, last_event=row.last_event, state=row.state)


def usable(number: int, *, schema: str | None, last_event: int | None,
           state: str | None) -> Stored | None:
    """The snapshot stored as these columns, if it is of the current schema and readable."""
    if schema != snapshot.SCHEMA or last_event is None or state is None:
        return None
    try:
        incident = snapshot.restore(json.loads(state))
    except (snapshot.SnapshotError, ValueError) as exc:
        log.warning("snapshot of INC-%s unreadable (%s); replaying its timeline", number, exc)
        return None
    if incident.number != number:
        log.warning("snapshot of INC-%s holds another incident; replaying its timeline", number)
        return None
    return Stored(incident, int(last_event))


def events_after(session: Session, number: int, after: int) -> list[Event]:
    """The incident's events after timeline id ``after``, oldest first."""
    return [event(number, row) for row in tail_rows(session, number, after)]


def tail_rows(session: Session, number: int, after: int) -> list[Any]:
    """The rows (id, name, actor, at, payload) of the events after timeline id ``after``,
    oldest first, not yet parsed."""
    return list(session.execute(_TAIL, {"number": number, "after": after}))


def event(number: int, row: Any) -> Event:
    """The event of a row of :func:`tail_rows`."""
    _, name, actor, at, payload = row
    return Event.from_record(name, incident=number, actor=actor, at=at, payload=payload)


def write(session: Session, incident: Incident, *, last_event: int) -> None:
    """Store ``incident`` as the state after timeline event ``last_event``, its latest
    (the incident's row is locked by the transaction, so no other writer appends meanwhile)."""
    try:
        state = json.dumps(snapshot.dump(incident), separators=(",", ":"))
    except snapshot.SnapshotError as exc:
        log.warning("INC-%s: state not snapshotted (%s); it is replayed instead", incident.number, exc)
        return
    session.execute(_WRITE, {"incident": incident.number, "schema": snapshot.SCHEMA,
                             "last_event": last_event, "state": state})


class SnapshotWriter:
    """Remembers the incidents saved and the events appended in one unit of work, and stores
    a snapshot of each incident whose appended events are exactly its recorded ones."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.saved: dict[int, Incident] = {}
        self.appended: dict[int, list[Event]] = {}
        self.last_id: dict[int, int] = {}
        #: Events after the stored snapshot when the incident was loaded (repositories).
        self.tail_length: dict[int, int] = {}

    def saving(self, incident: Incident) -> None:
        self.saved[incident.number] = incident

    def appending(self, events: Sequence[Event], ids: Sequence[int]) -> None:
        """``events`` were stored under timeline ``ids`` (in the same order)."""
        for event, row_id in zip(events, ids, strict=True):
            self.appended.setdefault(event.incident, []).append(event)
            self.last_id[event.incident] = max(row_id, self.last_id.get(event.incident, 0))

    def flush(self) -> None:
        try:
            for number, events in self.appended.items():
                incident = self.saved.get(number)
                # The state includes exactly these events only if they are the ones it recorded;
                # otherwise the old snapshot stays and the new events are its tail.
                if incident is None or len(events) != len(incident.pending) or any(
                        a is not b for a, b in zip(events, incident.pending)):
                    continue
                loaded_tail = self.tail_length.get(number)
                if (loaded_tail is not None and loaded_tail + len(events) < MAX_TAIL
                        and all(e.timeline_only for e in events)):
                    continue  # the stored snapshot + its (short) tail already say it all
                write(self.session, incident, last_event=self.last_id[number])
        finally:
            self.saved.clear()
            self.appended.clear()
            self.last_id.clear()
            self.tail_length.clear()


# ---------------------------------------------------------------- the check (crisisbot verify)

@dataclass(frozen=True)
class SnapshotReport:
    incident: int
    #: ``ok`` (snapshot + tail equals the full replay), ``none`` (no snapshot yet), ``old``
    #: (another schema: it is rebuilt by replay), ``unreadable`` or ``differs``.
    status: str
    tail: int = 0

    @property
    def consistent(self) -> bool:
        return self.status not in ("differs", "unreadable")


#: What ``crisisbot verify`` prints for each status.
SNAPSHOT_STATUS = {
    "ok": "snapshot matches a full replay ({tail} events after it)",
    "none": "no snapshot yet (loaded by replay; its next change stores one)",
    "old": "snapshot of an older schema, not used (rebuilt by replay on its next change)",
    "unreadable": "SNAPSHOT UNREADABLE: it is not used (loaded by replay)",
    "differs": "SNAPSHOT DIFFERS from a replay of the whole timeline: it was changed outside "
               "crisisbot, or the snapshot format changed without a new FORMAT number",
}


def check_incident(session: Session, number: int) -> SnapshotReport:
    """Compare the stored snapshot + the events after it with a replay of the whole timeline."""
    row = session.execute(
        select(SnapshotRow.schema).where(SnapshotRow.incident == number)).one_or_none()
    if row is None:
        return SnapshotReport(number, "none")
    if row.schema != snapshot.SCHEMA:
        return SnapshotReport(number, "old")
    stored = read(session, number)
    if stored is None:
        return SnapshotReport(number, "unreadable")
    tail = events_after(session, number, stored.last_event)
    loaded = stored.incident.catch_up(tail)
    full = Incident.replay(events_after(session, number, 0))
    return SnapshotReport(number, "ok" if snapshot.same_state(loaded, full) else "differs", len(tail))


def check_all(engine: Engine, numbers: list[int] | None = None) -> list[SnapshotReport]:
    """One report per incident (all of them unless ``numbers`` names some)."""
    with Session(engine) as session:
        query = select(IncidentRow.number).order_by(IncidentRow.number)
        if numbers is not None:
            query = query.where(IncidentRow.number.in_(numbers))
        return [check_incident(session, number) for number in session.execute(query).scalars()]
