"""A change may start from the incident just read for its permission check (``reusing``)
instead of decoding the same snapshot again — only while that snapshot is still the stored
one. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

import bot.adapters.db.snapshots as snapshots
from bot.adapters.db.uow import read_uow_factory, uow_factory
from bot.domain import snapshot
from bot.services.incidents import IncidentService
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity

LEAD = Actor("ULEAD")


@pytest.fixture
def service(engine, catalog, clock) -> IncidentService:
    """As ``serve`` wires it: reads in their own (unlocked) units of work."""
    return IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock,
                           read_uow_factory=read_uow_factory(engine))


def _replayed(engine, number: int):
    with uow_factory(engine)() as uow:
        return uow.incidents.replay(number)


def _declare(service) -> int:
    return service.declare(title="Checkout failing", crisis_type="service_logistics",
                           severity=Severity.A, actor=LEAD,
                           roles={Role.COMMANDER: LEAD.id}).incident.number


def _count_decodes(monkeypatch) -> list[int]:
    decodes = [0]
    usable = snapshots.usable

    def counting(*args, **kwargs):
        decodes[0] += 1
        return usable(*args, **kwargs)

    monkeypatch.setattr(snapshots, "usable", counting)
    return decodes


def test_a_change_starts_from_the_incident_just_read(service, engine, monkeypatch):
    number = _declare(service)
    service.add_fact(number, "Payment gateway timeouts", actor=LEAD)
    decodes = _count_decodes(monkeypatch)
    read = service.get(number)
    assert decodes == [1]
    with service.reusing(read):
        outcome = service.add_fact(number, "Started 09:40", actor=LEAD)
    assert decodes == [1]  # the change did not decode the snapshot again
    assert outcome.incident is read
    assert [f.text for f in service.get(number).facts] == ["Payment gateway timeouts", "Started 09:40"]
    assert snapshot.same_state(service.get(number), _replayed(engine, number))


def test_a_read_overtaken_by_another_change_is_not_reused(service, engine, monkeypatch):
    number = _declare(service)
    read = service.get(number)
    service.add_fact(number, "Payment gateway timeouts", actor=LEAD)  # lands after the read
    decodes = _count_decodes(monkeypatch)
    with service.reusing(read):
        outcome = service.add_fact(number, "Started 09:40", actor=LEAD)
    assert decodes == [1] and outcome.incident is not read  # read afresh: nothing lost
    assert [f.text for f in service.get(number).facts] == ["Payment gateway timeouts", "Started 09:40"]
    assert snapshot.same_state(service.get(number), _replayed(engine, number))


def test_a_read_changed_in_memory_or_of_another_incident_is_not_reused(service, monkeypatch):
    first, second = _declare(service), _declare(service)
    touched = service.get(first)
    touched.add_note("changed in memory, never saved", actor=LEAD, at=touched.declared_at)
    other = service.get(second)
    decodes = _count_decodes(monkeypatch)
    with service.reusing(touched):
        assert service.add_fact(first, "Fact", actor=LEAD).incident is not touched
    with service.reusing(other):
        assert service.add_fact(first, "Another", actor=LEAD).incident is not other
    assert decodes == [2]
    assert "changed in memory" not in str([e.payload() for e in service.timeline(first)])


def test_the_reuse_is_for_one_change_only(service, monkeypatch):
    number = _declare(service)
    read = service.get(number)
    with service.reusing(read):
        service.add_fact(number, "One", actor=LEAD)
        decodes = _count_decodes(monkeypatch)
        service.add_fact(number, "Two", actor=LEAD)  # must not start from `read` (now changed)
    assert decodes == [1]
    assert [f.text for f in service.get(number).facts] == ["One", "Two"]
