"""Sends the outbound outbox: claim a due delivery, call its vendor, record the result.

A delivery that fails in a way a retry can help is tried again with backoff (30 s, 1 min,
2 min … 10 min) up to :data:`MAX_ATTEMPTS`; then, or at once for a permanent failure, it is
marked failed. ``on_result`` hears every final result (publish targets record it on the
incident's timeline and statement card). Tests call :meth:`OutboundWorker.run_due`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from bot.adapters.outbound.smtp import send_smtp
from bot.adapters.outbound.store import Delivery, OutboundStore
from bot.adapters.outbound.vendors import SENDERS, DeliveryFailed
from bot.domain.errors import InvalidInput
from bot.paging_config import ChannelConfig

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: A claimed delivery is someone's for this long (a crashed sender's claim then lapses).
CLAIM = timedelta(minutes=2)

ResultHook = Callable[[Delivery, str, str], None]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 600))


class OutboundWorker:
    def __init__(self, *, store: OutboundStore, channels: Callable[[], dict[str, ChannelConfig]],
                 clock: Callable[[], datetime], http: httpx.Client | None = None,
                 wall: Callable[[], float] = time.time,
                 on_result: ResultHook | None = None,
                 extra_senders: dict[str, Callable[..., None]] | None = None) -> None:
        self.store = store
        self.channels = channels
        self.clock = clock
        self._http = http
        self.wall = wall
        self.on_result = on_result
        self.senders: dict[str, Callable[..., None]] = {**SENDERS, "smtp": send_smtp,
                                                        **(extra_senders or {})}
        self.wake = threading.Event()

    @property
    def http(self) -> httpx.Client:
        """The HTTP client, made with the first delivery (none at start-up, SPEC P5)."""
        if self._http is None:
            self._http = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))
        return self._http

    def run_due(self) -> int:
        """Send every delivery due now; returns how many were attempted."""
        done = 0
        for delivery in self.store.due(now=self.clock()):
            if self.store.claim(delivery.id, attempts=delivery.attempts,
                                until=self.clock() + CLAIM):
                self._send(delivery)
                done += 1
        return done

    def _send(self, delivery: Delivery) -> None:
        now = self.clock()
        attempts = delivery.attempts + 1
        channel = self.channels().get(delivery.channel)
        try:
            if channel is None:
                raise DeliveryFailed(f"no channel `{delivery.channel}` in the site config",
                                     retry=False)
            sender = self.senders.get(channel.type)
            if sender is None:
                raise DeliveryFailed(f"no sender for {channel.type}", retry=False)
            sender(channel, delivery.payload, http=self.http, now=self.wall())
        except DeliveryFailed as exc:
            self._failed(delivery, attempts, exc.message, retry=exc.retry, now=now)
            return
        except InvalidInput as exc:  # a missing env: variable
            self._failed(delivery, attempts, exc.message, retry=False, now=now)
            return
        except Exception as exc:
            log.exception("outbound delivery %s failed unexpectedly", delivery.id)
            self._failed(delivery, attempts, exc.__class__.__name__, retry=True, now=now)
            return
        self.store.finish(delivery.id, status="sent", at=now)
        log.info("outbound %s sent via %s", delivery.id, delivery.channel)
        self._hook(delivery, "sent", "")

    def _failed(self, delivery: Delivery, attempts: int, error: str, *, retry: bool,
                now: datetime) -> None:
        # Errors name the vendor's answer, never the URL (it may carry a key).
        if retry and attempts < MAX_ATTEMPTS:
            self.store.finish(delivery.id, status="pending", at=now, error=error,
                              next_at=now + backoff(attempts))
            log.warning("outbound %s via %s: %s; retrying", delivery.id, delivery.channel, error)
            return
        self.store.finish(delivery.id, status="failed", at=now, error=error)
        log.warning("outbound %s via %s failed: %s", delivery.id, delivery.channel, error)
        self._hook(delivery, "failed", error)

    def _hook(self, delivery: Delivery, status: str, error: str) -> None:
        if self.on_result is None:
            return
        try:
            self.on_result(delivery, status, error)
        except Exception:
            log.exception("recording the result of outbound %s failed", delivery.id)
