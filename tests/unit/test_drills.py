"""Drills in the pure core: the compressed clock, pauses, scaled policies, the calendar, the
command words, the site config section, and scorecard rules on hand-built timelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.drills.commands import parse_drill
from bot.adapters.drills.config import parse_drills
from bot.domain import events as ev
from bot.domain.drill_calendar import Schedule, due_notices
from bot.domain.drill_scores import score
from bot.domain.drills import (
    Check,
    DrillRun,
    Expectation,
    Inject,
    InjectKind,
    RunStatus,
    Scenario,
    drill_source,
    factor_of,
    is_drill_source,
    scale_policy,
    scaled_catalog,
)
from bot.domain.errors import InvalidInput
from bot.domain.playbook import Catalog
from bot.domain.severity import Severity
from bot.domain.text import LocalText
from tests.unit.factories import playbook, policy

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def text(s: str) -> LocalText:
    return LocalText(s, s + "（中）")


def scenario() -> Scenario:
    return Scenario(
        key="s", title=text("S"), summary=text("sum"), crisis_type="test_type", severity=Severity.A,
        represents=timedelta(hours=6),
        injects=(
            Inject(1, 0 * M, InjectKind.FACT, text("Lab says X")),
            Inject(2, 10 * M, InjectKind.RETRACT, text("X is false"), retracts=1,
                   expect=Expectation(Check.FACT_RETRACTED, 20 * M, text("retract"), fact=1)),
            Inject(3, 30 * M, InjectKind.SEVERITY, text("trending"), severity=Severity.S,
                   expect=Expectation(Check.SEVERITY_AT_LEAST, 35 * M, text("raise"),
                                      severity=Severity.S)),
        ))


def test_a_drill_at_15_minutes_runs_three_times_faster_and_its_clocks_24_times():
    run = DrillRun(scenario="s", started_at=T0, represents=timedelta(hours=6), scale=15 * M)
    assert run.tempo == pytest.approx(1 / 3) and run.clock_factor == 24
    assert run.wall_at(30 * M) == T0 + 10 * M
    assert run.scenario_time(T0 + 10 * M) == 30 * M
    assert run.scaled(timedelta(hours=4)) == 10 * M


def test_a_pause_holds_the_injects_and_shifts_the_rest():
    s = scenario()
    run = DrillRun(scenario="s", started_at=T0, fired=frozenset({1}))
    paused = run.pause(T0 + 5 * M)
    assert paused.due_injects(s, T0 + 60 * M) == []
    resumed = paused.resume(T0 + 25 * M)
    assert resumed.paused_total == 20 * M
    assert [i.no for i in resumed.due_injects(s, T0 + 29 * M)] == []
    assert [i.no for i in resumed.due_injects(s, T0 + 30 * M)] == [2]
    assert resumed.scenario_time(T0 + 30 * M) == 10 * M
    with pytest.raises(ValueError):
        resumed.resume(T0)
    ended = paused.end(T0 + 40 * M)
    assert ended.status is RunStatus.ENDED and ended.due_injects(s, T0 + 99 * M) == []


def test_scaled_clocks_and_the_drill_source():
    assert is_drill_source(drill_source(40)) and factor_of("drill:x40") == 40
    assert factor_of("monitor:x5") == 1 and factor_of("drill:xoops") == 1
    scaled = scale_policy(policy(), 8)
    assert scaled.first_statement_within == timedelta(minutes=30)
    assert scaled.level(Severity.A).team_within == policy().level(Severity.A).team_within / 8
    catalog = Catalog(playbooks={"test_type": playbook()}, policy=policy())
    assert scaled_catalog(catalog, "slack") is catalog
    fast = catalog.for_source("drill:x8")
    assert fast is catalog.for_source("drill:x8")  # cached
    task = next(t for t in fast.playbook("test_type").tasks if t.due)
    assert task.due == next(t for t in playbook().tasks if t.id == task.id).due / 8


def test_a_retraction_is_caught_only_before_any_publication():
    s = scenario()
    run = DrillRun(scenario="s", started_at=T0, represents=timedelta(hours=6))
    fired = {1: T0, 2: T0 + 10 * M, 3: T0 + 30 * M}
    base = [ev.IncidentDeclared(incident=1, actor="U1", at=T0, title="t", crisis_type="test_type",
                                severity="A", source="drill:x8"),
            ev.FactAdded(incident=1, actor="system:drill-control", at=T0, fact_no=1, text="Lab says X")]
    publish = ev.StatementPublished(incident=1, actor="U1", at=T0 + 12 * M, statement_id=1,
                                    audience="customers", kind="holding", lang="en")
    retract = ev.FactRetracted(incident=1, actor="U1", at=T0 + 15 * M, fact_no=1)
    raised = ev.SeverityChanged(incident=1, actor="U1", at=T0 + 33 * M, old="A", new="S")

    def card(events):
        return score(scenario=s, run=run, events=events, fired_at=fired, policy=policy(),
                     assemble=(), now=T0 + 45 * M)

    good = card([*base, retract, raised])
    assert [r.met for r in good.results] == [True, True] and good.retractions[0].caught
    late = card([*base, publish, retract])
    assert [r.met for r in late.results] == [False, False]
    assert not late.retractions[0].caught and late.retractions[0].published_before == 1
    assert late.first_statement.value == 12 * M and late.first_statement.met is True
    assert good.score == 1.0 and late.score == 0.0


def test_drill_words_parse_or_fail_with_the_fix():
    assert parse_drill(("list",)).verb == "list"
    assert parse_drill(("inject", "#4")).no == 4
    action = parse_drill(("start", "kol-controversy", "scale", "20m"))
    assert action.scenario == "kol-controversy" and action.scale == 20 * M and action.team == ()
    for bad, fix in ((("start",), "Name the scenario"), (("inject", "x"), "by its number"),
                     (("start", "a", "team"), "mention the players"), (("fly",), "not a drill command"),
                     (("start", "a", "scale", "soon"), "is not a duration"), (("end", "now"), "takes nothing")):
        with pytest.raises(InvalidInput, match=fix):
            parse_drill(bad)


def test_the_drills_section_is_checked_with_one_line_errors():
    settings = parse_drills({"channel": "#drills", "facilitators": ["U1"],
                             "schedule": {"weekday": "tuesday", "week": 1, "time": "15:00",
                                          "zone": "Asia/Shanghai"}})
    assert settings.channel == "drills" and settings.is_facilitator("U1") and settings.zone == "Asia/Shanghai"
    for bad, fix in (({"chanel": "x"}, "unknown setting"), ({"schedule": {"zone": "Mars/Base"}}, "unknown time zone"),
                     ({"schedule": {"week": 5}}, "week must be"), ({"schedule": {"time": "25:00"}}, "HH:MM"),
                     ({"facilitators": "U1"}, None), ({"reminders": ["soon"]}, "not a duration")):
        if fix is None:
            assert parse_drills(bad).facilitators == ("U1",)
            continue
        with pytest.raises(InvalidInput, match=fix) as caught:
            parse_drills(bad)
        assert "\n" not in str(caught.value)


def test_the_calendar_finds_the_first_tuesday_and_says_each_notice_once_a_key():
    schedule = Schedule(weekday=1, week=1, hour=15, minute=0)
    assert schedule.occurrence(2027, 6) == datetime(2027, 6, 1, 15, 0)
    assert schedule.occurrence(2026, 11) == datetime(2026, 11, 3, 15, 0)
    notices = due_notices(schedule=schedule, rotation=("a", "b"), now_local=datetime(2026, 12, 1, 14, 30),
                          reminders=(timedelta(hours=24), timedelta(hours=1)), grace=timedelta(hours=2),
                          started_since=True)
    assert [(n.kind, n.before) for n in notices] == [("reminder", timedelta(hours=24)),
                                                     ("reminder", timedelta(hours=1))]
    assert len({n.key for n in notices}) == 2
    overdue = due_notices(schedule=schedule, rotation=("a", "b"), now_local=datetime(2026, 12, 1, 17, 30),
                          reminders=(), grace=timedelta(hours=2), started_since=False)
    assert [n.kind for n in overdue] == ["overdue"]
    month_old = due_notices(schedule=schedule, rotation=(), now_local=datetime(2026, 12, 20),
                            reminders=(), grace=timedelta(hours=2), started_since=False)
    assert month_old == []


def test_help_names_the_drill_commands():
    from bot.adapters.slack.blocks import help_blocks

    text = str(help_blocks("drill"))
    assert "/crisis drill start" in text and "/crisis drill inject" in text


def test_reminder_offsets_run_on_the_drill_clock_too():
    from bot.domain.drills import scale_reminders
    from bot.domain.reminders import ReminderSettings

    base = ReminderSettings(exec_sponsors=("UEXEC",))
    assert scale_reminders(base, "slack") is base
    fast = scale_reminders(base, "drill:x40")
    assert fast.first_statement_before == (timedelta(seconds=90), timedelta(seconds=22.5))
    assert fast.regulatory_before[0] == timedelta(minutes=36)
    assert fast.late_within == base.late_within and fast.exec_sponsors == ("UEXEC",)
