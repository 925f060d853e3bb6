"""The bounded pool that runs acknowledged work off the event loop.

Work for different incidents runs concurrently on a fixed number of threads; work for the
same incident (the same ``key``) runs one at a time, in the order it was submitted. At most
``capacity`` jobs wait; :meth:`KeyedWorkers.submit` refuses more (a refused slash command
stays in the inbox, whose sweeper runs it once its lease runs out). Urgent work (someone is
waiting for an answer) is started before background work (App Home refreshes).

Work submitted with ``together=`` is an item for that function: when a worker starts it,
the items of the same function queued right behind it under the same key (up to
``max_batch``) are taken too, and ``together(items)`` runs them in one call. A burst of
commands to one incident is thus applied a batch at a time, in order, instead of one load and
one commit each.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Self

log = logging.getLogger(__name__)


class KeyedWorkers:
    def __init__(self, *, workers: int = 4, capacity: int = 5000, name: str = "crisisbot-work",
                 pause: Callable[[], Any] | None = None, max_batch: int = 32) -> None:
        if workers < 1 or capacity < 1 or max_batch < 1:
            raise ValueError("workers, capacity and max_batch must be at least 1")
        self.capacity = capacity
        self.max_batch = max_batch
        #: Called by a worker before each job (see :class:`AckPressure`): may wait a little.
        self.pause = pause
        self._cv = threading.Condition()
        self._queues: dict[Hashable, deque[_Job]] = {}
        self._ready: tuple[deque[Hashable], deque[Hashable]] = (deque(), deque())  # urgent, background
        self._urgent: dict[Hashable, bool] = {}
        self._running: set[Hashable] = set()
        self._waiting = 0
        self._closed = False
        self._unkeyed = itertools.count()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                         for i in range(workers)]
        for thread in self._threads:
            thread.start()

    @property
    def waiting(self) -> int:
        """Jobs submitted and not yet started."""
        with self._cv:
            return self._waiting

    def submit(self, key: Hashable | None, job: Any, *, urgent: bool = True,
               together: Callable[[list[Any]], list[Any]] | None = None) -> Future[Any] | None:
        """Queue ``job`` behind earlier jobs of ``key`` (``None``: no ordering); returns its
        future, or None when ``capacity`` jobs are already waiting or the pool is closed.
        With ``together``, ``job`` is an item for it (see the module's doc): its future gets
        the item's entry of the list ``together`` returns."""
        future: Future[Any] = Future()
        with self._cv:
            if self._closed or self._waiting >= self.capacity:
                return None
            if key is None:
                key = ("unkeyed", next(self._unkeyed))
            queue = self._queues.setdefault(key, deque())
            queue.append(_Job(future, contextvars.copy_context(), job, together))
            self._waiting += 1
            if len(queue) == 1 and key not in self._running:
                self._urgent[key] = urgent
                self._ready[0 if urgent else 1].append(key)
                self._cv.notify()
        return future

    def close(self, *, wait: bool = True, timeout: float = 10.0) -> int:
        """Stop taking work and drop what has not started (its futures are cancelled; slash
        commands among it stay pending in the inbox for the sweeper). With ``wait``, give the
        running jobs up to ``timeout`` seconds. Returns how many jobs were dropped."""
        with self._cv:
            self._closed = True
            dropped = [queued.future for queue in self._queues.values() for queued in queue]
            for key in list(self._queues):
                if key not in self._running:
                    del self._queues[key]
                else:
                    self._queues[key].clear()
            for ready in self._ready:
                ready.clear()
            self._waiting = 0
            self._cv.notify_all()
        for future in dropped:
            future.cancel()
        if wait:
            deadline = time.monotonic() + timeout
            for thread in self._threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        return len(dropped)

    def _next(self) -> tuple[Hashable, list[_Job]] | None:
        with self._cv:
            while not (self._ready[0] or self._ready[1]):
                if self._closed:
                    return None
                self._cv.wait()
            key = (self._ready[0] or self._ready[1]).popleft()
            self._running.add(key)
            queue = self._queues[key]
            jobs = [queue.popleft()]
            together = jobs[0].together
            while (together is not None and queue and queue[0].together is together
                   and len(jobs) < self.max_batch):
                jobs.append(queue.popleft())
            self._waiting -= len(jobs)
            return key, jobs

    def _done(self, key: Hashable) -> None:
        with self._cv:
            self._running.discard(key)
            if self._queues[key]:
                self._ready[0 if self._urgent.get(key, True) else 1].append(key)
                self._cv.notify()
            else:
                del self._queues[key]
                self._urgent.pop(key, None)

    def _work(self) -> None:
        while (taken := self._next()) is not None:
            key, jobs = taken
            try:
                if self.pause is not None:
                    self.pause()
                jobs = [job for job in jobs if job.future.set_running_or_notify_cancel()]
                if not jobs:
                    continue
                first = jobs[0]
                try:
                    if first.together is None:
                        results = [first.context.run(first.job)]
                    else:  # in the first item's context, like a single job
                        results = first.context.run(first.together, [job.job for job in jobs])
                        if len(results) != len(jobs):
                            raise RuntimeError(f"{len(results)} results for {len(jobs)} items")
                except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
                    for job in jobs:
                        job.future.set_exception(exc)
                else:
                    for job, result in zip(jobs, results):
                        job.future.set_result(result)
            finally:
                self._done(key)


class AckPressure:
    """Counts the Slack requests the event loop is handling (``with pressure:`` around each).

    Acks and post-ack work share one GIL: while requests wait for their ack, a worker about to
    start a job first waits for a moment with none in flight, up to ``max_pause`` seconds, so
    the loop gets the interpreter first. Under a steady stream of requests the workers still
    start a job every ``max_pause`` each; nothing waits longer than that.
    """

    def __init__(self, *, max_pause: float = 0.1) -> None:
        self.max_pause = max_pause
        self._count = 0
        self._lock = threading.Lock()
        self._quiet = threading.Event()
        self._quiet.set()

    def __enter__(self) -> Self:
        with self._lock:
            self._count += 1
            self._quiet.clear()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1
            if self._count <= 0:
                self._count = 0
                self._quiet.set()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._count

    def wait_quiet(self) -> bool:
        """Wait until no request is in flight, at most ``max_pause``; True if it got quiet."""
        return self._quiet.wait(self.max_pause)


class InFlight:
    """Keys of the slash commands this process has accepted and not yet answered, so the
    inbox sweeper does not run a second copy of one still waiting for a worker."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._lock = threading.Lock()

    def add(self, key: str) -> None:
        with self._lock:
            self._keys.add(key)

    def discard(self, key: str) -> None:
        with self._lock:
            self._keys.discard(key)

    def discard_all(self, keys: list[str]) -> None:
        with self._lock:
            self._keys.difference_update(keys)

    def __call__(self, key: str) -> bool:
        with self._lock:
            return key in self._keys


@dataclass(frozen=True, slots=True)
class _Job:
    future: Future[Any]
    #: A copy of the submitter's context, like ``asyncio.to_thread``: the job keeps the
    #: request's log fields, and what it binds never leaks into later jobs.
    context: contextvars.Context
    job: Any  # a callable, or an item for ``together``
    together: Callable[[list[Any]], list[Any]] | None
