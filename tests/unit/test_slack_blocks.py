"""Block Kit builders, ids and event wording: pure dicts, safe text, within Slack's limits."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.slack import messages
from bot.adapters.slack.blocks import (
    app_home,
    declare_modal,
    help_blocks,
    incident_card,
    parse_declare_submission,
    stage_checklist,
    timeline_blocks,
)
from bot.adapters.slack.ids import (
    Action,
    Block,
    View,
    decode_block_ref,
    decode_ref,
    encode_ref,
    ref_block_id,
)
from bot.domain import events as ev
from bot.domain.clocks import all_clocks
from bot.domain.events import EVENT_TYPES
from bot.domain.incident import Incident
from bot.domain.roles import Role
from bot.domain.severity import Severity
from tests.unit.factories import ALICE, COMMANDER, MONITOR, playbook, policy

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOSTILE = "<!channel> boom <@U999>"


def declare(*, title: str = "Checkout failing", severity: Severity = Severity.S,
            number: int = 7) -> Incident:
    incident = Incident.declare(
        number=number, title=title, playbook=playbook(), severity=severity,
        description="", actor=COMMANDER, at=T0,
    )
    incident.assign_role(Role.COMMANDER, COMMANDER.id, actor=COMMANDER, at=T0)
    return incident


def card_of(incident: Incident, *, now: datetime = T0 + timedelta(minutes=10)) -> dict[str, Any]:
    return incident_card(incident, playbook=playbook(), policy=policy(), now=now)


def dump(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def all_text(payload: Any) -> str:
    return "\n".join(_strings(payload))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def elements(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Every interactive element: actions-block elements and section accessories."""
    found = []
    for block in payload["blocks"]:
        found += block.get("elements", []) if block["type"] == "actions" else []
        if block.get("accessory"):
            found.append(block["accessory"])
    return found


def buttons(payload: dict[str, Any], action: Action) -> list[dict[str, Any]]:
    return [e for e in elements(payload) if e.get("action_id") == action]


# ------------------------------------------------------------------ ids


def test_ref_encodes_incident_and_task():
    assert encode_ref(7, 3) == "INC-7:3"


def test_ref_without_task_is_the_incident_id():
    assert encode_ref(7) == "INC-7"


def test_ref_decodes_back():
    assert decode_ref(encode_ref(12, 4)) == (12, 4) and decode_ref("INC-12") == (12, None)


@pytest.mark.parametrize("garbage", ["", "INC-", "INC-x", "7:3", "INC-7:", "INC-7:3:1", "INC-0", "INC-7:0"])
def test_ref_decoding_refuses_garbage(garbage):
    with pytest.raises(ValueError):
        decode_ref(garbage)


def test_ref_encoding_refuses_non_positive_numbers():
    with pytest.raises(ValueError):
        encode_ref(0)


def test_ref_block_id_round_trips():
    assert decode_block_ref(ref_block_id(Block.TASK, 7, 2)) == (Block.TASK, 7, 2)


def test_ids_are_plain_strings_for_slack():
    assert Action.TASK_DONE == "task_done" and View.DECLARE == "declare_modal"


# ------------------------------------------------------------------ card


def test_card_header_names_the_incident_and_its_title():
    header = card_of(declare())["blocks"][0]
    assert header["type"] == "header" and header["text"]["text"] == "INC-7 · Checkout failing"


def test_card_shows_severity_with_its_label():
    assert "*S* — Vertical / industry trending" in all_text(card_of(declare()))


def test_card_shows_playbook_name_as_type():
    assert "Test type" in all_text(card_of(declare()))


def test_card_shows_stage_progress():
    assert "● *assess* → ○ respond → ○ communicate → ○ recover" in all_text(card_of(declare()))


def test_card_shows_role_holders_as_mentions():
    assert "*Incident commander*\n<@UCMD>" in all_text(card_of(declare()))


def test_card_shows_empty_roles_as_unassigned():
    assert "*Comms lead*\n_unassigned_" in all_text(card_of(declare()))


def test_card_lists_required_tasks_of_the_current_stage():
    assert "⬜ #1 verify · due 09:30 UTC" in all_text(card_of(declare()))


def test_card_counts_open_tasks():
    assert "2 open (2 in `assess`)" in all_text(card_of(declare()))


def test_card_shows_a_pending_clock_with_time_left():
    text = all_text(card_of(declare()))
    assert "⏳ *Team assembled* — due 10:00 UTC · 50m left" in text


def test_card_shows_a_missed_clock_as_overdue():
    text = all_text(card_of(declare(), now=T0 + timedelta(hours=1, minutes=15)))
    assert "🔴 *Team assembled* — due 10:00 UTC · 15m overdue" in text


def test_card_shows_a_met_clock():
    incident = declare()
    for role in (Role.COMMS, Role.LEGAL):
        incident.assign_role(role, "UALICE", actor=COMMANDER, at=T0 + timedelta(minutes=20))
    assert "✅ *Team assembled* — due 10:00 UTC · met 09:20 UTC" in all_text(card_of(incident))


def test_card_shows_dates_for_clocks_due_another_day():
    assert "Regulator report* — due 21 Nov 09:00 UTC" in all_text(card_of(declare()))


def test_card_shows_impact_figures():
    incident = declare()
    incident.record_impact({"orders": "1,200", "revenue": "USD 350000"}, actor=ALICE, at=T0)
    text = all_text(card_of(incident))
    assert "*Orders* 1,200" in text and "*Revenue at risk* USD 350,000" in text


def test_card_without_impact_has_no_impact_section():
    assert "*Impact*" not in all_text(card_of(declare()))


def test_active_card_has_checklist_and_advance_buttons():
    card = card_of(declare())
    assert buttons(card, Action.SHOW_STATUS)[0]["value"] == "INC-7"
    advance = buttons(card, Action.STAGE_NEXT)[0]
    assert advance["value"] == "INC-7" and advance["style"] == "primary"


def test_card_in_the_last_stage_has_no_advance_button():
    incident = declare()
    for _ in range(3):
        incident.advance_stage(playbook=playbook(), actor=COMMANDER, at=T0, force=True)
    assert buttons(card_of(incident), Action.STAGE_NEXT) == []


def test_resolved_card_shows_the_resolution_and_no_buttons():
    incident = declare()
    incident.resolve(actor=COMMANDER, at=T0 + timedelta(hours=1), summary="Carrier back <!here>")
    card = card_of(incident, now=T0 + timedelta(hours=2))
    assert "*Resolution*\nCarrier back &lt;!here&gt;" in all_text(card)
    assert elements(card) == []


def test_resolved_card_shows_the_postmortem_clock():
    incident = declare()
    incident.resolve(actor=COMMANDER, at=T0 + timedelta(hours=1))
    assert "Post-mortem (72 h)" in all_text(card_of(incident, now=T0 + timedelta(hours=2)))


def test_card_never_contains_a_hostile_title_raw():
    payload = dump(card_of(declare(title=HOSTILE)))
    assert "<!channel>" not in payload and "<@U999>" not in payload


def test_card_fallback_text_is_escaped():
    assert card_of(declare(title=HOSTILE))["text"].startswith("INC-7 · &lt;!channel&gt; boom")


def test_card_escapes_the_description():
    incident = Incident.declare(number=7, title="t", playbook=playbook(), severity=None,
                                description="<!everyone> & more", actor=COMMANDER, at=T0)
    assert "&lt;!everyone&gt; &amp; more" in all_text(card_of(incident))


def test_card_is_only_text_and_blocks():
    assert set(card_of(declare())) == {"text", "blocks"}


def test_card_renders_the_system_declarer_as_the_bot():
    incident = Incident.declare(number=7, title="t", playbook=playbook(), severity=None,
                                description="", actor=MONITOR, at=T0, source="monitor")
    assert "by _crisisbot (monitor)_ · via monitor" in all_text(card_of(incident))


# ------------------------------------------------------------------ checklist


def test_checklist_has_a_done_button_per_open_task_with_its_ref():
    incident = declare()
    values = [b["value"] for b in buttons(stage_checklist(incident), Action.TASK_DONE)]
    assert values == ["INC-7:1", "INC-7:2"]


def test_checklist_has_no_done_button_for_done_tasks():
    incident = declare()
    incident.complete_task(2, actor=ALICE, at=T0)
    values = [b["value"] for b in buttons(stage_checklist(incident), Action.TASK_DONE)]
    assert values == ["INC-7:1"]


def test_checklist_shows_done_tasks_with_who_did_them():
    incident = declare()
    incident.complete_task(2, actor=ALICE, at=T0 + timedelta(minutes=5))
    assert "✅ ~#2 scope~" in all_text(stage_checklist(incident))
    assert "done by <@UALICE> at 09:05 UTC" in all_text(stage_checklist(incident))


def test_checklist_task_shows_owner_assignee_due_and_required():
    incident = declare()
    incident.assign_task(1, "UALICE", actor=COMMANDER, at=T0)
    text = all_text(stage_checklist(incident))
    assert "⬜ *#1* verify `required`\nOwner: Comms lead · Assignee: <@UALICE> · Due 09:30 UTC" in text


def test_checklist_flags_overdue_tasks_when_given_now():
    text = all_text(stage_checklist(declare(), now=T0 + timedelta(hours=1)))
    assert "⚠️ *overdue*" in text


def test_checklist_has_an_assignee_picker_per_open_task():
    checklist = stage_checklist(declare())
    pickers = [b for b in checklist["blocks"] if b["type"] == "actions"
               and b["elements"][0]["type"] == "users_select"]
    assert [decode_ref(b["block_id"]) for b in pickers] == [(7, 1), (7, 2)]
    assert all(b["elements"][0]["action_id"] == Action.TASK_ASSIGN for b in pickers)


def test_checklist_picker_starts_on_the_current_assignee():
    incident = declare()
    incident.assign_task(1, "UALICE", actor=COMMANDER, at=T0)
    picker = buttons(stage_checklist(incident), Action.TASK_ASSIGN)[0]
    assert picker["initial_user"] == "UALICE"


def test_checklist_offers_force_only_while_required_tasks_are_open():
    incident = declare()
    force = buttons(stage_checklist(incident), Action.STAGE_FORCE)
    assert len(force) == 1 and force[0]["style"] == "danger" and "confirm" in force[0]


def test_checklist_has_no_force_button_once_required_tasks_are_done():
    incident = declare()
    incident.complete_task(1, actor=ALICE, at=T0)
    checklist = stage_checklist(incident)
    assert buttons(checklist, Action.STAGE_FORCE) == []
    assert buttons(checklist, Action.STAGE_NEXT)[0]["value"] == "INC-7"


def test_checklist_in_the_last_stage_points_to_resolve():
    incident = declare()
    for _ in range(3):
        incident.advance_stage(playbook=playbook(), actor=COMMANDER, at=T0, force=True)
    checklist = stage_checklist(incident)
    assert buttons(checklist, Action.STAGE_NEXT) == [] and "/crisis resolve" in all_text(checklist)


def test_checklist_of_a_resolved_incident_has_no_buttons():
    incident = declare()
    incident.resolve(actor=COMMANDER, at=T0)
    assert elements(stage_checklist(incident)) == []


def test_checklist_shows_task_text_in_the_language_asked():
    assert "verify（中文）" in all_text(stage_checklist(declare(), lang="zh"))


def test_checklist_with_many_tasks_stays_within_fifty_blocks():
    incident = declare()
    for n in range(60):
        incident.add_task(f"extra task {n}", actor=ALICE, at=T0)
    checklist = stage_checklist(incident)
    assert len(checklist["blocks"]) <= 50
    assert buttons(checklist, Action.STAGE_FORCE), "the footer must survive the trimming"
    assert "more open tasks" in all_text(checklist)


def test_checklist_with_some_extra_tasks_drops_pickers_before_tasks():
    incident = declare()
    for n in range(30):
        incident.add_task(f"extra task {n}", actor=ALICE, at=T0)
    checklist = stage_checklist(incident)
    assert len(checklist["blocks"]) <= 50
    assert len(buttons(checklist, Action.TASK_DONE)) == 32


def test_checklist_truncates_long_task_text_within_section_limits():
    incident = declare()
    incident.add_task("<" * 3000, actor=ALICE, at=T0)
    for block in stage_checklist(incident)["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


def test_checklist_never_contains_hostile_task_text_raw():
    incident = declare(title=HOSTILE)
    incident.add_task(HOSTILE, actor=ALICE, at=T0)
    payload = dump(stage_checklist(incident))
    assert "<!channel>" not in payload and "<@U999>" not in payload


# ------------------------------------------------------------------ declare modal

TYPES = [("product_quality", "Product quality & safety"), ("data_security", "Data security")]


def test_declare_modal_has_the_declare_callback_id():
    modal = declare_modal(crisis_types=TYPES, default_type=None)
    assert modal["type"] == "modal" and modal["callback_id"] == View.DECLARE


def test_declare_modal_has_title_type_severity_and_description_inputs():
    modal = declare_modal(crisis_types=TYPES, default_type=None)
    assert [b["block_id"] for b in modal["blocks"]] == [
        Block.DECLARE_TITLE, Block.DECLARE_TYPE, Block.DECLARE_SEVERITY, Block.DECLARE_DESCRIPTION,
        Block.DECLARE_CONFIDENTIAL,
    ]


def test_declare_modal_preselects_the_default_type():
    modal = declare_modal(crisis_types=TYPES, default_type="data_security")
    assert modal["blocks"][1]["element"]["initial_option"]["value"] == "data_security"


def test_declare_modal_offers_the_three_severities_with_labels():
    options = declare_modal(crisis_types=TYPES, default_type=None)["blocks"][2]["element"]["options"]
    assert [o["value"] for o in options] == ["SS", "S", "A"]
    assert options[0]["text"]["text"] == "SS — Nationwide trending"


def test_declare_modal_description_is_optional_multiline():
    description = declare_modal(crisis_types=TYPES, default_type=None)["blocks"][3]
    assert description["optional"] is True and description["element"]["multiline"] is True


def test_declare_modal_carries_private_metadata():
    assert declare_modal(crisis_types=TYPES, default_type=None,
                         private_metadata="C123")["private_metadata"] == "C123"


def test_declare_modal_without_playbooks_cannot_be_submitted():
    modal = declare_modal(crisis_types=[], default_type=None)
    assert "submit" not in modal and "No playbooks" in all_text(modal)


def submission(title: Any = "Checkout failing", crisis_type: str | None = "data_security",
               severity: str | None = None, description: str | None = None) -> dict[str, Any]:
    def selected(value):
        return {"type": "static_select", "selected_option": {"value": value} if value else None}

    return {
        Block.DECLARE_TITLE: {Action.DECLARE_TITLE: {"type": "plain_text_input", "value": title}},
        Block.DECLARE_TYPE: {Action.DECLARE_TYPE: selected(crisis_type)},
        Block.DECLARE_SEVERITY: {Action.DECLARE_SEVERITY: selected(severity)},
        Block.DECLARE_DESCRIPTION: {
            Action.DECLARE_DESCRIPTION: {"type": "plain_text_input", "value": description}
        },
    }


def test_declare_submission_parses_every_field():
    parsed = parse_declare_submission(submission(severity="SS", description=" First reports "))
    assert parsed == {"title": "Checkout failing", "crisis_type": "data_security",
                      "severity": Severity.SS, "description": "First reports",
                      "confidential": None}


@pytest.mark.parametrize(("choice", "confidential"), [("yes", True), ("no", False)])
def test_declare_submission_reads_the_confidentiality_choice(choice, confidential):
    values = submission()
    values["declare_confidential"] = {"declare_confidential": {
        "type": "static_select", "selected_option": {"value": choice}}}
    assert parse_declare_submission(values)["confidential"] is confidential


def test_declare_submission_without_severity_leaves_it_to_the_playbook():
    assert parse_declare_submission(submission())["severity"] is None


def test_declare_submission_with_empty_title_names_the_title_field():
    parsed = parse_declare_submission(submission(title="   "))
    assert parsed["response_action"] == "errors"
    assert set(parsed["errors"]) == {Block.DECLARE_TITLE}


def test_declare_submission_with_missing_title_is_an_error_not_a_crash():
    parsed = parse_declare_submission(submission(title=None))
    assert Block.DECLARE_TITLE in parsed["errors"]


def test_declare_submission_with_an_overlong_title_is_refused():
    parsed = parse_declare_submission(submission(title="x" * 151))
    assert "151 characters" in parsed["errors"][Block.DECLARE_TITLE]


def test_declare_submission_without_type_names_the_type_field():
    assert Block.DECLARE_TYPE in parse_declare_submission(submission(crisis_type=None))["errors"]


def test_declare_submission_with_an_unknown_type_is_refused_when_types_are_known():
    parsed = parse_declare_submission(submission(crisis_type="aliens"), crisis_types={"data_security"})
    assert Block.DECLARE_TYPE in parsed["errors"]


def test_declare_submission_with_a_bad_severity_names_the_severity_field():
    assert Block.DECLARE_SEVERITY in parse_declare_submission(submission(severity="Z"))["errors"]


@pytest.mark.parametrize("garbage", [None, [], "x", {"declare_title": "oops"}, {"declare_title": {"declare_title": 5}}])
def test_declare_submission_of_garbage_returns_errors(garbage):
    assert parse_declare_submission(garbage)["response_action"] == "errors"


# ------------------------------------------------------------------ App Home


def home_of(*incidents: Incident, now: datetime = T0 + timedelta(minutes=10)) -> dict[str, Any]:
    pairs = [(i, all_clocks(i, playbook=playbook(), policy=policy(), now=now)) for i in incidents]
    return app_home(pairs, now=now)


def test_home_is_a_home_view_with_a_declare_button():
    home = home_of()
    assert home["type"] == "home"
    assert buttons(home, Action.OPEN_DECLARE)[0]["style"] == "primary"


def test_home_without_incidents_says_all_quiet():
    assert messages.HOME_EMPTY in all_text(home_of())


def test_home_lists_incidents_most_severe_first():
    text = all_text(home_of(declare(number=1, severity=Severity.A),
                            declare(number=2, severity=Severity.SS)))
    assert text.index("INC-2") < text.index("INC-1")


def test_home_shows_severity_stage_and_next_clock():
    text = all_text(home_of(declare()))
    assert "Severity *S* · stage *assess*" in text
    assert "Next: ⏳ *Team assembled* — due 10:00 UTC · 50m left" in text


def test_home_leaves_out_resolved_incidents():
    resolved = declare(number=3)
    resolved.resolve(actor=COMMANDER, at=T0)
    assert "INC-3" not in all_text(home_of(resolved, declare(number=4)))


def test_home_never_contains_a_hostile_title_raw():
    assert "<!channel>" not in dump(home_of(declare(title=HOSTILE)))


def test_home_with_many_incidents_stays_within_view_limits():
    home = home_of(*[declare(number=n) for n in range(1, 150)])
    assert len(home["blocks"]) <= 100 and "more" in all_text(home["blocks"][-1])


# ------------------------------------------------------------------ timeline, help, events


def test_timeline_shows_each_event_with_its_time():
    incident = declare()
    incident.complete_task(1, actor=ALICE, at=T0 + timedelta(minutes=3))
    text = all_text(timeline_blocks(incident.pending, incident=incident))
    assert "`09:03 UTC` ✅ <@UALICE> completed task #1: verify" in text


def test_timeline_keeps_only_the_last_entries():
    incident = declare()
    for n in range(30):
        incident.add_note(f"note {n}", actor=ALICE, at=T0)
    text = all_text(timeline_blocks(incident.pending, incident=incident, limit=5))
    assert "note 29" in text and "note 24" not in text and "the last 5 of" in text


def test_timeline_of_nothing_says_so():
    assert messages.TIMELINE_EMPTY in all_text(timeline_blocks([], incident=declare()))


def test_timeline_with_huge_events_stays_within_limits():
    incident = declare()
    for n in range(100):
        incident.add_note("x" * 2900, actor=ALICE, at=T0)
    timeline = timeline_blocks(incident.pending, incident=incident, limit=100)
    assert len(timeline["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in timeline["blocks"] if b["type"] == "section")


def test_timeline_never_contains_hostile_text_raw():
    incident = declare(title=HOSTILE)
    incident.add_note(HOSTILE, actor=ALICE, at=T0)
    assert "<!channel>" not in dump(timeline_blocks(incident.pending, incident=incident))


@pytest.mark.parametrize("word", ["declare", "status", "sev", "role", "stage next", "task done",
                                  "task add", "task assign", "fact confirm", "fact retract", "note",
                                  "impact", "statement", "timeline", "resolve", "postmortem"])
def test_help_covers_every_subcommand(word):
    assert f"/crisis {word}" in all_text(help_blocks())


def test_help_never_contains_raw_placeholders():
    text = dump(help_blocks())
    assert "<title>" not in text and "&lt;title&gt;" in text


def test_help_for_a_topic_shows_only_its_group():
    text = all_text(help_blocks("fact"))
    assert "/crisis fact confirm" in text and "/crisis declare" not in text


def sample_events() -> list[ev.Event]:
    base = {"incident": 7, "actor": "UALICE", "at": T0}
    return [
        ev.IncidentDeclared(**base, title=HOSTILE, crisis_type="x", severity="S"),
        ev.SeverityChanged(**base, old="A", new="SS", reason="trending"),
        ev.RoleAssigned(**base, role="comms", user="UBOB", previous="UCAROL"),
        ev.StageAdvanced(**base, from_stage="assess", to_stage="respond", forced=True,
                         open_required=(1,)),
        ev.TaskAdded(**base, task_no=9, text_en="Call", text_zh="打电话", stage="assess",
                     owner_role="legal", required=True),
        ev.TaskAssigned(**base, task_no=1, user="UBOB"),
        ev.TaskCompleted(**base, task_no=1, late=True),
        ev.FactAdded(**base, fact_no=1, text=HOSTILE),
        ev.FactConfirmed(**base, fact_no=1),
        ev.FactRetracted(**base, fact_no=1, reason="wrong"),
        ev.NoteAdded(**base, text=HOSTILE, tag="lesson"),
        ev.ImpactRecorded(**base, figures={"orders": 1200}),
        ev.MessageCaptured(**base, author="UBOB", text=HOSTILE,
                           permalink="https://x.slack.com/archives/C1/p1", posted_at=T0),
        ev.StatementPublished(**base, statement_id=3, audience="customers", kind="holding",
                              lang="en", channel="C0NEWS"),
        ev.IncidentResolved(**base, summary=HOSTILE),
        ev.IncidentReopened(**base, reason="re-fired"),
        ev.IncidentClosed(**base),
        ev.PostmortemPublished(**base, version=2),
        ev.ReminderSent(**base, kind="task_overdue", clock="task:1", due_at=base["at"],
                        mentions=("UCOMMS",)),
        ev.StatementDrafted(**base, statement_id=2, audience="customers", kind="holding",
                            lang="zh", text=HOSTILE, template="t.j2"),
        ev.StatementEdited(**base, statement_id=2, version=2, text=HOSTILE),
        ev.StatementSubmitted(**base, statement_id=2, version=2),
        ev.StatementApproved(**base, statement_id=2, version=2, role="legal"),
        ev.StatementRejected(**base, statement_id=2, version=2, reason=HOSTILE),
        ev.AlertFired(**base, monitor=HOSTILE, fingerprint="f1", title=HOSTILE, severity="SS",
                      value=7.5, threshold=5.0, url="https://grafana.example/d/1",
                      observed_at=T0, first_seen=T0, labels={"env": HOSTILE}),
        ev.AlertResolved(**base, monitor=HOSTILE, fingerprint="f1", observed_at=T0),
        ev.FollowupAdded(**base, item_no=1, text=HOSTILE, owner="UBOB"),
        ev.FollowupDone(**base, item_no=1),
        ev.FollowupReopened(**base, item_no=1),
        ev.LessonsConfirmed(**base, lessons=(HOSTILE,)),
        ev.FactTranslated(**base, fact_no=1, lang="zh", text=HOSTILE),
        *_paging_samples(base),
    ]


def _paging_samples(base: dict) -> list[ev.Event]:
    from bot.domain.paging import PageAcknowledged, PageEscalated, PageSent
    from bot.domain.publishing import StatementDelivered

    return [PageSent(**base, role="comms", user="UBOB", channels=(HOSTILE,)),
            PageAcknowledged(**base, role="comms", user="UBOB", via=HOSTILE, seconds=5.0),
            PageEscalated(**base, role="comms", from_user="UBOB", to_user=""),
            StatementDelivered(**base, statement_id=1, version=1, target=HOSTILE, kind="webhook",
                               status="failed", error=HOSTILE)]


def test_sample_events_cover_every_event_type():
    assert {type(e) for e in sample_events()} == set(EVENT_TYPES.values())


@pytest.mark.parametrize("event", sample_events(), ids=lambda e: e.name)
def test_every_event_is_described_in_one_safe_line(event):
    line = messages.describe_event(event, incident=declare())
    assert "\n" not in line and "<!channel>" not in line and "<@U999>" not in line
    assert "<@UALICE>" in line


def test_completed_task_is_described_with_its_text():
    line = messages.describe_event(
        ev.TaskCompleted(incident=7, actor="UALICE", at=T0, task_no=1), incident=declare())
    assert line == "✅ <@UALICE> completed task #1: verify"


def test_completed_task_without_incident_is_described_by_number():
    line = messages.describe_event(ev.TaskCompleted(incident=7, actor="UALICE", at=T0, task_no=1))
    assert line == "✅ <@UALICE> completed task #1"


def test_added_task_is_described_in_the_language_asked():
    event = sample_events()[4]
    assert "打电话" in messages.describe_event(event, lang="zh")


def test_raised_severity_is_described_as_raised():
    assert "raised severity A → *SS*: trending" in messages.describe_event(sample_events()[1])


def test_forced_stage_advance_names_the_skipped_tasks():
    assert "forced past open required task #1" in messages.describe_event(sample_events()[3])


def test_captured_message_links_to_the_original():
    line = messages.describe_event(sample_events()[12])
    assert "<https://x.slack.com/archives/C1/p1|original>" in line


def test_published_statement_links_the_channel():
    assert "to <#C0NEWS>" in messages.describe_event(sample_events()[13])


def test_system_actor_is_described_as_the_bot():
    event = ev.IncidentClosed(incident=7, actor="system:scheduler", at=T0)
    assert messages.describe_event(event) == "🔒 _crisisbot (scheduler)_ closed the incident"


def test_announcement_escapes_the_title():
    text = messages.announcement(declare(title=HOSTILE), playbook_name="Test type")
    assert "<!channel>" not in text and "by <@UCMD>" in text


# ------------------------------------------------------------------ limits everywhere


def _limits_ok(payload: dict[str, Any]) -> bool:
    for block in payload["blocks"]:
        if block["type"] == "header" and len(block["text"]["text"]) > 150:
            return False
        if block["type"] == "section":
            if "text" in block and len(block["text"]["text"]) > 3000:
                return False
            if len(block.get("fields", [])) > 10:
                return False
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            if element.get("type") == "button" and len(element["text"]["text"]) > 75:
                return False
    return True


def test_card_and_checklist_with_a_maximal_title_stay_within_limits():
    incident = declare(title="<" * 150)
    assert _limits_ok(card_of(incident)) and _limits_ok(stage_checklist(incident))


def test_checklist_without_now_dates_tasks_due_on_a_later_day():
    incident = declare()
    incident.add_task("call regulator", actor=ALICE, at=T0, due_at=T0 + timedelta(days=1))
    assert "Due 21 Nov 09:00 UTC" in all_text(stage_checklist(incident))
