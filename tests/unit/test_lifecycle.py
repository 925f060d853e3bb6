"""The lifecycle table, and moving an incident through it: stages, gating, forcing, stage tasks."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from bot.domain import events as ev
from bot.domain.errors import Conflict, InvalidInput, InvalidTransition, NotPermitted, StageBlocked
from bot.domain.incident import Incident
from bot.domain.lifecycle import (
    STAGES,
    TRANSITIONS,
    Phase,
    Status,
    allowed_from,
    check_transition,
    next_stage,
    status_of,
)
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from tests.conftest import T0
from tests.unit.factories import ALICE, COMMANDER, EXEC, MONITOR, playbook

PB = playbook()

ALL_PAIRS = list(itertools.product(list(Phase), repeat=2))
DISALLOWED = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]

EXPECTED_TABLE = {
    (Phase.ASSESS, Phase.RESPOND): "advance",
    (Phase.RESPOND, Phase.COMMUNICATE): "advance",
    (Phase.COMMUNICATE, Phase.RECOVER): "advance",
    (Phase.ASSESS, Phase.RESOLVED): "resolve",
    (Phase.RESPOND, Phase.RESOLVED): "resolve",
    (Phase.COMMUNICATE, Phase.RESOLVED): "resolve",
    (Phase.RECOVER, Phase.RESOLVED): "resolve",
    (Phase.RESOLVED, Phase.RECOVER): "reopen",
    (Phase.RESOLVED, Phase.CLOSED): "close",
}


def _pair_id(pair: tuple[Phase, Phase]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


# ------------------------------------------------------------------ helpers


def declare(severity: Severity | None = Severity.A, at=T0) -> Incident:
    return Incident.declare(
        number=1,
        title="Checkout failing",
        playbook=PB,
        severity=severity,
        description="",
        actor=MONITOR,
        at=at,
    )


def with_commander(incident: Incident, at=T0) -> Incident:
    incident.assign_role(Role.COMMANDER, COMMANDER.id, actor=MONITOR, at=at)
    return incident


def finish_blocking(incident: Incident, at) -> None:
    for task in incident.blocking_tasks():
        incident.complete_task(task.no, actor=ALICE, at=at)


def advance_to(incident: Incident, stage: Phase, at=T0) -> Incident:
    """Advance through the working stages, completing required tasks on the way."""
    while incident.stage != stage:
        finish_blocking(incident, at)
        incident.advance_stage(playbook=PB, actor=ALICE, at=at)
    return incident


def bring_to(phase: Phase) -> Incident:
    incident = with_commander(declare())
    if phase in STAGES:
        return advance_to(incident, phase)
    advance_to(incident, Phase.RECOVER)
    incident.resolve(actor=COMMANDER, at=T0 + timedelta(hours=1))
    if phase is Phase.CLOSED:
        incident.close(actor=COMMANDER, at=T0 + timedelta(hours=2))
    return incident


def perform(incident: Incident, kind: str, at) -> list[ev.Event]:
    if kind == "advance":
        finish_blocking(incident, at)
        return incident.advance_stage(playbook=PB, actor=COMMANDER, at=at)
    if kind == "resolve":
        return incident.resolve(actor=COMMANDER, at=at, summary="fixed")
    if kind == "reopen":
        return incident.reopen(actor=COMMANDER, at=at, reason="alert fired again")
    if kind == "close":
        return incident.close(actor=COMMANDER, at=at)
    raise AssertionError(kind)


def template_task(incident: Incident, template: str):
    matches = [t for t in incident.tasks if t.template == template]
    assert len(matches) == 1, f"expected one {template} task, found {len(matches)}"
    return matches[0]


# ------------------------------------------------------------------ the table


def test_transition_table_holds_exactly_the_documented_moves():
    assert TRANSITIONS == EXPECTED_TABLE


def test_allowed_and_disallowed_pairs_cover_all_36_phase_pairs():
    assert len(ALL_PAIRS) == 36
    assert len(TRANSITIONS) + len(DISALLOWED) == 36


@pytest.mark.parametrize("pair", list(TRANSITIONS), ids=_pair_id)
def test_check_transition_returns_the_kind_of_each_allowed_move(pair):
    assert check_transition(*pair) == TRANSITIONS[pair]


@pytest.mark.parametrize("pair", DISALLOWED, ids=_pair_id)
def test_check_transition_refuses_each_disallowed_move_naming_allowed_moves(pair):
    current, target = pair
    with pytest.raises(InvalidTransition) as info:
        check_transition(current, target)
    error = info.value
    assert error.code == "invalid_transition"
    assert error.current == current.value
    assert error.target == target.value
    assert error.allowed == allowed_from(current)
    assert f"`{current.value}`" in error.message
    assert f"`{target.value}`" in error.message
    if error.allowed:
        assert "Allowed next: " + ", ".join(error.allowed) + "." in error.message
    else:
        assert "none: the incident is closed" in error.message


@pytest.mark.parametrize(
    "phase, expected",
    [
        (Phase.ASSESS, ("respond", "resolved")),
        (Phase.RESPOND, ("communicate", "resolved")),
        (Phase.COMMUNICATE, ("recover", "resolved")),
        (Phase.RECOVER, ("resolved",)),
        (Phase.RESOLVED, ("recover", "closed")),
        (Phase.CLOSED, ()),
    ],
)
def test_allowed_from_lists_the_moves_out_of_each_phase(phase, expected):
    assert sorted(allowed_from(phase)) == sorted(expected)


@pytest.mark.parametrize(
    "phase, expected",
    [
        (Phase.ASSESS, Phase.RESPOND),
        (Phase.RESPOND, Phase.COMMUNICATE),
        (Phase.COMMUNICATE, Phase.RECOVER),
        (Phase.RECOVER, Phase.RESOLVED),
    ],
)
def test_next_stage_follows_the_working_order(phase, expected):
    assert next_stage(phase) is expected


@pytest.mark.parametrize("phase", [Phase.RESOLVED, Phase.CLOSED])
def test_next_stage_of_a_non_working_phase_is_refused(phase):
    with pytest.raises(InvalidTransition):
        next_stage(phase)


@pytest.mark.parametrize(
    "phase, status",
    [
        (Phase.ASSESS, Status.ACTIVE),
        (Phase.RESPOND, Status.ACTIVE),
        (Phase.COMMUNICATE, Status.ACTIVE),
        (Phase.RECOVER, Status.ACTIVE),
        (Phase.RESOLVED, Status.RESOLVED),
        (Phase.CLOSED, Status.CLOSED),
    ],
)
def test_status_of_each_phase(phase, status):
    assert status_of(phase) is status


# ------------------------------------------------------------------ through the incident


@pytest.mark.parametrize("pair", list(TRANSITIONS), ids=_pair_id)
def test_each_allowed_move_succeeds_through_the_incident_methods(pair):
    current, target = pair
    incident = bring_to(current)
    assert incident.phase is current
    at = T0 + timedelta(hours=3)
    events = perform(incident, TRANSITIONS[pair], at)
    assert incident.phase is target
    assert events, "a move records at least one event"
    expected_event = {
        "advance": ev.StageAdvanced,
        "resolve": ev.IncidentResolved,
        "reopen": ev.IncidentReopened,
        "close": ev.IncidentClosed,
    }[TRANSITIONS[pair]]
    assert isinstance(events[0], expected_event)
    assert events[0].at == at


@pytest.mark.parametrize("stage", STAGES)
def test_resolving_from_each_working_stage_records_the_stage_and_summary(stage):
    incident = bring_to(stage)
    at = T0 + timedelta(hours=5)
    (event,) = incident.resolve(actor=COMMANDER, at=at, summary="  rolled back  ")
    assert event.from_stage == stage.value
    assert incident.status is Status.RESOLVED
    assert incident.resolved_at == at
    assert incident.resolution == "rolled back"


def test_reopening_puts_the_incident_back_in_recover_and_clears_resolved_at():
    incident = bring_to(Phase.RESOLVED)
    at = T0 + timedelta(hours=6)
    incident.reopen(actor=COMMANDER, at=at, reason="alert fired again")
    assert incident.phase is Phase.RECOVER
    assert incident.stage is Phase.RECOVER
    assert incident.is_active
    assert incident.resolved_at is None
    assert incident.stage_entered_at[Phase.RECOVER] == at


def test_reopening_an_incident_resolved_from_assess_jumps_to_recover():
    incident = with_commander(declare())
    incident.resolve(actor=COMMANDER, at=T0 + timedelta(minutes=5), summary="false alarm")
    incident.reopen(actor=COMMANDER, at=T0 + timedelta(minutes=50))
    assert incident.stage is Phase.RECOVER


def test_closing_records_closed_at_and_status():
    incident = bring_to(Phase.RESOLVED)
    at = T0 + timedelta(days=3)
    incident.close(actor=COMMANDER, at=at)
    assert incident.status is Status.CLOSED
    assert incident.closed_at == at
    assert not incident.is_active


@pytest.mark.parametrize(
    "phase",
    [
        Phase.ASSESS,
        Phase.RESPOND,
        Phase.COMMUNICATE,
        Phase.RECOVER,
    ],
)
def test_reopening_an_active_incident_is_an_invalid_transition(phase):
    incident = bring_to(phase)
    with pytest.raises(InvalidTransition) as info:
        incident.reopen(actor=COMMANDER, at=T0 + timedelta(hours=3))
    assert info.value.target == "recover"
    assert incident.phase is phase


@pytest.mark.parametrize("phase", STAGES)
def test_closing_an_active_incident_is_an_invalid_transition(phase):
    incident = bring_to(phase)
    with pytest.raises(InvalidTransition) as info:
        incident.close(actor=COMMANDER, at=T0 + timedelta(hours=3))
    assert "resolved" in info.value.allowed
    assert incident.phase is phase


def test_resolving_a_resolved_incident_is_an_invalid_transition():
    incident = bring_to(Phase.RESOLVED)
    with pytest.raises(InvalidTransition) as info:
        incident.resolve(actor=COMMANDER, at=T0 + timedelta(hours=3))
    assert info.value.allowed == allowed_from(Phase.RESOLVED)


@pytest.mark.parametrize("method", ["resolve", "reopen", "close"])
def test_every_move_out_of_closed_is_an_invalid_transition_saying_it_is_closed(method):
    incident = bring_to(Phase.CLOSED)
    with pytest.raises(InvalidTransition) as info:
        getattr(incident, method)(actor=COMMANDER, at=T0 + timedelta(days=4))
    assert "the incident is closed" in info.value.message
    assert incident.phase is Phase.CLOSED


@pytest.mark.parametrize("phase", [Phase.RESOLVED, Phase.CLOSED])
def test_advancing_an_incident_that_is_no_longer_active_is_a_conflict(phase):
    incident = bring_to(phase)
    with pytest.raises(Conflict) as info:
        incident.advance_stage(playbook=PB, actor=COMMANDER, at=T0 + timedelta(hours=3))
    assert phase.value in info.value.message


def test_advancing_from_recover_says_to_resolve_instead():
    incident = bring_to(Phase.RECOVER)
    with pytest.raises(InvalidInput) as info:
        incident.advance_stage(playbook=PB, actor=COMMANDER, at=T0 + timedelta(hours=3))
    assert "/crisis resolve" in info.value.message
    assert "recover" in info.value.message
    assert incident.stage is Phase.RECOVER


def test_forcing_an_advance_from_recover_still_says_to_resolve():
    incident = bring_to(Phase.RECOVER)
    with pytest.raises(InvalidInput):
        incident.advance_stage(playbook=PB, actor=COMMANDER, at=T0, force=True)


def test_advancing_records_the_stage_entry_time():
    incident = declare()
    finish_blocking(incident, T0 + timedelta(minutes=10))
    at = T0 + timedelta(minutes=20)
    incident.advance_stage(playbook=PB, actor=ALICE, at=at)
    assert incident.stage is Phase.RESPOND
    assert incident.phase is Phase.RESPOND
    assert incident.stage_entered_at == {Phase.ASSESS: T0, Phase.RESPOND: at}


# ------------------------------------------------------------------ gating


def test_advancing_with_open_required_task_is_refused_and_lists_it():
    incident = declare()
    pending_before = len(incident.pending)
    with pytest.raises(StageBlocked) as info:
        incident.advance_stage(playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=5))
    error = info.value
    assert error.code == "stage_blocked"
    assert error.stage == "assess"
    assert error.blocking == ((1, "verify"),)
    assert "#1 verify" in error.message
    assert "1 open required task:" in error.message
    assert incident.stage is Phase.ASSESS
    assert len(incident.pending) == pending_before


def test_stage_blocked_lists_every_open_required_task_by_number_and_text():
    incident = declare()
    incident.add_task("Call the carrier", actor=ALICE, at=T0, required=True)
    with pytest.raises(StageBlocked) as info:
        incident.advance_stage(playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=5))
    assert info.value.blocking == ((1, "verify"), (3, "Call the carrier"))
    assert "#1 verify; #3 Call the carrier" in info.value.message


def test_completing_the_required_tasks_allows_the_advance():
    incident = declare()
    incident.complete_task(1, actor=ALICE, at=T0 + timedelta(minutes=10))
    events = incident.advance_stage(playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=15))
    advanced = events[0]
    assert isinstance(advanced, ev.StageAdvanced)
    assert (advanced.from_stage, advanced.to_stage) == ("assess", "respond")
    assert advanced.forced is False
    assert advanced.open_required == ()
    assert incident.stage is Phase.RESPOND


def test_optional_open_tasks_never_block_an_advance():
    incident = declare()
    incident.add_task("Optional extra", actor=ALICE, at=T0)
    incident.complete_task(1, actor=ALICE, at=T0 + timedelta(minutes=10))
    assert [t.no for t in incident.open_tasks(Phase.ASSESS)] == [2, 3]
    assert incident.blocking_tasks() == []
    incident.advance_stage(playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=15))
    assert incident.stage is Phase.RESPOND


def test_required_tasks_of_an_earlier_stage_do_not_block_the_next_one():
    incident = with_commander(declare())
    incident.advance_stage(playbook=PB, actor=COMMANDER, at=T0, force=True)
    incident.complete_task(template_task(incident, "contain").no, actor=ALICE, at=T0)
    assert template_task(incident, "verify").is_open
    incident.advance_stage(playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=1))
    assert incident.stage is Phase.COMMUNICATE


def test_commander_can_force_an_advance_and_the_event_lists_the_open_required_tasks():
    incident = with_commander(declare())
    incident.add_task("Call the carrier", actor=ALICE, at=T0, required=True)
    at = T0 + timedelta(minutes=20)
    events = incident.advance_stage(playbook=PB, actor=COMMANDER, at=at, force=True)
    advanced = events[0]
    assert isinstance(advanced, ev.StageAdvanced)
    assert advanced.forced is True
    assert advanced.open_required == (1, 3)
    assert advanced.actor == COMMANDER.id
    assert incident.stage is Phase.RESPOND
    assert incident.task(1).is_open


def test_forcing_with_nothing_open_records_an_unforced_advance():
    incident = with_commander(declare())
    incident.complete_task(1, actor=ALICE, at=T0)
    (advanced, *_) = incident.advance_stage(playbook=PB, actor=COMMANDER, at=T0, force=True)
    assert advanced.forced is False
    assert advanced.open_required == ()


@pytest.mark.parametrize(
    "actor",
    [ALICE, MONITOR, Actor("UCOMMS"), Actor("UROSTER", roles=frozenset({Role.COMMANDER}))],
    ids=["plain-user", "system", "comms-lead", "roster-commander"],
)
def test_forcing_an_advance_by_a_non_commander_is_not_permitted(actor):
    incident = with_commander(declare())
    incident.assign_role(Role.COMMS, "UCOMMS", actor=MONITOR, at=T0)
    with pytest.raises(NotPermitted) as info:
        incident.advance_stage(playbook=PB, actor=actor, at=T0 + timedelta(minutes=5), force=True)
    assert "commander" in info.value.message
    assert incident.stage is Phase.ASSESS


def test_an_executive_of_the_roster_may_force_an_advance():
    incident = with_commander(declare())
    incident.advance_stage(playbook=PB, actor=EXEC, at=T0 + timedelta(minutes=5), force=True)
    assert incident.stage is Phase.RESPOND


def test_without_a_commander_assigned_nobody_can_force():
    incident = declare()
    with pytest.raises(NotPermitted):
        incident.advance_stage(playbook=PB, actor=COMMANDER, at=T0, force=True)


# ------------------------------------------------------------------ stage tasks


def test_declaring_instantiates_only_the_first_stage_tasks():
    incident = declare()
    assert [(t.no, t.template, t.stage) for t in incident.tasks] == [
        (1, "verify", Phase.ASSESS),
        (2, "scope", Phase.ASSESS),
    ]
    verify = incident.task(1)
    assert verify.required is True
    assert verify.due_at == T0 + timedelta(minutes=30)
    assert verify.owner_role is Role.COMMS
    assert verify.text.zh == "verify（中文）"
    assert incident.task(2).due_at is None
    assert incident.task(2).required is False


def test_advancing_instantiates_next_stage_tasks_due_from_stage_entry_or_declaration():
    declared_at = T0
    incident = declare(at=declared_at)
    entered = declared_at + timedelta(hours=2)
    incident.complete_task(1, actor=ALICE, at=declared_at + timedelta(minutes=20))
    events = incident.advance_stage(playbook=PB, actor=ALICE, at=entered)
    added = [e for e in events if isinstance(e, ev.TaskAdded)]
    assert [e.template for e in added] == ["contain", "report-regulator"]
    contain = template_task(incident, "contain")
    regulator = template_task(incident, "report-regulator")
    assert contain.no == 3 and regulator.no == 4
    # `contain` is due 1 h after the stage starts; the regulator report 24 h after declaration.
    assert contain.due_at == entered + timedelta(hours=1) == T0 + timedelta(hours=3)
    assert regulator.due_at == declared_at + timedelta(hours=24)
    assert contain.stage is Phase.RESPOND and regulator.stage is Phase.RESPOND
    assert contain.created_at == entered
    assert contain.required is True and regulator.required is False
    assert regulator.owner_role is Role.LEGAL


def test_communicate_stage_task_due_from_declaration_ignores_when_the_stage_starts():
    incident = declare()
    advance_to(incident, Phase.COMMUNICATE, at=T0 + timedelta(hours=3))
    holding = template_task(incident, "holding")
    assert holding.due_at == T0 + timedelta(hours=4)
    assert holding.required is True


def test_recover_stage_task_without_a_due_time_has_none():
    incident = declare()
    advance_to(incident, Phase.RECOVER, at=T0 + timedelta(hours=1))
    review = template_task(incident, "review")
    assert review.due_at is None
    assert review.stage is Phase.RECOVER


def test_stage_tasks_are_not_instantiated_before_their_stage():
    incident = declare()
    assert {t.template for t in incident.tasks} == {"verify", "scope"}
    advance_to(incident, Phase.RESPOND)
    assert "holding" not in {t.template for t in incident.tasks}


def test_exec_brief_task_appears_when_declared_at_ss():
    incident = declare(Severity.SS)
    brief = template_task(incident, "exec-brief")
    assert brief.owner_role is Role.EXEC
    assert brief.stage is Phase.ASSESS


@pytest.mark.parametrize("severity", [Severity.S, Severity.A])
def test_exec_brief_task_is_absent_below_ss(severity):
    incident = declare(severity)
    assert "exec-brief" not in {t.template for t in incident.tasks}


def test_declaring_without_severity_uses_the_playbook_default():
    incident = declare(None)
    assert incident.severity is Severity.A
    assert "exec-brief" not in {t.template for t in incident.tasks}


def test_raising_severity_to_ss_mid_stage_adds_the_exec_brief_task_once():
    incident = with_commander(declare(Severity.A))
    at = T0 + timedelta(minutes=12)
    events = incident.change_severity(Severity.SS, playbook=PB, actor=COMMANDER, at=at)
    assert [type(e) for e in events] == [ev.SeverityChanged, ev.TaskAdded]
    assert events[1].template == "exec-brief"
    brief = template_task(incident, "exec-brief")
    assert brief.no == 3
    assert brief.created_at == at


def test_raising_severity_to_ss_twice_does_not_duplicate_the_exec_brief_task():
    incident = with_commander(declare(Severity.A))
    incident.change_severity(
        Severity.SS, playbook=PB, actor=COMMANDER, at=T0 + timedelta(minutes=5)
    )
    incident.change_severity(Severity.S, playbook=PB, actor=COMMANDER, at=T0 + timedelta(minutes=6))
    events = incident.change_severity(
        Severity.SS, playbook=PB, actor=COMMANDER, at=T0 + timedelta(minutes=7)
    )
    assert [type(e) for e in events] == [ev.SeverityChanged]
    template_task(incident, "exec-brief")  # exactly one
    assert len(incident.tasks) == 3


def test_declared_at_ss_then_re_raised_to_ss_keeps_a_single_exec_brief():
    incident = with_commander(declare(Severity.SS))
    incident.change_severity(Severity.S, playbook=PB, actor=COMMANDER, at=T0 + timedelta(minutes=5))
    incident.change_severity(
        Severity.SS, playbook=PB, actor=COMMANDER, at=T0 + timedelta(minutes=6)
    )
    template_task(incident, "exec-brief")


def test_stage_tasks_already_present_are_not_re_added_on_a_severity_change():
    incident = with_commander(declare(Severity.A))
    advance_to(incident, Phase.RESPOND)
    events = incident.change_severity(
        Severity.S, playbook=PB, actor=COMMANDER, at=T0 + timedelta(hours=1)
    )
    assert [type(e) for e in events] == [ev.SeverityChanged]
    template_task(incident, "contain")
    template_task(incident, "report-regulator")


def test_advancing_returns_the_stage_event_followed_by_the_new_tasks():
    incident = declare()
    incident.complete_task(1, actor=ALICE, at=T0)
    events = incident.advance_stage(playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=1))
    assert [e.name for e in events] == ["stage.advanced", "task.added", "task.added"]
    assert incident.pending[-3:] == events
