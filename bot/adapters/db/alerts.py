"""Storage of monitor alerts, alert groups, snoozes and polled signal samples.

Dedup holds across threads and processes because it rests on database keys and row locks:
``alerts`` is unique per (monitor, fingerprint) and a group row is claimed with
``INSERT … ON CONFLICT DO NOTHING`` then locked with ``SELECT … FOR UPDATE`` (PostgreSQL; on
SQLite every write transaction already holds the database lock, ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Float, Integer, String, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.adapters.db.models import IncidentRow
from bot.adapters.db.monitor_models import AlertGroupRow, AlertRow, SignalSampleRow, SnoozeRow
from bot.adapters.db.types import UTCDateTime
from bot.domain.alerts import Alert
from bot.services.alert_ports import AlertRecord, IncidentState

_BUMP_FIRING = text(
    "UPDATE alerts SET count = count + :repeats, last_seen = :at, last_value = COALESCE(:value, last_value) "
    "WHERE monitor = :monitor AND fingerprint = :fingerprint AND status = 'firing' "
    "AND incident IN (SELECT number FROM incidents WHERE status = 'active') "
    "AND NOT EXISTS (SELECT 1 FROM monitor_snoozes s WHERE s.monitor = :monitor AND s.until > :at) "
    "RETURNING incident"
).bindparams(
    bindparam("at", type_=UTCDateTime()), bindparam("value", type_=Float()),
    bindparam("repeats", type_=Integer()),
    bindparam("monitor", type_=String()), bindparam("fingerprint", type_=String()),
)
# A repeat by the source's startsAt: the same firing, whatever its incident's status since —
# unless it is more severe (:rank) than its still active incident: the slow path raises that.
_BUMP_REPEAT = text(
    "UPDATE alerts SET count = count + :repeats, last_seen = :at, last_value = COALESCE(:value, last_value) "
    "WHERE monitor = :monitor AND fingerprint = :fingerprint AND status = 'firing' "
    "AND starts_at = :starts_at AND incident IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM monitor_snoozes s WHERE s.monitor = :monitor AND s.until > :at) "
    "AND (:rank = 0 OR NOT EXISTS (SELECT 1 FROM incidents i WHERE i.number = alerts.incident "
    "AND i.status = 'active' AND (CASE i.severity WHEN 'SS' THEN 3 WHEN 'S' THEN 2 ELSE 1 END) < :rank)) "
    "RETURNING incident"
).bindparams(
    bindparam("at", type_=UTCDateTime()), bindparam("value", type_=Float()),
    bindparam("repeats", type_=Integer()),
    bindparam("monitor", type_=String()), bindparam("fingerprint", type_=String()),
    bindparam("starts_at", type_=UTCDateTime()), bindparam("rank", type_=Integer()),
)


def _insert(session: Session, table: Any):
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


class SqlAlertRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def bump_firing(
        self, *, monitor: str, fingerprint: str, value: float | None, at: datetime,
        starts_at: datetime | None = None, severity_rank: int = 0, repeats: int = 1,
    ) -> int | None:
        # The hot path of an alert storm: one statement, compiled once, no ORM bookkeeping.
        # It also declines while the monitor is snoozed, so the caller's slow path decides.
        params = {"monitor": monitor, "fingerprint": fingerprint, "value": value, "at": at,
                  "repeats": repeats}
        if starts_at is not None:
            return self.session.connection().execute(
                _BUMP_REPEAT, params | {"starts_at": starts_at, "rank": severity_rank}
            ).scalar_one_or_none()
        return self.session.connection().execute(_BUMP_FIRING, params).scalar_one_or_none()

    def claim_group(self, group_key: str, *, at: datetime) -> int | None:
        self.session.execute(
            _insert(self.session, AlertGroupRow)
            .values(group_key=group_key, incident=None, updated_at=at)
            .on_conflict_do_nothing(index_elements=["group_key"])
        )
        return self.session.execute(
            select(AlertGroupRow.incident).where(AlertGroupRow.group_key == group_key)
            .with_for_update()
        ).scalar_one()

    def set_group(self, group_key: str, *, incident: int, at: datetime) -> None:
        self.session.execute(
            update(AlertGroupRow).where(AlertGroupRow.group_key == group_key)
            .values(incident=incident, updated_at=at)
        )

    def find(self, *, monitor: str, fingerprint: str) -> AlertRecord | None:
        row = self.session.execute(
            select(AlertRow.group_key, AlertRow.incident, AlertRow.status, AlertRow.count,
                   AlertRow.first_seen, AlertRow.starts_at)
            .where(AlertRow.monitor == monitor, AlertRow.fingerprint == fingerprint)
            .with_for_update()
        ).one_or_none()
        if row is None:
            return None
        return AlertRecord(monitor=monitor, fingerprint=fingerprint, group_key=row.group_key,
                           incident=row.incident, status=row.status, count=row.count,
                           first_seen=row.first_seen, starts_at=row.starts_at)

    def save(
        self, alert: Alert, *, group_key: str, incident: int | None, status: str, count: int,
        first_seen: datetime,
    ) -> None:
        values = {
            "group_key": group_key, "incident": incident, "status": status,
            "title": alert.title[:200], "severity": alert.severity.value if alert.severity else None,
            "count": count, "first_seen": first_seen, "last_seen": alert.observed_at,
            "last_value": alert.value, "threshold": alert.threshold, "url": alert.url,
            "labels": dict(alert.labels), "starts_at": alert.starts_at,
        }
        self.session.execute(
            _insert(self.session, AlertRow)
            .values(monitor=alert.monitor, fingerprint=alert.fingerprint, **values)
            .on_conflict_do_update(index_elements=["monitor", "fingerprint"], set_=values)
        )

    def mark_resolved(self, *, monitor: str, fingerprint: str, at: datetime) -> None:
        self.session.execute(
            update(AlertRow).where(AlertRow.monitor == monitor, AlertRow.fingerprint == fingerprint)
            .values(status="resolved", last_seen=at)
        )

    def incident_state(self, number: int) -> IncidentState | None:
        row = self.session.execute(
            select(IncidentRow.status, IncidentRow.severity, IncidentRow.resolved_at)
            .where(IncidentRow.number == number)
        ).one_or_none()
        if row is None:
            return None
        return IncidentState(status=row.status, severity=row.severity, resolved_at=row.resolved_at)

    def snoozed_until(self, monitor: str, *, now: datetime) -> datetime | None:
        until = self.session.execute(
            select(SnoozeRow.until).where(SnoozeRow.monitor == monitor)
        ).scalar_one_or_none()
        return until if until is not None and until > now else None

    def snooze(self, monitor: str, *, until: datetime, by: str, at: datetime) -> None:
        values = {"until": until, "snoozed_by": by, "created_at": at}
        self.session.execute(
            _insert(self.session, SnoozeRow).values(monitor=monitor, **values)
            .on_conflict_do_update(index_elements=["monitor"], set_=values)
        )


class SqlSampleStore:
    """Polled samples, each write its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def store_samples(self, monitor: str, rows: Sequence[tuple[str, datetime, float]]) -> int:
        if not rows:
            return 0
        with Session(self.engine) as session, session.begin():
            statement = _insert(session, SignalSampleRow)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["monitor", "series", "at"],
                    set_={"value": statement.excluded.value},
                ),
                [{"monitor": monitor, "series": s, "at": at, "value": float(v)} for s, at, v in rows],
            )
        return len(rows)


def signal_samples(
    source: Engine | Session,
    *,
    monitor: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[tuple[str, datetime, float]]:
    """Stored samples of ``monitor`` (a polled source's name) as ``(series, at, value)``,
    ordered by series then time; ``since``/``until`` bound ``at`` (inclusive).

    >>> signal_samples(engine, monitor="social-mentions", since=declared_at)  # doctest: +SKIP
    [('mentions', datetime(...), 1840.0), ...]
    """
    query = select(SignalSampleRow.series, SignalSampleRow.at, SignalSampleRow.value).where(
        SignalSampleRow.monitor == monitor)
    if since is not None:
        query = query.where(SignalSampleRow.at >= since)
    if until is not None:
        query = query.where(SignalSampleRow.at <= until)
    query = query.order_by(SignalSampleRow.series, SignalSampleRow.at)
    if isinstance(source, Session):
        rows = source.execute(query).all()
    else:
        with Session(source) as session:
            rows = session.execute(query).all()
    return [(series, at, float(value)) for series, at, value in rows]
