"""The incident services on real databases: SQLite and PostgreSQL (each test runs on both)."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidInput, NotFound, NotPermitted, StageBlocked
from bot.domain.lifecycle import Phase, Status
from bot.domain.records import FactStatus
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity

LEAD = Actor("ULEAD")
COMMS = Actor("UCOMMS")


def declare(service, **overrides):
    kwargs = dict(
        title="Influencer video claims our moisturiser burns skin",
        crisis_type="brand_reputation", severity=Severity.S, actor=LEAD,
        description="Video at 2M views", roles={Role.COMMANDER: LEAD.id},
    )
    kwargs.update(overrides)
    return service.declare(**kwargs)


def test_declare_saves_incident_with_first_stage_tasks_and_timeline(service, clock):
    outcome = declare(service)
    incident = service.get(outcome.incident.number)
    assert incident.id == "INC-1"
    assert incident.stage is Phase.ASSESS and incident.status is Status.ACTIVE
    assert incident.declared_at == clock.now
    assert incident.holder(Role.COMMANDER) == LEAD.id
    assert {t.template for t in incident.tasks} >= {"verify-source", "monitor-spread"}
    names = [e.name for e in service.timeline(incident.number)]
    assert names[0] == "incident.declared"
    assert "role.assigned" in names and "task.added" in names
    assert names == [e.name for e in outcome.events]


def test_incident_numbers_increase(service):
    numbers = [declare(service, title=f"Incident {i}").incident.number for i in range(3)]
    assert numbers == [1, 2, 3]


def test_declare_with_unknown_crisis_type_is_refused_and_stores_nothing(service):
    with pytest.raises(InvalidInput, match="unknown crisis type `nope`"):
        declare(service, crisis_type="nope")
    assert service.list() == []


def test_declare_with_same_idempotency_key_returns_the_first_incident(service):
    first = declare(service, idempotency_key="slack:ev1")
    again = declare(service, idempotency_key="slack:ev1")
    assert again.duplicate and again.incident.number == first.incident.number
    assert len(service.list()) == 1


def test_refused_command_leaves_state_and_timeline_untouched(service):
    number = declare(service).incident.number
    before = service.timeline(number)
    with pytest.raises(StageBlocked):
        service.advance_stage(number, actor=LEAD)
    assert service.timeline(number) == before
    assert service.get(number).stage is Phase.ASSESS


def test_full_walk_through_all_stages_to_closed(service, clock):
    number = declare(service).incident.number
    service.assign_role(number, Role.COMMS, COMMS.id, actor=LEAD)
    for stage in (Phase.ASSESS, Phase.RESPOND, Phase.COMMUNICATE, Phase.RECOVER):
        incident = service.get(number)
        assert incident.stage is stage
        for task in incident.blocking_tasks():
            clock.advance(minutes=5)
            service.complete_task(number, task.no, actor=COMMS)
        if stage is not Phase.RECOVER:
            service.advance_stage(number, actor=LEAD)
    service.resolve(number, actor=LEAD, summary="Video retracted; no injuries")
    service.close(number, actor=LEAD)
    incident = service.get(number)
    assert incident.status is Status.CLOSED and incident.resolution == "Video retracted; no injuries"
    assert service.list(open_only=True) == []
    row = service.list()[0]
    assert row.status == "closed" and row.stage == "recover"


def test_severity_change_to_ss_needs_commander_or_exec(service):
    number = declare(service).incident.number
    with pytest.raises(NotPermitted):
        service.change_severity(number, Severity.SS, actor=COMMS)
    service.change_severity(number, Severity.SS, actor=LEAD, reason="trending nationwide")
    incident = service.get(number)
    assert incident.severity is Severity.SS
    assert [c.severity for c in incident.severity_history] == ["S", "SS"]
    assert service.list()[0].severity == "SS"


def test_tasks_facts_notes_impact_round_trip_through_storage(service, clock):
    number = declare(service).incident.number
    service.add_task(number, "Call the influencer's agency", actor=COMMS, owner_role=Role.COMMS)
    task_no = service.get(number).tasks[-1].no
    service.assign_task(number, task_no, COMMS.id, actor=LEAD)
    clock.advance(minutes=10)
    service.complete_task(number, task_no, actor=COMMS)
    service.add_fact(number, "Batch 24-11 passed third-party testing", actor=COMMS)
    service.add_fact(number, "Two customers reported redness", actor=COMMS)
    service.confirm_fact(number, 1, actor=LEAD)
    service.retract_fact(number, 2, actor=LEAD, reason="duplicate of one report")
    service.add_note(number, "lesson: keep test reports ready", actor=LEAD)
    service.record_impact(number, {"orders": "1,200", "revenue": "USD 35000", "regions": "east,north"}, actor=LEAD)
    incident = service.get(number)
    task = incident.task(task_no)
    assert task.assignee == COMMS.id and task.done_at == clock.now and task.done_by == COMMS.id
    assert [f.status for f in incident.facts] == [FactStatus.CONFIRMED, FactStatus.RETRACTED]
    assert incident.facts[1].reason == "duplicate of one report"
    assert incident.impact == {"orders": 1200, "revenue": {"amount": 35000, "currency": "USD"},
                               "regions": ["east", "north"]}
    note = [e for e in service.timeline(number) if e.name == "note.added"][0]
    assert (note.tag, note.text) == ("lesson", "keep test reports ready")


def test_unknown_incident_is_not_found(service):
    with pytest.raises(NotFound, match="INC-42"):
        service.add_note(42, "hello", actor=LEAD)


def test_repeated_command_with_same_key_has_one_effect(service):
    number = declare(service).incident.number
    service.add_note(number, "first", actor=LEAD, idempotency_key="click-1")
    again = service.add_note(number, "first", actor=LEAD, idempotency_key="click-1")
    assert again.duplicate and again.events == ()
    notes = [e for e in service.timeline(number) if e.name == "note.added"]
    assert len(notes) == 1


def test_timeline_replays_into_the_stored_state(service, clock):
    number = declare(service).incident.number
    service.add_fact(number, "fact", actor=LEAD)
    clock.advance(minutes=3)
    service.change_severity(number, Severity.A, actor=LEAD)
    events = service.timeline(number)
    assert all(e.at.tzinfo is not None for e in events)
    from bot.domain.incident import Incident

    assert Incident.replay(events) == service.get(number)
