"""Leader election between replicas: one process at a time holds a named lock.

On PostgreSQL the lock is a session-level advisory lock held on a dedicated connection (not
one from the pool), so it is released by the server the moment the holder's connection dies —
a ``kill -9`` hands leadership to another replica within one poll interval. SQLite is a
single-process database: there, whoever asks is the leader.

The Slack outbox dispatcher uses this: only the leader delivers, which keeps every message
single and the per-channel pacing true across replicas (see ``docs/deploy.md``).
"""

from __future__ import annotations

import logging
import threading
import zlib

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

#: First half of the advisory-lock key, so crisisbot's locks never collide with another app's.
NAMESPACE = 0x0C15


class LeaderLock:
    """``held()`` is true while this process is the leader; it tries to become one if not."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.key = zlib.crc32(name.encode()) & 0x7FFFFFFF
        self._conn: Connection | None = None
        self._single_process = engine.dialect.name != "postgresql"
        self._guard = threading.Lock()  # the worker thread asks; shutdown may release meanwhile

    def held(self) -> bool:
        """True when this process holds the lock (checking the connection is still alive)."""
        if self._single_process:
            return True
        with self._guard:
            return self._held()

    def _held(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # noqa: BLE001 - a dead connection means the lock is gone
                log.warning("lost the %s lock: its database connection failed", self.name)
                self._drop()
        return self._try_acquire()

    def release(self) -> None:
        with self._guard:
            self._release()

    def _release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                                   {"ns": NAMESPACE, "key": self.key})
            except Exception:  # noqa: BLE001 - closing the connection releases it anyway
                pass
            self._drop()

    def _try_acquire(self) -> bool:
        try:
            conn = self.engine.connect()
        except Exception:  # noqa: BLE001 - database unreachable: not the leader for now
            return False
        try:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                               {"ns": NAMESPACE, "key": self.key}).scalar_one()
        except Exception:  # noqa: BLE001
            conn.close()
            return False
        if not got:
            conn.close()
            return False
        conn.detach()  # never returned to the pool while it holds the lock
        self._conn = conn
        log.info("this process now holds the %s lock", self.name)
        return True

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass
