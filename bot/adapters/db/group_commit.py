"""Group commit: small writes from many threads share one transaction.

A slash command costs two tiny inbox writes (stored before the ack, marked done after the
answer); in a burst, dozens arrive at once from different threads, and on SQLite each one
was a whole transaction queued behind the others for the one write lock. Here a thread
that finds no batch running becomes its leader: it runs every write queued so far in ONE
transaction, commits, and hands each caller its own result; writes that arrive meanwhile
form the next batch. Nobody waits for a timer: a lone write is written at once.

A write that raises fails its whole batch (the transaction is rolled back): every caller
in it gets the exception, as each would have on its own. Callers only return once their
write is committed, so durability is what it was.

:class:`WriteBehind` is the same idea for writes nobody waits for (marking answered commands
done): a batch is one ``write(items)`` call, so one statement, and callers return at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

T = TypeVar("T")
#: What the writes get: an ORM session or a Core connection (both ``execute`` and ``commit``).
Executor = Session | Connection

log = logging.getLogger(__name__)


class _Slot(Generic[T]):
    __slots__ = ("done", "error", "result", "write")

    def __init__(self, write: Callable[[Any], T]) -> None:
        self.write = write
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Runs ``write(executor)`` callables in shared transactions (see the module doc);
    ``connect()`` opens the transaction's :data:`Executor` (a sessionmaker, or
    ``engine.connect``: a Core connection costs a third less CPU than a session)."""

    def __init__(self, connect: Callable[[], AbstractContextManager[Executor]], *,
                 max_batch: int = 200) -> None:
        self.connect = connect
        self.max_batch = max_batch
        self._cv = threading.Condition()
        self._queue: list[_Slot[Any]] = []
        self._leading = False

    def run(self, write: Callable[[Executor], T]) -> T:
        slot: _Slot[T] = _Slot(write)
        with self._cv:
            self._queue.append(slot)
            while not slot.done and self._leading:
                self._cv.wait()
            if slot.done:
                return self._outcome(slot)
            self._leading = True
        try:
            while True:
                with self._cv:
                    batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                if not batch:
                    break
                self._write(batch)
                with self._cv:
                    self._cv.notify_all()
                if slot.done:
                    break
        finally:
            with self._cv:
                self._leading = False
                self._cv.notify_all()  # a waiting caller leads the next batch
        return self._outcome(slot)

    def _write(self, batch: list[_Slot[Any]]) -> None:
        try:
            with self.connect() as executor:
                results = [item.write(executor) for item in batch]
                executor.commit()
        except BaseException as exc:  # noqa: BLE001 - every caller of the batch gets it
            for item in batch:
                item.error, item.done = exc, True
            return
        for item, result in zip(batch, results, strict=True):
            item.result, item.done = result, True

    @staticmethod
    def _outcome(slot: _Slot[T]) -> T:
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]


class WriteBehind(Generic[T]):
    """Items handed in by many threads, written in batches by ``write(items)`` (one call, so
    one statement, per batch); callers do not wait for the commit.

    A caller that finds no batch being written writes one itself (everything queued so far)
    and goes on until nothing is left; callers arriving meanwhile only queue their item and
    return. A lone item is thus written before its caller returns, as a plain write would be,
    and under load a batch carries everything that arrived during the one before. A batch that
    fails is logged and dropped: use this only for writes whose loss a later pass repairs.
    """

    def __init__(self, write: Callable[[list[T]], None], *, what: str, max_batch: int = 100) -> None:
        self.write = write
        self.what = what
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[T] = []
        self._writing = False

    def add(self, item: T) -> None:
        with self._lock:
            self._queue.append(item)
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
                    self.write(batch)
                except Exception as exc:  # noqa: BLE001 - the module doc: a later pass repairs it
                    log.warning("%s: %d not written (%s)", self.what, len(batch),
                                exc.__class__.__name__)
        except BaseException:
            with self._lock:
                self._writing = False
            raise
