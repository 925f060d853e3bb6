"""Storage guarantees enforced by the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.adapters.db.migrate import current_revision, head_revision, upgrade
from bot.adapters.db.uow import uow_factory
from bot.domain.roles import Actor
from bot.domain.severity import Severity
from bot.services import IncidentService

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _declare_one(service: IncidentService, i: int) -> int:
    return service.declare(
        title=f"Alert storm {i}", crisis_type="service_logistics", severity=Severity.A,
        actor=Actor.system("monitor"), source="monitor",
    ).incident.number


def test_migrations_reach_head_and_are_idempotent(engine):
    assert current_revision(engine) == head_revision(engine)
    assert upgrade(engine) == head_revision(engine)


@pytest.mark.parametrize("statement", [
    "UPDATE timeline SET actor = 'mallory'",
    "DELETE FROM timeline",
])
def test_timeline_rows_cannot_be_updated_or_deleted(service, engine, statement):
    _declare_one(service, 0)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM timeline")).scalar() > 0


def test_idempotency_key_is_claimed_once(engine):
    factory = uow_factory(engine)
    with factory() as uow:
        assert uow.idempotency.claim("slack:Ev123", scope="event", at=NOW) is True
        uow.commit()
    with factory() as uow:
        assert uow.idempotency.claim("slack:Ev123", scope="event", at=NOW) is False
        assert uow.idempotency.claim("slack:Ev124", scope="event", at=NOW) is True


def test_concurrent_declares_get_distinct_numbers(service):
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda i: _declare_one(service, i), range(24)))
    assert sorted(numbers) == list(range(1, 25))
    assert len(service.list()) == 24


def test_concurrent_commands_on_one_incident_lose_nothing(service):
    number = _declare_one(service, 0)
    actor = Actor("U1")
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda i: service.add_fact(number, f"fact {i}", actor=actor), range(18)))
    facts = service.get(number).facts
    assert sorted(f.no for f in facts) == list(range(1, 19))
    assert sorted(f.text for f in facts) == sorted(f"fact {i}" for i in range(18))
