"""The drill calendar in the running bot: reminders a day and an hour before each scheduled
drill (in the drill channel), and a flag to the roster's execs when a drill was due and not
started. Each notice is claimed once in ``drill_calendar`` so restarts and replicas never repeat it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.adapters.drills.config import DrillSettings
from bot.adapters.rendering.formatting import duration
from bot.adapters.slack.escape import mention
from bot.domain.drill_calendar import CalendarNotice, due_notices

log = logging.getLogger(__name__)


class DrillCalendar:
    def __init__(self, *, settings: DrillSettings, store: Any, outbox_add: Callable[..., None],
                 clock: Callable[[], datetime], scenarios: Callable[[], list[str]],
                 execs: tuple[str, ...]) -> None:
        self.settings = settings
        self.store = store
        self.outbox_add = outbox_add
        self.clock = clock
        self.scenarios = scenarios
        self.execs = execs

    def tick(self) -> list[CalendarNotice]:
        """Send what is due now; returns the notices sent."""
        schedule, channel = self.settings.schedule, self.settings.channel
        if schedule is None or not channel:
            return []
        zone = ZoneInfo(self.settings.zone)
        now = self.clock()
        local = now.astimezone(zone).replace(tzinfo=None)
        last = schedule.previous_before(local).replace(tzinfo=zone).astimezone(UTC)
        started = any(run.started_at >= last for run, _, _ in self.store.runs())
        rotation = self.settings.rotation or tuple(sorted(self.scenarios()))
        sent = []
        for notice in due_notices(schedule=schedule, rotation=rotation, now_local=local,
                                  reminders=self.settings.reminders, grace=self.settings.grace,
                                  started_since=started):
            if not self.store.mark_calendar(notice.key, at=now):
                continue
            self.outbox_add("post_message", {"channel": channel, "text": self.text(notice)}, at=now)
            sent.append(notice)
        return sent

    def text(self, notice: CalendarNotice) -> str:
        when = f"{notice.slot:%Y-%m-%d %H:%M} ({self.settings.zone})"
        scenario = f"`{notice.scenario}`" if notice.scenario else "a scenario of your choice"
        if notice.kind == "reminder":
            assert notice.before is not None
            return (f":calendar: Drill in {duration(notice.before)}: {when}, scenario {scenario}. "
                    f"Start it with `/crisis drill start {notice.scenario or '<scenario>'}`. "
                    f"演练将于 {duration(notice.before, 'zh')} 后开始。")
        execs = " ".join(mention(u) for u in self.execs) or "execs"
        return (f":warning: {execs} the drill due {when} ({scenario}) has not been started. "
                f"计划中的演练尚未开始。")
