"""Reminders end to end in one process: the ticker is called by hand with the injected clock,
messages go through the outbox and the gateway to the Slack emulator, buttons come back as
signed requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.scheduler import ReminderTicker
from bot.adapters.slack.ids import Action, encode_ref
from bot.domain.events import ReminderSent
from bot.domain.roles import Actor, Role
from tests.conftest import T0
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def tick(world) -> int:
    sent = world.bot.ticker.tick()
    world.bot.gateway.drain()
    return sent


def reminder_messages(world, needle: str) -> list[dict]:
    return [m for m in world.messages() if needle in m.get("text", "")]


def buttons(message: dict) -> list[dict]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def test_first_statement_reminder_mentions_comms_and_offers_the_holding_statement_button(
    world, clock
):
    world.declare()
    clock.now = T0 + timedelta(hours=3)  # T-60 min of the golden 4 hours
    assert tick(world) >= 1
    [posted] = reminder_messages(world, "First statement")
    assert "<@UCOMMS>" in posted["text"] and "<@USPOKE>" in posted["text"]
    assert "1h left" in posted["text"]
    [draft] = buttons(posted)
    assert draft["action_id"] == Action.DRAFT_STATEMENT == "draft_statement"
    assert draft["value"] == f"{encode_ref(1)}|customers|holding"
    sent = [e for e in world.bot.core.incidents.timeline(1) if isinstance(e, ReminderSent)]
    assert ("first_statement", "first_statement") in {(e.kind, e.clock) for e in sent}


def test_the_same_tick_twice_posts_each_reminder_once(world, clock):
    world.declare()
    clock.now = T0 + timedelta(hours=3)
    tick(world)
    before = len(world.messages())
    assert tick(world) == 0
    assert len(world.messages()) == before


def test_overdue_task_reminder_mentions_the_assignee_and_its_button_completes_the_task(world, clock):
    world.declare()
    task = next(t for t in world.incident().tasks if t.due_at is not None)
    world.cmd(f"task assign {task.no} <@UANNA|anna>")
    clock.now = task.due_at
    tick(world)
    [posted] = [m for m in reminder_messages(world, f"Task #{task.no} ")
                if "overdue" in m["text"]]
    assert "<@UANNA>" in posted["text"]
    [done] = buttons(posted)
    assert (done["action_id"], done["value"]) == (Action.TASK_DONE, encode_ref(1, task.no))
    world.click(done["action_id"], done["value"], user="UANNA", message_ts=posted["ts"])
    assert not world.incident().task(task.no).is_open
    clock.now = task.due_at + timedelta(hours=1)  # the escalation would be due now
    tick(world)
    assert not [m for m in reminder_messages(world, "Escalation") if f"#{task.no}" in m["text"]]


def test_reminder_text_escapes_what_people_typed(world, clock):
    world.declare()
    # Ad-hoc tasks have no deadline from Slack; give one through the service's unit of work.
    with world.bot.core.incidents.uow_factory() as uow:
        incident = uow.incidents.get(1)
        incident.add_task("<!here> ping <@U999> & co", actor=Actor("ULEAD"), at=clock(),
                          owner_role=Role.OPS, due_at=clock() + timedelta(minutes=10))
        world.bot.core.incidents._finish(uow, incident)
    clock.advance(minutes=10)
    tick(world)
    [posted] = [m for m in world.messages() if "ping" in m["text"] and "overdue" in m["text"]]
    assert "<!here>" not in posted["text"] and "<@U999>" not in posted["text"]
    assert "&lt;!here&gt; ping &lt;@U999&gt; &amp; co" in posted["text"]
    assert "<@UOPS>" in posted["text"]  # the owner role's holder is mentioned


def test_resolving_cancels_the_running_reminders(world, clock):
    world.declare()
    world.cmd("resolve Rolled back")
    clock.now = T0 + timedelta(hours=4, minutes=30)
    tick(world)
    assert not reminder_messages(world, "First statement")
    assert not reminder_messages(world, "Escalation")


def test_severity_change_re_times_the_team_assembly_reminder(world, clock):
    world.declare(extra="sev:A type:service_logistics")  # A: team within 2 h, all roles filled
    world.cmd("sev SS")  # SS: within 30 min, and legal counsel and the exec sponsor are needed
    clock.now = T0 + timedelta(minutes=30)
    tick(world)
    [posted] = reminder_messages(world, "Team not assembled")
    assert "<@ULEAD>" in posted["text"] and "<@UEXEC>" in posted["text"]  # commander, exec
    assert "Legal counsel" in posted["text"] and "Executive sponsor" in posted["text"]


def test_ticker_runs_as_an_apscheduler_interval_job(world):
    ticker = ReminderTicker(service=world.bot.reminders, interval=3600)
    ticker.start()
    try:
        job = ticker._scheduler.get_job("reminders")
        assert job is not None and job.trigger.interval == timedelta(hours=1)
    finally:
        ticker.stop()
    assert ticker._scheduler is None
