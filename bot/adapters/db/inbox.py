"""The transactional inbox of slash commands: stored BEFORE Slack gets its acknowledgement.

Slack never retries a command it got a 200 for, so a command is written here first; the
listener acks, runs it and marks it done. A command left ``pending`` (the process died in
between) is picked up again once its lease has run out, while its ``response_url`` is still
valid (Slack honours one for 30 minutes); older ones are marked ``expired`` and logged.
Running a command twice has one effect: it carries its request's idempotency key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Engine,
    Index,
    Integer,
    String,
    Text,
    TextClause,
    bindparam,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.engine import single_statements
from bot.adapters.db.models import Base
from bot.adapters.db.types import BigId, UTCDateTime
from bot.adapters.db.write_behind import WriteBehind

#: Slack accepts answers on a response_url for 30 minutes.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
#: How long a process owns a command it is running before another may take it over.
DEFAULT_LEASE = timedelta(seconds=60)
#: Finished commands are kept this long (for looking into "did my command run?").
KEEP_FINISHED = timedelta(days=7)


class InboxRow(Base):
    __tablename__ = "slack_inbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    user_id: Mapped[str] = mapped_column(String(40), nullable=False)
    channel_id: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, nullable=False)
    response_url: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_slack_inbox_status_lease", "status", "lease_until"),)


_COLUMNS = ("key", "user_id", "channel_id", "text", "response_url")
#: The most commands one insert stores (6 parameters each, far below every driver's limit).
MAX_ACCEPT_BATCH = 200


@functools.lru_cache(maxsize=MAX_ACCEPT_BATCH)
def _accept_statement(rows: int) -> TextClause:
    """The insert before the ack, for ``rows`` commands: text, compiled once per size
    (SQLAlchemy compiles a dialect ``INSERT … ON CONFLICT`` construct again on every call: it
    has no cache key). It returns the keys it stored: a key already there is a replay."""
    values = ", ".join(
        "(" + ", ".join(f":{column}_{i}" for column in _COLUMNS)
        + ", 'pending', :received_at, :lease_until, 1)" for i in range(rows))
    return text(
        'INSERT INTO slack_inbox ("key", user_id, channel_id, text, response_url, status, '
        f'received_at, lease_until, attempts) VALUES {values} '
        'ON CONFLICT ("key") DO NOTHING RETURNING "key"'
    ).bindparams(bindparam("received_at", type_=UTCDateTime()),
                 bindparam("lease_until", type_=UTCDateTime()))


#: Marks a batch of commands done (an expanding IN: one statement, whatever the batch size).
_FINISH = (update(InboxRow.__table__)
           .where(InboxRow.__table__.c.key.in_(bindparam("keys", expanding=True)))
           .values(status="done", done_at=bindparam("now", type_=UTCDateTime())))


@dataclass(frozen=True)
class InboxEntry:
    """One accepted ``/crisis`` command, as Slack sent it."""

    key: str
    user_id: str
    channel_id: str | None
    text: str
    response_url: str


class SlackInbox:
    """The inbox table, on Core connections (no ORM session: two of these writes per command,
    so their cost counts), each write one statement committed on its own."""

    def __init__(self, engine: Engine, *, lease: timedelta = DEFAULT_LEASE) -> None:
        self.engine = single_statements(engine)
        self.lease = lease
        # Marks of answered commands arriving together share one statement.
        self._finishes: WriteBehind[tuple[list[str], datetime]] = WriteBehind(
            self._write_finished, what="marks of answered commands as done")

    def accept(self, entry: InboxEntry, *, now: datetime) -> bool:
        """Store ``entry`` (see :meth:`accept_many`)."""
        return self.accept_many([entry], now=now)[0]

    def accept_many(self, entries: list[InboxEntry], *, now: datetime) -> list[bool]:
        """Store ``entries`` with one statement (committed when this returns); for each, False
        when its key was already stored, or is an earlier entry's in this batch (a replay of
        the same signed request)."""
        stored: set[str] = set()
        for start in range(0, len(entries), MAX_ACCEPT_BATCH):
            # One entry per key, in key order: two replicas storing overlapping keys lock
            # their rows in the same order (no deadlock).
            unique = {e.key: e for e in reversed(entries[start:start + MAX_ACCEPT_BATCH])}
            chunk = [unique[key] for key in sorted(unique)]
            params: dict[str, object] = {"received_at": now, "lease_until": now + self.lease}
            for i, entry in enumerate(chunk):
                params.update({f"{column}_{i}": getattr(entry, column) for column in _COLUMNS})
            with self.engine.connect() as conn:
                stored.update(conn.execute(_accept_statement(len(chunk)), params).scalars())
                conn.commit()
        results = []
        for entry in entries:
            results.append(entry.key in stored)
            stored.discard(entry.key)  # a second copy in the batch is a replay
        return results

    def finish(self, key: str, *, now: datetime) -> None:
        """Mark the command done (see :meth:`finish_all`)."""
        self.finish_all([key], now=now)

    def finish_all(self, keys: list[str], *, now: datetime,
                   then: Callable[[], None] | None = None) -> None:
        """Mark the commands done. Written at once, or, while another thread is writing such
        marks, with the next batch of them (this call does not wait for it); ``then()`` is
        called once that write has ended. Should the write fail or the process die first,
        the commands stay pending and the sweeper answers them again after their lease, with
        their idempotency keys: nothing is applied twice."""
        self._finishes.add((keys, now), then=then)

    def _write_finished(self, finished: list[tuple[list[str], datetime]]) -> None:
        with self.engine.connect() as conn:
            conn.execute(_FINISH, {"keys": [key for keys, _ in finished for key in keys],
                                   "now": max(now for _, now in finished)})
            conn.commit()

    def claim_due(self, *, now: datetime, limit: int = 50) -> tuple[list[InboxEntry], int]:
        """Take over pending commands whose lease ran out: returns the ones still answerable
        (each now leased to the caller) and how many were too old and marked ``expired``."""
        oldest = now - RESPONSE_URL_LIFETIME
        with self.engine.connect() as conn:
            expired = conn.execute(
                update(InboxRow)
                .where(InboxRow.status == "pending", InboxRow.received_at <= oldest)
                .values(status="expired", done_at=now)
            ).rowcount
            conn.commit()
            ids = conn.execute(
                select(InboxRow.id)
                .where(InboxRow.status == "pending", InboxRow.lease_until <= now)
                .order_by(InboxRow.id).limit(limit)
            ).scalars().all()
            claimed: list[InboxEntry] = []
            for row_id in ids:
                # Only one process wins each row: the WHERE is re-checked under the row lock.
                row = conn.execute(
                    update(InboxRow)
                    .where(InboxRow.id == row_id, InboxRow.status == "pending",
                           InboxRow.lease_until <= now)
                    .values(lease_until=now + self.lease, attempts=InboxRow.attempts + 1)
                    .returning(InboxRow.key, InboxRow.user_id, InboxRow.channel_id,
                               InboxRow.text, InboxRow.response_url)
                ).one_or_none()
                conn.commit()
                if row is not None:
                    claimed.append(InboxEntry(*row))
            return claimed, int(expired or 0)

    def abandon(self, key: str, *, now: datetime) -> None:
        """The user was told the command was not taken (storing it took too long): never run
        it, even though it was stored in the end."""
        with self.engine.connect() as conn:
            conn.execute(update(InboxRow).where(InboxRow.key == key, InboxRow.status == "pending")
                         .values(status="abandoned", done_at=now))
            conn.commit()

    def prune(self, *, before: datetime) -> int:
        """Forget finished and expired commands received before ``before``."""
        with self.engine.connect() as conn:
            gone = conn.execute(
                delete(InboxRow).where(InboxRow.status.in_(("done", "expired", "abandoned")),
                                       InboxRow.received_at < before)
            ).rowcount
            conn.commit()
            return int(gone or 0)

    def status_of(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(InboxRow.status).where(InboxRow.key == key)).scalar_one_or_none()
