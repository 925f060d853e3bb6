"""Drill runs in SQL: the run rows, the injects each fired (a primary key per (run, inject),
so an inject is recorded once whatever restarts or replicas do) and the calendar's sent marks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from bot.adapters.db.models import Base
from bot.adapters.db.types import BigId, Json, UTCDateTime
from bot.domain.drills import DrillRun, RunStatus


class DrillRunRow(Base):
    __tablename__ = "drill_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scenario: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    incident: Mapped[int | None] = mapped_column(ForeignKey("incidents.number"), unique=True)
    team: Mapped[list[str]] = mapped_column(Json, nullable=False)
    started_by: Mapped[str] = mapped_column(String(80), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    duration_s: Mapped[int] = mapped_column(Integer, nullable=False)
    represents_s: Mapped[int] = mapped_column(Integer, nullable=False)
    scale_s: Mapped[int | None] = mapped_column(Integer)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_total_s: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    scorecard: Mapped[dict[str, Any] | None] = mapped_column(Json)


class DrillInjectRow(Base):
    __tablename__ = "drill_injects"
    run: Mapped[int] = mapped_column(ForeignKey("drill_runs.id"), primary_key=True)
    no: Mapped[int] = mapped_column(Integer, primary_key=True)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    early: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class DrillCalendarRow(Base):
    __tablename__ = "drill_calendar"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SqlDrillStore:
    """The :class:`~bot.services.drills.DrillStore` port in SQL; each call its own transaction."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, run: DrillRun, *, started_by: str) -> DrillRun:
        with self._sessions() as session, session.begin():
            row = DrillRunRow(
                scenario=run.scenario, incident=run.incident, team=list(run.team),
                started_by=started_by, status=run.status.value, started_at=run.started_at,
                duration_s=int(run.duration.total_seconds()),
                represents_s=int(run.represents.total_seconds()),
                scale_s=int(run.scale.total_seconds()) if run.scale else None,
                paused_total_s=0.0,
            )
            session.add(row)
            session.flush()
            return _run(row, frozenset())

    def save(self, run: DrillRun) -> None:
        with self._sessions() as session, session.begin():
            session.execute(update(DrillRunRow).where(DrillRunRow.id == run.id).values(
                status=run.status.value, paused_at=run.paused_at,
                paused_total_s=run.paused_total.total_seconds(), ended_at=run.ended_at,
                incident=run.incident))

    def save_scorecard(self, run_id: int, *, score: float, scorecard: dict[str, Any]) -> None:
        with self._sessions() as session, session.begin():
            session.execute(update(DrillRunRow).where(DrillRunRow.id == run_id)
                            .values(score=score, scorecard=scorecard))

    def get(self, run_id: int) -> DrillRun | None:
        with self._sessions() as session:
            row = session.get(DrillRunRow, run_id)
            return _run(row, self._fired(session, row.id)) if row else None

    def for_incident(self, number: int) -> DrillRun | None:
        with self._sessions() as session:
            row = session.execute(select(DrillRunRow).where(DrillRunRow.incident == number)).scalar_one_or_none()
            return _run(row, self._fired(session, row.id)) if row else None

    def active(self) -> list[DrillRun]:
        with self._sessions() as session:
            rows = session.execute(select(DrillRunRow).where(
                DrillRunRow.status.in_((RunStatus.RUNNING.value, RunStatus.PAUSED.value)))
                .order_by(DrillRunRow.id)).scalars().all()
            return [_run(r, self._fired(session, r.id)) for r in rows]

    def runs(self, *, scenario: str | None = None) -> list[tuple[DrillRun, float | None, dict | None]]:
        """Every run (of ``scenario``), oldest first, with its score and stored scorecard."""
        with self._sessions() as session:
            query = select(DrillRunRow).order_by(DrillRunRow.id)
            if scenario is not None:
                query = query.where(DrillRunRow.scenario == scenario)
            return [(_run(r, frozenset()), r.score, r.scorecard)
                    for r in session.execute(query).scalars().all()]

    def drill_incidents(self) -> set[int]:
        with self._sessions() as session:
            return {n for n in session.execute(select(DrillRunRow.incident)).scalars() if n is not None}

    def fired_at(self, run_id: int) -> dict[int, datetime]:
        with self._sessions() as session:
            rows = session.execute(select(DrillInjectRow.no, DrillInjectRow.fired_at)
                                   .where(DrillInjectRow.run == run_id)).all()
            return {no: at for no, at in rows}

    def mark_fired(self, run_id: int, no: int, *, at: datetime, early: bool = False) -> bool:
        """Record inject ``no`` of the run as fired; False when it already was."""
        with self._sessions() as session, session.begin():
            builder = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            result = session.execute(builder(DrillInjectRow).values(
                run=run_id, no=no, fired_at=at, early=early).on_conflict_do_nothing())
            return bool(result.rowcount)

    def mark_calendar(self, key: str, *, at: datetime) -> bool:
        """Claim calendar mark ``key`` (a reminder, a flag); False when already sent."""
        with self._sessions() as session, session.begin():
            builder = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            result = session.execute(builder(DrillCalendarRow).values(key=key, sent_at=at)
                                     .on_conflict_do_nothing())
            return bool(result.rowcount)

    @staticmethod
    def _fired(session: Session, run_id: int) -> frozenset[int]:
        return frozenset(session.execute(select(DrillInjectRow.no)
                                         .where(DrillInjectRow.run == run_id)).scalars())


def _run(row: DrillRunRow, fired: frozenset[int]) -> DrillRun:
    return DrillRun(
        id=row.id, scenario=row.scenario, incident=row.incident, team=tuple(row.team or ()),
        status=RunStatus(row.status), started_at=row.started_at,
        duration=timedelta(seconds=row.duration_s), represents=timedelta(seconds=row.represents_s),
        scale=timedelta(seconds=row.scale_s) if row.scale_s else None, paused_at=row.paused_at,
        paused_total=timedelta(seconds=row.paused_total_s or 0.0), ended_at=row.ended_at,
        fired=fired,
    )
