"""Engine construction with the per-engine settings crisisbot relies on."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from bot.adapters.db.write_gate import WriteGate


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``).

    SQLite runs in WAL mode with foreign keys on and every transaction opened with
    ``BEGIN IMMEDIATE``: writers queue on the database lock (30 s busy timeout) instead of
    failing on a lock upgrade, which is what makes concurrent declares and alerts safe.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # Only psycopg 3 is installed: accept plain postgresql:// URLs too.
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    engine = create_engine(url, **kwargs)
    _ping_idle_connections(engine)
    return engine


#: A pooled connection unused for longer than this is tested before it is handed out.
PING_AFTER_IDLE = 2.0


def _ping_idle_connections(engine: Engine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for connections that sat idle: a server restart or a
    firewall dropping quiet connections is met by a fresh connection instead of an error.
    A connection handed back moments ago is not tested: under load that test was one round
    trip more for every transaction, a third of all statements sent. Should the server go
    away mid-burst, the first statement that meets the dead connection fails and SQLAlchemy
    replaces every pooled connection."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at <= PING_AFTER_IDLE:
            return  # brand new, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            # Like SQLAlchemy's own pre-ping: every pooled connection is replaced (a server
            # restart killed them all), and the checkout is retried with a new one.
            raise exc.InvalidatePoolError("pooled connection lost while idle") from err


#: The execution option of read-only transactions (:func:`read_only`).
READ_ONLY = "crisisbot_read_only"


def read_only(engine: Engine) -> Engine:
    """``engine`` for transactions that only read. On SQLite they open with a plain (deferred)
    ``BEGIN`` and skip the write gate: in WAL mode readers never wait for the writer, so a
    ``/crisis status`` or a permission check no longer queues behind every write. On
    PostgreSQL they run in autocommit (no ``BEGIN`` / ``ROLLBACK`` round trips): each
    statement reads committed data, which is all a read of snapshot + later events needs."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT", **{READ_ONLY: True})
    return engine.execution_options(**{READ_ONLY: True})


def single_statements(engine: Engine) -> Engine:
    """``engine`` for sessions whose every write is one statement committed on its own (the
    slash-command inbox): autocommit on PostgreSQL, which saves the ``BEGIN`` and ``COMMIT``
    round trips; unchanged on SQLite (its write gate needs the transaction events)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # This process's writers queue in Python, urgent ones first (see write_gate).
    gate = WriteGate()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        if gate.acquire():
            connection.info["write_gate"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info: dict[str, Any]) -> None:
        if info.pop("write_gate", False):
            gate.release()

    # These events fire before SQLAlchemy's own COMMIT / ROLLBACK: end the transaction here
    # (the driver's commit() is then a no-op) so the gate opens only once it has ended.
    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _end(connection, "COMMIT")

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _end(connection, "ROLLBACK")

    def _end(connection: Any, statement: str) -> None:
        try:
            dbapi = connection.connection.dbapi_connection
            if dbapi is not None and dbapi.in_transaction:
                dbapi.execute(statement)
        finally:
            _release(connection.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)  # a transaction that ended without commit or rollback events
