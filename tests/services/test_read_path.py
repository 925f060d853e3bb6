"""Reads (permission checks, status, timeline, App Home) never wait for a writer: on SQLite
they skip the write gate and ``BEGIN IMMEDIATE``, on PostgreSQL they take no row lock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.adapters.db.uow import read_uow_factory, uow_factory
from bot.domain.roles import Actor
from bot.services import IncidentService

LEAD = Actor("ULEAD")
WAIT = 60  # generous: the machine is shared; a read that waited for the writer never returns


@pytest.fixture
def reading_service(engine, catalog, clock) -> IncidentService:
    return IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock,
                           read_uow_factory=read_uow_factory(engine))


def test_a_read_completes_while_a_writer_holds_the_incident(reading_service, engine):
    number = reading_service.declare(title="Checkout failing", crisis_type="service_logistics",
                                     actor=LEAD, roles={}).incident.number
    reading_service.add_note(number, "first", actor=LEAD)
    with uow_factory(engine)() as writer, ThreadPoolExecutor(max_workers=1) as pool:
        # The writer's transaction holds the SQLite write lock (and the process's write gate)
        # and the incident's row lock on PostgreSQL, and has changed the incident uncommitted.
        held = writer.incidents.get(number)
        held.add_note("uncommitted", actor=LEAD, at=held.declared_at)
        writer.incidents.save(held)
        writer.timeline.append(list(held.pending))
        seen = pool.submit(reading_service.get, number).result(timeout=WAIT)
        events = pool.submit(reading_service.timeline, number).result(timeout=WAIT)
        listed = pool.submit(reading_service.list).result(timeout=WAIT)
    # Committed state only: the writer's note is not there.
    assert seen.number == number
    notes = [e.payload().get("text") for e in events if e.name == "note.added"]
    assert notes == ["first"]
    assert [s.number for s in listed] == [number]


def test_a_read_only_unit_of_work_refuses_to_commit(engine):
    with read_uow_factory(engine)() as uow, pytest.raises(RuntimeError, match="read-only"):
        uow.commit()
