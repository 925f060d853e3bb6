"""Reminders on real storage (SQLite and PostgreSQL): the table follows the incident, each due
reminder is sent once with its timeline event and its Slack message in the outbox."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.adapters.db import make_engine
from bot.adapters.db.models import OutboxRow, ReminderRow
from bot.adapters.db.uow import uow_factory
from bot.adapters.slack.reminder_effects import SlackReminderEffects
from bot.domain.events import ReminderSent
from bot.domain.playbook import Catalog
from bot.domain.reminders import ReminderSettings
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.services import IncidentService
from bot.services.reminders import ReminderPlanner, ReminderService
from tests.conftest import T0, FakeClock
from tests.unit import factories

LEAD = Actor("ULEAD")
SETTINGS = ReminderSettings(exec_sponsors=("UEXEC",), late_within=timedelta(hours=2))


@pytest.fixture(scope="module")
def quiet(catalog: Catalog) -> Catalog:
    """The bundled severities with a playbook whose tasks have no deadlines and that has no
    regulatory clock, so only the clocks every incident has are running."""
    base = factories.playbook()
    calm = replace(base, key="brand_reputation",
                   tasks=tuple(replace(t, due=None) for t in base.tasks), clocks=())
    return Catalog(playbooks={"brand_reputation": calm}, policy=catalog.policy)


def wire(engine, catalog, clock, settings: ReminderSettings = SETTINGS):
    planners = (SlackReminderEffects(catalog=catalog),
                ReminderPlanner(catalog=catalog, settings=settings))
    incidents = IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock,
                                planners=planners)
    reminders = ReminderService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock,
                                settings=settings, planners=planners)
    return incidents, reminders


def declare(incidents: IncidentService, *, severity=Severity.S, roles=None) -> int:
    outcome = incidents.declare(title="Checkout failing", crisis_type="brand_reputation",
                                severity=severity, actor=LEAD,
                                roles=roles or {Role.COMMANDER: "ULEAD"})
    return outcome.incident.number


def rows(engine, status: str | None = None) -> list[ReminderRow]:
    with engine.connect() as conn:
        query = select(ReminderRow)
        if status:
            query = query.where(ReminderRow.status == status)
        return list(conn.execute(query.order_by(ReminderRow.id)))


def messages(engine) -> list[str]:
    with engine.connect() as conn:
        found = conn.execute(select(OutboxRow.payload).where(OutboxRow.kind == "post_message"))
        return [p["text"] for (p,) in found]


def test_declaring_fills_the_reminders_table_from_the_incident_state(engine, quiet, clock):
    incidents, _ = wire(engine, quiet, clock)
    declare(incidents)
    keys = {r.key for r in rows(engine, "pending")}
    assert {"team_assembly", "first_statement:-1h", "first_statement:-15m",
            "first_statement:due", "escalation:first_statement"} <= keys


def test_a_due_reminder_is_sent_once_with_its_timeline_event_and_channel_message(
    engine, quiet, clock
):
    incidents, reminders = wire(engine, quiet, clock)
    number = declare(incidents)
    clock.advance(hours=1)  # S: the team is due within 1 h; comms, spokesperson, legal unfilled
    sent = reminders.send_due()
    assert [(e.kind, e.clock) for e in sent] == [("team_assembly", "team_assembly")]
    assert sent[0].mentions == ("ULEAD", "UEXEC")
    assert reminders.send_due() == []
    timeline = incidents.timeline(number)
    assert [e for e in timeline if isinstance(e, ReminderSent)] == sent
    texts = [t for t in messages(engine) if "Team not assembled" in t]
    assert len(texts) == 1
    assert "<@ULEAD>" in texts[0] and "<@UEXEC>" in texts[0] and "Legal counsel" in texts[0]
    assert [r.key for r in rows(engine, "sent")] == ["team_assembly"]


def test_completing_a_task_before_it_is_due_cancels_its_reminder(engine, catalog, clock):
    incidents, reminders = wire(engine, catalog, clock)
    number = declare(incidents, roles={Role.COMMANDER: "ULEAD", Role.COMMS: "UCOMMS",
                                       Role.SPOKESPERSON: "USPOKE", Role.LEGAL: "ULEGAL"})
    task = next(t for t in incidents.get(number).tasks if t.due_at is not None)
    incidents.complete_task(number, task.no, actor=LEAD)
    clock.now = task.due_at + timedelta(minutes=1)
    sent = reminders.send_due()
    assert f"task:{task.no}" not in {e.clock for e in sent}
    cancelled = {r.key for r in rows(engine, "cancelled")}
    assert f"task_overdue:{task.no}" in cancelled


def test_a_severity_change_re_times_the_pending_reminder(engine, quiet, clock):
    incidents, reminders = wire(engine, quiet, clock)
    number = declare(incidents, severity=Severity.A)  # team within 2 h
    clock.advance(minutes=10)
    incidents.change_severity(number, Severity.SS, actor=LEAD)  # team within 30 min
    clock.now = T0 + timedelta(minutes=29)
    assert "team_assembly" not in {e.clock for e in reminders.send_due()}
    clock.now = T0 + timedelta(minutes=30)
    sent = [e for e in reminders.send_due() if e.kind == "team_assembly"]
    assert [e.due_at for e in sent] == [T0 + timedelta(minutes=30)]


def test_a_published_statement_cancels_the_first_statement_reminders(engine, quiet, clock):
    incidents, reminders = wire(engine, quiet, clock)
    number = declare(incidents)
    clock.advance(hours=1)
    # Statements come from the statements feature; here the domain records one directly.
    with incidents.uow_factory() as uow:
        incident = uow.incidents.get(number)
        incident.record_statement_published(statement_id=1, audience="customers", kind="holding",
                                            lang="en", channel="", actor=LEAD, at=clock())
        incidents._finish(uow, incident)
    clock.advance(hours=3)
    kinds = {e.kind for e in reminders.send_due()}
    assert "first_statement" not in kinds
    assert "update_due" in kinds  # S cadence: 1 h after the statement


def test_a_reminder_missed_longer_than_the_late_window_is_dropped_not_sent(engine, quiet, clock):
    incidents, reminders = wire(engine, quiet, clock)
    declare(incidents)
    clock.advance(hours=3, minutes=1)  # team assembly was due 2 h 1 min ago; the window is 2 h
    sent = reminders.send_due()
    assert "team_assembly" not in {e.kind for e in sent}
    assert "team_assembly" in {r.key for r in rows(engine, "expired")}
    assert {"first_statement:-1h"} <= {r.key for r in rows(engine, "sent")}


def test_after_a_long_outage_only_the_latest_due_reminder_of_a_clock_is_sent(
    engine, quiet, clock
):
    incidents, reminders = wire(engine, quiet, clock,
                                replace(SETTINGS, late_within=timedelta(hours=6)))
    declare(incidents)
    clock.advance(hours=4, minutes=1)  # T-60, T-15 and the due time of the first statement
    sent = [e for e in reminders.send_due() if e.clock == "first_statement"]
    assert [(e.kind, e.due_at) for e in sent] == [("first_statement", T0 + timedelta(hours=4))]
    dropped = {r.key for r in rows(engine, "expired")}
    assert {"first_statement:-1h", "first_statement:-15m"} <= dropped


def test_resync_creates_rows_for_incidents_declared_without_the_planner(engine, quiet, clock):
    plain = IncidentService(uow_factory=uow_factory(engine), catalog=quiet, clock=clock)
    declare(plain)
    _, reminders = wire(engine, quiet, clock)
    assert rows(engine) == []
    assert reminders.resync() > 0
    assert "team_assembly" in {r.key for r in rows(engine, "pending")}
    assert reminders.resync() == 0


@pytest.mark.postgres
def test_two_tickers_on_postgres_send_fifty_due_reminders_exactly_once(
    pg_server, pg_template, quiet
):
    from tests.conftest import fresh_pg_database

    url = fresh_pg_database(pg_server, pg_template)
    clock = FakeClock()
    engines = [make_engine(url), make_engine(url)]
    try:
        incidents, _ = wire(engines[0], quiet, clock)
        for _ in range(50):
            declare(incidents)
        clock.advance(hours=1)  # 50 team-assembly reminders due now, nothing else
        services = [wire(e, quiet, clock)[1] for e in engines]
        results: list[list[ReminderSent]] = [[], []]
        start = threading.Barrier(2)

        def run(index: int) -> None:
            start.wait()
            results[index] = services[index].send_due()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        sent = results[0] + results[1]
        assert len(sent) == 50
        assert len({e.incident for e in sent}) == 50
        assert len([t for t in messages(engines[0]) if "Team not assembled" in t]) == 50
    finally:
        for engine in engines:
            engine.dispose()
