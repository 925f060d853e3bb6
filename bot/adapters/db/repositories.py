"""Repositories over one SQLAlchemy session (one transaction)."""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import Sequence

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from bot.adapters.db import snapshots
from bot.adapters.db.models import CounterRow, IdempotencyRow, IncidentRow, TimelineRow
from bot.adapters.db.types import UTCDateTime
from bot.domain import snapshot
from bot.domain.chain import GENESIS, canonical, link
from bot.domain.errors import NotFound
from bot.domain.events import Event
from bot.domain.incident import Incident, incident_id
from bot.services.ports import IncidentSummary

# The statements every command runs, built once: building a statement costs more than
# running it, and a dialect's ``INSERT … ON CONFLICT`` construct is compiled on every call.
_INCIDENTS = IncidentRow.__table__
_LOCK_INCIDENT = (select(IncidentRow.number).where(IncidentRow.number == bindparam("number"))
                  .with_for_update())
_SNAPSHOTS = snapshots.SnapshotRow.__table__
_LOAD = (select(IncidentRow.number, _SNAPSHOTS.c.schema, _SNAPSHOTS.c.last_event,
                _SNAPSHOTS.c.state)
         .outerjoin(_SNAPSHOTS, _SNAPSHOTS.c.incident == IncidentRow.number)
         .where(IncidentRow.number == bindparam("number")))
_LOAD_LOCKED = _LOAD.with_for_update(of=IncidentRow.__table__)
_SAVE = update(_INCIDENTS).where(_INCIDENTS.c.number == bindparam("n"))
_CHAIN_HEAD = (select(TimelineRow.chain_hash).where(TimelineRow.incident == bindparam("number"))
               .order_by(TimelineRow.id.desc()).limit(1))
_TIMELINE = TimelineRow.__table__
_APPEND = insert(_TIMELINE).returning(_TIMELINE.c.id, sort_by_parameter_order=True)
_CLAIM = text(
    'INSERT INTO idempotency_keys ("key", scope, created_at) VALUES (:key, :scope, :at) '
    'ON CONFLICT ("key") DO NOTHING RETURNING "key"'
).bindparams(bindparam("at", type_=UTCDateTime()))


#: Incidents restored by a read, by (number, snapshot schema, id of the last event applied):
#: a change that follows may start from one (``get(reuse=…)``) instead of decoding the same
#: snapshot again. Weak: an incident nobody holds any more drops out.
_RESTORED: weakref.WeakValueDictionary[tuple[int, str | None, int | None], Incident] = (
    weakref.WeakValueDictionary())


def _locked(session: Session) -> set[int]:
    """Incidents whose row this session's transaction has locked (``FOR UPDATE``)."""
    transaction = session.get_transaction()
    held = session.info.get("locked_incidents")
    if held is None or held[0] is not transaction:
        held = session.info["locked_incidents"] = (transaction, set())
    return held[1]


class SqlIncidentRepository:
    def __init__(self, session: Session, snapshot_writer: snapshots.SnapshotWriter | None = None,
                 *, lock: bool = True) -> None:
        self.session = session
        self.snapshots = snapshot_writer or snapshots.SnapshotWriter(session)
        #: Whether ``get`` locks the incident's row (PostgreSQL) for a change to follow.
        self.lock = lock

    def next_number(self) -> int:
        # A single-row UPDATE … RETURNING takes the row lock: concurrent declares queue here
        # and each gets its own number, on SQLite and PostgreSQL alike.
        value = self.session.execute(
            update(CounterRow)
            .where(CounterRow.name == "incident")
            .values(value=CounterRow.value + 1)
            .returning(CounterRow.value)
        ).scalar_one()
        return int(value)

    def add(self, incident: Incident) -> None:
        self.session.add(IncidentRow(number=incident.number, **_columns(incident)))
        self.session.flush()

    def get(self, number: int, *, reuse: Incident | None = None) -> Incident:
        # The row (locked for the change to follow) and its snapshot in one round trip.
        row = self.session.execute(_LOAD_LOCKED if self.lock else _LOAD,
                                   {"number": number}).one_or_none()
        if row is None:
            raise NotFound(f"There is no incident {incident_id(number)}; `/crisis` lists them.")
        if self.lock:
            _locked(self.session).add(number)
        # The snapshot + the events after it; the whole timeline only without a usable snapshot.
        # ``reuse``: an incident this process just read (say, for a permission check) stands
        # for them if it is the untouched restore of that very snapshot and tail.
        after = row.last_event if row.schema == snapshot.SCHEMA and row.state else None
        tail = snapshots.tail_rows(self.session, number, after) if after is not None else []
        key = (number, row.schema, tail[-1][0] if tail else after)
        if reuse is not None and after is not None and not reuse.pending and (
                _RESTORED.get(key) is reuse):
            incident = reuse
        else:
            stored = snapshots.usable(number, schema=row.schema, last_event=row.last_event,
                                      state=row.state)
            if stored is None:
                return self.replay(number)
            incident = stored.incident.catch_up([snapshots.event(number, r) for r in tail])
        _RESTORED.pop(key, None)  # whoever holds it may change it from now on
        if self.lock:
            self.snapshots.tail_length[number] = len(tail)
        else:
            _RESTORED[key] = incident  # a read: the stored state, as restored
        return incident

    def replay(self, number: int) -> Incident:
        """The incident replayed from its whole timeline (the definition of its state)."""
        return Incident.replay(SqlTimelineRepository(self.session).for_incident(number))

    def save(self, incident: Incident) -> None:
        self.session.execute(_SAVE, {"n": incident.number, **_columns(incident)})
        self.snapshots.saving(incident)

    def count_declared(self, *, by: str, since: datetime) -> int:
        return int(self.session.execute(
            select(func.count()).select_from(IncidentRow)
            .where(IncidentRow.declared_by == by, IncidentRow.declared_at >= since)
        ).scalar_one())

    def list(self, *, open_only: bool = False) -> list[IncidentSummary]:
        query = select(IncidentRow).order_by(IncidentRow.number.desc())
        if open_only:
            query = query.where(IncidentRow.status == "active")
        return [
            IncidentSummary(
                number=r.number, title=r.title, crisis_type=r.crisis_type, severity=r.severity,
                stage=r.stage, status=r.status, declared_at=r.declared_at,
                declared_by=r.declared_by, resolved_at=r.resolved_at, open_tasks=r.open_tasks,
            )
            for r in self.session.execute(query).scalars()
        ]


def _columns(incident: Incident) -> dict[str, object]:
    return {
        "title": incident.title,
        "crisis_type": incident.crisis_type,
        "severity": incident.severity.value,
        "stage": incident.stage.value,
        "status": incident.status.value,
        "declared_at": incident.declared_at,
        "declared_by": incident.declared_by,
        "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at,
        "open_tasks": len(incident.open_tasks()),
        # The time of the latest change, by the service's clock (not the wall clock).
        "updated_at": incident.updated_at or incident.declared_at,
    }


class SqlTimelineRepository:
    def __init__(self, session: Session, snapshot_writer: snapshots.SnapshotWriter | None = None) -> None:
        self.session = session
        self.snapshots = snapshot_writer

    def append(self, events: Sequence[Event]) -> None:
        if not events:
            return
        heads: dict[int, str] = {}
        rows = []
        for e in events:
            if e.incident not in heads:
                heads[e.incident] = self.head(e.incident)
            payload = e.payload()
            heads[e.incident] = link(heads[e.incident], canonical(
                incident=e.incident, name=e.name, actor=e.actor, at=e.at, payload=payload))
            rows.append({"incident": e.incident, "name": e.name, "actor": e.actor,
                         "occurred_at": e.at, "payload": payload, "chain_hash": heads[e.incident]})
        ids = self.session.execute(_APPEND, rows).scalars().all()
        if self.snapshots is not None:
            self.snapshots.appending(events, ids)

    def head(self, number: int) -> str:
        """The incident's chain head. Its row is locked first (PostgreSQL), so two writers
        never chain onto the same event."""
        if number not in _locked(self.session):  # already locked by this transaction's get
            self.session.execute(_LOCK_INCIDENT, {"number": number})
            _locked(self.session).add(number)
        found = self.session.execute(_CHAIN_HEAD, {"number": number}).scalar_one_or_none()
        return found or GENESIS

    def for_incident(self, number: int, *, last: int | None = None) -> list[Event]:
        """The incident's events, oldest first; only the ``last`` N when given."""
        query = (
            select(TimelineRow.name, TimelineRow.actor, TimelineRow.occurred_at, TimelineRow.payload)
            .where(TimelineRow.incident == number)
        )
        if last is not None:
            query = query.order_by(TimelineRow.id.desc()).limit(max(0, last))
            rows = list(self.session.execute(query))[::-1]
        else:
            rows = list(self.session.execute(query.order_by(TimelineRow.id)))
        return [
            Event.from_record(name, incident=number, actor=actor, at=at, payload=payload)
            for name, actor, at, payload in rows
        ]


class SqlIdempotencyKeys:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, key: str, *, scope: str, at: datetime) -> bool:
        # RETURNING yields the row only when it was inserted (rowcount is unreliable here).
        return self.session.execute(
            _CLAIM, {"key": key, "scope": scope, "at": at}).scalar_one_or_none() is not None

    def record_result(self, key: str, result: str) -> None:
        self.session.execute(
            update(IdempotencyRow).where(IdempotencyRow.key == key).values(result=result)
        )

    def result_of(self, key: str) -> str | None:
        return self.session.execute(
            select(IdempotencyRow.result).where(IdempotencyRow.key == key)
        ).scalar_one_or_none()
