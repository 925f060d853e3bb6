"""The outbox: effects written in the command's transaction, delivered after commit."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.adapters.db.models import OutboxRow, SlackIncidentRow

#: First key of the PostgreSQL advisory locks that claim outbox effects ("crisis" in hex-speak).
_LOCK_SPACE = 0x0C15


@dataclass(frozen=True, slots=True)
class Effect:
    id: int
    incident: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: datetime


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
            self.session.execute(insert(OutboxRow).values(**values))
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

    def __init__(self, sessions) -> None:
        self._sessions = sessions

    def pending(self, *, limit: int = 500) -> list[Effect]:
        """Pending effects in the order they were recorded (due or not)."""
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRow)
                .where(OutboxRow.status == "pending")
                .order_by(OutboxRow.id)
                .limit(limit)
            ).scalars()
            return [
                Effect(r.id, r.incident, r.kind, dict(r.payload), r.attempts, r.next_attempt_at)
                for r in rows
            ]

    @contextmanager
    def claim(self, effect_id: int, *, now: datetime) -> Iterator[bool]:
        """Hold effect ``effect_id`` for delivery: yields ``True`` when this process may deliver
        it (still pending, due, and no other replica delivering it), ``False`` otherwise.

        On PostgreSQL the claim is a session advisory lock on a connection kept for the
        delivery, so two replicas draining one outbox never deliver an effect twice, and a
        replica killed mid-delivery frees it at once (its connection dies). SQLite is the
        embedded single-process engine: nothing to share, so only the status is checked.
        """
        engine = self._sessions.kw["bind"]
        if engine.dialect.name != "postgresql":
            yield self._still_due(effect_id, now)
            return
        key = {"space": _LOCK_SPACE, "id": effect_id % 2_147_483_647}
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:space, :id)"), key).scalar()
            conn.commit()
            if not got:
                yield False
                return
            try:
                # Re-read after locking: another replica may have delivered it just before.
                yield self._still_due(effect_id, now)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:space, :id)"), key)
                conn.commit()

    def _still_due(self, effect_id: int, now: datetime) -> bool:
        with self._sessions() as session:
            return session.execute(
                select(OutboxRow.id).where(OutboxRow.id == effect_id, OutboxRow.status == "pending",
                                           OutboxRow.next_attempt_at <= now)
            ).scalar_one_or_none() is not None

    def mark_sent(self, effect_id: int, now: datetime) -> None:
        self._update(effect_id, status="sent", sent_at=now, last_error=None)

    def mark_retry(self, effect_id: int, *, attempts: int, at: datetime, error: str) -> None:
        self._update(effect_id, attempts=attempts, next_attempt_at=at, last_error=error[:2000])

    def mark_failed(self, effect_id: int, *, attempts: int, error: str) -> None:
        self._update(effect_id, status="failed", attempts=attempts, last_error=error[:2000])

    def pending_count(self) -> int:
        with self._sessions() as session:
            return session.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
            ).scalar_one()

    def _update(self, effect_id: int, **values: Any) -> None:
        with self._sessions() as session, session.begin():
            session.execute(update(OutboxRow).where(OutboxRow.id == effect_id).values(**values))

    # ---------------------------------------------------------------- incident places

    def place(self, incident: int) -> SlackIncidentRow | None:
        with self._sessions() as session:
            return session.get(SlackIncidentRow, incident)

    def incident_for_channel(self, channel_id: str) -> int | None:
        with self._sessions() as session:
            return session.execute(
                select(SlackIncidentRow.incident).where(SlackIncidentRow.channel_id == channel_id)
            ).scalar_one_or_none()

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
