"""Incident snapshots on both engines: written with the events, read as snapshot + tail,
ignored when of another schema or unreadable, and checked against a full replay."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from bot.adapters.db.models import TimelineRow
from bot.adapters.db.snapshots import MAX_TAIL, SnapshotRow, check_all
from bot.cli import main as cli
from bot.domain import events as ev
from bot.domain import snapshot
from bot.domain.roles import Actor

LEAD = Actor("ULEAD")


def _declare(service) -> int:
    outcome = service.declare(title="Checkout failing", crisis_type="service_logistics",
                              actor=LEAD, roles={})
    number = outcome.incident.number
    service.add_note(number, "rolled back", actor=LEAD)
    service.add_fact(number, "Payments answer 500", actor=LEAD)
    return number


def _row(engine, number):
    with Session(engine) as session:
        return session.execute(select(SnapshotRow).where(SnapshotRow.incident == number)).scalar_one()


def _check(engine, number):
    (report,) = check_all(engine, [number])
    return report


def _last_event(engine, number) -> int:
    with Session(engine) as session:
        return session.execute(select(TimelineRow.id).where(TimelineRow.incident == number)
                               .order_by(TimelineRow.id.desc()).limit(1)).scalar_one()


def test_every_change_stores_a_snapshot_of_its_last_event(service, engine):
    number = _declare(service)
    row = _row(engine, number)
    assert row.schema == snapshot.SCHEMA
    assert row.last_event == _last_event(engine, number)
    assert _check(engine, number).status == "ok"
    service.add_fact(number, "second", actor=LEAD)
    assert _row(engine, number).last_event == _last_event(engine, number)


def test_notes_leave_a_short_tail_instead_of_rewriting_the_snapshot(service, engine):
    # A note changes no state but updated_at: the snapshot is not re-encoded for it until
    # the tail after it would reach MAX_TAIL; any state change writes it again at once.
    number = _declare(service)
    stored = _row(engine, number).last_event
    service.add_note(number, "one", actor=LEAD)
    assert _row(engine, number).last_event == stored and _check(engine, number).status == "ok"
    assert service.get(number).updated_at == service.clock()
    longest = 0
    for i in range(MAX_TAIL * 2):
        service.add_note(number, f"note {i}", actor=LEAD)
        with Session(engine) as session:
            tail = session.execute(select(func.count()).select_from(TimelineRow).where(
                TimelineRow.incident == number,
                TimelineRow.id > _row(engine, number).last_event)).scalar_one()
        longest = max(longest, tail)
    assert 0 < longest < MAX_TAIL
    assert _check(engine, number).status == "ok"
    service.add_fact(number, "state changed", actor=LEAD)
    assert _row(engine, number).last_event == _last_event(engine, number)


def test_load_reads_the_snapshot_and_the_events_after_it(service, engine):
    number = _declare(service)
    # Proof the snapshot is what is read: a title changed only in the snapshot shows.
    with Session(engine) as session:
        state = json.loads(_row(engine, number).state)
        state["f"]["title"] = "From the snapshot"
        session.execute(update(SnapshotRow).where(SnapshotRow.incident == number)
                        .values(state=json.dumps(state)))
        session.commit()
    assert service.get(number).title == "From the snapshot"
    (report,) = check_all(engine, [number])
    assert report.status == "differs" and not report.consistent
    # Events stored without a new snapshot are the tail, applied on load.
    with service.uow_factory() as uow:
        uow.timeline.append([ev.FactAdded(incident=number, actor="UX", at=service.clock(),
                                          fact_no=2, text="tail fact")])
        uow.commit()
    assert [f.text for f in service.get(number).facts][-1] == "tail fact"
    assert _row(engine, number).last_event < _last_event(engine, number)


def test_a_snapshot_of_another_schema_is_replayed_never_read(service, engine):
    number = _declare(service)
    with Session(engine) as session:
        session.execute(update(SnapshotRow).where(SnapshotRow.incident == number)
                        .values(schema="0.old", state='{"$c": "Incident", "f": {"title": 1}}'))
        session.commit()
    assert service.get(number).title == "Checkout failing"
    assert _check(engine, number).status == "old"
    service.add_note(number, "after the upgrade", actor=LEAD)
    assert _row(engine, number).schema == snapshot.SCHEMA
    assert _check(engine, number).status == "ok"


def test_an_unreadable_snapshot_is_replayed(service, engine):
    number = _declare(service)
    with Session(engine) as session:
        session.execute(update(SnapshotRow).where(SnapshotRow.incident == number)
                        .values(state='{"$c": "Popen", "f": {}}'))
        session.commit()
    assert service.get(number).title == "Checkout failing"
    assert _check(engine, number).status == "unreadable"


def test_an_incident_without_snapshot_is_replayed(service, engine):
    number = _declare(service)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM incident_snapshots"))
    assert [f.text for f in service.get(number).facts] == ["Payments answer 500"]
    assert _check(engine, number).status == "none"


def test_verify_compares_snapshots_with_a_replay(service, engine, db_url, monkeypatch, capsys):
    number = _declare(service)
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", db_url)
    assert cli(["verify"]) == 0
    assert f"INC-{number}: snapshot matches a full replay (0 events after it)" in capsys.readouterr().out
    with Session(engine) as session:
        state = json.loads(_row(engine, number).state)
        state["f"]["title"] = "forged"
        session.execute(update(SnapshotRow).values(state=json.dumps(state)))
        session.commit()
    assert cli(["verify", f"INC-{number}"]) == 1
    assert "SNAPSHOT DIFFERS" in capsys.readouterr().out


def test_the_timeline_command_reads_only_the_last_events(service):
    number = _declare(service)
    for i in range(5):
        service.add_note(number, f"n{i}", actor=LEAD)
    last = service.timeline(number, last=2)
    assert [e.text for e in last] == ["n3", "n4"]
    assert service.timeline(number)[-2:] == last
