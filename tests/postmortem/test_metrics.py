"""Response metrics on hand-built timelines; every expected figure is worked out by hand here."""

from __future__ import annotations

from tests.postmortem.timelines import TimelineBuilder, at

H = 3600
M = 60


def test_detect_to_declare_counts_from_the_earliest_first_seen_of_the_fired_alerts(report_of):
    b = TimelineBuilder(source="monitor:weibo-negative")
    # first seen 25 min before the declaration; a second alert's first signal only 10 min before
    b.add(0, "alert.fired", actor="system:monitor", monitor="weibo-negative", fingerprint="a",
          title="Negative spike", severity="S", value=480, threshold=200, url=None,
          observed_at=at(-1).isoformat(), first_seen=at(-25).isoformat(), labels={})
    b.add(5, "alert.fired", actor="system:monitor", monitor="complaints", fingerprint="b",
          title="Complaints", severity="A", value=40, threshold=30, url=None,
          observed_at=at(-10).isoformat(), first_seen=None, labels={})
    b.add(200, "alert.resolved", actor="system:monitor", monitor="weibo-negative",
          fingerprint="a", observed_at=at(190).isoformat())
    report = report_of(b.build())
    det = report.data["detection"]
    assert det["monitor"] == "weibo-negative"
    assert det["first_signal_at"] == at(-25)
    assert det["detect_to_declare_s"] == 25 * M
    assert report.data["metrics"]["detect_to_declare_s"] == 25 * M
    assert det["alerts"][0]["resolved_at"] == at(190)
    assert det["alerts"][1]["first_seen"] == at(-10)  # observed_at stands in for first_seen


def test_team_assembled_is_when_the_last_needed_role_was_first_filled_against_the_S_target(report_of):
    # S needs commander, comms, spokesperson, legal within 1 h; legal comes last at 50 min
    b = TimelineBuilder(severity="S").team(commander=0, comms=10, spokesperson=20, legal=50)
    b.add(70, "role.assigned", role="legal", user="UOTHER", previous="ULEGAL")  # handover: no change
    team = report_of(b.build()).data["metrics"]["team"]
    assert team["assembled_at"] == at(50)
    assert team["seconds"] == 50 * M
    assert team["target_s"] == 1 * H
    assert team["state"] == "met"


def test_team_assembled_after_the_target_is_missed(report_of):
    # A needs commander and comms within 2 h; comms arrives at 2 h 30 min
    b = TimelineBuilder(severity="A").team(commander=0, comms=150)
    team = report_of(b.build()).data["metrics"]["team"]
    assert (team["seconds"], team["target_s"], team["state"]) == (150 * M, 2 * H, "missed")


def test_first_published_statement_is_measured_against_four_hours(report_of):
    b = TimelineBuilder().team(commander=0)
    b.add(270, "statement.published", statement_id=1, audience="customers", kind="holding",
          lang="en", channel="C1", version=2)
    b.add(300, "statement.published", statement_id=2, audience="media", kind="holding",
          lang="zh", channel="C2", version=1)
    first = report_of(b.build()).data["metrics"]["first_statement"]
    assert first["published_at"] == at(270)
    assert first["seconds"] == 4 * H + 30 * M
    assert first["target_s"] == 4 * H
    assert first["state"] == "missed"


def test_approval_wait_runs_from_first_submission_to_final_approval_per_statement(report_of):
    b = TimelineBuilder()
    # statement 1: submitted 10:00 (60), rejected 10:20, edited, approved by comms 10:50 and
    # legal 11:05 (125), published 11:10 → waited 65 min, 1 rejection, 2 versions
    b.add(40, "statement.drafted", statement_id=1, version=1, audience="customers",
          kind="holding", lang="en", text="…", template="holding.en.j2")
    b.add(60, "statement.submitted", statement_id=1, version=1)
    b.add(80, "statement.rejected", statement_id=1, version=1, reason="no contact channel")
    b.add(85, "statement.edited", statement_id=1, version=2, text="…")
    b.add(90, "statement.submitted", statement_id=1, version=2)
    b.add(110, "statement.approved", statement_id=1, version=2, role="comms")
    b.add(125, "statement.approved", statement_id=1, version=2, role="legal")
    b.add(130, "statement.published", statement_id=1, audience="customers", kind="holding",
          lang="en", channel="C1", version=2)
    # statement 2: submitted at 200, never approved
    b.add(190, "statement.drafted", statement_id=2, version=1, audience="media",
          kind="update", lang="zh", text="…", template="update.zh.j2")
    b.add(200, "statement.submitted", statement_id=2, version=1)
    waits = {a["statement_id"]: a for a in report_of(b.build()).data["metrics"]["approvals"]}
    assert waits[1]["wait_s"] == 65 * M
    assert (waits[1]["rejections"], waits[1]["versions"], waits[1]["approvals"]) == (1, 2, 2)
    assert waits[1]["published_at"] == at(130)
    assert waits[2]["wait_s"] is None and waits[2]["approved_at"] is None
    assert waits[2]["audience"] == "media"


def test_stage_durations_follow_advances_resolution_and_reopen(report_of):
    b = TimelineBuilder()
    b.add(30, "stage.advanced", from_stage="assess", to_stage="respond", forced=False)
    b.add(120, "stage.advanced", from_stage="respond", to_stage="communicate", forced=False)
    b.add(200, "stage.advanced", from_stage="communicate", to_stage="recover", forced=True)
    b.add(260, "incident.resolved", summary="fixed", from_stage="recover")
    b.add(300, "incident.reopened", reason="came back")
    b.add(330, "incident.resolved", summary="fixed again", from_stage="recover")
    data = report_of(b.build()).data
    stays = [(s["stage"], s["seconds"]) for s in data["metrics"]["stages"]]
    assert stays == [("assess", 30 * M), ("respond", 90 * M), ("communicate", 80 * M),
                     ("recover", 60 * M), ("recover", 30 * M)]
    assert data["metrics"]["stage_totals"] == {
        "assess": 30 * M, "respond": 90 * M, "communicate": 80 * M, "recover": 90 * M}
    assert data["metrics"]["resolve_s"] == 330 * M
    assert data["incident"]["status"] == "resolved"


def test_tasks_are_counted_on_time_late_and_open(report_of):
    b = TimelineBuilder()
    due = lambda minutes: at(minutes).isoformat()  # noqa: E731
    for no, due_at in ((1, due(60)), (2, due(60)), (3, None), (4, due(90)), (5, due(500))):
        b.add(0, "task.added", task_no=no, text_en=f"Task {no}", text_zh="任务", stage="assess",
              owner_role="comms", due_at=due_at, required=False)
    b.add(50, "task.completed", task_no=1, late=False)   # on time
    b.add(70, "task.completed", task_no=2, late=True)    # late (10 min past due)
    b.add(80, "task.completed", task_no=3, late=False)   # no due time: on time
    b.add(120, "note.added", text="last event", tag=None)  # as of 120: task 4 overdue, 5 not
    tasks = report_of(b.build()).data["metrics"]["tasks"]
    assert (tasks["total"], tasks["on_time"], tasks["late"], tasks["open"],
            tasks["open_overdue"]) == (5, 2, 1, 2, 1)
    states = {t["task_no"]: t["state"] for t in tasks["items"]}
    assert states == {1: "on_time", 2: "late", 3: "on_time", 4: "open_overdue", 5: "open"}


def test_update_cadence_is_kept_or_missed_per_gap_at_the_severity_of_the_time(report_of):
    # S: every 1 h. Publications at 60, 110 (gap 50m kept), 200 (gap 90m missed);
    # severity drops to A (every 4 h) at 150 → gap 200→380 (3 h) kept; resolved at 380.
    b = TimelineBuilder(severity="S")
    for sid, minutes in ((1, 60), (2, 110), (3, 200)):
        b.add(minutes, "statement.published", statement_id=sid, audience="customers",
              kind="update", lang="en", channel="C1", version=1)
    b.add(150, "incident.severity_changed", old="S", new="A", reason="calming down")
    b.add(380, "incident.resolved", summary="ok", from_stage="assess")
    cadence = report_of(b.build()).data["metrics"]["cadence"]
    assert [(g["seconds"], g["allowed_s"], g["kept"]) for g in cadence["gaps"]] == [
        (50 * M, 1 * H, True), (90 * M, 1 * H, False), (180 * M, 4 * H, True)]
    assert (cadence["kept"], cadence["missed"]) == (2, 1)


def test_a_running_gap_counts_only_once_it_is_missed(report_of):
    b = TimelineBuilder(severity="S")
    b.add(60, "statement.published", statement_id=1, audience="customers", kind="holding",
          lang="en", channel="C1", version=1)
    b.add(100, "note.added", text="still going", tag=None)
    assert report_of(b.build()).data["metrics"]["cadence"]["gaps"] == []
    b.add(130, "note.added", text="70 minutes since the last update", tag=None)
    cadence = report_of(b.build()).data["metrics"]["cadence"]
    assert (cadence["kept"], cadence["missed"]) == (0, 1)
    assert cadence["gaps"][0]["running"] is True


def test_clocks_met_and_missed_come_from_the_domain_clocks(report_of):
    # product_quality S: team within 1 h (legal last at 40 min: met); first statement within
    # 4 h (published at 5 h: missed); regulator report within 24 h, met by completing the
    # `report-regulator` task (done at 2 h: met); the SAMR report (48 h) and recall plan (10 d)
    # still pending. Resolved at 6 h. (product_quality adds ops to the team to assemble.)
    b = TimelineBuilder(severity="S", crisis_type="product_quality")
    b.team(commander=0, comms=10, spokesperson=20, ops=30, legal=40)
    b.add(0, "task.added", task_no=1, text_en="Report to the regulator", text_zh="报告监管",
          stage="assess", owner_role="legal", due_at=None, required=True, template="report-regulator")
    b.add(120, "task.completed", task_no=1, late=False)
    b.add(300, "statement.published", statement_id=1, audience="customers", kind="holding",
          lang="en", channel="C1", version=1)
    b.add(360, "incident.resolved", summary="ok", from_stage="assess")
    met = report_of(b.build()).data["metrics"]
    assert [(c["key"], c["state"], c["met_at"]) for c in met["clocks"]] == [
        ("team_assembly", "met", at(40)), ("first_statement", "missed", at(300)),
        ("regulator-report", "met", at(120)), ("samr-report", "pending", None),
        ("recall-plan", "pending", None)]
    assert (met["clocks_met"], met["clocks_missed"], met["clocks_pending"]) == (2, 1, 2)


def test_reminders_sent_are_counted_per_clock(report_of):
    b = TimelineBuilder()
    b.add(30, "reminder.sent", actor="system:scheduler", kind="due_soon", clock="first_statement",
          due_at=at(240).isoformat(), mentions=["UCOMMS"])
    b.add(200, "reminder.sent", actor="system:scheduler", kind="due_soon", clock="first_statement",
          due_at=at(240).isoformat(), mentions=["UCOMMS"])
    b.add(50, "reminder.sent", actor="system:scheduler", kind="overdue", clock="team_assembly",
          due_at=at(60).isoformat(), mentions=[])
    rem = report_of(b.build()).data["metrics"]["reminders"]
    assert rem == {"total": 3, "by_clock": {"first_statement": 2, "team_assembly": 1}}


def test_signal_curves_give_peak_half_life_and_sentiment_shares(report_of):
    b = TimelineBuilder()
    for minutes, value in ((-60, 10), (0, 400), (60, 300), (120, 150), (180, 90)):
        b.sample(minutes, "mentions", value)
    # before: 5/10/5 → 25/50/25 %; during: 30+10 neg, 10 neu, 10 pos → 2/3, 1/6, 1/6
    b.sample(-60, "negative", 5).sample(-60, "neutral", 10).sample(-60, "positive", 5)
    b.sample(0, "negative", 30).sample(0, "neutral", 10).sample(60, "negative", 10)
    b.sample(60, "positive", 10)
    b.add(150, "incident.resolved", summary="", from_stage="assess")
    b.sample(200, "negative", 1).sample(200, "positive", 3)  # after: 25 % / 0 / 75 %
    sig = report_of(b.build()).data["signals"]
    assert sig["mentions"]["peak"] == 400 and sig["mentions"]["peak_at"] == at(0)
    assert sig["mentions"]["half_life_s"] == 2 * H  # 150 ≤ 200 first at 120 min
    assert sig["mentions"]["at_resolution_share"] == 0.375  # 150 / 400 (last sample ≤ 150 min)
    assert sig["sentiment"]["before"] == {"negative": 0.25, "neutral": 0.5, "positive": 0.25}
    assert sig["sentiment"]["during"] == {"negative": 0.6667, "neutral": 0.1667, "positive": 0.1667}
    assert sig["sentiment"]["after"] == {"negative": 0.25, "neutral": 0.0, "positive": 0.75}


def test_communications_are_grouped_per_audience_with_versions_and_times(report_of):
    b = TimelineBuilder()
    b.add(60, "statement.published", statement_id=1, audience="customers", kind="holding",
          lang="en", channel="C1", version=2)
    b.add(90, "statement.published", statement_id=2, audience="media", kind="holding",
          lang="zh", channel="", version=1)
    b.add(180, "statement.published", statement_id=3, audience="customers", kind="update",
          lang="en", channel="C1", version=1)
    comms = {g["audience"]: g for g in report_of(b.build()).data["communications"]}
    assert comms["customers"]["count"] == 2
    assert [(s["statement_id"], s["version"], s["at"]) for s in comms["customers"]["statements"]] \
        == [(1, 2, at(60)), (3, 1, at(180))]
    assert comms["media"]["statements"][0]["lang"] == "zh"


def test_facts_notes_and_followups_are_collected(report_of):
    b = TimelineBuilder()
    b.add(10, "fact.added", fact_no=1, text="Batch 2411-B affected")
    b.add(20, "fact.added", fact_no=2, text="Caused by the supplier")
    b.add(30, "fact.confirmed", fact_no=1)
    b.add(40, "fact.retracted", fact_no=2, reason="supplier cleared")
    b.add(50, "note.added", text="holding statement template saved an hour", tag="worked")
    b.add(55, "note.added", text="retest lab slow", tag="didnt")
    b.add(60, "followup.added", item_no=1, text="Pre-approve holding statements", owner="UCOMMS")
    data = report_of(b.build()).data
    assert [(f["fact_no"], f["status"], f["reason"]) for f in data["facts"]] == [
        (1, "confirmed", ""), (2, "retracted", "supplier cleared")]
    assert [n["text"] for n in data["notes"]["worked"]] == ["holding statement template saved an hour"]
    assert data["notes"]["cause"] == []
    assert data["followups"][0]["owner"] == "UCOMMS"
