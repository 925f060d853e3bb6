"""One SQLite writer at a time, queued in this process: urgent writers first.

SQLite allows one write transaction at a time (crisisbot opens every transaction with
``BEGIN IMMEDIATE``) and its busy handler retries with growing sleeps, so under load a waiting
writer can lose the lock again and again. The gate queues this process's transactions in
Python instead, each woken as soon as the one before it ends, and lets *urgent* ones (the
inbox write a slash command's ack waits for) go before the rest. Other processes still meet
SQLite's own busy timeout. A writer that waited ``timeout`` seconds goes ahead anyway and
leaves it to SQLite, so the gate can never block longer than the database would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


@contextmanager
def urgent() -> Iterator[None]:
    """Transactions this thread opens inside the block go first."""
    before = getattr(_local, "urgent", False)
    _local.urgent = True
    try:
        yield
    finally:
        _local.urgent = before


class WriteGate:
    def __init__(self, *, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._cv = threading.Condition()
        self._held = False
        self._urgent_waiting = 0
        self._waiting = 0

    @property
    def waiting(self) -> int:
        with self._cv:
            return self._waiting

    def acquire(self) -> bool:
        """Wait for the gate (urgent callers first); False if ``timeout`` passed first."""
        is_urgent = getattr(_local, "urgent", False)
        with self._cv:
            if is_urgent:
                self._urgent_waiting += 1
            self._waiting += 1
            try:
                got = self._cv.wait_for(
                    lambda: not self._held and (is_urgent or not self._urgent_waiting),
                    timeout=self.timeout)
            finally:
                self._waiting -= 1
                if is_urgent:
                    self._urgent_waiting -= 1
            if got:
                self._held = True
            else:
                self._cv.notify_all()
            return got

    def release(self) -> None:
        with self._cv:
            self._held = False
            self._cv.notify_all()
