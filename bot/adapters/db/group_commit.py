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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


class _Slot(Generic[T]):
    __slots__ = ("done", "error", "result", "write")

    def __init__(self, write: Callable[[Session], T]) -> None:
        self.write = write
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Runs ``write(session)`` callables in shared transactions (see the module doc)."""

    def __init__(self, sessions: sessionmaker[Session], *, max_batch: int = 200) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self._cv = threading.Condition()
        self._queue: list[_Slot[Any]] = []
        self._leading = False

    def run(self, write: Callable[[Session], T]) -> T:
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
            with self.sessions() as session:
                results = [item.write(session) for item in batch]
                session.commit()
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
