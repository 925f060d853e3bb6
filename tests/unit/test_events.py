"""Timeline events: stored form round-trips, and replaying a timeline rebuilds the incident."""

from __future__ import annotations

import copy
import json
from dataclasses import MISSING, fields
from datetime import UTC, timedelta

import pytest

from bot.domain import events as ev
from bot.domain.incident import Incident
from bot.domain.lifecycle import Phase
from bot.domain.paging import PageAcknowledged, PageEscalated, PageSent
from bot.domain.publishing import StatementDelivered
from bot.domain.roles import Role
from bot.domain.severity import ApprovalRule, Severity
from bot.domain.statement_lint import LintRules
from bot.domain.roles import Actor
from tests.conftest import T0
from tests.unit.factories import ALICE, COMMANDER, EXEC, MONITOR, playbook

PB = playbook()
JOE = Actor("UJOE")  # the comms lead in the scripted incident
BASE = {"incident": 4, "actor": "UALICE", "at": T0 + timedelta(minutes=1)}

#: One fully populated instance of every event type (non-default values wherever possible).
SAMPLES: dict[str, ev.Event] = {
    e.name: e
    for e in [
        ev.IncidentDeclared(
            **BASE,
            title="Checkout failing",
            crisis_type="service_outage",
            severity="S",
            description="5xx storm",
            source="monitor:grafana",
        ),
        ev.SeverityChanged(**BASE, old="S", new="SS", reason="trending nationwide"),
        ev.RoleAssigned(**BASE, role="comms", user="UMARIA", previous="UJOE"),
        ev.StageAdvanced(
            **BASE, from_stage="assess", to_stage="respond", forced=True, open_required=(1, 3)
        ),
        ev.TaskAdded(
            **BASE,
            task_no=5,
            text_en="Delist batch",
            text_zh="下架批次",
            stage="respond",
            owner_role="ops",
            due_at=T0 + timedelta(hours=1),
            required=True,
            template="delist",
        ),
        ev.TaskAssigned(**BASE, task_no=5, user="UMARIA"),
        ev.TaskCompleted(**BASE, task_no=5, late=True),
        ev.FactAdded(**BASE, fact_no=2, text="Batch 2024-11 affected"),
        ev.FactConfirmed(**BASE, fact_no=2),
        ev.FactTranslated(**BASE, fact_no=2, lang="zh", text="2024-11批次受影响"),
        ev.FactRetracted(**BASE, fact_no=2, reason="lab test negative"),
        ev.NoteAdded(**BASE, text="pre-approve templates", tag="lesson"),
        ev.ImpactRecorded(
            **BASE,
            figures={
                "orders": 1200,
                "regions": ["east", "north"],
                "revenue": {"amount": 350000.5, "currency": "USD"},
                "carrier": "SF",
            },
        ),
        ev.MessageCaptured(
            **BASE,
            author="UJOE",
            text="Carrier confirms",
            permalink="https://x/p1",
            posted_at=T0 + timedelta(seconds=30),
        ),
        ev.StatementPublished(
            **BASE, statement_id=9, audience="media", kind="update", lang="zh", channel="#press"
        ),
        ev.IncidentResolved(**BASE, summary="rolled back", from_stage="communicate"),
        ev.IncidentReopened(**BASE, reason="alert fired again"),
        ev.IncidentClosed(**BASE),
        ev.PostmortemPublished(**BASE, version=2),
        ev.ReminderSent(**BASE, kind="first_statement", clock="first_statement",
                        due_at=T0 + timedelta(hours=4),
                        mentions=("UCOMMS", "USPOKE")),
        ev.StatementDrafted(**BASE, statement_id=3, version=1, audience="customers",
                            kind="holding", lang="zh", text="我们已成立专项小组",
                            template="templates/statements/customers/holding.zh.j2"),
        ev.StatementEdited(**BASE, statement_id=3, version=2, text="edited"),
        ev.StatementSubmitted(**BASE, statement_id=3, version=2),
        ev.StatementApproved(**BASE, statement_id=3, version=2, role="legal"),
        ev.StatementRejected(**BASE, statement_id=3, version=2, reason="date not confirmed"),
        ev.FollowupAdded(**BASE, item_no=1, text="Rotate certificates automatically", owner="UOPS"),
    ]
}

SAMPLES.update({
    e.name: e
    for e in [
        ev.AlertFired(
            **BASE, monitor="checkout-5xx", fingerprint="a1b2", title="5xx above 5%",
            severity="S", value=7.5, threshold=5.0, url="https://grafana.example/d/1",
            observed_at=T0, first_seen=T0 - timedelta(minutes=3),
            labels={"env": "prod", "crisis_type": "service_logistics"},
        ),
        ev.AlertResolved(**BASE, monitor="checkout-5xx", fingerprint="a1b2", observed_at=T0),
    ]
})
SAMPLES["followup.done"] = ev.FollowupDone(**BASE, item_no=1)
SAMPLES["followup.reopened"] = ev.FollowupReopened(**BASE, item_no=1)
SAMPLES["lessons.confirmed"] = ev.LessonsConfirmed(
    **BASE, lessons=("Pre-approve the recall template", "预先审批召回通知模板"))


def stored(event: ev.Event) -> dict:
    """What the database keeps: the name, the base columns and the payload as JSON text."""
    return {
        "name": event.name,
        "incident": event.incident,
        "actor": event.actor,
        "at": event.at,
        "payload": json.loads(json.dumps(event.payload())),
    }


# Paging events (bot.domain.paging), registered through bot.domain.events.

SAMPLES.update({
    e.name: e
    for e in [
        PageSent(**BASE, role="comms", user="UCOMMS", layer=0, attempt=2, reason="repeat",
                 channels=("slack", "ops-ding")),
        PageAcknowledged(**BASE, role="comms", user="UCOMMS", via="link", seconds=312.0),
        PageEscalated(**BASE, role="comms", from_user="UCOMMS", to_user="UANNA", layer=1,
                      waited_seconds=300.0),
        StatementDelivered(**BASE, statement_id=1, version=2, target="cms", kind="webhook",
                           status="failed", error="HTTP 503"),
    ]
})


def restore(record: dict) -> ev.Event:
    return ev.Event.from_record(
        record["name"],
        incident=record["incident"],
        actor=record["actor"],
        at=record["at"],
        payload=record["payload"],
    )


def state(incident: Incident) -> dict:
    """Every field of the incident except the unsaved-events buffer."""
    return {f.name: getattr(incident, f.name) for f in fields(incident) if f.name != "pending"}


# ------------------------------------------------------------------ round trips


def test_there_is_a_sample_for_every_registered_event_type():
    assert set(SAMPLES) == set(ev.EVENT_TYPES)
    for name, event in SAMPLES.items():
        assert type(event) is ev.EVENT_TYPES[name]


@pytest.mark.parametrize("name", sorted(ev.EVENT_TYPES))
def test_each_event_type_round_trips_through_its_stored_json_form(name):
    event = SAMPLES[name]
    assert restore(stored(event)) == event


@pytest.mark.parametrize("name", sorted(ev.EVENT_TYPES))
def test_each_event_type_round_trips_with_default_values(name):
    cls = ev.EVENT_TYPES[name]
    required = {
        f.name: getattr(SAMPLES[name], f.name)
        for f in fields(cls)
        if f.name not in ("incident", "actor", "at")
        and f.default is MISSING
        and f.default_factory is MISSING
    }
    event = cls(**BASE, **required)
    assert restore(stored(event)) == event


@pytest.mark.parametrize("name", sorted(ev.EVENT_TYPES))
def test_payload_leaves_out_the_base_fields(name):
    payload = SAMPLES[name].payload()
    assert not {"incident", "actor", "at", "name"} & set(payload)
    assert set(payload) == {f.name for f in fields(SAMPLES[name])} - {"incident", "actor", "at"}


def test_payload_writes_datetimes_as_iso_8601_and_tuples_as_lists():
    added = SAMPLES["task.added"].payload()
    assert added["due_at"] == "2026-11-20T10:00:00+00:00"
    advanced = SAMPLES["stage.advanced"].payload()
    assert advanced["open_required"] == [1, 3]
    assert SAMPLES["message.captured"].payload()["posted_at"] == "2026-11-20T09:00:30+00:00"


def test_restored_datetimes_keep_their_timezone():
    restored = restore(stored(SAMPLES["task.added"]))
    assert restored.due_at.tzinfo is not None
    assert restored.due_at.utcoffset() == UTC.utcoffset(None)


def test_an_empty_tuple_round_trips_as_an_empty_tuple():
    event = ev.StageAdvanced(**BASE, from_stage="assess", to_stage="respond")
    restored = restore(stored(event))
    assert restored.open_required == ()
    assert isinstance(restored.open_required, tuple)


def test_a_missing_optional_payload_field_takes_its_default():
    restored = ev.Event.from_record(
        "task.completed", incident=1, actor="U1", at=T0, payload={"task_no": 3}
    )
    assert restored == ev.TaskCompleted(incident=1, actor="U1", at=T0, task_no=3, late=False)


def test_unknown_payload_keys_are_ignored():
    restored = ev.Event.from_record(
        "fact.confirmed", incident=1, actor="U1", at=T0, payload={"fact_no": 2, "obsolete": True}
    )
    assert restored == ev.FactConfirmed(incident=1, actor="U1", at=T0, fact_no=2)


def test_an_unknown_event_name_raises_key_error():
    with pytest.raises(KeyError):
        ev.Event.from_record("no.such.event", incident=1, actor="U1", at=T0, payload={})


def test_registering_a_second_event_with_a_taken_name_is_refused():
    with pytest.raises(TypeError):
        type("Duplicate", (ev.Event,), {"name": "note.added", "__annotations__": {}})
    assert ev.EVENT_TYPES["note.added"] is ev.NoteAdded


# ------------------------------------------------------------------ replay


def scripted_incident() -> tuple[Incident, list[tuple[int, dict]]]:
    """A long incident touching every command; returns it and a snapshot after each step."""
    at = T0
    snapshots: list[tuple[int, dict]] = []

    def step(minutes: int = 5) -> None:
        nonlocal at
        snapshots.append((len(incident.pending), copy.deepcopy(state(incident))))
        at = at + timedelta(minutes=minutes)

    incident = Incident.declare(
        number=4,
        title="Payment page down",
        playbook=PB,
        severity=Severity.S,
        description="5xx storm on /pay",
        actor=MONITOR,
        at=at,
    )
    step()
    incident.assign_role(Role.COMMANDER, COMMANDER.id, actor=MONITOR, at=at)
    step()
    incident.assign_role(Role.COMMS, "UMARIA", actor=COMMANDER, at=at)
    step()
    incident.assign_role(Role.COMMS, "UJOE", actor=COMMANDER, at=at)
    step()
    incident.add_fact("Checkout 5xx at 40%", actor=ALICE, at=at)
    step()
    incident.record_alert_fired(
        monitor="checkout-5xx", fingerprint="a1b2", title="5xx above 5%", severity="S",
        value=7.5, threshold=5.0, url="", observed_at=at, first_seen=at, labels={"env": "prod"},
        actor=MONITOR, at=at,
    )
    step()
    incident.record_alert_resolved(
        monitor="checkout-5xx", fingerprint="a1b2", observed_at=at, actor=MONITOR, at=at
    )
    step()
    incident.add_fact("Caused by CDN", actor=ALICE, at=at)
    step()
    incident.confirm_fact(1, actor=COMMANDER, at=at)
    incident.translate_fact(1, lang="zh", text="支付服务超时", actor=COMMANDER, at=at)
    step()
    incident.retract_fact(2, actor=COMMANDER, at=at, reason="CDN healthy")
    step()
    incident.add_note("cause: expired TLS certificate", actor=ALICE, at=at)
    step()
    incident.record_impact({"orders": "1,200", "regions": "east"}, actor=ALICE, at=at)
    step()
    incident.change_severity(Severity.SS, playbook=PB, actor=EXEC, at=at, reason="trending")
    step()
    incident.assign_task(3, "UEXEC", actor=COMMANDER, at=at)
    step()
    incident.complete_task(1, actor=ALICE, at=at)
    step(60)
    incident.advance_stage(playbook=PB, actor=ALICE, at=at)
    step()
    incident.add_task(
        "Call the PSP",
        actor=ALICE,
        at=at,
        owner_role=Role.OPS,
        due_at=at + timedelta(minutes=30),
        required=True,
    )
    step(45)
    incident.complete_task(6, actor=ALICE, at=at)
    step()  # late
    incident.record_impact({"orders": "2.5k", "revenue": "USD 350000"}, actor=ALICE, at=at)
    step()
    incident.advance_stage(playbook=PB, actor=COMMANDER, at=at, force=True)
    step()  # contain open
    incident.capture_message(
        author="UJOE",
        text="PSP confirms fix",
        permalink="https://x/p1",
        posted_at=at - timedelta(minutes=1),
        actor=ALICE,
        at=at,
    )
    step()
    incident.draft_statement(audience="customers", kind="update", lang="en",
                             text="Checkout 5xx at 40%. Details follow.", template="t.j2",
                             actor=JOE, at=at)
    step()
    incident.submit_statement(1, actor=JOE, at=at)
    step()
    incident.reject_statement(1, "too short", rule=ApprovalRule(people=2), actor=COMMANDER, at=at)
    step()
    incident.edit_statement(1, "Checkout 5xx at 40%. We are on it.", actor=JOE, at=at)
    step()
    incident.submit_statement(1, actor=JOE, at=at)
    step()
    incident.approve_statement(1, rule=ApprovalRule(people=2), lint=LintRules(), contact="",
                               actor=COMMANDER, at=at)
    step()
    incident.record_statement_published(
        statement_id=1,
        audience="customers",
        kind="holding",
        lang="en",
        channel="#status",
        actor=ALICE,
        at=at,
    )
    step(30)
    incident.record_statement_published(
        statement_id=2,
        audience="media",
        kind="update",
        lang="zh",
        channel="#press",
        actor=ALICE,
        at=at,
    )
    step()
    incident.complete_task(7, actor=ALICE, at=at)
    step()
    incident.advance_stage(playbook=PB, actor=ALICE, at=at)
    step()
    incident.change_severity(Severity.A, playbook=PB, actor=COMMANDER, at=at)
    step()
    incident.resolve(actor=COMMANDER, at=at, summary="certificate renewed")
    step(60)
    incident.record_postmortem_published(version=1, actor=ALICE, at=at)
    step(60)
    incident.reopen(actor=COMMANDER, at=at, reason="alert fired again")
    step()
    incident.add_note("didn't: rotate certificates automatically", actor=ALICE, at=at)
    step()
    incident.resolve(actor=EXEC, at=at, summary="rotated")
    step()
    incident.assign_role(Role.SCRIBE, "USCRIBE", actor=COMMANDER, at=at)
    step()
    incident.add_followup("Rotate certificates automatically", owner="UOPS", actor=ALICE, at=at)
    step(600)
    incident.complete_followup(1, actor=COMMANDER, at=at)
    step()
    incident.reopen_followup(1, actor=COMMANDER, at=at)
    step()
    incident.confirm_lessons(["Rotate certificates before they expire"], actor=COMMANDER, at=at)
    step()
    incident.record_reminder_sent(kind="postmortem_due", clock="postmortem", due_at=at,
                                  mentions=("UCMD",), actor=MONITOR, at=at)
    step()
    # Paging records without changing state.
    incident.record_stateless(PageSent(incident=incident.number, actor="system:pager", at=at,
                                       role="comms", user="UCOMMS"))
    incident.record_stateless(PageEscalated(incident=incident.number, actor="system:pager",
                                            at=at, role="comms", from_user="UCOMMS",
                                            to_user="UEXEC", layer=1))
    incident.record_stateless(PageAcknowledged(incident=incident.number, actor="UEXEC", at=at,
                                               role="comms", user="UEXEC", seconds=60.0))
    incident.record_stateless(StatementDelivered(incident=incident.number, actor="system:x",
                                                 at=at, statement_id=1, version=1, target="site",
                                                 kind="site", status="live"))
    step()
    incident.close(actor=COMMANDER, at=at)
    step()
    incident.complete_followup(1, actor=COMMANDER, at=at)  # done long after the close
    step()
    return incident, snapshots


def test_the_scripted_incident_exercises_every_event_type():
    incident, _ = scripted_incident()
    assert {e.name for e in incident.pending} == set(ev.EVENT_TYPES)
    assert incident.phase is Phase.CLOSED


def test_replaying_the_whole_timeline_rebuilds_the_live_incident():
    live, _ = scripted_incident()
    replayed = Incident.replay(list(live.pending))
    assert state(replayed) == state(live)


def test_replaying_the_stored_json_timeline_rebuilds_the_live_incident():
    live, _ = scripted_incident()
    timeline = [restore(stored(e)) for e in live.pending]
    assert timeline == live.pending
    assert state(Incident.replay(timeline)) == state(live)


def test_replaying_every_prefix_of_the_timeline_rebuilds_the_state_at_that_point():
    live, snapshots = scripted_incident()
    assert len(snapshots) > 30
    for count, snapshot in snapshots:
        assert state(Incident.replay(live.pending[:count])) == snapshot, f"after {count} events"


def test_a_replayed_incident_starts_with_no_pending_events():
    live, _ = scripted_incident()
    assert Incident.replay(list(live.pending)).pending == []


def test_a_replayed_incident_keeps_working_like_the_live_one():
    live = Incident.declare(
        number=1, title="x", playbook=PB, severity=Severity.A, description="", actor=MONITOR, at=T0
    )
    replayed = Incident.replay(list(live.pending))
    for incident in (live, replayed):
        incident.complete_task(1, actor=ALICE, at=T0 + timedelta(minutes=5))
        incident.advance_stage(playbook=PB, actor=ALICE, at=T0 + timedelta(minutes=6))
    assert state(replayed) == state(live)
    assert replayed.pending == live.pending[3:]


def test_replaying_an_empty_timeline_is_refused():
    with pytest.raises(ValueError):
        Incident.replay([])


def test_replaying_a_timeline_that_does_not_start_with_the_declaration_is_refused():
    with pytest.raises(ValueError):
        Incident.replay([SAMPLES["note.added"]])


def test_replaying_a_second_declaration_is_refused():
    declared = SAMPLES["incident.declared"]
    with pytest.raises(ValueError):
        Incident.replay([declared, declared])
