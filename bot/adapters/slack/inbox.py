"""Finishes ``/crisis`` commands that were acknowledged but never answered (a crash, a
``kill -9``, a deploy in between): they wait in the inbox table until their lease runs out,
then any replica runs them with their request's idempotency key and answers through their
``response_url``. Tests call :meth:`InboxSweeper.sweep` directly with an injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.adapters.db.inbox import KEEP_FINISHED, InboxEntry, SlackInbox
from bot.adapters.slack import commands as c
from bot.adapters.slack.answers import post_to_response_url
from bot.adapters.slack.handlers import CommandHandler, Reply
from bot.adapters.slack.messages.inbox import RECOVERED_PREFIX

log = logging.getLogger(__name__)


class InboxSweeper:
    def __init__(
        self, *, inbox: SlackInbox, handler: CommandHandler, clock: Callable[[], datetime],
        interval: float = 10.0,
        post: Callable[[str, dict[str, Any]], int] = post_to_response_url,
        in_flight: Callable[[str], bool] | None = None,
    ) -> None:
        self.inbox = inbox
        self.handler = handler
        self.clock = clock
        self.interval = interval
        self.post = post
        #: Whether this process still has the command queued or running (then it is skipped:
        #: its lease was just renewed by the claim).
        self.in_flight = in_flight
        self._scheduler: BackgroundScheduler | None = None

    def sweep(self) -> int:
        """Finish what is due; returns how many commands were answered. Never raises."""
        try:
            now = self.clock()
            entries, expired = self.inbox.claim_due(now=now)
            self.inbox.prune(before=now - KEEP_FINISHED)
        except Exception:
            log.exception("inbox sweep failed; retrying on the next one")
            return 0
        if expired:
            log.warning("%d acknowledged command(s) could not be finished within 30 minutes "
                        "and were marked expired", expired)
        answered = 0
        for entry in entries:
            if self.in_flight is not None and self.in_flight(entry.key):
                continue
            try:
                self._finish(entry)
                answered += 1
            except Exception:
                log.exception("inbox: could not finish a command; it is retried after its lease")
        return answered

    def _finish(self, entry: InboxEntry) -> None:
        try:
            parsed = c.parse_command(entry.text)
            reply = self.handler.handle(parsed, user_id=entry.user_id,
                                        channel_id=entry.channel_id, key=entry.key)
        except (c.UnknownCommand, c.InvalidInput) as exc:
            reply = Reply(f":warning: {exc.message}")
        body = reply.as_response()
        body["text"] = RECOVERED_PREFIX + body["text"]
        status = self.post(entry.response_url, body)
        if status >= 500:
            raise RuntimeError(f"response_url answered {status}")
        if status != 200:
            log.warning("inbox: response_url refused the answer (%s)", status)
        self.inbox.finish(entry.key, now=self.clock())

    def start(self) -> None:
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(self.sweep, "interval", seconds=self.interval, id="inbox",
                          max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
