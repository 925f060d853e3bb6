"""APScheduler as a ticker only: an interval job calls :meth:`ReminderService.send_due`.

The reminders table is the source of truth, so the scheduler keeps no state of its own: a
restarted process, or a second replica, just ticks again. Tests call :meth:`ReminderTicker.tick`
directly with an injected clock instead of waiting on real time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from bot.services.reminders import ReminderService

log = logging.getLogger(__name__)


class ReminderTicker:
    def __init__(self, *, service: ReminderService, interval: float = 15.0,
                 on_sent: Callable[[float], None] | None = None) -> None:
        self.service = service
        self.interval = interval
        #: Called with each sent reminder's lateness in seconds (the reminder-lag metric).
        self.on_sent = on_sent
        self._scheduler: BackgroundScheduler | None = None
        self._synced = False

    def tick(self) -> int:
        """One pass: on the first, re-sync every open incident (rows written by an older
        release or under other settings); then send what is due. Returns how many were sent.
        Never raises: a database outage is logged and retried on the next tick."""
        try:
            if not self._synced:
                self.service.resync()
                self._synced = True
            sent = self.service.send_due()
            if self.on_sent is not None:
                for event in sent:
                    self.on_sent(max(0.0, (event.at - event.due_at).total_seconds()))
            return len(sent)
        except Exception:
            log.exception("reminder tick failed; retrying on the next tick")
            return 0

    def start(self) -> None:
        scheduler = BackgroundScheduler(timezone=timezone.utc)
        scheduler.add_job(
            self.tick, "interval", seconds=self.interval, id="reminders",
            max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc),
        )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
