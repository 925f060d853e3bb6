"""Table models of the monitors feature (schema: migration 0003)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.models import Base
from bot.adapters.db.types import BigId, Json, UTCDateTime


class AlertGroupRow(Base):
    """Which incident a group key currently feeds (claimed before an incident is opened)."""

    __tablename__ = "alert_groups"
    group_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    incident: Mapped[int | None] = mapped_column(ForeignKey("incidents.number"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class AlertRow(Base):
    """One monitor alert (monitor + fingerprint): its incident, status and repeat count."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    monitor: Mapped[str] = mapped_column(String(255), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(200), nullable=False)
    group_key: Mapped[str] = mapped_column(String(200), nullable=False)
    incident: Mapped[int | None] = mapped_column(ForeignKey("incidents.number"))
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    severity: Mapped[str | None] = mapped_column(String(2))
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    url: Mapped[str] = mapped_column(Text, nullable=False, default="")
    labels: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    #: The source's ``startsAt`` of the current firing (migration 0009): same = repeat.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("monitor", "fingerprint", name="uq_alerts_monitor_fingerprint"),
    )


class SnoozeRow(Base):
    __tablename__ = "monitor_snoozes"
    monitor: Mapped[str] = mapped_column(String(255), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    snoozed_by: Mapped[str] = mapped_column(String(80), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SignalSampleRow(Base):
    """One polled sample: ``monitor`` (the source name), ``series``, ``at``, ``value``."""

    __tablename__ = "signal_samples"
    monitor: Mapped[str] = mapped_column(String(255), primary_key=True)
    series: Mapped[str] = mapped_column(String(60), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float, nullable=False)
