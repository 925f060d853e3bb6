"""The rendered report: empty sections say so, headings in both languages, no network, JSON."""

from __future__ import annotations

import json
import re

import pytest

from bot.adapters.rendering.postmortem.html_report import render_html
from bot.adapters.rendering.postmortem.jsonout import render_json
from bot.adapters.rendering.postmortem.markdown import render_markdown
from bot.adapters.rendering.postmortem.wording import Words
from tests.postmortem.timelines import TimelineBuilder, at


def bare_incident():
    """Declared by a person, a note and a resolution: no monitor, no statements, no tasks."""
    b = TimelineBuilder(severity="A", crisis_type="supply_chain")
    b.add(0, "role.assigned", role="commander", user="ULEAD", previous=None)
    b.add(30, "note.added", text="supplier called back", tag=None)
    b.add(90, "incident.resolved", summary="stock arrived", from_stage="assess")
    return b.build()


def rich_incident():
    b = TimelineBuilder(source="monitor:weibo-negative").team(
        commander=0, comms=10, spokesperson=20, legal=50)
    b.add(0, "alert.fired", actor="system:monitor", monitor="weibo-negative", fingerprint="a",
          title="Negative spike", severity="S", value=480, threshold=200,
          url="https://grafana.example/d/1", observed_at=at(-1).isoformat(),
          first_seen=at(-25).isoformat(), labels={})
    b.add(60, "statement.submitted", statement_id=1, version=1)
    b.add(75, "statement.approved", statement_id=1, version=1, role="legal")
    b.add(80, "statement.published", statement_id=1, audience="customers", kind="holding",
          lang="en", channel="C1", version=1)
    b.add(90, "stage.advanced", from_stage="assess", to_stage="respond", forced=False)
    b.add(100, "note.added", text="lab retest <b>fast</b> | *great*", tag="worked")
    b.add(200, "incident.resolved", summary="video corrected", from_stage="respond")
    for minutes, value in ((-60, 20), (0, 400), (60, 250), (120, 100), (260, 30)):
        b.sample(minutes, "mentions", value)
    for minutes in (-60, 30, 260):
        b.sample(minutes, "negative", 10).sample(minutes, "neutral", 5).sample(minutes, "positive", 5)
    return b.build()


def test_a_report_without_monitor_statements_or_tasks_says_so_in_each_section(report_of):
    report = report_of(bare_incident())
    w = Words("en")
    for text in (render_markdown(report), render_html(report)):
        for key in ("no_monitor", "no_statements", "no_statement_flow", "no_tasks", "no_facts",
                    "no_impact", "no_signals", "no_followups", "no_cadence", "no_reminders"):
            sentence = w.t(key)
            assert sentence.split("`")[0].replace("<", "&lt;")[:40] in text, key
        assert text.count(w.t("to_complete")) == 4  # worked, didnt, cause, lesson
    assert report.data["detection"] is None and report.data["signals"] is None
    assert "<svg" in render_html(report)  # the response and stage charts still draw


def test_the_html_is_self_contained_with_inline_css_and_svg_charts(report_of):
    page = render_html(report_of(rich_incident()))
    assert "<style>" in page and "@page" in page and "size: A4" in page and "@media print" in page
    assert page.count("<svg") == 5  # response, stages, approvals, mentions, sentiment
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"""(src|href)=["']?(https?:)?//(?!grafana\.example)""", page)
    assert "url(" not in page.split("</style>")[0].split("<style>")[1]


def test_user_text_is_escaped_in_html_and_markdown(report_of):
    report = report_of(rich_incident())
    page = render_html(report)
    assert "<b>fast</b>" not in page and "&lt;b&gt;fast&lt;/b&gt;" in page
    md = render_markdown(report)
    assert r"lab retest \<b\>fast\</b\> \| \*great\*" in md


@pytest.mark.parametrize("lang, heading", [
    ("en", "## Response metrics"), ("zh", "## 响应指标"), ("both", "## Response metrics · 响应指标"),
])
def test_headings_follow_the_chosen_language(report_of, lang, heading):
    report = report_of(rich_incident())
    assert heading in render_markdown(report, lang=lang)
    assert heading.removeprefix("## ") in render_html(report, lang=lang)


def test_an_unknown_language_is_refused(report_of):
    with pytest.raises(ValueError, match="not one of en, zh, both"):
        render_markdown(report_of(rich_incident()), lang="fr")


def test_the_json_carries_every_figure_with_iso_times_and_seconds(report_of):
    data = json.loads(render_json(report_of(rich_incident())))
    assert data["schema"] == "crisisbot.postmortem/1"
    assert data["incident"]["id"] == "INC-1"
    assert data["metrics"]["team"]["seconds"] == 50 * 60
    assert data["metrics"]["first_statement"]["published_at"] == at(80).isoformat()
    assert data["metrics"]["approvals"][0]["wait_s"] == 15 * 60
    assert data["detection"]["detect_to_declare_s"] == 25 * 60
    assert data["signals"]["mentions"]["peak"] == 400
    assert data["metrics"]["stage_totals"] == {"assess": 90 * 60, "respond": 110 * 60}


def test_the_same_data_gives_byte_identical_reports(report_of):
    first, second = report_of(rich_incident()), report_of(rich_incident())
    assert render_html(first) == render_html(second)
    assert render_markdown(first) == render_markdown(second)
    assert render_json(first) == render_json(second)


def test_a_published_postmortem_does_not_change_the_next_build(report_of):
    source = rich_incident()
    b = TimelineBuilder()
    b.records = list(source.records)
    b.samples = list(source.samples)
    b.add(300, "postmortem.published", version=1)
    again = b.build()
    assert render_markdown(report_of(source)) == render_markdown(report_of(again))
    assert source.digest(lang="en") == again.digest(lang="en")
    assert source.digest(lang="en") != source.digest(lang="zh")


def test_events_of_features_this_build_does_not_know_are_listed_on_the_timeline(report_of):
    b = TimelineBuilder()
    b.add(5, "monitor.snoozed", actor="system:monitor", monitor="weibo", until="tomorrow")
    timeline = report_of(b.build()).data["timeline"]
    assert timeline[-1]["text"] == "monitor.snoozed (monitor=weibo, until=tomorrow)"
