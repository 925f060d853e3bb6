"""Read-only figures over the stored incidents, for metrics and reports."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from bot.adapters.db.drills import DrillRunRow
from bot.adapters.db.models import IncidentRow
from bot.domain.lifecycle import Status


def open_by_severity(engine: Engine) -> dict[str, int]:
    """``{"S": 2, "A": 1}``: incidents still being worked (not resolved or closed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(IncidentRow.severity, func.count())
            .where(IncidentRow.status == Status.ACTIVE.value)
            .where(IncidentRow.number.not_in(  # drills never count in real metrics
                select(DrillRunRow.incident).where(DrillRunRow.incident.is_not(None))))
            .group_by(IncidentRow.severity)
        ).all()
    return {severity: count for severity, count in rows}
