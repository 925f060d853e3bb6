"""The signal curves of an incident, for its post-mortem: the stored samples of every monitor
that fired into it, from a window before declaration to a window after resolution."""

from __future__ import annotations

from datetime import timedelta
from typing import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.adapters.db.alerts import signal_samples
from bot.adapters.db.models import IncidentRow, TimelineRow
from bot.services.postmortems import SignalSample

#: How much signal history around the incident the post-mortem draws (before / after).
MARGIN = timedelta(days=3)


class SqlIncidentSignals:
    """``SignalSource`` over the ``signal_samples`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def samples(self, number: int) -> Sequence[SignalSample]:
        with Session(self.engine) as session:
            incident = session.get(IncidentRow, number)
            if incident is None:
                return ()
            monitors = self._monitors(session, number)
            since = incident.declared_at - MARGIN
            until = (incident.resolved_at or incident.updated_at) + MARGIN
            return tuple(
                SignalSample(monitor=monitor, series=series, at=at, value=value)
                for monitor in sorted(monitors)
                for series, at, value in signal_samples(session, monitor=monitor, since=since,
                                                        until=until)
            )

    @staticmethod
    def _monitors(session: Session, number: int) -> set[str]:
        rows = session.execute(
            select(TimelineRow.name, TimelineRow.payload).where(
                TimelineRow.incident == number,
                TimelineRow.name.in_(("incident.declared", "alert.fired")))
        ).all()
        monitors: set[str] = set()
        for name, payload in rows:
            if name == "alert.fired" and payload.get("monitor"):
                monitors.add(str(payload["monitor"]))
            source = str(payload.get("source") or "")
            if name == "incident.declared" and source.startswith("monitor:"):
                monitors.add(source.removeprefix("monitor:"))
        return monitors
