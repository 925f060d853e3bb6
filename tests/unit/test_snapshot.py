"""Snapshots: snapshot + the events after it == a replay of the whole timeline.

The property test drives an incident with random command sequences, snapshots the live
incident (as the unit of work does when it commits) at a random point, stores the events the
way the timeline table does (``payload()`` → JSON → ``from_record``) and compares.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from bot.domain import events as ev
from bot.domain import snapshot
from bot.domain.errors import DomainError
from bot.domain.incident import Incident
from bot.domain.roles import Role
from bot.domain.severity import Severity
from tests.conftest import T0
from tests.unit.factories import ALICE, COMMANDER, EXEC, MONITOR, playbook

PLAYBOOK = playbook()
TEXT = hs.text(alphabet="abc 中文<>&*", min_size=1, max_size=12)
ACTORS = hs.sampled_from([COMMANDER, EXEC, ALICE, MONITOR])


def _commands():
    n = hs.integers(min_value=1, max_value=6)
    return hs.one_of(
        hs.tuples(hs.just("note"), TEXT, ACTORS),
        hs.tuples(hs.just("fact"), TEXT, ACTORS),
        hs.tuples(hs.just("confirm"), n, ACTORS),
        hs.tuples(hs.just("retract"), n, ACTORS),
        hs.tuples(hs.just("task"), TEXT, ACTORS),
        hs.tuples(hs.just("done"), n, ACTORS),
        hs.tuples(hs.just("assign"), n, ACTORS),
        hs.tuples(hs.just("role"), hs.sampled_from(list(Role)), ACTORS),
        hs.tuples(hs.just("severity"), hs.sampled_from(list(Severity)), ACTORS),
        hs.tuples(hs.just("stage"), hs.booleans(), ACTORS),
        hs.tuples(hs.just("impact"), hs.integers(0, 5000), ACTORS),
        hs.tuples(hs.just("alert"), hs.sampled_from(["fp1", "fp2"]), ACTORS),
        hs.tuples(hs.just("alert_ok"), hs.sampled_from(["fp1", "fp2"]), ACTORS),
        hs.tuples(hs.just("draft"), TEXT, ACTORS),
        hs.tuples(hs.just("edit"), n, ACTORS),
        hs.tuples(hs.just("submit"), n, ACTORS),
        hs.tuples(hs.just("publish"), n, ACTORS),
        hs.tuples(hs.just("followup"), TEXT, ACTORS),
        hs.tuples(hs.just("reminder"), TEXT, ACTORS),
        hs.tuples(hs.just("resolve"), TEXT, ACTORS),
        hs.tuples(hs.just("reopen"), TEXT, ACTORS),
        hs.tuples(hs.just("close"), TEXT, ACTORS),
    )


def _run(incident: Incident, command: tuple, at) -> None:
    kind, arg, actor = command
    calls = {
        "note": lambda: incident.add_note(arg, actor=actor, at=at),
        "fact": lambda: incident.add_fact(arg, actor=actor, at=at),
        "confirm": lambda: incident.confirm_fact(arg, actor=actor, at=at),
        "retract": lambda: incident.retract_fact(arg, actor=actor, at=at, reason="wrong"),
        "task": lambda: incident.add_task(arg, actor=actor, at=at),
        "done": lambda: incident.complete_task(arg, actor=actor, at=at),
        "assign": lambda: incident.assign_task(arg, "UBOB", actor=actor, at=at),
        "role": lambda: incident.assign_role(arg, "UROLE", actor=actor, at=at),
        "severity": lambda: incident.change_severity(arg, playbook=PLAYBOOK, actor=actor, at=at),
        "stage": lambda: incident.advance_stage(playbook=PLAYBOOK, actor=actor, at=at, force=arg),
        "impact": lambda: incident.record_impact({"orders": str(arg), "regions": "north, south"},
                                                 actor=actor, at=at),
        "alert": lambda: incident.record_alert_fired(
            monitor="m", fingerprint=arg, title="errors up", severity="S", value=1.5,
            threshold=1.0, url="", observed_at=at, first_seen=at, labels={"env": "prod", "n": [1]},
            actor=actor, at=at),
        "alert_ok": lambda: incident.record_alert_resolved(
            monitor="m", fingerprint=arg, observed_at=at, actor=actor, at=at),
        "draft": lambda: incident.draft_statement(audience="customers", kind="holding", lang="en",
                                                  text=arg, template="", actor=actor, at=at),
        "edit": lambda: incident.edit_statement(arg, "new text", actor=actor, at=at),
        "submit": lambda: incident.submit_statement(arg, actor=actor, at=at),
        "publish": lambda: incident.record_statement_published(
            statement_id=arg, audience="customers", kind="holding", lang="en", channel="C1",
            actor=actor, at=at),
        "followup": lambda: incident.add_followup(arg, owner="UOWN", actor=actor, at=at),
        "reminder": lambda: incident.record_reminder_sent(
            kind="cadence", clock=arg, due_at=at, mentions=("U1", "U2"), actor=actor, at=at),
        "resolve": lambda: incident.resolve(actor=actor, at=at, summary=arg),
        "reopen": lambda: incident.reopen(actor=actor, at=at, reason=arg),
        "close": lambda: incident.close(actor=actor, at=at),
    }
    try:
        calls[kind]()
    except (DomainError, ValueError):
        pass  # a refused command records nothing


def _stored(events: list[ev.Event]) -> list[ev.Event]:
    """The events as the timeline table gives them back."""
    return [ev.Event.from_record(e.name, incident=e.incident, actor=e.actor, at=e.at,
                                 payload=json.loads(json.dumps(e.payload())))
            for e in events]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands=hs.lists(_commands(), max_size=40), cut=hs.integers(min_value=0, max_value=40))
def test_snapshot_plus_tail_equals_full_replay(commands, cut):
    at = T0
    live = Incident.declare(number=7, title="Checkout down", playbook=PLAYBOOK, severity=None,
                            description="", actor=COMMANDER, at=at)
    recorded = list(live.pending)
    saved, saved_count = None, 0
    for index, command in enumerate(commands):
        if index == min(cut, len(commands)):
            saved, saved_count = json.loads(json.dumps(snapshot.dump(live))), len(live.pending)
        at += timedelta(minutes=1)
        _run(live, command, at)
    if saved is None:
        saved, saved_count = json.loads(json.dumps(snapshot.dump(live))), len(live.pending)
    recorded = list(live.pending)
    stored = _stored(recorded)
    full = Incident.replay(stored)
    loaded = snapshot.restore(saved).catch_up(stored[saved_count:])
    assert snapshot.dump(loaded) == snapshot.dump(full)
    assert loaded == full
    assert loaded.updated_at == full.updated_at


def test_schema_names_format_and_shape():
    assert snapshot.SCHEMA.startswith(f"{snapshot.FORMAT}.")
    assert len(snapshot.SCHEMA) <= 40


@pytest.mark.parametrize("data", [
    {"$c": "Popen", "f": {}},                      # not a stored class: never built
    {"$c": "Task", "f": {"no": 1}},                # missing fields
    {"$e": "Role", "v": "not-a-role"},
    {"$weird": 1},
    [1, 2],                                        # not an incident
])
def test_restore_refuses_what_it_cannot_read(data):
    with pytest.raises(snapshot.SnapshotError):
        snapshot.restore(data)


def test_dump_refuses_unknown_values():
    live = Incident.declare(number=1, title="x", playbook=PLAYBOOK, severity=None,
                            description="", actor=COMMANDER, at=T0)
    live.impact["odd"] = object()
    with pytest.raises(snapshot.SnapshotError):
        snapshot.dump(live)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands=hs.lists(_commands(), max_size=25), text=TEXT)
def test_timeline_only_events_change_nothing_but_updated_at(commands, text):
    # The reminder planner skips commands whose events are all ``timeline_only``: sound only
    # if such an event leaves every stored field of the incident (but updated_at) as it was.
    incident = Incident.declare(number=1, title="Checkout down", playbook=PLAYBOOK,
                                severity=Severity.A, description="", actor=COMMANDER, at=T0)
    for i, command in enumerate(commands):
        try:
            _run(incident, command, T0 + timedelta(minutes=i + 1))
        except DomainError:
            pass
    incident.pending.clear()
    later = T0 + timedelta(days=1)
    timeline_only = [cls for cls in ev.EVENT_TYPES.values() if cls.timeline_only]
    assert {cls.name for cls in timeline_only} == {"note.added", "message.captured", "reminder.sent"}
    for event in (ev.NoteAdded(incident=1, actor=ALICE.id, at=later, text=text),
                  ev.MessageCaptured(incident=1, actor=ALICE.id, at=later, author="U1", text=text,
                                     permalink="https://x.slack.com/p1", posted_at=later),
                  ev.ReminderSent(incident=1, actor="crisisbot", at=later, kind="cadence",
                                  clock="cadence", due_at=later)):
        before = snapshot.dump(incident)
        incident.catch_up([event])
        after = snapshot.dump(incident)
        assert {k: v for k, v in before["f"].items() if k != "updated_at"} == \
               {k: v for k, v in after["f"].items() if k != "updated_at"}
