"""The demo tells its story in time order, and what people read — the transcript and the
post-mortem in English and Chinese — carries no internal key, Python repr, raw Slack user id
or template path."""

from __future__ import annotations

import html
import io
import json
import re

import pytest

from bot.demo import TEAM, run_demo

RAW_IDS = re.compile(r"\b(" + "|".join(TEAM) + r")\b")
STAMP = re.compile(r"^\[(\d\d:\d\d:\d\d) UTC\] ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    assert run_demo(out=out, workdir=workdir) == 0
    return workdir, out.getvalue()


def test_transcript_runs_in_time_order_with_zone_stamped_times(demo):
    _, text = demo
    stamps = [m.group(1) for line in text.splitlines() if (m := STAMP.match(line))]
    assert len(stamps) > 30
    assert stamps == sorted(stamps)
    first_action = next(line for line in text.splitlines() if STAMP.match(line))
    assert "polls the social-mentions monitor" in first_action  # the story opens with the signal
    assert "stage Assess, active" in text  # the card as it was when posted, not its final state
    assert text.index("stage Assess, active") < text.index("stage Recover, resolved")


def test_transcript_shows_the_followup_and_ends_with_where_the_files_are(demo):
    workdir, text = demo
    assert "mei › /crisis followup Keep third-party test reports ready to publish @omar" in text
    assert "added action item #1: Keep third-party test reports ready to publish — owner @omar" in text
    last = text.strip().splitlines()
    assert f"The demo's files are in {workdir}:" in text
    assert last[-1].strip().startswith(str(workdir / "postmortem"))


@pytest.mark.parametrize("flaw", [
    ":white_check_mark:", ":warning:", ":memo:", ":page_facing_up:",  # shortcodes
    " in website", "task(s)", "already the comms", "as comms", "as legal",
    "templates/statements", "value 2091.67 (threshold 300)",
])
def test_transcript_has_none_of_the_reported_flaws(demo, flaw):
    assert flaw not in demo[1]


def test_transcript_shows_percentages_and_role_labels(demo):
    _, text = demo
    assert re.search(r"value [\d,.]+% \(threshold 300%\)", text)
    assert "@omar is already the Comms lead of INC-1" in text
    assert "Drafted statement #1 v1 (Customers · Holding statement · 中文)" in text
    assert "published statement #1 v1 for customers (holding statement, 中文) to website" in text
    assert not RAW_IDS.search(text)


@pytest.mark.parametrize("name", ["INC-1-postmortem-v1.md", "INC-1-postmortem-v1.html",
                                  "INC-1-postmortem-v1.zh.md", "INC-1-postmortem-v1.zh.html"])
def test_postmortem_for_people_has_no_internals(demo, name):
    workdir, _ = demo
    text = html.unescape((workdir / "postmortem" / name).read_text(encoding="utf-8"))
    chinese = ".zh." in name
    assert not RAW_IDS.search(text), RAW_IDS.search(text)
    for internal in ("brand_reputation", "brand\\_reputation", "{'amount'", "'currency'",
                     "['east'", "\\['east'", "templates/", "system:monitor", "monitor:social",
                     "comms:", "comms →", "| orders |", "| revenue |", "<td>orders</td>",
                     "状态: resolved", "as comms", " in website"):
        assert internal not in text, f"{internal!r} in {name}"
    if chinese:
        assert "品牌与声誉" in text and "传播负责人: omar" in text and "状态: 已解决" in text
        assert "订单数" in text and "受影响营收" in text
    else:
        assert "Brand & reputation" in text and "Comms lead: omar" in text
        assert "Revenue at risk" in text and "USD 35,000" in text
    if name.endswith(".md"):
        assert "| 1 | Keep third-party test reports ready to publish | omar |" in text
        assert ("负面" if chinese else "negative") in text  # sentiment shares, worded


def test_postmortem_json_keeps_machine_values(demo):
    workdir, _ = demo
    data = json.loads((workdir / "postmortem" / "INC-1-postmortem-v1.json").read_text(encoding="utf-8"))
    assert data["incident"]["crisis_type"] == "brand_reputation"
    assert data["incident"]["roles"]["comms"] == "UOMAR"
    assert data["impact"]["revenue"] == {"amount": 35000, "currency": "USD"}
