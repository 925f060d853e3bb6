"""Statement rules on the incident aggregate: versions, approvals by severity, publication."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.clocks import first_statement_clock
from bot.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from bot.domain.incident import Incident
from bot.domain.roles import Actor, Role
from bot.domain.severity import ApprovalRule, Severity
from bot.domain.statement_lint import LintRules, Variant
from bot.domain.statements import StatementBlocked, StatementState
from tests.conftest import T0
from tests.unit.factories import COMMANDER, MONITOR, playbook, policy

PB = playbook()
A_RULE = ApprovalRule(people=2)
S_RULE = ApprovalRule(roles=(Role.COMMS, Role.LEGAL))
SS_RULE = ApprovalRule(roles=(Role.COMMS, Role.LEGAL, Role.EXEC))
LINT = LintRules(
    absolute_claims=("100% safe",), progress_markers=("we have",), contact_markers=("hotline",)
)
SPOKE, COMMS, LEGAL, EXEC, CS, OUTSIDER = (
    Actor(u) for u in ("USPOKE", "UCOMMS", "ULEGAL", "UEXEC", "UCS", "UOUT")
)
AT = T0 + timedelta(minutes=30)
TEXT = "Batch 2411-B is affected. We have stopped sales. Call the hotline 400-800-1234."


def incident(severity: Severity = Severity.S) -> Incident:
    inc = Incident.declare(
        number=1,
        title="Cream complaints",
        playbook=PB,
        severity=severity,
        description="",
        actor=MONITOR,
        at=T0,
    )
    for role, actor in (
        (Role.COMMANDER, COMMANDER),
        (Role.SPOKESPERSON, SPOKE),
        (Role.COMMS, COMMS),
        (Role.LEGAL, LEGAL),
        (Role.EXEC, EXEC),
        (Role.CS, CS),
    ):
        inc.assign_role(role, actor.id, actor=MONITOR, at=T0)
    inc.add_fact("Batch 2411-B is affected", actor=COMMS, at=T0)
    inc.confirm_fact(1, actor=COMMANDER, at=T0)
    return inc


def drafted(severity: Severity = Severity.S, text: str = TEXT, submit: bool = True) -> Incident:
    inc = incident(severity)
    inc.draft_statement(
        audience="customers",
        kind="holding",
        lang="en",
        text=text,
        template="templates/statements/customers/holding.en.j2",
        actor=SPOKE,
        at=AT,
    )
    if submit:
        inc.submit_statement(1, actor=SPOKE, at=AT)
    return inc


def approve(inc: Incident, actor: Actor, rule: ApprovalRule = S_RULE, version: int | None = None):
    return inc.approve_statement(
        1, rule=rule, lint=LINT, contact="", actor=actor, at=AT, version=version
    )


def publish(
    inc: Incident, actor: Actor = COMMS, rule: ApprovalRule = S_RULE, channel: str = "website"
):
    return inc.publish_statement(
        1,
        channel=channel,
        rule=rule,
        lint=LINT,
        contact="",
        actor=actor,
        at=AT + timedelta(minutes=5),
    )


def test_statements_are_numbered_per_incident_and_start_as_version_1_drafts():
    inc = drafted(submit=False)
    inc.draft_statement(
        audience="media", kind="update", lang="zh", text="更新", template="t", actor=SPOKE, at=AT
    )
    assert [(s.id, s.version, s.state) for s in inc.statements.values()] == [
        (1, 1, StatementState.DRAFT),
        (2, 1, StatementState.DRAFT),
    ]


def test_unknown_audience_kind_or_language_is_refused_with_the_choices():
    inc = incident()
    with pytest.raises(InvalidInput, match="customers, media"):
        inc.draft_statement(
            audience="investors",
            kind="holding",
            lang="en",
            text="x",
            template="",
            actor=SPOKE,
            at=AT,
        )
    with pytest.raises(InvalidInput, match="en, zh, zh-Hant"):
        inc.draft_statement(
            audience="media", kind="holding", lang="fr", text="x", template="", actor=SPOKE, at=AT
        )


def test_s_needs_comms_and_legal_then_it_can_be_published():
    inc = drafted()
    approve(inc, COMMS)
    assert inc.statement(1).status(S_RULE) == "in_review"
    approve(inc, LEGAL)
    assert inc.statement(1).status(S_RULE) == "approved"
    events = publish(inc)
    assert events[0].version == 1 and events[0].channel == "website"
    assert inc.statement(1).state is StatementState.PUBLISHED


def test_approval_by_the_wrong_role_is_refused():
    inc = drafted()
    with pytest.raises(NotPermitted, match="needs approval from comms \\+ legal; you hold cs"):
        approve(inc, CS)


def test_the_author_cannot_approve_their_own_draft_even_holding_a_required_role():
    inc = drafted()
    inc.assign_role(Role.COMMS, SPOKE.id, actor=COMMANDER, at=AT)
    with pytest.raises(NotPermitted, match="nobody approves their own draft"):
        approve(inc, SPOKE)


def test_an_editor_becomes_an_author_and_cannot_approve_the_new_version():
    inc = drafted()
    inc.edit_statement(1, TEXT + " Next update at 14:00.", actor=LEGAL, at=AT)
    inc.submit_statement(1, actor=SPOKE, at=AT)
    with pytest.raises(NotPermitted, match="own draft"):
        approve(inc, LEGAL)


def test_an_edit_makes_a_new_version_and_clears_approvals():
    inc = drafted()
    approve(inc, COMMS)
    inc.edit_statement(1, TEXT + " Next update at 14:00.", actor=SPOKE, at=AT)
    statement = inc.statement(1)
    assert statement.version == 2 and statement.state is StatementState.DRAFT
    assert statement.current_approvals() == [] and len(statement.approvals) == 1
    with pytest.raises(Conflict, match="submit it for review first"):
        approve(inc, LEGAL)
    inc.submit_statement(1, actor=SPOKE, at=AT)
    with pytest.raises(Conflict, match="it is now v2"):
        approve(inc, LEGAL, version=1)  # clicked on the card of version 1
    approve(inc, LEGAL, version=2)
    with pytest.raises(Conflict, match="still needs approval: comms"):
        publish(inc)


def test_a_draft_with_lint_errors_cannot_be_approved():
    inc = drafted(text=TEXT + " Our cream is 100% safe.")
    with pytest.raises(StatementBlocked, match="lint errors") as refused:
        approve(inc, COMMS)
    assert [f.code for f in refused.value.findings] == ["absolute_claim"]
    assert inc.statement(1).approvals == []


def test_ss_needs_three_roles_comms_legal_and_exec():
    inc = drafted(Severity.SS)
    approve(inc, COMMS, SS_RULE)
    approve(inc, LEGAL, SS_RULE)
    with pytest.raises(Conflict, match="still needs approval: exec"):
        publish(inc, rule=SS_RULE)
    approve(inc, EXEC, SS_RULE)
    assert [a.role for a in inc.statement(1).current_approvals()] == ["comms", "legal", "exec"]
    publish(inc, rule=SS_RULE)


def test_one_person_holding_two_required_roles_approves_only_once():
    inc = drafted()
    inc.assign_role(Role.LEGAL, COMMS.id, actor=COMMANDER, at=AT)
    approve(inc, COMMS)
    with pytest.raises(Conflict, match="already approved"):
        approve(inc, COMMS)
    assert inc.statement(1).missing(S_RULE) == ["legal"]


def test_an_executive_from_the_roster_counts_as_exec_without_an_incident_role():
    inc = drafted(Severity.SS)
    roster_exec = Actor("UBOSS", roles=frozenset({Role.EXEC}))
    assert approve(inc, roster_exec, SS_RULE)[0].role == "exec"


def test_a_needs_two_different_people_who_hold_a_role():
    inc = drafted(Severity.A)
    approve(inc, CS, A_RULE)
    with pytest.raises(Conflict, match="already approved"):
        approve(inc, CS, A_RULE)
    with pytest.raises(NotPermitted, match="crisis team"):
        approve(inc, OUTSIDER, A_RULE)
    approve(inc, LEGAL, A_RULE)
    assert inc.statement(1).status(A_RULE) == "approved"
    with pytest.raises(Conflict, match="already has every approval"):
        approve(inc, COMMS, A_RULE)


def test_a_fact_retracted_after_approval_blocks_publication():
    inc = drafted()
    approve(inc, COMMS)
    approve(inc, LEGAL)
    inc.retract_fact(1, actor=COMMANDER, at=AT, reason="wrong batch")
    with pytest.raises(StatementBlocked, match="cannot be published") as refused:
        publish(inc)
    assert "retracted_fact" in [f.code for f in refused.value.findings]
    assert inc.statements_published == []


def test_publishing_to_an_sms_channel_checks_the_sms_length():
    inc = drafted(text=TEXT + " " + "More details follow on our website. " * 4)
    approve(inc, COMMS)
    approve(inc, LEGAL)
    with pytest.raises(StatementBlocked, match="SMS"):
        inc.publish_statement(
            1,
            channel="sms",
            rule=S_RULE,
            contact="",
            actor=COMMS,
            at=AT,
            lint=LintRules(
                progress_markers=("we have",),
                contact_markers=("hotline",),
                channel_variants={"sms": Variant.SMS},
            ),
        )


def test_only_publishers_may_publish_and_not_twice_to_the_same_channel():
    inc = drafted()
    approve(inc, COMMS)
    approve(inc, LEGAL)
    with pytest.raises(NotPermitted, match="commander, comms lead, spokesperson"):
        publish(inc, actor=CS)
    publish(inc, actor=SPOKE)
    with pytest.raises(Conflict, match="already published to website"):
        publish(inc, actor=SPOKE)
    publish(inc, actor=SPOKE, channel="weibo")
    assert [p.channel for p in inc.statement(1).publications] == ["website", "weibo"]


def test_the_first_published_statement_meets_the_first_statement_clock():
    inc = drafted()
    approve(inc, COMMS)
    approve(inc, LEGAL)
    publish(inc)
    clock = first_statement_clock(inc, policy(), AT + timedelta(hours=1))
    assert clock.state == "met" and clock.met_at == AT + timedelta(minutes=5)


def test_a_rejected_statement_needs_an_edit_and_a_reason():
    inc = drafted()
    with pytest.raises(InvalidInput, match="Say why"):
        inc.reject_statement(1, " ", rule=S_RULE, actor=LEGAL, at=AT)
    with pytest.raises(NotPermitted, match="reviewer"):
        inc.reject_statement(1, "no", rule=S_RULE, actor=CS, at=AT)
    inc.reject_statement(1, "Refund date unconfirmed", rule=S_RULE, actor=LEGAL, at=AT)
    assert inc.statement(1).status(S_RULE) == "rejected"
    with pytest.raises(Conflict, match="edit it before submitting"):
        inc.submit_statement(1, actor=SPOKE, at=AT)
    with pytest.raises(Conflict, match="needs an edit"):
        approve(inc, COMMS)
    inc.edit_statement(1, TEXT + " Refunds within 7 days.", actor=SPOKE, at=AT)
    inc.submit_statement(1, actor=SPOKE, at=AT)
    approve(inc, COMMS)


def test_a_published_statement_cannot_be_edited():
    inc = drafted()
    approve(inc, COMMS)
    approve(inc, LEGAL)
    publish(inc)
    with pytest.raises(Conflict, match="draft an update instead"):
        inc.edit_statement(1, "new", actor=SPOKE, at=AT)


def test_raising_severity_after_approval_asks_for_the_stricter_rule():
    inc = drafted()
    approve(inc, COMMS)
    approve(inc, LEGAL)
    with pytest.raises(Conflict, match="exec"):
        publish(inc, rule=SS_RULE)


def test_an_unknown_statement_is_not_found():
    with pytest.raises(NotFound, match="no statement #4"):
        incident().submit_statement(4, actor=SPOKE, at=AT)


def test_replay_rebuilds_statements_with_versions_and_approvals():
    inc = drafted()
    approve(inc, COMMS)
    inc.edit_statement(1, TEXT + " More soon.", actor=SPOKE, at=AT)
    replayed = Incident.replay(list(inc.pending))
    assert replayed.statements == inc.statements


def test_only_the_crisis_team_drafts_edits_and_submits():
    inc = drafted(submit=False)
    with pytest.raises(NotPermitted, match="crisis team"):
        inc.draft_statement(audience="media", kind="holding", lang="en", text="x", template="",
                            actor=OUTSIDER, at=AT)
    with pytest.raises(NotPermitted, match="crisis team"):
        inc.edit_statement(1, "new text", actor=OUTSIDER, at=AT)
    with pytest.raises(NotPermitted, match="crisis team"):
        inc.submit_statement(1, actor=OUTSIDER, at=AT)
