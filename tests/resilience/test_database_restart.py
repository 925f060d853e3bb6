"""PostgreSQL goes away while `crisisbot serve` runs: requests in the gap fail cleanly, and
service resumes by itself once the database is back (no restart of the bot)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.adapters.db import make_engine, upgrade
from tests.integration.monitor_helpers import generic, post
from tests.integration.processes import free_port
from tests.pg import start_pg
from tests.resilience.conftest import MONITOR_SECRET
from tests.resilience.test_crash_restart import wait_for_card


@pytest.fixture
def own_pg():
    """A private cluster, so stopping it cannot disturb the other tests' databases."""
    server = start_pg()
    try:
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "crisisbot"'))
        admin.dispose()
        engine = make_engine(server.url("crisisbot"))
        upgrade(engine)
        engine.dispose()
        yield server
    finally:
        server.stop()


def test_database_outage_fails_requests_cleanly_and_service_resumes_by_itself(site, own_pg):
    port = free_port()
    bot = site.serve(own_pg.url("crisisbot"), port)
    base = f"http://127.0.0.1:{port}"
    driver = site.driver(base)

    def run(text: str, channel: str) -> httpx.Response:
        reply = driver.replied(lambda: driver.command(text, user="ULEAD", channel=channel))
        return reply

    try:
        run("declare Warehouse system down sev:A type:service_logistics", site.general)
        channel = wait_for_card(site, "inc-1-warehouse-system-down")

        own_pg.pause()
        assert httpx.get(base + "/healthz").status_code == 503
        refused = post(base, "generic", generic("while-down"), secret=MONITOR_SECRET)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] and "send the alert again" in refused.json()["error"]
        during = run("note written while the database is down", channel)
        assert during.status_code == 200                   # Slack got its ack in time
        # The command cannot be stored in the inbox, so the ack itself says it was not taken.
        answer = during.json() if during.content else site.emulator.response_url_posts()[-1]["payload"]
        assert answer["response_type"] == "ephemeral"
        assert "cannot reach its database" in answer["text"]
        assert "nothing was changed" in answer["text"]

        own_pg.resume()
        assert httpx.get(base + "/healthz").status_code == 200
        accepted = post(base, "generic", generic("while-down"), secret=MONITOR_SECRET)
        assert accepted.status_code == 202 and accepted.json()["action"] == "opened"
        run("note written after the database came back", channel)
        assert ":white_check_mark:" in site.emulator.response_url_posts()[-1]["payload"]["text"]
        assert site.emulator.wait_for(lambda: any(
            "after the database came back" in m.get("text", "")
            for m in site.emulator.messages(channel)), timeout=30), "".join(bot.log)
    finally:
        driver.close()
        bot.stop()
    texts = [m.get("text", "") for m in site.emulator.messages(channel)]
    assert not any("while the database is down" in t for t in texts)


def _select_one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar_one()


def test_an_idle_pooled_connection_is_tested_and_replaced_after_a_restart(own_pg, monkeypatch):
    from bot.adapters.db import engine as engine_module

    engine = make_engine(own_pg.url("crisisbot"), pool_size=1, max_overflow=0)
    try:
        assert _select_one(engine) == 1           # one connection, now back in the pool
        own_pg.pause()
        own_pg.resume()                           # the pooled connection is dead now
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE", -1.0)  # "idle long enough"
        assert _select_one(engine) == 1           # tested on checkout, replaced, no error
    finally:
        engine.dispose()


def test_a_connection_just_used_is_not_tested_and_a_dead_one_is_replaced_after_one_error(
        own_pg, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from bot.adapters.db import engine as engine_module

    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE", 3600.0)  # "just used", however slow CI is
    engine = make_engine(own_pg.url("crisisbot"), pool_size=1, max_overflow=0)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi: pings.append(dbapi) or real_ping(dbapi)
    try:
        for _ in range(5):
            assert _select_one(engine) == 1
        assert pings == []                        # under load: no extra round trip
        own_pg.pause()
        own_pg.resume()
        with pytest.raises(OperationalError):     # the one statement that meets it fails…
            _select_one(engine)
        assert _select_one(engine) == 1           # …and the pool was renewed
    finally:
        engine.dispose()
