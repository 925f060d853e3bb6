"""The outbox: effects written in the command's transaction, delivered after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.engine import read_only
from bot.adapters.db.models import OutboxRow, SlackIncidentRow


@dataclass(frozen=True, slots=True)
class Effect:
    id: int
    incident: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: datetime


@dataclass(frozen=True, slots=True)
class Queued:
    """A pending effect as the gateway scans the queue: everything but its payload."""

    id: int
    incident: int | None
    kind: str
    attempts: int
    next_attempt_at: datetime


@dataclass(frozen=True, slots=True)
class EffectRow:
    """An effect as ``crisisbot outbox`` lists it."""

    id: int
    incident: int | None
    kind: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_error: str | None


#: Built once: every change of an incident adds effects, and the gateway scans the queue on
#: every wake-up (building a statement costs more than running it).
_T = OutboxRow.__table__
_ADD = insert(_T)
_PENDING = _T.c.status == "pending"
_NEWEST_FLOATING = (
    select(_T.c.incident, func.max(_T.c.id), func.count())
    .where(_PENDING, _T.c.kind.in_(bindparam("floating", expanding=True)))
    .group_by(_T.c.incident))
_HEADS = (
    select(_T.c.id, _T.c.incident, _T.c.kind, _T.c.attempts, _T.c.next_attempt_at)
    .where(_PENDING, or_(
        _T.c.id.in_(select(func.min(_T.c.id))
                    .where(_PENDING, _T.c.incident.is_not(None),
                           _T.c.kind.not_in(bindparam("floating", expanding=True)))
                    .group_by(_T.c.incident)),
        _T.c.id.in_(bindparam("newest", expanding=True)),
        and_(_T.c.incident.is_(None), _T.c.kind.not_in(bindparam("floating", expanding=True)))))
    .order_by(_T.c.id))
_CLOSE_OLDER = (
    update(_T)
    .where(_PENDING, _T.c.kind.in_(bindparam("floating", expanding=True)),
           _T.c.incident == bindparam("of_incident"), _T.c.id < bindparam("newest"))
    .values(status="sent", sent_at=bindparam("now"), last_error=None))


class SqlOutbox:
    """Writes effects inside a unit of work (``uow.outbox.add``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, kind: str, payload: dict[str, Any], *, at: datetime, incident: int | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        values = dict(incident=incident, kind=kind, payload=payload, dedupe_key=dedupe_key,
                      status="pending", attempts=0, created_at=at, next_attempt_at=at)
        if dedupe_key is None:
            self.session.execute(_ADD, values)
            return
        dialect = self.session.get_bind().dialect.name
        builder = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            builder(OutboxRow).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
        )


class OutboxStore:
    """What the gateway needs: due effects, their outcome, and the incidents' Slack places.

    Each method is its own short transaction; Slack calls happen between them, never inside.
    """

    def __init__(self, sessions, *, reads=None) -> None:
        self._sessions = sessions
        #: Sessions for the reads (``read_uow_factory``'s kind: on SQLite they take no write
        #: lock, so the gateway's scan on every wake-up never queues behind a command).
        self._reads = reads or sessions
        #: channel id -> incident: a channel's incident never changes once stored.
        self._channel_incident: dict[str, int] = {}

    @classmethod
    def on(cls, engine: Engine) -> OutboxStore:
        """The store over ``engine``, its reads in read-only sessions."""
        return cls(sessionmaker(bind=engine, expire_on_commit=False),
                   reads=sessionmaker(bind=read_only(engine), expire_on_commit=False))

    def heads(self, floating: frozenset[str]) -> tuple[list[Queued], dict[int, int]]:
        """What the gateway may deliver now, in the order recorded: the oldest pending effect
        of each incident that is not of a ``floating`` kind, the newest pending one of a
        floating kind (card updates: only the last matters) and each pending effect without
        an incident. Also, for incidents with older floating effects still pending, the id
        of the newest (see :meth:`close_superseded`).

        The gateway reads this on every wake-up: the database groups the pending effects in
        an index (``ix_outbox_status_incident_kind``) and returns one row per incident, so a
        backlog (a burst of notes leaves thousands of channel messages waiting for Slack's
        pace of one per second per channel) is never loaded into Python."""
        kinds = sorted(floating)
        with self._reads() as session:
            lasts = session.execute(_NEWEST_FLOATING, {"floating": kinds}).all()
            rows = session.execute(_HEADS, {"floating": kinds,
                                            "newest": [last for _, last, _ in lasts]})
            effects = [Queued(*row) for row in rows]
        return effects, {incident: last for incident, last, count in lasts
                         if count > 1 and incident is not None}

    def load(self, queued: Queued) -> Effect | None:
        """The effect with its payload; None once it is no longer pending."""
        with self._reads() as session:
            payload = session.execute(
                select(OutboxRow.payload)
                .where(OutboxRow.id == queued.id, OutboxRow.status == "pending")
            ).scalar_one_or_none()
        if payload is None:
            return None
        return Effect(queued.id, queued.incident, queued.kind, dict(payload), queued.attempts,
                      queued.next_attempt_at)

    def add(self, kind: str, payload: dict[str, Any], *, at: datetime, incident: int | None = None,
            dedupe_key: str | None = None) -> None:
        """Record an effect outside a command (the gateway's dead-letter notices)."""
        with self._sessions() as session, session.begin():
            SqlOutbox(session).add(kind, payload, at=at, incident=incident, dedupe_key=dedupe_key)

    def save_payload(self, effect_id: int, payload: dict[str, Any]) -> None:
        """Keep an effect's progress (steps done) so a retry resumes where it stopped."""
        self._update(effect_id, payload=payload)

    def listing(self, *, failed_only: bool = False, limit: int = 200) -> list[EffectRow]:
        """Effects not yet delivered (pending and failed), or only the failed ones, oldest first."""
        statuses = ("failed",) if failed_only else ("pending", "failed")
        with self._reads() as session:
            rows = session.execute(
                select(OutboxRow).where(OutboxRow.status.in_(statuses))
                .order_by(OutboxRow.id).limit(limit)
            ).scalars()
            return [EffectRow(r.id, r.incident, r.kind, r.status, r.attempts, r.created_at,
                              r.next_attempt_at, r.last_error) for r in rows]

    def retry(self, effect_id: int) -> bool:
        """Put a failed effect back in the queue with a fresh attempt count, due at once;
        False if there is no failed effect with that id."""
        with self._sessions() as session, session.begin():
            result = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == effect_id, OutboxRow.status == "failed")
                # Due since it was recorded: whatever the bot's clock says, it is due now.
                .values(status="pending", attempts=0, next_attempt_at=OutboxRow.created_at)
            )
            return result.rowcount == 1

    def failed_count(self) -> int:
        with self._reads() as session:
            return session.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "failed")
            ).scalar_one()

    def mark_sent(self, effect_id: int, now: datetime) -> None:
        self._update(effect_id, status="sent", sent_at=now, last_error=None)

    def close_superseded(self, newest: dict[int, int], floating: frozenset[str],
                         now: datetime) -> None:
        """Close the pending ``floating`` effects of each incident older than its ``newest``
        (from :meth:`heads`), one statement per incident: a later card update makes them
        pointless, and a burst of commands leaves hundreds behind."""
        if not newest:
            return
        with self._sessions() as session, session.begin():
            for incident, last in newest.items():
                session.execute(_CLOSE_OLDER, {"floating": sorted(floating),
                                               "of_incident": incident, "newest": last,
                                               "now": now})

    def mark_retry(self, effect_id: int, *, attempts: int, at: datetime, error: str) -> None:
        self._update(effect_id, attempts=attempts, next_attempt_at=at, last_error=error[:2000])

    def mark_failed(self, effect_id: int, *, attempts: int, error: str) -> None:
        self._update(effect_id, status="failed", attempts=attempts, last_error=error[:2000])

    def pending_count(self) -> int:
        with self._reads() as session:
            return session.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
            ).scalar_one()

    def oldest_pending_age(self, now: datetime) -> float:
        """Seconds since the oldest pending effect was recorded; 0 when nothing waits."""
        with self._reads() as session:
            oldest = session.execute(
                select(func.min(OutboxRow.created_at)).where(OutboxRow.status == "pending")
            ).scalar_one()
        return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0

    def _update(self, effect_id: int, **values: Any) -> None:
        with self._sessions() as session, session.begin():
            session.execute(update(OutboxRow).where(OutboxRow.id == effect_id).values(**values))

    # ---------------------------------------------------------------- incident places

    def place(self, incident: int) -> SlackIncidentRow | None:
        with self._reads() as session:
            return session.get(SlackIncidentRow, incident)

    def incident_for_channel(self, channel_id: str) -> int | None:
        known = self._channel_incident.get(channel_id)
        if known is not None:
            return known
        with self._reads() as session:
            found = session.execute(
                select(SlackIncidentRow.incident).where(SlackIncidentRow.channel_id == channel_id)
            ).scalar_one_or_none()
        if found is not None:
            self._channel_incident[channel_id] = found
        return found

    def save_place(self, incident: int, *, channel_id: str, channel_name: str, now: datetime) -> None:
        with self._sessions() as session, session.begin():
            session.add(SlackIncidentRow(incident=incident, channel_id=channel_id,
                                         channel_name=channel_name, created_at=now))

    def set_message(self, incident: int, *, card_ts: str | None = None,
                    checklist_ts: str | None = None) -> None:
        values = {k: v for k, v in (("card_ts", card_ts), ("checklist_ts", checklist_ts)) if v}
        with self._sessions() as session, session.begin():
            session.execute(
                update(SlackIncidentRow).where(SlackIncidentRow.incident == incident).values(**values)
            )
