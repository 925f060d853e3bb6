"""The permission table: its predicates, its coverage of every command and button, and its
publication in README.md and SECURITY.md."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from bot.adapters.slack import commands as c
from bot.adapters.slack.handlers import CommandHandler, permission_key, service_arguments
from bot.adapters.slack.ids import Action
from bot.adapters.slack.statement_commands import VERBS
from bot.domain.errors import NotPermitted
from bot.domain.permissions import (
    PERMISSIONS,
    TABLE,
    Refused,
    Standing,
    Surface,
    Who,
    allows,
    check,
    check_claim,
    check_visibility,
    markdown_table,
)
from bot.domain.roles import Role
from bot.domain.severity import Severity
from bot.domain.statements import review_severity
from bot.services.incidents import IncidentService

ROOT = Path(__file__).resolve().parents[2]


def standing(**kwargs) -> Standing:
    return Standing(user="U1", commander="UCMD", **kwargs)


OUTSIDER = standing()
MEMBER = standing(in_channel=True)
ROSTER_COMMANDER = standing(roster_roles=frozenset({Role.COMMANDER}))
ROSTER_LEGAL = standing(roster_roles=frozenset({Role.LEGAL}))
ROSTER_EXEC = standing(roster_roles=frozenset({Role.EXEC}))


def holding(*roles: Role) -> Standing:
    return standing(incident_roles=frozenset(roles))


def test_outsiders_change_nothing():
    for row in PERMISSIONS:
        if row.read or not row.incident:
            continue
        assert not allows(row.who, OUTSIDER), row.key


def test_channel_members_without_a_role_contribute_and_nothing_more():
    allowed = {r.key for r in PERMISSIONS if r.incident and not r.read and allows(r.who, MEMBER)}
    assert allowed == {"note", "fact", "task add", "followup", "shortcut:add_to_timeline",
                       "reaction:pushpin"}


@pytest.mark.parametrize("key", ["fact confirm", "fact retract", "impact"])
def test_facts_and_impact_need_commander_comms_legal_or_exec(key):
    who = TABLE[key].who
    for role in Role:
        assert allows(who, holding(role)) is (role in {Role.COMMANDER, Role.COMMS, Role.LEGAL,
                                                       Role.EXEC}), role
    assert allows(who, ROSTER_EXEC) and not allows(who, ROSTER_LEGAL)


@pytest.mark.parametrize("key", ["sev", "stage next", "stage force", "resolve", "reopen", "role",
                                 "button:stage_next", "button:stage_force", "button:reopen"])
def test_leading_needs_the_incident_commander_or_an_executive(key):
    who = TABLE[key].who
    for role in Role:
        assert allows(who, holding(role)) is (role in {Role.COMMANDER, Role.EXEC}), role
    assert allows(who, ROSTER_EXEC)
    assert not allows(who, ROSTER_COMMANDER)  # the incident has a commander: no claim


def test_roster_roles_other_than_exec_do_not_count_in_an_incident():
    assert ROSTER_LEGAL.effective_roles == frozenset()
    assert ROSTER_EXEC.effective_roles == frozenset({Role.EXEC})
    assert not allows(Who.TEAM, ROSTER_LEGAL)


def test_a_roster_commander_may_claim_only_a_vacant_command_for_themselves():
    vacant = Standing(user="U1", roster_roles=frozenset({Role.COMMANDER}), commander=None)
    assert allows(Who.LEAD_OR_CLAIM, vacant)
    check_claim(vacant, role=Role.COMMANDER, user="U1", incident_label="INC-1")
    with pytest.raises(Refused):
        check_claim(vacant, role=Role.COMMANDER, user="U2", incident_label="INC-1")
    with pytest.raises(Refused):
        check_claim(vacant, role=Role.LEGAL, user="U1", incident_label="INC-1")
    plain = Standing(user="U1", commander=None)
    assert not allows(Who.LEAD_OR_CLAIM, plain)


def test_reads_are_open_unless_restricted_then_only_for_people_in_the_incident():
    assert allows(Who.READER, OUTSIDER)
    restricted = Standing(user="U1", reads_restricted=True)
    assert not allows(Who.READER, restricted)
    for inside in (Standing(user="U1", reads_restricted=True, in_channel=True),
                   Standing(user="U1", reads_restricted=True, incident_roles=frozenset({Role.CS})),
                   Standing(user="U1", reads_restricted=True, roster_roles=frozenset({Role.EXEC}))):
        assert allows(Who.READER, inside)


def test_a_refusal_is_a_not_permitted_naming_the_row_and_the_commander():
    with pytest.raises(Refused) as info:
        check(TABLE["sev"], OUTSIDER, incident_label="INC-4")
    assert isinstance(info.value, NotPermitted)
    assert info.value.outsider and info.value.commander == "UCMD"
    assert "`sev`" in info.value.message and "INC-4" in info.value.message


def test_the_bot_itself_is_never_refused():
    system = Standing(user="system:monitor", is_system=True)
    assert all(allows(r.who, system) for r in PERMISSIONS)


# ------------------------------------------------------------------ coverage


def _command_classes() -> list[type]:
    return [v for v in vars(c).values()
            if isinstance(v, type) and issubclass(v, c.CrisisCommand) and v is not c.CrisisCommand]


def test_every_parsed_command_has_a_row():
    for cls in _command_classes():
        if cls in (c.Statement, c.Drill):
            continue  # their verbs have rows: checked below (drills: tests/unit/test_drills.py)
        if cls is c.Stage:
            keys = {"stage", "stage next", "stage force"}
        else:
            keys = {cls.name}
        assert keys <= set(TABLE), cls


def test_every_statement_verb_and_every_button_has_a_row():
    for verb in (*VERBS, "list", "draft"):
        assert f"statement {verb}" in TABLE
    for verb in ("submit", "approve", "reject", "publish", "edit", "draft"):
        assert f"button:statement_{verb}" in TABLE
    for action in (Action.TASK_DONE, Action.TASK_ASSIGN, Action.STAGE_NEXT, Action.STAGE_FORCE):
        assert f"button:{action.value}" in TABLE, action
    assert {"button:show_checklist", "button:reopen"} <= set(TABLE)
    assert {r.surface for r in PERMISSIONS} >= {Surface.COMMAND, Surface.BUTTON, Surface.SHORTCUT,
                                                 Surface.REACTION}


def test_every_row_names_a_call_that_exists():
    for row in PERMISSIONS:
        target, method = row.call.split(".")
        if target == "incidents":
            assert callable(getattr(IncidentService, method, None)), row.call
        elif target == "statements":
            assert method in (*VERBS, "list", "draft"), row.call
        elif row.key == "home":
            assert callable(CommandHandler.home)
        elif target == "drills":
            from bot.adapters.drills.handler import DrillHandler
            from bot.services.drills import DrillService
            assert callable(getattr(DrillService, method, None)) or method == "list", row.call
            assert callable(DrillHandler.listing)
        elif target == "knowledge":
            from bot.adapters.slack.knowledge.handler import KnowledgeHandler

            assert callable(getattr(KnowledgeHandler, method, None)), row.call
        elif target == "duty":  # /crisis oncall: bot/adapters/slack/oncall/handler.py
            from bot.adapters.slack.oncall.handler import OncallHandler
            assert callable(getattr(OncallHandler, method, None)), row.call
        elif target == "paging":  # the Acknowledge button: bot/services/paging.py
            from bot.services.paging import PagingService
            assert callable(getattr(PagingService, method, None)), row.call
        else:
            assert hasattr(CommandHandler, f"_{target}_{method}"), row.call


def test_service_arguments_fit_the_service_signatures():
    import inspect

    samples = {
        "sev": c.SetSeverity(severity=Severity.A, reason="r"),
        "role": c.AssignRole(role=Role.COMMS, user="U2"),
        "stage force": c.Stage(advance=True, force=True),
        "task done": c.TaskDone(no=1), "task add": c.TaskAdd(text="t"),
        "task assign": c.TaskAssign(no=1, user="U2"), "fact": c.FactAdd(text="f"),
        "fact confirm": c.FactConfirm(no=1), "fact retract": c.FactRetract(no=1, reason="r"),
        "note": c.Note(text="n"), "impact": c.Impact(figures={"orders": "1"}),
        "resolve": c.Resolve(summary="s"), "reopen": c.Reopen(reason="r"),
        "followup": c.Followup(text="t", owner=None),
        "followup done": c.FollowupDone(no=1), "followup reopen": c.FollowupReopen(no=1),
    }
    for key, command in samples.items():
        assert permission_key(command) == key
        method = getattr(IncidentService, TABLE[key].call.split(".")[1])
        inspect.signature(method).bind(None, 1, **service_arguments(command, key), actor=None,
                                       idempotency_key=None)
    assert {f.name for f in fields(c.Stage)} >= {"advance", "force"}


def test_the_published_table_in_readme_and_security_md_is_the_table():
    table = markdown_table()
    for doc in ("README.md", "SECURITY.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        start = text.index("<!-- permissions:start -->") + len("<!-- permissions:start -->\n")
        end = text.index("<!-- permissions:end -->")
        assert text[start:end] == table, f"{doc}: regenerate with bot.domain.permissions.markdown_table()"


# ------------------------------------------------------------------ rules


def test_the_approval_rule_is_frozen_at_submission_and_only_tightens():
    from bot.domain.statements import Statement

    statement = Statement(id=1, audience="customers", kind="update", lang="en", template="",
                          text="x", drafted_by="U", drafted_at=None, submitted_severity="S")
    assert review_severity(statement, Severity.A) is Severity.S  # lowered later: still S
    assert review_severity(statement, Severity.SS) is Severity.SS  # raised later: stricter
    statement.submitted_severity = ""
    assert review_severity(statement, Severity.A) is Severity.A  # not submitted: current


def test_visibility_accepts_workspace_or_members_only():
    assert check_visibility("Members") == "members"
    assert check_visibility("") == "workspace"
    with pytest.raises(ValueError):
        check_visibility("everyone")


def test_a_task_may_be_completed_by_its_assignee_without_a_role():
    who = TABLE["task done"].who
    assert not allows(who, MEMBER)
    assert allows(who, standing(assignee=True))
    assert allows(TABLE["button:task_done"].who, standing(assignee=True))


def test_every_row_has_refusal_wording_in_both_languages():
    # A Who without wording made the refusal itself fail: the person got no answer at all.
    from bot.adapters.slack.messages.access import WHO_TEXT

    for row in PERMISSIONS:
        en, zh = WHO_TEXT[row.who]
        assert en.strip() and zh.strip(), row.key
