"""Changes made inside ``IncidentService.together`` share one transaction: each applies to the
state the one before left, all are stored (and snapshotted) once, or none if the block raises.
On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.adapters.db.uow import read_uow_factory, uow_factory
from bot.domain import events as ev
from bot.domain.errors import InvalidInput
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.services.incidents import IncidentService

LEAD = Actor("ULEAD")


@pytest.fixture
def service(engine, catalog, clock) -> IncidentService:
    return IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock,
                           read_uow_factory=read_uow_factory(engine))


def _declare(service) -> int:
    return service.declare(title="Checkout failing", crisis_type="service_logistics",
                           severity=Severity.A, actor=LEAD,
                           roles={Role.COMMANDER: LEAD.id}).incident.number


def _replayed(engine, number: int):
    with uow_factory(engine)() as uow:
        return uow.incidents.replay(number)


def test_changes_together_are_stored_once_in_order_and_match_a_replay(service, engine):
    number = _declare(service)
    with service.together(number) as incident:
        first = service.add_note(number, "one", actor=LEAD, idempotency_key="k1")
        fact = service.add_fact(number, "Batch 7 is affected", actor=LEAD, idempotency_key="k2")
        again = service.add_note(number, "one, sent twice", actor=LEAD, idempotency_key="k1")
        second = service.add_note(number, "two", actor=LEAD, idempotency_key="k3")
        # Nothing is visible outside the block before it ends.
        assert [e for e in service.timeline(number) if isinstance(e, ev.NoteAdded)] == []
    assert [type(e) for e in first.events] == [ev.NoteAdded] and not first.duplicate
    assert again.duplicate and not again.events
    assert fact.incident is incident is second.incident
    notes = [e.text for e in service.timeline(number) if isinstance(e, ev.NoteAdded)]
    assert notes == ["one", "two"]
    stored = service.get(number)
    assert [f.text for f in stored.facts] == ["Batch 7 is affected"]
    assert stored == _replayed(engine, number)
    # The keys were claimed: a later replay of one is a duplicate.
    assert service.add_note(number, "two", actor=LEAD, idempotency_key="k3").duplicate


def test_a_block_that_raises_keeps_nothing(service, engine):
    number = _declare(service)
    before = service.timeline(number)
    with pytest.raises(InvalidInput):
        with service.together(number):
            service.add_note(number, "kept?", actor=LEAD, idempotency_key="k1")
            service.add_note(number, "lesson:", actor=LEAD, idempotency_key="k2")  # no text
    assert service.timeline(number) == before
    # Neither key was claimed: both commands can run again.
    assert not service.add_note(number, "kept?", actor=LEAD, idempotency_key="k1").duplicate
    assert service.get(number) == _replayed(engine, number)


def test_a_change_to_another_incident_inside_the_block_is_refused(service):
    one, other = _declare(service), _declare(service)
    with pytest.raises(RuntimeError, match=f"INC-{other} inside together"):
        with service.together(one):
            service.add_note(one, "to one", actor=LEAD)
            service.add_note(other, "to the other", actor=LEAD)
    assert not any(isinstance(e, ev.NoteAdded)
                   for n in (one, other) for e in service.timeline(n))
