"""The incident aggregate: declaration, permissions, roles, tasks, facts, notes, impact, limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import events as ev
from bot.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from bot.domain.incident import (
    MAX_TEXT,
    MAX_TITLE,
    NOTE_TAGS,
    Incident,
    incident_id,
    parse_incident_id,
)
from bot.domain.lifecycle import Phase, Status
from bot.domain.records import FactStatus
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from tests.conftest import T0
from tests.unit.factories import ALICE, COMMANDER, EXEC, MONITOR, playbook

PB = playbook()
BOB = Actor("UBOB")
#: Alice as an executive of the site roster: may hand out roles (a roster commander no
#: longer may: only roles held in the incident count, and a roster exec overrides).
LEAD = Actor("UALICE", roles=frozenset({Role.EXEC}))


def declare(
    severity: Severity | None = Severity.A,
    *,
    title: str = "Checkout failing",
    description: str = "",
    number: int = 7,
    actor: Actor = MONITOR,
    at=T0,
) -> Incident:
    return Incident.declare(
        number=number,
        title=title,
        playbook=PB,
        severity=severity,
        description=description,
        actor=actor,
        at=at,
    )


def with_commander(incident: Incident) -> Incident:
    incident.assign_role(Role.COMMANDER, COMMANDER.id, actor=MONITOR, at=T0)
    return incident


def resolved() -> Incident:
    incident = with_commander(declare())
    incident.resolve(actor=COMMANDER, at=T0 + timedelta(hours=1))
    return incident


def closed() -> Incident:
    incident = resolved()
    incident.close(actor=COMMANDER, at=T0 + timedelta(hours=2))
    return incident


# ------------------------------------------------------------------ declaration


def test_declaring_records_the_declaration_then_the_first_stage_tasks():
    incident = declare(description="  5xx on /checkout  ")
    assert [e.name for e in incident.pending] == ["incident.declared", "task.added", "task.added"]
    declared = incident.pending[0]
    assert isinstance(declared, ev.IncidentDeclared)
    assert declared.title == "Checkout failing"
    assert declared.crisis_type == "test_type"
    assert declared.severity == "A"
    assert declared.description == "5xx on /checkout"
    assert declared.actor == MONITOR.id
    assert declared.at == T0


def test_declared_incident_starts_active_in_assess():
    incident = declare(Severity.S)
    assert incident.id == "INC-7"
    assert incident.number == 7
    assert incident.phase is Phase.ASSESS and incident.stage is Phase.ASSESS
    assert incident.status is Status.ACTIVE
    assert incident.severity is Severity.S
    assert incident.declared_at == T0
    assert incident.declared_by == MONITOR.id
    assert incident.stage_entered_at == {Phase.ASSESS: T0}
    assert [(c.severity, c.at) for c in incident.severity_history] == [("S", T0)]
    assert incident.source == "slack"


def test_declaring_keeps_the_source():
    incident = Incident.declare(
        number=1,
        title="x",
        playbook=PB,
        severity=None,
        description="",
        actor=MONITOR,
        at=T0,
        source="monitor:grafana",
    )
    assert incident.source == "monitor:grafana"
    assert incident.pending[0].source == "monitor:grafana"


def test_declaring_strips_whitespace_around_the_title():
    assert declare(title="   Checkout failing \n").title == "Checkout failing"


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_declaring_with_an_empty_title_is_refused(title):
    with pytest.raises(InvalidInput) as info:
        declare(title=title)
    assert "title" in info.value.message
    assert info.value.code == "invalid_input"


def test_declaring_with_a_title_over_150_characters_is_refused():
    with pytest.raises(InvalidInput) as info:
        declare(title="x" * (MAX_TITLE + 1))
    assert "151 characters" in info.value.message
    assert "limit is 150" in info.value.message


def test_a_title_of_exactly_150_characters_is_accepted():
    assert declare(title="x" * MAX_TITLE).title == "x" * 150


def test_a_description_over_the_text_limit_is_refused():
    with pytest.raises(InvalidInput) as info:
        declare(description="d" * (MAX_TEXT + 1))
    assert "description" in info.value.message


@pytest.mark.parametrize(
    "text, number", [("INC-7", 7), ("inc-12", 12), (" 7 ", 7), ("INC-123456789", 123456789)]
)
def test_parse_incident_id_accepts_the_usual_spellings(text, number):
    assert parse_incident_id(text) == number


@pytest.mark.parametrize("text", ["", "INC-", "INC7", "INC-x", "INC-1234567890", "#7", "INC--7"])
def test_parse_incident_id_refuses_anything_else(text):
    with pytest.raises(InvalidInput) as info:
        parse_incident_id(text)
    assert "INC-7" in info.value.message


def test_incident_id_formats_the_number():
    assert incident_id(42) == "INC-42"


# ------------------------------------------------------------------ severity & permissions


def test_setting_severity_ss_by_a_plain_user_is_not_permitted():
    incident = with_commander(declare())
    with pytest.raises(NotPermitted) as info:
        incident.change_severity(
            Severity.SS, playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=5)
        )
    assert info.value.code == "not_permitted"
    assert "change the severity" in info.value.message
    assert f"<@{COMMANDER.id}>" in info.value.message
    assert incident.severity is Severity.A


def test_refusal_without_a_commander_says_to_assign_one():
    incident = declare()
    with pytest.raises(NotPermitted) as info:
        incident.change_severity(Severity.SS, playbook=PB, actor=ALICE, at=T0)
    assert "assign a commander first" in info.value.message


def test_holding_a_non_privileged_incident_role_does_not_permit_severity_ss():
    incident = declare()
    incident.assign_role(Role.COMMS, ALICE.id, actor=MONITOR, at=T0)
    with pytest.raises(NotPermitted):
        incident.change_severity(Severity.SS, playbook=PB, actor=ALICE, at=T0)


def _privileged_cases():
    def commander(incident):
        incident.assign_role(Role.COMMANDER, COMMANDER.id, actor=MONITOR, at=T0)
        return COMMANDER

    def roster_exec(incident):
        return EXEC

    def incident_exec(incident):
        incident.assign_role(Role.EXEC, BOB.id, actor=MONITOR, at=T0)
        return BOB

    def system(incident):
        return MONITOR

    return [
        pytest.param(commander, id="incident-commander"),
        pytest.param(roster_exec, id="roster-exec"),
        pytest.param(incident_exec, id="incident-exec"),
        pytest.param(system, id="system-actor"),
    ]


@pytest.mark.parametrize("make_actor", _privileged_cases())
def test_setting_severity_ss_is_allowed_for_privileged_actors(make_actor):
    incident = declare()
    actor = make_actor(incident)
    at = T0 + timedelta(minutes=5)
    events = incident.change_severity(
        Severity.SS, playbook=PB, actor=actor, at=at, reason="trending"
    )
    changed = events[0]
    assert isinstance(changed, ev.SeverityChanged)
    assert (changed.old, changed.new, changed.reason, changed.actor) == (
        "A",
        "SS",
        "trending",
        actor.id,
    )
    assert incident.severity is Severity.SS
    assert [(c.severity, c.at) for c in incident.severity_history] == [("A", T0), ("SS", at)]


@pytest.mark.parametrize("make_actor", _privileged_cases())
def test_resolving_is_allowed_for_privileged_actors(make_actor):
    incident = declare()
    actor = make_actor(incident)
    (event,) = incident.resolve(actor=actor, at=T0 + timedelta(hours=1), summary="done")
    assert isinstance(event, ev.IncidentResolved)
    assert event.actor == actor.id
    assert incident.status is Status.RESOLVED


def test_resolving_by_a_plain_user_is_not_permitted():
    incident = with_commander(declare())
    with pytest.raises(NotPermitted) as info:
        incident.resolve(actor=ALICE, at=T0 + timedelta(hours=1))
    assert "resolve the incident" in info.value.message
    assert incident.status is Status.ACTIVE
    assert incident.resolved_at is None


@pytest.mark.parametrize("method", ["reopen", "close"])
def test_reopening_or_closing_by_a_plain_user_is_not_permitted(method):
    incident = resolved()
    with pytest.raises(NotPermitted):
        getattr(incident, method)(actor=ALICE, at=T0 + timedelta(hours=2))
    assert incident.status is Status.RESOLVED


@pytest.mark.parametrize("severity", list(Severity))
def test_changing_to_the_same_severity_is_a_conflict(severity):
    incident = declare(severity)
    with pytest.raises(Conflict) as info:
        incident.change_severity(severity, playbook=PB, actor=MONITOR, at=T0)
    assert info.value.code == "conflict"
    assert f"already severity {severity.value}" in info.value.message
    assert len(incident.severity_history) == 1


def test_plain_users_may_not_change_severity_in_either_direction():
    incident = with_commander(declare(Severity.S))
    for new in (Severity.A, Severity.SS):
        with pytest.raises(NotPermitted):
            incident.change_severity(new, playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=1))
    assert incident.severity is Severity.S


def test_a_roster_commander_does_not_count_as_the_incident_commander():
    incident = with_commander(declare(Severity.S))
    roster_commander = Actor("UROSTER", roles=frozenset({Role.COMMANDER}))
    with pytest.raises(NotPermitted):
        incident.change_severity(Severity.A, playbook=PB, actor=roster_commander, at=T0)
    incident.change_severity(Severity.A, playbook=PB, actor=COMMANDER, at=T0)
    assert incident.severity is Severity.A


def test_lowering_ss_by_a_plain_user_is_not_permitted():
    incident = declare(Severity.SS)
    with pytest.raises(NotPermitted):
        incident.change_severity(Severity.S, playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=1))
    assert incident.severity is Severity.SS


def test_changing_severity_of_a_resolved_incident_is_a_conflict():
    incident = resolved()
    with pytest.raises(Conflict):
        incident.change_severity(
            Severity.S, playbook=PB, actor=COMMANDER, at=T0 + timedelta(hours=2)
        )


def test_a_severity_reason_over_the_text_limit_is_refused():
    incident = declare()
    with pytest.raises(InvalidInput):
        incident.change_severity(
            Severity.S, playbook=PB, actor=EXEC, at=T0, reason="r" * (MAX_TEXT + 1)
        )
    assert incident.severity is Severity.A


# ------------------------------------------------------------------ roles


def test_assigning_a_role_records_who_when_and_by_whom():
    incident = declare()
    at = T0 + timedelta(minutes=3)
    (event,) = incident.assign_role(Role.COMMS, " UMARIA ", actor=LEAD, at=at)
    assert isinstance(event, ev.RoleAssigned)
    assert (event.role, event.user, event.previous) == ("comms", "UMARIA", None)
    assignment = incident.roles[Role.COMMS]
    assert (assignment.user, assignment.assigned_at, assignment.assigned_by) == (
        "UMARIA",
        at,
        ALICE.id,
    )
    assert incident.holder(Role.COMMS) == "UMARIA"
    assert incident.holder(Role.LEGAL) is None


def test_reassigning_a_role_names_the_previous_holder():
    incident = declare()
    incident.assign_role(Role.COMMS, "UMARIA", actor=LEAD, at=T0)
    (event,) = incident.assign_role(Role.COMMS, "UJOE", actor=LEAD, at=T0 + timedelta(minutes=1))
    assert event.previous == "UMARIA"
    assert incident.holder(Role.COMMS) == "UJOE"


def test_assigning_a_role_to_its_current_holder_is_a_conflict():
    incident = declare()
    incident.assign_role(Role.COMMS, "UMARIA", actor=LEAD, at=T0)
    with pytest.raises(Conflict):
        incident.assign_role(Role.COMMS, "UMARIA", actor=LEAD, at=T0)


def test_assigning_a_role_to_nobody_is_refused():
    incident = declare()
    with pytest.raises(InvalidInput):
        incident.assign_role(Role.COMMS, "  ", actor=ALICE, at=T0)
    assert incident.roles == {}


def test_one_person_can_hold_several_roles():
    incident = declare()
    incident.assign_role(Role.COMMANDER, "UMARIA", actor=LEAD, at=T0)
    incident.assign_role(Role.SCRIBE, "UMARIA", actor=LEAD, at=T0)
    assert incident.roles_of("UMARIA") == frozenset({Role.COMMANDER, Role.SCRIBE})
    assert incident.roles_of("UNOBODY") == frozenset()


def test_roles_can_still_be_assigned_on_a_resolved_incident():
    incident = resolved()
    incident.assign_role(Role.SCRIBE, "UMARIA", actor=LEAD, at=T0 + timedelta(hours=2))
    assert incident.holder(Role.SCRIBE) == "UMARIA"


def test_assigning_a_role_on_a_closed_incident_is_a_conflict():
    incident = closed()
    with pytest.raises(Conflict) as info:
        incident.assign_role(Role.SCRIBE, "UMARIA", actor=ALICE, at=T0 + timedelta(hours=3))
    assert "closed" in info.value.message


# ------------------------------------------------------------------ tasks


def test_adding_a_task_numbers_it_after_the_playbook_tasks_in_the_current_stage():
    incident = declare()
    due = T0 + timedelta(hours=2)
    (event,) = incident.add_task(
        "  Call the carrier  ",
        actor=ALICE,
        at=T0 + timedelta(minutes=1),
        owner_role=Role.OPS,
        due_at=due,
        required=True,
    )
    assert isinstance(event, ev.TaskAdded)
    assert event.task_no == 3
    task = incident.task(3)
    assert task.text.en == task.text.zh == "Call the carrier"
    assert task.stage is Phase.ASSESS
    assert task.owner_role is Role.OPS
    assert task.due_at == due
    assert task.required is True
    assert task.template is None
    assert task.is_open


def test_adding_a_task_without_owner_or_due_leaves_them_empty():
    incident = declare()
    incident.add_task("Check dashboards", actor=ALICE, at=T0)
    task = incident.task(3)
    assert task.owner_role is None and task.due_at is None and task.required is False


@pytest.mark.parametrize("text", ["", "   "])
def test_adding_an_empty_task_is_refused(text):
    incident = declare()
    with pytest.raises(InvalidInput):
        incident.add_task(text, actor=ALICE, at=T0)
    assert len(incident.tasks) == 2


def test_adding_a_task_over_the_text_limit_is_refused():
    incident = declare()
    with pytest.raises(InvalidInput):
        incident.add_task("t" * (MAX_TEXT + 1), actor=ALICE, at=T0)


def test_adding_a_task_to_a_resolved_incident_is_a_conflict():
    incident = resolved()
    with pytest.raises(Conflict):
        incident.add_task("Late idea", actor=ALICE, at=T0 + timedelta(hours=2))


def test_assigning_a_task_sets_its_assignee():
    incident = declare()
    (event,) = incident.assign_task(2, "UMARIA", actor=ALICE, at=T0)
    assert isinstance(event, ev.TaskAssigned)
    assert incident.task(2).assignee == "UMARIA"


def test_assigning_a_task_to_its_current_assignee_is_a_conflict():
    incident = declare()
    incident.assign_task(2, "UMARIA", actor=ALICE, at=T0)
    with pytest.raises(Conflict):
        incident.assign_task(2, "UMARIA", actor=ALICE, at=T0)


def test_reassigning_a_task_to_someone_else_is_allowed():
    incident = declare()
    incident.assign_task(2, "UMARIA", actor=ALICE, at=T0)
    incident.assign_task(2, "UJOE", actor=ALICE, at=T0 + timedelta(minutes=1))
    assert incident.task(2).assignee == "UJOE"


def test_assigning_a_completed_task_is_a_conflict():
    incident = declare()
    incident.complete_task(2, actor=ALICE, at=T0)
    with pytest.raises(Conflict):
        incident.assign_task(2, "UMARIA", actor=ALICE, at=T0)


def test_completing_a_task_records_who_and_when():
    incident = declare()
    at = T0 + timedelta(minutes=10)
    (event,) = incident.complete_task(2, actor=ALICE, at=at)
    assert isinstance(event, ev.TaskCompleted)
    task = incident.task(2)
    assert (task.done_at, task.done_by) == (at, ALICE.id)
    assert not task.is_open
    assert [t.no for t in incident.open_tasks()] == [1]


def test_completing_a_task_twice_is_a_conflict_naming_who_completed_it():
    incident = declare()
    incident.complete_task(2, actor=ALICE, at=T0)
    with pytest.raises(Conflict) as info:
        incident.complete_task(2, actor=BOB, at=T0 + timedelta(minutes=1))
    assert f"<@{ALICE.id}>" in info.value.message
    assert incident.task(2).done_by == ALICE.id


@pytest.mark.parametrize("method", ["complete", "assign", "lookup"])
def test_an_unknown_task_number_is_not_found(method):
    incident = declare()
    with pytest.raises(NotFound) as info:
        if method == "complete":
            incident.complete_task(99, actor=ALICE, at=T0)
        elif method == "assign":
            incident.assign_task(99, "UMARIA", actor=ALICE, at=T0)
        else:
            incident.task(99)
    assert "#99" in info.value.message
    assert info.value.code == "not_found"


def test_completing_a_task_after_its_due_time_flags_it_late():
    incident = declare()  # task 1 `verify` is due T0+30m
    (event,) = incident.complete_task(1, actor=ALICE, at=T0 + timedelta(minutes=31))
    assert event.late is True


def test_completing_a_task_exactly_at_its_due_time_is_not_late():
    incident = declare()
    (event,) = incident.complete_task(1, actor=ALICE, at=T0 + timedelta(minutes=30))
    assert event.late is False


def test_completing_a_task_without_a_due_time_is_never_late():
    incident = declare()
    (event,) = incident.complete_task(2, actor=ALICE, at=T0 + timedelta(days=30))
    assert event.late is False


def test_a_task_is_overdue_only_while_open_and_past_its_due_time():
    incident = declare()
    verify = incident.task(1)
    assert not verify.is_overdue(T0 + timedelta(minutes=30))
    assert verify.is_overdue(T0 + timedelta(minutes=31))
    incident.complete_task(1, actor=ALICE, at=T0 + timedelta(minutes=40))
    assert not verify.is_overdue(T0 + timedelta(hours=1))
    assert not incident.task(2).is_overdue(T0 + timedelta(days=1))


# ------------------------------------------------------------------ facts


def test_adding_a_fact_records_it_unconfirmed_with_author_and_time():
    incident = declare()
    at = T0 + timedelta(minutes=4)
    (event,) = incident.add_fact("  Batch 2024-11 is affected ", actor=ALICE, at=at)
    assert isinstance(event, ev.FactAdded)
    fact = incident.fact(1)
    assert fact.text == "Batch 2024-11 is affected"
    assert fact.status is FactStatus.UNCONFIRMED
    assert (fact.added_by, fact.added_at) == (ALICE.id, at)
    assert fact.decided_by is None and fact.decided_at is None
    assert incident.confirmed_facts() == []


def test_facts_are_numbered_in_order():
    incident = declare()
    incident.add_fact("one", actor=ALICE, at=T0)
    incident.add_fact("two", actor=ALICE, at=T0)
    assert [(f.no, f.text) for f in incident.facts] == [(1, "one"), (2, "two")]


def test_confirming_a_fact_records_who_confirmed_and_when():
    incident = declare()
    incident.add_fact("Batch affected", actor=ALICE, at=T0)
    at = T0 + timedelta(minutes=9)
    (event,) = incident.confirm_fact(1, actor=BOB, at=at)
    assert isinstance(event, ev.FactConfirmed)
    fact = incident.fact(1)
    assert fact.status is FactStatus.CONFIRMED
    assert (fact.decided_by, fact.decided_at) == (BOB.id, at)
    assert incident.confirmed_facts() == [fact]


def test_retracting_a_fact_records_the_reason_who_and_when():
    incident = declare()
    incident.add_fact("Batch affected", actor=ALICE, at=T0)
    at = T0 + timedelta(minutes=20)
    (event,) = incident.retract_fact(1, actor=BOB, at=at, reason=" lab test negative ")
    assert isinstance(event, ev.FactRetracted)
    fact = incident.fact(1)
    assert fact.status is FactStatus.RETRACTED
    assert fact.reason == "lab test negative"
    assert (fact.decided_by, fact.decided_at) == (BOB.id, at)


def test_a_confirmed_fact_can_be_retracted():
    incident = declare()
    incident.add_fact("Batch affected", actor=ALICE, at=T0)
    incident.confirm_fact(1, actor=ALICE, at=T0)
    incident.retract_fact(1, actor=BOB, at=T0 + timedelta(minutes=1), reason="wrong batch")
    assert incident.fact(1).status is FactStatus.RETRACTED
    assert incident.confirmed_facts() == []


def test_confirming_a_retracted_fact_is_a_conflict():
    incident = declare()
    incident.add_fact("Batch affected", actor=ALICE, at=T0)
    incident.retract_fact(1, actor=BOB, at=T0, reason="wrong")
    with pytest.raises(Conflict) as info:
        incident.confirm_fact(1, actor=ALICE, at=T0 + timedelta(minutes=1))
    assert "retracted" in info.value.message
    assert incident.fact(1).status is FactStatus.RETRACTED


def test_confirming_a_fact_twice_is_a_conflict():
    incident = declare()
    incident.add_fact("Batch affected", actor=ALICE, at=T0)
    incident.confirm_fact(1, actor=ALICE, at=T0)
    with pytest.raises(Conflict):
        incident.confirm_fact(1, actor=BOB, at=T0)
    assert incident.fact(1).decided_by == ALICE.id


def test_retracting_a_fact_twice_is_a_conflict():
    incident = declare()
    incident.add_fact("Batch affected", actor=ALICE, at=T0)
    incident.retract_fact(1, actor=ALICE, at=T0)
    with pytest.raises(Conflict):
        incident.retract_fact(1, actor=ALICE, at=T0)


@pytest.mark.parametrize("method", ["confirm_fact", "retract_fact", "fact"])
def test_an_unknown_fact_number_is_not_found(method):
    incident = declare()
    with pytest.raises(NotFound) as info:
        if method == "fact":
            incident.fact(3)
        else:
            getattr(incident, method)(3, actor=ALICE, at=T0)
    assert "#3" in info.value.message


@pytest.mark.parametrize("text", ["", "   "])
def test_adding_an_empty_fact_is_refused(text):
    incident = declare()
    with pytest.raises(InvalidInput):
        incident.add_fact(text, actor=ALICE, at=T0)
    assert incident.facts == []


# ------------------------------------------------------------------ notes


@pytest.mark.parametrize(
    "raw, tag, text",
    [
        ("worked: pre-approved templates", "worked", "pre-approved templates"),
        ("didnt: paging the on-call", "didnt", "paging the on-call"),
        ("didn't: paging the on-call", "didnt", "paging the on-call"),
        ("cause: expired TLS certificate", "cause", "expired TLS certificate"),
        ("lesson: rehearse the playbook", "lesson", "rehearse the playbook"),
        ("  Lesson :   rehearse  ", "lesson", "rehearse"),
        ("DIDN'T: escalate early", "didnt", "escalate early"),
        ("WORKED:fast rollback", "worked", "fast rollback"),
    ],
)
def test_note_tags_are_parsed_and_stripped_from_the_text(raw, tag, text):
    incident = declare()
    (event,) = incident.add_note(raw, actor=ALICE, at=T0)
    assert isinstance(event, ev.NoteAdded)
    assert (event.tag, event.text) == (tag, text)
    assert event.tag in NOTE_TAGS


@pytest.mark.parametrize(
    "raw",
    ["Carrier called back", "we worked: hard", "workedfine: yes", "reason: unknown"],
)
def test_notes_without_a_leading_known_tag_keep_their_text_and_have_no_tag(raw):
    incident = declare()
    (event,) = incident.add_note(raw, actor=ALICE, at=T0)
    assert event.tag is None
    assert event.text == raw


@pytest.mark.parametrize("raw", ["", "   ", "lesson:", "cause:   "])
def test_an_empty_note_is_refused(raw):
    incident = declare()
    before = len(incident.pending)
    with pytest.raises(InvalidInput):
        incident.add_note(raw, actor=ALICE, at=T0)
    assert len(incident.pending) == before


def test_a_note_over_the_text_limit_is_refused():
    incident = declare()
    with pytest.raises(InvalidInput):
        incident.add_note("n" * (MAX_TEXT + 1), actor=ALICE, at=T0)


# ------------------------------------------------------------------ impact, statements, messages


def test_impact_figures_are_merged_across_records():
    incident = declare()
    incident.record_impact({"orders": "1,200", "regions": "east,north"}, actor=ALICE, at=T0)
    (event,) = incident.record_impact(
        {"revenue": "USD 350000", "customers": "900"}, actor=ALICE, at=T0 + timedelta(minutes=5)
    )
    assert isinstance(event, ev.ImpactRecorded)
    assert event.figures == {"revenue": {"amount": 350000, "currency": "USD"}, "customers": 900}
    assert incident.impact == {
        "orders": 1200,
        "regions": ["east", "north"],
        "revenue": {"amount": 350000, "currency": "USD"},
        "customers": 900,
    }


def test_a_later_impact_figure_replaces_the_earlier_value_of_the_same_key():
    incident = declare()
    incident.record_impact({"orders": "100"}, actor=ALICE, at=T0)
    incident.record_impact({"orders": "1.5k"}, actor=ALICE, at=T0 + timedelta(minutes=5))
    assert incident.impact == {"orders": 1500}


def test_invalid_impact_is_refused_and_nothing_is_recorded():
    incident = declare()
    incident.record_impact({"orders": "10"}, actor=ALICE, at=T0)
    before = len(incident.pending)
    with pytest.raises(InvalidInput):
        incident.record_impact({"orders": "many", "customers": "5"}, actor=ALICE, at=T0)
    assert incident.impact == {"orders": 10}
    assert len(incident.pending) == before


def test_publishing_statements_records_each_publication_time():
    incident = declare()
    for minutes, sid in ((50, 1), (130, 2)):
        incident.record_statement_published(
            statement_id=sid,
            audience="customers",
            kind="holding",
            lang="en",
            channel="#general",
            actor=ALICE,
            at=T0 + timedelta(minutes=minutes),
        )
    assert incident.statements_published == [
        T0 + timedelta(minutes=50),
        T0 + timedelta(minutes=130),
    ]


def test_capturing_a_message_adds_it_to_the_timeline_only():
    incident = declare()
    posted = T0 + timedelta(minutes=1)
    (event,) = incident.capture_message(
        author="UMARIA",
        text=" Carrier confirms delay ",
        permalink="https://x.slack.com/p1",
        posted_at=posted,
        actor=ALICE,
        at=T0 + timedelta(minutes=2),
    )
    assert isinstance(event, ev.MessageCaptured)
    assert (event.author, event.text, event.posted_at) == (
        "UMARIA",
        "Carrier confirms delay",
        posted,
    )
    assert incident.pending[-1] is event


def test_publishing_a_postmortem_before_resolution_is_a_conflict():
    incident = declare()
    with pytest.raises(Conflict) as info:
        incident.record_postmortem_published(version=1, actor=ALICE, at=T0)
    assert "not resolved" in info.value.message


def test_the_first_postmortem_publication_time_is_kept():
    incident = resolved()
    first = T0 + timedelta(hours=5)
    incident.record_postmortem_published(version=1, actor=ALICE, at=first)
    incident.record_postmortem_published(version=2, actor=ALICE, at=first + timedelta(hours=1))
    assert incident.postmortem_published_at == first


def test_every_command_returns_exactly_the_events_it_appended_to_pending():
    incident = with_commander(declare())
    before = len(incident.pending)
    returned = []
    returned += incident.add_fact("f", actor=ALICE, at=T0)
    returned += incident.add_note("n", actor=ALICE, at=T0)
    returned += incident.change_severity(Severity.SS, playbook=PB, actor=COMMANDER, at=T0)
    assert incident.pending[before:] == returned


def test_once_there_is_a_commander_only_the_commander_or_an_exec_assigns_roles():
    incident = declare()
    incident.assign_role(Role.COMMANDER, "UALICE", actor=ALICE, at=T0)  # nobody led: anyone may
    with pytest.raises(NotPermitted):
        incident.assign_role(Role.COMMANDER, "UBOB", actor=BOB, at=T0)   # no self-promotion
    with pytest.raises(NotPermitted):
        incident.assign_role(Role.LEGAL, "UBOB", actor=BOB, at=T0)
    incident.assign_role(Role.LEGAL, "UBOB", actor=ALICE, at=T0)
    exec_user = Actor("UEVE", roles=frozenset({Role.EXEC}))
    incident.assign_role(Role.COMMANDER, "UEVE", actor=exec_user, at=T0)
    assert incident.holder(Role.COMMANDER) == "UEVE"


def test_without_a_commander_other_roles_still_need_a_privileged_actor():
    incident = declare()
    with pytest.raises(NotPermitted):
        incident.assign_role(Role.COMMS, "UBOB", actor=BOB, at=T0)
