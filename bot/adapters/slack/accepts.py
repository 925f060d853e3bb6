"""The inbox write every ``/crisis`` ack waits for, batched for the event loop.

The listener hands the command over and awaits a future; one writer thread stores everything
handed over meanwhile with one statement (:meth:`SlackInbox.accept_many`) and settles the
futures with one call back into the loop. Under a burst that is one statement, one thread
wake-up and one loop wake-up per batch instead of per command: a thread hop per command
(``asyncio.to_thread``) cost more CPU than the insert itself. A lone command is written at
once. The writer's transactions go first through SQLite's write gate (``urgent``); the thread
ends after a second without work and starts again with the next command.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from bot.adapters.db.inbox import MAX_ACCEPT_BATCH, InboxEntry, SlackInbox
from bot.adapters.db.write_gate import urgent

#: Seconds the writer thread waits for more work before it ends.
IDLE = 1.0

_Item = tuple[InboxEntry, asyncio.Future, asyncio.AbstractEventLoop]


class InboxAccepts:
    def __init__(self, inbox: SlackInbox, clock: Callable[[], datetime]) -> None:
        self.inbox = inbox
        self.clock = clock
        self._cv = threading.Condition()
        self._pending: list[_Item] = []
        self._writer: threading.Thread | None = None

    def store(self, entry: InboxEntry) -> asyncio.Future:
        """On the event loop: a future for ``entry``'s store (True: stored now, False: its key
        was stored before), or its exception."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._cv:
            self._pending.append((entry, future, loop))
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="crisisbot-inbox",
                                                daemon=True)
                self._writer.start()
            else:
                self._cv.notify()
        return future

    def _write(self) -> None:
        while True:
            with self._cv:
                if not self._pending:
                    self._cv.wait(IDLE)
                if not self._pending:
                    self._writer = None
                    return
                batch = self._pending[:MAX_ACCEPT_BATCH]
                del self._pending[:MAX_ACCEPT_BATCH]
            outcomes = self._store([entry for entry, _, _ in batch])
            # Settled on each command's own loop (one, but for tests running several apps).
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, object]]] = {}
            for (_, future, loop), result in zip(batch, outcomes, strict=True):
                by_loop.setdefault(loop, []).append((future, result))
            for loop, settled in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, settled)
                except RuntimeError:
                    pass  # that loop was closed meanwhile: nobody waits any more

    def _store(self, entries: list[InboxEntry]) -> list[bool | Exception]:
        """Each entry's outcome. A row the database refuses fails only its own command: the
        batch is then stored one entry at a time. A connection lost mid-batch (it was pooled
        and the server restarted) is retried once on a fresh one. The insert is idempotent,
        so neither retry can store a command twice."""
        with urgent():
            for attempt in (1, 2):
                try:
                    return list(self.inbox.accept_many(entries, now=self.clock()))
                except DBAPIError as exc:
                    if exc.connection_invalidated and attempt == 1:
                        continue
                    if len(entries) == 1 or not isinstance(exc, DataError | IntegrityError):
                        return [exc] * len(entries)
                    break
                except Exception as exc:  # noqa: BLE001 - every command of the batch says it
                    return [exc] * len(entries)
            outcomes: list[bool | Exception] = []
            for entry in entries:
                try:
                    outcomes.append(self.inbox.accept_many([entry], now=self.clock())[0])
                except Exception as exc:  # noqa: BLE001 - this command's ack says it
                    outcomes.append(exc)
            return outcomes


def _settle(settled: list[tuple[asyncio.Future, object]]) -> None:
    for future, result in settled:
        if future.done():
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
