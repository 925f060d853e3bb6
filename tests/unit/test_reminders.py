"""Which reminders an incident should have, against the factory playbook and policy.

Factory policy: SS team 30 min / cadence 30 min; S team 1 h / cadence 1 h (commander, comms,
legal); A team 2 h / cadence 4 h. First statement within 4 h; post-mortem within 72 h.
Factory playbook: task `verify` (comms, due 30 min after declaration), clock `regulator-report`
24 h from declaration, met by task `report-regulator` (owner: legal).
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.incident import Incident
from bot.domain.reminders import (
    DesiredReminder,
    ReminderKind,
    ReminderSettings,
    clock_due,
    desired_reminders,
    unfilled_roles,
)
from bot.domain.roles import Role
from bot.domain.severity import Severity
from bot.services.ports import StoredReminder
from bot.services.reminders import plan_sync
from tests.conftest import T0
from tests.unit.factories import COMMANDER, EXEC, playbook, policy

PB = playbook()
POLICY = policy()
SETTINGS = ReminderSettings(exec_sponsors=("USPONSOR",))


def h(hours: float = 0, minutes: float = 0):
    return T0 + timedelta(hours=hours, minutes=minutes)


def declare(severity: Severity = Severity.S, **roles: str) -> Incident:
    incident = Incident.declare(number=1, title="Checkout failing", playbook=PB, severity=severity,
                                description="", actor=COMMANDER, at=T0)
    incident.assign_role(Role.COMMANDER, "UCMD", actor=COMMANDER, at=T0)
    for role, user in roles.items():
        incident.assign_role(Role(role), user, actor=COMMANDER, at=T0)
    return incident


def wanted(incident: Incident, settings: ReminderSettings = SETTINGS) -> dict[str, DesiredReminder]:
    return {r.key: r for r in desired_reminders(incident, playbook=PB, policy=POLICY,
                                                settings=settings)}


def publish(incident: Incident, at) -> None:
    incident.record_statement_published(statement_id=len(incident.statements_published) + 1,
                                        audience="customers", kind="holding", lang="en",
                                        channel="", actor=COMMANDER, at=at)


# ------------------------------------------------------------------ team assembly

def test_team_assembly_reminder_is_due_at_the_severity_deadline_and_mentions_commander_and_exec():
    incident = declare(Severity.S, exec="UEXEC")
    team = wanted(incident)["team_assembly"]
    assert team.kind is ReminderKind.TEAM_ASSEMBLY
    assert team.due_at == h(1)
    assert team.mentions == ("UCMD", "UEXEC")
    assert unfilled_roles(incident, POLICY) == [Role.COMMS, Role.LEGAL]


def test_team_assembly_reminder_falls_back_to_the_rostered_exec_sponsor():
    assert wanted(declare(Severity.S))["team_assembly"].mentions == ("UCMD", "USPONSOR")


def test_no_team_assembly_reminder_once_every_needed_role_is_filled():
    incident = declare(Severity.S, comms="UCOMMS", legal="ULEGAL")
    assert "team_assembly" not in wanted(incident)
    assert "escalation:team_assembly" not in wanted(incident)


def test_raising_severity_re_times_team_assembly_to_the_new_deadline():
    incident = declare(Severity.S)
    incident.change_severity(Severity.SS, playbook=PB, actor=EXEC, at=h(0, 10))
    assert wanted(incident)["team_assembly"].due_at == h(0, 30)
    assert wanted(incident)["escalation:team_assembly"].due_at == h(1)


# ------------------------------------------------------------------ statements

def test_first_statement_reminders_at_t_minus_60_t_minus_15_and_overdue():
    incident = declare(Severity.S, comms="UCOMMS", spokesperson="USPOKE")
    found = wanted(incident)
    assert found["first_statement:-1h"].due_at == h(3)
    assert found["first_statement:-15m"].due_at == h(3, 45)
    assert found["first_statement:due"].due_at == h(4)
    assert found["first_statement:-1h"].mentions == ("UCOMMS", "USPOKE")
    assert found["first_statement:due"].mentions == ("UCOMMS", "USPOKE", "UCMD")
    assert {found[k].kind for k in ("first_statement:-1h", "first_statement:due")} == {
        ReminderKind.FIRST_STATEMENT}


def test_first_statement_offsets_come_from_the_settings():
    settings = ReminderSettings(first_statement_before=(timedelta(minutes=30),))
    keys = {k for k in wanted(declare(), settings) if k.startswith("first_statement")}
    assert keys == {"first_statement:-30m", "first_statement:due"}


def test_publishing_the_first_statement_cancels_its_reminders_and_starts_the_update_cadence():
    incident = declare(Severity.S, comms="UCOMMS")
    publish(incident, h(2))
    found = wanted(incident)
    assert not [k for k in found if k.startswith("first_statement")]
    assert found["update_due:1"].due_at == h(3)
    assert found["update_due:1"].kind is ReminderKind.UPDATE_DUE
    assert found["update_due:1"].mentions == ("UCOMMS",)


def test_update_cadence_follows_the_severity():
    for severity, every in ((Severity.SS, h(2, 30)), (Severity.S, h(3)), (Severity.A, h(6))):
        incident = declare(severity)
        publish(incident, h(2))
        assert wanted(incident)["update_due:1"].due_at == every


def test_each_published_statement_restarts_the_update_cadence_under_a_new_key():
    incident = declare(Severity.S)
    publish(incident, h(1))
    publish(incident, h(1, 40))
    found = wanted(incident)
    assert "update_due:1" not in found
    assert found["update_due:2"].due_at == h(2, 40)


def test_lowering_severity_re_times_the_update_due():
    incident = declare(Severity.S)
    publish(incident, h(1))
    incident.change_severity(Severity.A, playbook=PB, actor=COMMANDER, at=h(1, 5))
    assert wanted(incident)["update_due:1"].due_at == h(5)


# ------------------------------------------------------------------ tasks

def test_task_due_soon_and_overdue_go_to_the_assignee():
    incident = declare(Severity.A, comms="UCOMMS")
    incident.add_task("Call the carrier", actor=COMMANDER, at=h(0, 10), owner_role=Role.OPS,
                      due_at=h(2))
    number = incident.tasks[-1].no
    incident.assign_task(number, "UKEN", actor=COMMANDER, at=h(0, 10))
    found = wanted(incident)
    assert found[f"task_due:{number}"].due_at == h(1, 30)
    assert found[f"task_due:{number}"].mentions == ("UKEN",)
    assert found[f"task_overdue:{number}"].due_at == h(2)
    assert found[f"task_overdue:{number}"].clock == f"task:{number}"


def test_unassigned_task_reminds_the_holder_of_its_owner_role_and_skips_a_due_soon_in_the_past():
    incident = declare(Severity.A, comms="UCOMMS")
    verify = next(t for t in incident.tasks if t.template == "verify")  # due 30 min, owner comms
    found = wanted(incident)
    assert found[f"task_overdue:{verify.no}"].mentions == ("UCOMMS",)
    assert f"task_due:{verify.no}" not in found  # 30 min before due is the declaration itself


def test_completing_a_task_cancels_its_reminders():
    incident = declare(Severity.A, comms="UCOMMS")
    verify = next(t for t in incident.tasks if t.template == "verify")
    incident.complete_task(verify.no, actor=COMMANDER, at=h(0, 5))
    assert not [k for k in wanted(incident) if k.endswith(f":{verify.no}")]


# ------------------------------------------------------------------ regulatory

def test_regulatory_deadline_reminders_escalate_as_it_nears():
    incident = declare(Severity.S, legal="ULEGAL", exec="UEXEC")
    found = wanted(incident)
    assert "regulatory:regulator-report:-1d" not in found  # would be the declaration itself
    early, late = found["regulatory:regulator-report:-4h"], found["regulatory:regulator-report:-1h"]
    assert (early.due_at, early.mentions) == (h(20), ("ULEGAL",))
    assert (late.due_at, late.mentions) == (h(23), ("ULEGAL", "UCMD"))
    assert found["regulatory:regulator-report:due"].due_at == h(24)
    assert found["escalation:regulator-report"].due_at == h(24, 30)
    assert found["escalation:regulator-report"].mentions == ("UEXEC", "UCMD")
    assert early.kind is ReminderKind.REGULATORY


def test_regulatory_reminders_outlive_resolution_until_met_or_closed():
    incident = declare(Severity.S, legal="ULEGAL")
    incident.resolve(actor=COMMANDER, at=h(2))
    assert "regulatory:regulator-report:due" in wanted(incident)
    incident.close(actor=COMMANDER, at=h(3))
    assert not [k for k in wanted(incident) if "regulator" in k]


# ------------------------------------------------------------------ resolution, post-mortem

def test_resolving_cancels_running_clocks_and_starts_the_postmortem_reminders():
    incident = declare(Severity.S, comms="UCOMMS", scribe="USCRIBE")
    incident.resolve(actor=COMMANDER, at=h(2))
    found = wanted(incident)
    assert not [k for k in found if k.startswith(("team", "first", "task", "update"))]
    stamp = int(h(2).timestamp())
    assert found[f"postmortem:{stamp}:-1d"].due_at == h(2 + 48)
    due = found[f"postmortem:{stamp}:due"]
    assert (due.kind, due.due_at, due.mentions) == (
        ReminderKind.POSTMORTEM_DUE, h(2 + 72), ("UCMD", "USCRIBE"))
    assert found[f"escalation:postmortem:{stamp}"].due_at == h(2 + 72, 30)


def test_publishing_the_postmortem_cancels_its_reminders():
    incident = declare()
    incident.resolve(actor=COMMANDER, at=h(2))
    incident.record_postmortem_published(version=1, actor=COMMANDER, at=h(30))
    assert not [k for k in wanted(incident) if "postmortem" in k]


def test_a_reopened_and_re_resolved_incident_gets_fresh_postmortem_reminders():
    incident = declare()
    incident.resolve(actor=COMMANDER, at=h(2))
    first = {k for k in wanted(incident) if "postmortem" in k}
    incident.reopen(actor=COMMANDER, at=h(3))
    assert not [k for k in wanted(incident) if "postmortem" in k]
    incident.resolve(actor=COMMANDER, at=h(5))
    second = {k for k in wanted(incident) if "postmortem" in k}
    assert second and not first & second


# ------------------------------------------------------------------ escalation

def test_escalation_after_the_grace_mentions_the_exec_sponsor_and_commander():
    incident = declare(Severity.S, exec="UEXEC")
    settings = ReminderSettings(escalation_grace=timedelta(minutes=45))
    found = wanted(incident, settings)
    assert found["escalation:first_statement"].due_at == h(4, 45)
    assert found["escalation:first_statement"].mentions == ("UEXEC", "UCMD")
    assert found["escalation:first_statement"].kind is ReminderKind.ESCALATION


def test_every_key_is_unique_and_the_set_is_ordered_by_due_time():
    incident = declare(Severity.SS)
    reminders = desired_reminders(incident, playbook=PB, policy=POLICY, settings=SETTINGS)
    assert len({r.key for r in reminders}) == len(reminders)
    assert [r.due_at for r in reminders] == sorted(r.due_at for r in reminders)


def test_clock_due_names_the_clock_a_reminder_is_about():
    incident = declare(Severity.S)
    assert clock_due(incident, "regulator-report", playbook=PB, policy=POLICY).due_at == h(24)
    assert clock_due(incident, "team_assembly", playbook=PB, policy=POLICY).due_at == h(1)
    verify = next(t for t in incident.tasks if t.template == "verify")
    assert clock_due(incident, f"task:{verify.no}", playbook=PB, policy=POLICY).due_at == h(0, 30)
    assert clock_due(incident, "task:99", playbook=PB, policy=POLICY).due_at is None


# ------------------------------------------------------------------ syncing the table

def stored(key: str, status: str, due, *, id: int = 1) -> StoredReminder:
    return StoredReminder(id=id, incident=1, key=key, kind="task_due", clock="task:1", due_at=due,
                          mentions=("U1",), status=status, scheduled_at=T0)


def desired(key: str, due) -> DesiredReminder:
    return DesiredReminder(ReminderKind.TASK_DUE, key, "task:1", due, ("U1",))


def test_sync_inserts_new_keys_re_times_changed_ones_and_cancels_moot_ones():
    rows = [stored("a", "pending", h(1), id=1), stored("b", "pending", h(1), id=2),
            stored("c", "pending", h(1), id=3)]
    insert, retime, cancel = plan_sync(rows, [desired("a", h(1)), desired("b", h(2)),
                                              desired("d", h(3))])
    assert [d.key for d in insert] == ["d"]
    assert [(r.key, d.due_at) for r, d in retime] == [("b", h(2))]
    assert [r.key for r in cancel] == ["c"]


def test_sync_never_resends_a_sent_or_expired_key_and_revives_a_cancelled_one():
    rows = [stored("sent", "sent", h(1), id=1), stored("old", "expired", h(1), id=2),
            stored("back", "cancelled", h(1), id=3)]
    insert, retime, cancel = plan_sync(rows, [desired("sent", h(5)), desired("old", h(5)),
                                              desired("back", h(5))])
    assert insert == [] and cancel == []
    assert [r.key for r, _ in retime] == ["back"]
