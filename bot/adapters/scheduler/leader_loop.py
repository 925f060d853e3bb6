"""A polling thread that works only while this replica holds its leader lock, with an HTTP
client made at its first fetch."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from bot.adapters.db.leader import LeaderLock


class LeaderPolling:
    """Mixin: ``run`` calls ``run_due`` every ``tick`` seconds while this replica leads (or
    always, without a lock) and lets the lock go when stopped; ``start`` runs it in a thread.
    ``client`` is made with the first fetch (or given as ``_client``): a bot without polled
    sources never pays for it (start-up time and idle memory, SPEC P5)."""

    leader: LeaderLock | None
    thread_name: str = "poller"
    _client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(follow_redirects=True)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def run_due(self) -> Any:
        raise NotImplementedError

    def run(self, stop: threading.Event, *, tick: float = 5.0) -> None:
        while not stop.is_set():
            if self.leader is None or self.leader.held():
                self.run_due()
            stop.wait(tick)
        if self.leader is not None:
            self.leader.release()

    def start(self) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), name=self.thread_name, daemon=True)
        thread.start()
        return thread, stop
