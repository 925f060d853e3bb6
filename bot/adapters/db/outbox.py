"""The outbox: effects written in the command's transaction, delivered after commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

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


#: Built once: every change of an incident adds effects (building a statement costs more
#: than running it).
_ADD = insert(OutboxRow.__table__)


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

    def __init__(self, sessions) -> None:
        self._sessions = sessions
        #: channel id -> incident: a channel's incident never changes once stored.
        self._channel_incident: dict[str, int] = {}

    def pending(self, *, limit: int = 500) -> list[Queued]:
        """Pending effects in the order they were recorded (due or not), without their
        payloads: the gateway reads this on every wake-up, and a backlog paced by Slack can
        hold hundreds of effects of which it delivers one or two."""
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRow.id, OutboxRow.incident, OutboxRow.kind, OutboxRow.attempts,
                       OutboxRow.next_attempt_at)
                .where(OutboxRow.status == "pending")
                .order_by(OutboxRow.id)
                .limit(limit)
            )
            return [Queued(*row) for row in rows]

    def load(self, queued: Queued) -> Effect | None:
        """The effect with its payload; None once it is no longer pending."""
        with self._sessions() as session:
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
        with self._sessions() as session:
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
        with self._sessions() as session:
            return session.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "failed")
            ).scalar_one()

    def mark_sent(self, effect_id: int, now: datetime) -> None:
        self._update(effect_id, status="sent", sent_at=now, last_error=None)

    def mark_superseded(self, effect_ids: Sequence[int], now: datetime) -> None:
        """Close effects a later one of the same kind makes pointless (card updates), in one
        statement: a burst of commands leaves hundreds behind."""
        if effect_ids:
            with self._sessions() as session, session.begin():
                session.execute(update(OutboxRow).where(OutboxRow.id.in_(effect_ids))
                                .values(status="sent", sent_at=now, last_error=None))

    def mark_retry(self, effect_id: int, *, attempts: int, at: datetime, error: str) -> None:
        self._update(effect_id, attempts=attempts, next_attempt_at=at, last_error=error[:2000])

    def mark_failed(self, effect_id: int, *, attempts: int, error: str) -> None:
        self._update(effect_id, status="failed", attempts=attempts, last_error=error[:2000])

    def pending_count(self) -> int:
        with self._sessions() as session:
            return session.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
            ).scalar_one()

    def oldest_pending_age(self, now: datetime) -> float:
        """Seconds since the oldest pending effect was recorded; 0 when nothing waits."""
        with self._sessions() as session:
            oldest = session.execute(
                select(func.min(OutboxRow.created_at)).where(OutboxRow.status == "pending")
            ).scalar_one()
        return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0

    def _update(self, effect_id: int, **values: Any) -> None:
        with self._sessions() as session, session.begin():
            session.execute(update(OutboxRow).where(OutboxRow.id == effect_id).values(**values))

    # ---------------------------------------------------------------- incident places

    def place(self, incident: int) -> SlackIncidentRow | None:
        with self._sessions() as session:
            return session.get(SlackIncidentRow, incident)

    def incident_for_channel(self, channel_id: str) -> int | None:
        known = self._channel_incident.get(channel_id)
        if known is not None:
            return known
        with self._sessions() as session:
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
