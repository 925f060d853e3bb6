"""Deadlines, with hand-computed due times against the factory policy.

Factory policy: SS team 30 min / cadence 30 min (commander, comms, legal, exec);
S team 1 h / cadence 1 h (commander, comms, legal); A team 2 h / cadence 4 h (commander, comms).
First statement within 4 h of declaration; post-mortem within 72 h of resolution.
Factory playbook clock: `regulator-report` 24 h from declaration, met by task `report-regulator`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.clocks import (
    Clock,
    ClockState,
    all_clocks,
    first_statement_clock,
    postmortem_clock,
    regulatory_clocks,
    team_assembled_at,
    team_assembly_clock,
    update_cadence_clock,
)
from bot.domain.incident import Incident
from bot.domain.lifecycle import Phase
from bot.domain.playbook import ClockSpec, DueFrom
from bot.domain.roles import Role
from bot.domain.severity import Severity
from bot.domain.text import LocalText
from tests.conftest import T0
from tests.unit.factories import ALICE, COMMANDER, MONITOR, playbook, policy, t

PB = playbook()
POLICY = policy()


def h(hours: float = 0, minutes: float = 0, seconds: float = 0):
    """T0 plus an offset."""
    return T0 + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def declare(severity: Severity = Severity.A) -> Incident:
    return Incident.declare(
        number=3,
        title="Checkout failing",
        playbook=PB,
        severity=severity,
        description="",
        actor=MONITOR,
        at=T0,
    )


def assign(incident: Incident, role: Role, user: str, at) -> None:
    incident.assign_role(role, user, actor=MONITOR, at=at)


def publish(incident: Incident, at, sid: int = 1) -> None:
    incident.record_statement_published(
        statement_id=sid,
        audience="customers",
        kind="holding",
        lang="en",
        channel="#status",
        actor=ALICE,
        at=at,
    )


def resolve(incident: Incident, at) -> None:
    incident.resolve(actor=MONITOR, at=at, summary="fixed")


def reach_respond(incident: Incident, at) -> None:
    incident.complete_task(1, actor=ALICE, at=at)
    incident.advance_stage(playbook=PB, actor=ALICE, at=at)


def regulator_task_no(incident: Incident) -> int:
    return next(t.no for t in incident.tasks if t.template == "report-regulator")


# ------------------------------------------------------------------ Clock


def test_time_left_is_positive_before_the_due_time():
    clock = Clock("k", LocalText("k", "k"), h(2), ClockState.PENDING)
    assert clock.time_left(h(0, 30)) == timedelta(hours=1, minutes=30)


def test_time_left_is_negative_once_overdue():
    clock = Clock("k", LocalText("k", "k"), h(2), ClockState.MISSED)
    assert clock.time_left(h(3, 15)) == -timedelta(hours=1, minutes=15)


def test_time_left_is_zero_at_the_due_time():
    clock = Clock("k", LocalText("k", "k"), h(2), ClockState.PENDING)
    assert clock.time_left(h(2)) == timedelta(0)


# ------------------------------------------------------------------ team assembly


@pytest.mark.parametrize(
    "severity, due",
    [(Severity.SS, h(0, 30)), (Severity.S, h(1)), (Severity.A, h(2))],
)
def test_team_assembly_is_due_team_within_after_declaration(severity, due):
    clock = team_assembly_clock(declare(severity), POLICY, T0)
    assert clock.key == "team_assembly"
    assert clock.due_at == due


def test_team_assembly_is_pending_before_its_due_time_with_roles_missing():
    incident = declare(Severity.A)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    clock = team_assembly_clock(incident, POLICY, h(1, 59))
    assert clock.state is ClockState.PENDING
    assert clock.met_at is None
    assert team_assembled_at(incident, POLICY) is None


def test_team_assembly_is_still_pending_exactly_at_its_due_time():
    clock = team_assembly_clock(declare(Severity.A), POLICY, h(2))
    assert clock.state is ClockState.PENDING


def test_team_assembly_is_missed_once_past_due_with_roles_missing():
    incident = declare(Severity.A)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    clock = team_assembly_clock(incident, POLICY, h(2, 0, 1))
    assert clock.state is ClockState.MISSED
    assert clock.met_at is None


def test_team_assembly_is_met_when_the_last_needed_role_is_assigned_in_time():
    incident = declare(Severity.A)
    assign(incident, Role.COMMS, "UCOMMS", h(0, 40))
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    clock = team_assembly_clock(incident, POLICY, h(5))
    assert clock.state is ClockState.MET
    assert clock.met_at == h(0, 40)
    assert team_assembled_at(incident, POLICY) == h(0, 40)


def test_team_assembly_is_met_when_the_last_role_arrives_exactly_at_due_time():
    incident = declare(Severity.S)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    assign(incident, Role.COMMS, "UCOMMS", h(0, 20))
    assign(incident, Role.LEGAL, "ULEGAL", h(1))
    assert team_assembly_clock(incident, POLICY, h(3)).state is ClockState.MET


def test_team_assembly_is_missed_when_the_last_role_arrives_late():
    incident = declare(Severity.A)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    assign(incident, Role.COMMS, "UCOMMS", h(3))
    clock = team_assembly_clock(incident, POLICY, h(4))
    assert clock.state is ClockState.MISSED
    assert clock.met_at == h(3)


def test_team_assembly_ignores_roles_the_severity_does_not_need():
    incident = declare(Severity.A)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    assign(incident, Role.COMMS, "UCOMMS", h(0, 20))
    assign(incident, Role.SCRIBE, "USCRIBE", h(6))
    assert team_assembly_clock(incident, POLICY, h(7)).met_at == h(0, 20)


def test_team_assembly_at_ss_needs_legal_and_an_executive():
    incident = declare(Severity.SS)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 5))
    assign(incident, Role.COMMS, "UCOMMS", h(0, 6))
    assign(incident, Role.LEGAL, "ULEGAL", h(0, 7))
    assert team_assembly_clock(incident, POLICY, h(0, 20)).state is ClockState.PENDING
    assign(incident, Role.EXEC, "UEXEC", h(0, 25))
    clock = team_assembly_clock(incident, POLICY, h(0, 26))
    assert (clock.state, clock.met_at, clock.due_at) == (ClockState.MET, h(0, 25), h(0, 30))


def test_raising_severity_re_times_team_assembly_and_needs_the_extra_roles():
    incident = declare(Severity.A)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    assign(incident, Role.COMMS, "UCOMMS", h(0, 20))
    incident.change_severity(Severity.S, playbook=PB, actor=MONITOR, at=h(0, 30))
    clock = team_assembly_clock(incident, POLICY, h(0, 45))
    # S needs legal too and is due 1 h after declaration, not after the change.
    assert (clock.state, clock.due_at, clock.met_at) == (ClockState.PENDING, h(1), None)


def test_handing_a_role_over_after_assembly_keeps_the_original_assembly_time():
    incident = declare(Severity.A)
    assign(incident, Role.COMMANDER, "UCMD", h(0, 10))
    assign(incident, Role.COMMS, "UCOMMS", h(0, 20))
    assign(incident, Role.COMMS, "UCOMMS2", h(5))  # shift change, long after assembly
    clock = team_assembly_clock(incident, POLICY, h(6))
    assert (clock.state, clock.met_at) == (ClockState.MET, h(0, 20))


# ------------------------------------------------------------------ first statement


def test_first_statement_is_due_four_hours_after_declaration_and_pending_before():
    clock = first_statement_clock(declare(), POLICY, h(3, 59))
    assert clock.key == "first_statement"
    assert clock.due_at == h(4)
    assert clock.state is ClockState.PENDING
    assert clock.met_at is None


def test_first_statement_is_missed_once_four_hours_pass_without_one():
    assert first_statement_clock(declare(), POLICY, h(4, 0, 1)).state is ClockState.MISSED


def test_first_statement_is_met_by_a_statement_published_before_due():
    incident = declare()
    publish(incident, h(3, 59))
    clock = first_statement_clock(incident, POLICY, h(10))
    assert (clock.state, clock.met_at) == (ClockState.MET, h(3, 59))


def test_first_statement_is_missed_by_a_statement_published_after_due():
    incident = declare()
    publish(incident, h(5))
    clock = first_statement_clock(incident, POLICY, h(5, 1))
    assert (clock.state, clock.met_at) == (ClockState.MISSED, h(5))


def test_first_statement_is_met_by_the_first_statement_not_later_ones():
    incident = declare()
    publish(incident, h(1), sid=1)
    publish(incident, h(6), sid=2)
    assert first_statement_clock(incident, POLICY, h(7)).met_at == h(1)


def test_first_statement_window_does_not_depend_on_severity():
    for severity in Severity:
        assert first_statement_clock(declare(severity), POLICY, T0).due_at == h(4)


# ------------------------------------------------------------------ stakeholder update cadence


def test_update_cadence_is_absent_before_the_first_statement():
    assert update_cadence_clock(declare(), POLICY, h(3)) is None


def test_update_cadence_is_due_one_cadence_after_the_last_statement():
    incident = declare(Severity.A)  # cadence 4 h
    publish(incident, h(1))
    clock = update_cadence_clock(incident, POLICY, h(2))
    assert clock.key == "stakeholder_update"
    assert (clock.due_at, clock.state, clock.met_at) == (h(5), ClockState.PENDING, None)


def test_update_cadence_is_missed_once_the_cadence_passes_without_a_statement():
    incident = declare(Severity.A)
    publish(incident, h(1))
    assert update_cadence_clock(incident, POLICY, h(5, 1)).state is ClockState.MISSED


def test_a_new_statement_restarts_the_update_cadence():
    incident = declare(Severity.A)
    publish(incident, h(1), sid=1)
    publish(incident, h(4), sid=2)
    clock = update_cadence_clock(incident, POLICY, h(5, 1))
    assert (clock.due_at, clock.state) == (h(8), ClockState.PENDING)


@pytest.mark.parametrize(
    "severity, due",
    [(Severity.SS, h(1, 30)), (Severity.S, h(2)), (Severity.A, h(5))],
)
def test_update_cadence_follows_the_severity(severity, due):
    incident = declare(severity)
    publish(incident, h(1))
    assert update_cadence_clock(incident, POLICY, h(1)).due_at == due


def test_update_cadence_is_absent_after_resolution():
    incident = declare()
    publish(incident, h(1))
    resolve(incident, h(2))
    assert update_cadence_clock(incident, POLICY, h(3)) is None


def test_update_cadence_returns_when_the_incident_is_reopened():
    incident = declare()
    publish(incident, h(1))
    resolve(incident, h(2))
    incident.reopen(actor=MONITOR, at=h(3))
    clock = update_cadence_clock(incident, POLICY, h(3))
    assert (clock.due_at, clock.state) == (h(5), ClockState.PENDING)


# ------------------------------------------------------------------ regulatory clocks


def test_regulatory_clock_is_due_within_after_declaration_and_pending_before_its_task_exists():
    incident = declare()
    (clock,) = regulatory_clocks(incident, PB, h(1))
    assert clock.key == "regulator-report"
    assert clock.label == t("Regulator report")
    assert (clock.due_at, clock.state, clock.met_at) == (h(24), ClockState.PENDING, None)


def test_regulatory_clock_is_met_when_its_task_is_completed_before_due():
    incident = declare()
    reach_respond(incident, h(1))
    incident.complete_task(regulator_task_no(incident), actor=ALICE, at=h(20))
    (clock,) = regulatory_clocks(incident, PB, h(30))
    assert (clock.state, clock.met_at) == (ClockState.MET, h(20))


def test_regulatory_clock_is_missed_when_its_task_is_completed_after_due():
    incident = declare()
    reach_respond(incident, h(1))
    incident.complete_task(regulator_task_no(incident), actor=ALICE, at=h(25))
    (clock,) = regulatory_clocks(incident, PB, h(26))
    assert (clock.state, clock.met_at) == (ClockState.MISSED, h(25))


def test_regulatory_clock_is_missed_when_its_task_is_still_open_past_due():
    incident = declare()
    reach_respond(incident, h(1))
    (clock,) = regulatory_clocks(incident, PB, h(24, 0, 1))
    assert (clock.state, clock.met_at) == (ClockState.MISSED, None)


def test_completing_an_unrelated_task_does_not_meet_a_regulatory_clock():
    incident = declare()
    incident.complete_task(1, actor=ALICE, at=h(1))
    (clock,) = regulatory_clocks(incident, PB, h(2))
    assert clock.met_at is None


def test_a_regulatory_clock_without_a_task_can_only_be_pending_or_missed():
    pb = replace(
        PB, clocks=(ClockSpec(key="notify", label=t("Notify"), within=timedelta(hours=24)),)
    )
    incident = declare()
    assert regulatory_clocks(incident, pb, h(23))[0].state is ClockState.PENDING
    assert regulatory_clocks(incident, pb, h(25))[0].state is ClockState.MISSED


def test_a_regulatory_clock_counted_from_resolution_starts_at_resolution():
    pb = replace(
        PB,
        clocks=(
            ClockSpec(
                key="final-report",
                label=t("Final report"),
                within=timedelta(hours=48),
                due_from=DueFrom.RESOLVED,
            ),
        ),
    )
    incident = declare()
    assert regulatory_clocks(incident, pb, h(1)) == []
    resolve(incident, h(10))
    (clock,) = regulatory_clocks(incident, pb, h(11))
    assert (clock.due_at, clock.state) == (h(58), ClockState.PENDING)


def test_a_severity_filtered_regulatory_clock_applies_only_at_its_severities():
    pb = replace(
        PB,
        clocks=(
            ClockSpec(
                key="ss-only",
                label=t("SS only"),
                within=timedelta(hours=2),
                severities=frozenset({Severity.SS}),
            ),
        ),
    )
    assert regulatory_clocks(declare(Severity.A), pb, T0) == []
    assert [c.key for c in regulatory_clocks(declare(Severity.SS), pb, T0)] == ["ss-only"]


# ------------------------------------------------------------------ post-mortem


def test_postmortem_clock_is_absent_before_resolution():
    assert postmortem_clock(declare(), POLICY, h(100)) is None


def test_postmortem_is_due_72_hours_after_resolution_and_pending_before():
    incident = declare()
    resolve(incident, h(6))
    clock = postmortem_clock(incident, POLICY, h(7))
    assert clock.key == "postmortem"
    assert (clock.due_at, clock.state, clock.met_at) == (h(78), ClockState.PENDING, None)


def test_postmortem_is_missed_once_72_hours_pass_without_one():
    incident = declare()
    resolve(incident, h(6))
    assert postmortem_clock(incident, POLICY, h(78, 0, 1)).state is ClockState.MISSED


def test_postmortem_is_met_when_published_within_72_hours():
    incident = declare()
    resolve(incident, h(6))
    incident.record_postmortem_published(version=1, actor=ALICE, at=h(30))
    clock = postmortem_clock(incident, POLICY, h(100))
    assert (clock.state, clock.met_at) == (ClockState.MET, h(30))


def test_postmortem_is_missed_when_published_after_72_hours():
    incident = declare()
    resolve(incident, h(6))
    incident.record_postmortem_published(version=1, actor=ALICE, at=h(80))
    clock = postmortem_clock(incident, POLICY, h(81))
    assert (clock.state, clock.met_at) == (ClockState.MISSED, h(80))


def test_postmortem_clock_disappears_when_the_incident_is_reopened():
    incident = declare()
    resolve(incident, h(6))
    incident.reopen(actor=MONITOR, at=h(8))
    assert postmortem_clock(incident, POLICY, h(9)) is None


def test_a_postmortem_published_before_a_reopen_does_not_meet_the_next_resolution():
    incident = declare()
    resolve(incident, h(6))
    incident.record_postmortem_published(version=1, actor=ALICE, at=h(10))
    incident.reopen(actor=MONITOR, at=h(20))
    resolve(incident, h(30))
    clock = postmortem_clock(incident, POLICY, h(31))
    assert (clock.due_at, clock.state, clock.met_at) == (h(102), ClockState.PENDING, None)


# ------------------------------------------------------------------ all clocks


def test_all_clocks_of_a_fresh_incident_are_team_first_statement_and_regulatory_by_due_time():
    clocks = all_clocks(declare(Severity.A), playbook=PB, policy=POLICY, now=h(1))
    assert [(c.key, c.due_at) for c in clocks] == [
        ("team_assembly", h(2)),
        ("first_statement", h(4)),
        ("regulator-report", h(24)),
    ]
    assert all(c.state is ClockState.PENDING for c in clocks)


def test_all_clocks_include_the_update_cadence_once_a_statement_is_out_sorted_by_due_time():
    incident = declare(Severity.A)
    publish(incident, h(1))
    clocks = all_clocks(incident, playbook=PB, policy=POLICY, now=h(1, 30))
    assert [(c.key, c.due_at) for c in clocks] == [
        ("team_assembly", h(2)),
        ("first_statement", h(4)),
        ("stakeholder_update", h(5)),
        ("regulator-report", h(24)),
    ]


def test_all_clocks_after_resolution_swap_the_cadence_for_the_postmortem():
    incident = declare(Severity.SS)
    publish(incident, h(1))
    resolve(incident, h(6))
    clocks = all_clocks(incident, playbook=PB, policy=POLICY, now=h(7))
    assert [(c.key, c.due_at, c.state) for c in clocks] == [
        ("team_assembly", h(0, 30), ClockState.MISSED),
        ("first_statement", h(4), ClockState.MET),
        ("regulator-report", h(24), ClockState.PENDING),
        ("postmortem", h(78), ClockState.PENDING),
    ]


def test_all_clocks_are_ordered_by_due_time_even_when_a_regulatory_clock_comes_first():
    pb = replace(
        PB,
        clocks=(
            ClockSpec(key="recall", label=t("Recall"), within=timedelta(minutes=15)),
            *PB.clocks,
        ),
    )
    clocks = all_clocks(declare(Severity.A), playbook=pb, policy=POLICY, now=T0)
    assert [c.key for c in clocks] == [
        "recall",
        "team_assembly",
        "first_statement",
        "regulator-report",
    ]
    assert [c.due_at for c in clocks] == sorted(c.due_at for c in clocks)


def test_all_clocks_report_time_left_negative_for_the_overdue_ones():
    incident = declare(Severity.A)
    now = h(5)
    clocks = {c.key: c for c in all_clocks(incident, playbook=PB, policy=POLICY, now=now)}
    assert clocks["team_assembly"].time_left(now) == -timedelta(hours=3)
    assert clocks["first_statement"].time_left(now) == -timedelta(hours=1)
    assert clocks["regulator-report"].time_left(now) == timedelta(hours=19)


def test_team_assembly_of_an_incident_in_a_later_stage_is_unaffected_by_the_stage():
    incident = declare(Severity.A)
    reach_respond(incident, h(0, 5))
    assert incident.stage is Phase.RESPOND
    assign(incident, Role.COMMANDER, COMMANDER.id, h(0, 10))
    assign(incident, Role.COMMS, "UCOMMS", h(0, 15))
    assert team_assembly_clock(incident, POLICY, h(1)).met_at == h(0, 15)
