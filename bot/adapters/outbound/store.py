"""The outbound outbox: deliveries added in the transaction that decided them, sent after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from bot.adapters.db.models import Base
from bot.adapters.db.types import BigId, Json, UTCDateTime


class OutboundRow(Base):
    __tablename__ = "outbound"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident: Mapped[int | None] = mapped_column(ForeignKey("incidents.number"))
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)
    ref: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    channel: Mapped[str] = mapped_column(String(80), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_error: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PageRow(Base):
    """One role's paging thread in one incident (see ``bot.domain.paging.Thread``)."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident: Mapped[int] = mapped_column(ForeignKey("incidents.number"), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str] = mapped_column(String(20), nullable=False, default="declared")
    user_id: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    layer: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    paged: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    exec_paged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acked_by: Mapped[str | None] = mapped_column(String(80))
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("incident", "role", name="uq_pages_incident_role"),)


@dataclass(frozen=True)
class Delivery:
    id: int
    incident: int | None
    purpose: str
    ref: str
    channel: str
    payload: dict[str, Any]
    attempts: int
    status: str = "pending"
    last_error: str = ""


def add_delivery(session: Session, *, channel: str, payload: dict[str, Any], at: datetime,
                 purpose: str, ref: str = "", incident: int | None = None,
                 dedupe_key: str | None = None) -> None:
    """Queue a delivery in ``session``'s transaction (a repeated ``dedupe_key`` adds nothing)."""
    if dedupe_key and session.scalar(select(OutboundRow.id).where(
            OutboundRow.dedupe_key == dedupe_key)) is not None:
        return
    session.add(OutboundRow(incident=incident, purpose=purpose, ref=ref, channel=channel,
                            payload=payload, dedupe_key=dedupe_key, status="pending",
                            attempts=0, next_at=at, last_error="", created_at=at))


class OutboundStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def due(self, *, now: datetime, limit: int = 50) -> list[Delivery]:
        with self._sessions() as session:
            rows = session.scalars(select(OutboundRow).where(
                OutboundRow.status == "pending", OutboundRow.next_at <= now)
                .order_by(OutboundRow.next_at, OutboundRow.id).limit(limit)).all()
            return [_delivery(r) for r in rows]

    def claim(self, delivery_id: int, *, attempts: int, until: datetime) -> bool:
        """Take a delivery for sending (another replica's claim wins: nothing is sent twice
        while the claim holds)."""
        with self._sessions() as session:
            done = session.execute(update(OutboundRow).where(
                OutboundRow.id == delivery_id, OutboundRow.status == "pending",
                OutboundRow.attempts == attempts).values(attempts=attempts + 1, next_at=until))
            session.commit()
            return done.rowcount == 1

    def finish(self, delivery_id: int, *, status: str, at: datetime, error: str = "",
               next_at: datetime | None = None) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error[:300]}
        if status == "sent":
            values["sent_at"] = at
        if next_at is not None:
            values["next_at"] = next_at
        with self._sessions() as session:
            session.execute(update(OutboundRow).where(OutboundRow.id == delivery_id).values(**values))
            session.commit()

    def listing(self, *, incident: int | None = None, ref_prefix: str = "") -> list[Delivery]:
        with self._sessions() as session:
            query = select(OutboundRow).order_by(OutboundRow.id)
            if incident is not None:
                query = query.where(OutboundRow.incident == incident)
            if ref_prefix:
                query = query.where(OutboundRow.ref.startswith(ref_prefix))
            return [_delivery(r) for r in session.scalars(query).all()]


def _delivery(row: OutboundRow) -> Delivery:
    return Delivery(id=row.id, incident=row.incident, purpose=row.purpose, ref=row.ref,
                    channel=row.channel, payload=dict(row.payload), attempts=row.attempts,
                    status=row.status, last_error=row.last_error)
