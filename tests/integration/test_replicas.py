"""Two replicas on one PostgreSQL: one elected Slack dispatcher, every effect delivered once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from bot.adapters.db import make_engine
from bot.adapters.db.leader import NAMESPACE, LeaderLock
from bot.adapters.slack.gateway import Pacer
from bot.bootstrap import build_bot
from tests.conftest import fresh_pg_database
from tests.integration.slack_world import make_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(pg_server, pg_template) -> str:
    return fresh_pg_database(pg_server, pg_template)


def _kill_lock_holder(url: str, lock: LeaderLock) -> None:
    """End the holder's database session from the server side, as a crash would. The
    two-argument form waits (up to 10 s) until the backend has exited and so let go of its
    locks; the one-argument form only sends the signal, which raced the takeover check."""
    engine = make_engine(url)
    with engine.connect() as conn:
        killed = conn.execute(text(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks "
            "WHERE locktype = 'advisory' AND classid = :ns AND objid = :key AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ), {"ns": NAMESPACE, "key": lock.key}).scalars().all()
        conn.commit()
    engine.dispose()
    assert killed == [True]


def test_one_replica_holds_the_lock_and_another_takes_over_when_it_dies(pg_url):
    engines = [make_engine(pg_url), make_engine(pg_url)]
    first, second = (LeaderLock(e, "slack-outbox") for e in engines)
    try:
        assert first.held()
        assert not second.held()
        assert first.held()  # still the holder on a second look
        _kill_lock_holder(pg_url, first)
        assert second.held()
        assert not first.held()
        second.release()
        assert first.held()
    finally:
        first.release()
        second.release()
        for engine in engines:
            engine.dispose()


def test_two_dispatching_replicas_deliver_every_message_once(tmp_path, clock, pg_url):
    world = make_world(tmp_path, clock=clock, database_url=pg_url)
    replica = build_bot(world.bot.core.settings, clock=clock, pacer=Pacer(pace=0),
                        start_gateway=False)
    replica.gateway.sleep = lambda seconds: None
    gateways = [world.bot.gateway, replica.gateway]
    running = []
    try:
        world.driver.replied(lambda: world.driver.command(
            "declare Payment page down sev:S type:service_logistics", user="ULEAD",
            channel=world.general))
        running = [g.start() for g in gateways]
        assert world.emulator.wait_for(lambda: world.bot.gateway.store.place(1) is not None)
        channel = world.channel()
        for i in range(12):
            world.driver.replied(lambda i=i: world.driver.command(
                f"note replica check {i}", user="ULEAD", channel=channel))
        for gateway in gateways:
            gateway.wake.set()
        assert world.emulator.wait_for(
            lambda: sum("replica check" in t for t in world.texts()) >= 12)

        # The leader dies (its database session ends); the other replica carries on.
        leader = next(g for g in gateways if g.leader._conn is not None)
        _kill_lock_holder(pg_url, leader.leader)
        for i in range(12, 18):
            world.driver.replied(lambda i=i: world.driver.command(
                f"note replica check {i}", user="ULEAD", channel=channel))
        for gateway in gateways:
            gateway.wake.set()
        assert world.emulator.wait_for(
            lambda: sum("replica check" in t for t in world.texts()) >= 18)
    finally:
        for thread, stop in running:
            stop.set()
        for gateway in gateways:
            gateway.wake.set()
        for thread, _ in running:
            thread.join(timeout=10)
        replica.close()
        world.close()

    assert world.bot.gateway.store.pending_count() == 0
    texts = world.texts()
    for i in range(18):
        assert sum(bool(re.search(rf"replica check {i}\b", t)) for t in texts) == 1, i
    assert len(world.emulator.requests("conversations.create")) == 1
    assert sum(1 for m in world.messages() if m.get("pinned")) == 1


def test_replicas_starting_together_migrate_an_empty_database_once(pg_server):
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import create_engine

    from bot.adapters.db.migrate import head_revision, upgrade

    name = f"empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engines = [make_engine(pg_server.url(name)) for _ in range(4)]
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            revisions = list(pool.map(upgrade, engines))
        assert revisions == [head_revision(engines[0])] * 4
    finally:
        for engine in engines:
            engine.dispose()
