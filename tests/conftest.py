"""Shared fixtures: an injected clock, the bundled catalog, and databases on both engines.

Tests that take the ``engine`` (or ``service``) fixture run twice: on a fresh SQLite file and
on a fresh PostgreSQL database of the server started here.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.adapters.db import make_engine, upgrade
from bot.adapters.db.uow import uow_factory
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.domain.playbook import Catalog
from bot.services import IncidentService
from tests.pg import PgServer, server_from_url, start_pg

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock the test moves by hand: ``clock.advance(minutes=30)``."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def _pg_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("CRISISBOT_REQUIRE_PG") == "1"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get("CRISISBOT_TEST_PG_URL")
    if url:
        yield server_from_url(url)
        return
    try:
        server = start_pg()
    except Exception as exc:  # noqa: BLE001 - reported as the reason below
        if _pg_required():
            pytest.fail(f"PostgreSQL could not be started: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """Name of a database holding the migrated schema, cloned for every test."""
    name = f"crisisbot_template_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(pg_server.url(name))
    upgrade(engine)
    engine.dispose()
    return name


def fresh_pg_database(server: PgServer, template: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crisisbot.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    server = request.getfixturevalue("pg_server")
    return fresh_pg_database(server, request.getfixturevalue("pg_template"))


@pytest.fixture
def engine(db_url: str):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(bundled_playbooks_dir())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(engine, catalog: Catalog, clock: FakeClock) -> IncidentService:
    return IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say how many database tests ran on each engine, so the CI log shows both."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            node = getattr(report, "nodeid", "")
            engines = [e for e in ("sqlite", "postgres")
                       if node.endswith(f"[{e}]") or f"[{e}-" in node]
            if not engines and "postgres" in getattr(report, "keywords", {}):
                engines = ["postgres"]  # PostgreSQL-only tests (replicas, resilience suite)
            for engine in engines:
                counts.setdefault(engine, {}).setdefault(outcome, 0)
                counts[engine][outcome] += 1
    if counts:
        terminalreporter.section("database engines")
        for engine, by_outcome in sorted(counts.items()):
            summary = ", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items()))
            terminalreporter.write_line(f"{engine}: {summary}")
