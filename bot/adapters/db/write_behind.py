"""Writes nobody waits for, batched: many threads hand items in, one statement writes them.

Marking answered commands done is the case: dozens of answers go out at once in a burst,
and a write per answer (each waiting for its commit) cost more than the answer itself. Here
a caller that finds no batch being written writes one itself and returns when nothing is
left; callers arriving meanwhile only queue their item and return at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class WriteBehind(Generic[T]):
    """Items handed in by many threads, written in batches by ``write(items)`` (one call, so
    one statement, per batch); callers do not wait for the commit.

    A caller that finds no batch being written writes one itself (everything queued so far)
    and goes on until nothing is left; callers arriving meanwhile only queue their item and
    return. A lone item is thus written before its caller returns, as a plain write would be,
    and under load a batch carries everything that arrived during the one before. A batch that
    fails is logged and dropped: use this only for writes whose loss a later pass repairs.
    """

    def __init__(self, write: Callable[[list[T]], None], *, what: str,
                 max_batch: int = 100) -> None:
        self.write = write
        self.what = what
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[tuple[T, Callable[[], None] | None]] = []
        self._writing = False

    def add(self, item: T, *, then: Callable[[], None] | None = None) -> None:
        """Queue ``item``; ``then()`` is called once the batch holding it has been written
        (or has failed), by whichever thread wrote it."""
        with self._lock:
            self._queue.append((item, then))
            if self._writing:
                return
            self._writing = True
        try:
            while True:
                with self._lock:
                    batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                    if not batch:
                        self._writing = False
                        return
                try:
                    self.write([queued for queued, _ in batch])
                except Exception as exc:  # noqa: BLE001 - the module doc: a later pass repairs it
                    log.warning("%s: %d not written (%s)", self.what, len(batch),
                                exc.__class__.__name__)
                for _, after in batch:
                    if after is not None:
                        after()
        except BaseException:
            with self._lock:
                self._writing = False
            raise
