"""APScheduler fires the drills: an interval job runs :meth:`DrillService.tick` (due injects of
every running drill) and the calendar. The runs and fired injects are in the database, so the
scheduler keeps no state: a restarted process just ticks again, and fires nothing twice."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.adapters.drills.calendar import DrillCalendar
from bot.services.drills import DrillService

log = logging.getLogger(__name__)


class DrillTicker:
    def __init__(self, *, service: DrillService, calendar: DrillCalendar | None = None,
                 interval: float = 15.0) -> None:
        self.service = service
        self.calendar = calendar
        self.interval = interval
        self._scheduler: BackgroundScheduler | None = None

    def tick(self) -> int:
        """One pass; never raises (a database outage is retried on the next tick)."""
        try:
            fired = len(self.service.tick())
            if self.calendar is not None:
                self.calendar.tick()
            return fired
        except Exception:
            log.exception("drill tick failed; retrying on the next tick")
            return 0

    def start(self) -> None:
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(self.tick, "interval", seconds=self.interval, id="drills",
                          max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
