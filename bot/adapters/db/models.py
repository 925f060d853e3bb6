"""SQLAlchemy 2 table models. The schema itself is created by the Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.adapters.db.types import BigId, Json, UTCDateTime


class Base(DeclarativeBase):
    pass


class CounterRow(Base):
    """Named sequences; ``incident`` hands out incident numbers."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False)


class IncidentRow(Base):
    """The listing columns of an incident; the full state is replayed from the timeline."""

    __tablename__ = "incidents"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    crisis_type: Mapped[str] = mapped_column(String(60), nullable=False)
    severity: Mapped[str] = mapped_column(String(2), nullable=False)
    stage: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    declared_by: Mapped[str] = mapped_column(String(80), nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    open_tasks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class TimelineRow(Base):
    """Append-only: database triggers refuse UPDATE and DELETE (see the migrations), and
    each row carries the incident's hash chain so any later edit shows."""

    __tablename__ = "timeline"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident: Mapped[int] = mapped_column(ForeignKey("incidents.number"), nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    actor: Mapped[str] = mapped_column(String(80), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    #: SHA-256 of the incident's previous event hash and this event (see bot.domain.chain).
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_timeline_incident_id", "incident", "id"),)


class IdempotencyRow(Base):
    """Keys of requests already handled (Slack event ids, button clicks, alert deliveries)."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    result: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Base):
    """An effect to deliver after commit (a Slack call); see ``bot.adapters.slack.gateway``."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident: Mapped[int | None] = mapped_column(ForeignKey("incidents.number"))
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class SlackIncidentRow(Base):
    """Where an incident lives in Slack: its channel and the messages kept up to date."""

    __tablename__ = "slack_incidents"
    incident: Mapped[int] = mapped_column(ForeignKey("incidents.number"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    channel_name: Mapped[str] = mapped_column(String(80), nullable=False)
    card_ts: Mapped[str | None] = mapped_column(String(40))
    checklist_ts: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ReminderRow(Base):
    """A reminder derived from an incident's state; claimed by any replica when due."""

    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident: Mapped[int] = mapped_column(ForeignKey("incidents.number"), nullable=False)
    key: Mapped[str] = mapped_column(String(160), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    clock: Mapped[str] = mapped_column(String(80), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    mentions: Mapped[list[str]] = mapped_column(Json, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ux_reminders_incident_key", "incident", "key", unique=True),
        Index("ix_reminders_status_due", "status", "due_at"),
    )


class PostmortemRow(Base):
    """One generated post-mortem version; ``digest`` identifies the data it was built from."""

    __tablename__ = "postmortems"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident: Mapped[int] = mapped_column(ForeignKey("incidents.number"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(80), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    markdown: Mapped[str] = mapped_column(Text, nullable=False)
    html: Mapped[str] = mapped_column(Text, nullable=False)
    json: Mapped[str] = mapped_column(Text, nullable=False)
