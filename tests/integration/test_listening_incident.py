"""Listening inside an incident, over real HTTP against the bot and the Slack emulator: the
sample stream's posts arrive through ``POST /monitors/posts``, the rule opens the incident,
the periodic job posts the digest, calls out the KOL and adds the KOL-pool briefing task, and
``/crisis listening top|kols|spread`` answer in the channel."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.adapters.listening.sample_stream import SAMPLE_LISTENING, sample_posts
from bot.adapters.slack.escape import utf16_len
from tests.conftest import T0
from tests.integration.listening_helpers import raw_post, send_posts
from tests.integration.monitor_helpers import SECRET
from tests.integration.slack_world import make_world


@pytest.fixture(scope="module")
def stream():
    return sample_posts(end=T0)


@pytest.fixture
def world(tmp_path, clock, stream):
    config = {"listening": SAMPLE_LISTENING | {"evaluate_every": 0}}
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET, extra_config=config)
    for i in range(0, len(stream), 2000):
        response = send_posts(w.server.url, {"posts": stream[i:i + 2000]})
        assert response.status_code == 202, response.text
        assert response.json()["rejected"] == []
    w.bot.gateway.drain()
    yield w
    w.close()


def tick(world):
    report = world.bot.listening.incidents.tick()
    world.bot.gateway.drain()
    return report


def test_the_stream_opens_the_incident_and_the_digest_sums_up_the_last_hour(world):
    incident = world.incident(1)
    assert incident.source == "monitor:listening-negative-brand"
    report = tick(world)
    assert report.digests == [1]
    (digest,) = [m for m in world.messages(1) if m["text"].startswith("What people are saying")]
    body = "\n".join(b["text"]["text"] for b in digest["blocks"])
    assert "Brand posts: *" in body and "Top posts by reach" in body
    assert "negative" in body and "weibo" in body and "https://" in body
    assert all(utf16_len(b["text"]["text"]) <= 3000 for b in digest["blocks"])
    # Paced: the next tick within the hour posts no second digest; an hour later it does.
    assert tick(world).digests == []
    world.bot.core.clock.advance(hours=1)
    assert tick(world).digests == [1]


def test_the_kol_is_called_out_once_and_the_pool_gets_a_briefing_task(world):
    report = tick(world)
    assert report.callouts == {1: ["美妆博主Lily"]}
    callouts = [m for m in world.messages(1) if m["text"].startswith("📣 KOL post")]
    assert len(callouts) == 1 and "2,400,000 followers" in callouts[0]["text"]
    assert report.briefs == [1]
    (task,) = [t for t in world.incident(1).tasks if "KOL pool" in t.text.en]
    assert "Dr. Wen (dermatologist) · weibo @drwen_skin · wen@agency.example · quota 2" in task.text.en
    assert task.due_at == world.bot.core.clock() + timedelta(hours=2)
    again = tick(world)
    assert again.callouts == {} and again.briefs == []


def test_listening_commands_answer_top_kols_and_spread(world):
    top = world.cmd("listening")
    assert "Top posts by reach score (followers × (1 + engagements))" in top["blocks"][1]["text"]["text"]
    assert "· reach score " in top["blocks"][1]["text"]["text"]
    kols = world.cmd("listening kols")
    assert "美妆博主Lily" in kols["blocks"][1]["text"]["text"]
    spread = world.cmd("listening spread")
    origin, largest = (b["text"]["text"] for b in spread["blocks"])
    assert origin.startswith("*Origin*") and "小鹿爱护肤" in origin
    found = re.search(r"1\. ([\d,]+) posts, depth (\d+)", largest)
    size, depth = int(found.group(1).replace(",", "")), int(found.group(2))
    assert size > 100 and depth >= 2  # the origin's reposts and the KOL's reposts of it
    assert "KOL: 美妆博主Lily" in largest
    refused = world.cmd("listening nonsense")
    assert "/crisis listening kols" in refused["text"]


def test_user_text_in_posts_cannot_mention_anyone(world):
    evil = raw_post("<!channel> Acme is a scam <@U123> @here", at=T0 - timedelta(minutes=1),
                    followers=9_000_000, author="<!here>",
                    url="https://evil.example/x|<!channel>")
    assert send_posts(world.server.url, [evil]).status_code == 202
    tick(world)
    texts = [m["text"] + str(m.get("blocks")) for m in world.messages(1)]
    assert not any("<!channel>" in t or "<!here>" in t or "<@U123>" in t for t in texts)
    assert not any("evil.example" in t and "|<!" in t for t in texts)
    assert any("&lt;!channel&gt; Acme is a scam" in t for t in texts)  # shown, escaped


def test_the_postmortem_shows_competitor_opportunism_and_the_sentiment_shift(world):
    world.bot.core.clock.advance(hours=6)
    assert world.cmd("resolve Lab retest clean", user="UEXEC")["text"].startswith(":white_check_mark:")
    world.cmd("postmortem", user="UEXEC")
    files = {f["name"]: (f["content"] or b"").decode("utf-8") for f in world.emulator.files()}
    markdown = next(v for k, v in files.items() if k.endswith(".md"))
    html = next(v for k, v in files.items() if k.endswith(".html"))
    section = markdown[markdown.index("## Listening: what people said"):]
    assert "### Sentiment shift (情感转变率)" in section
    assert "| before |" in section and "| during |" in section
    assert "- Volume decay half-life: " in section and "- Volume decay half-life: —" not in section
    assert "- Origin post: 小鹿爱护肤 (weibo, 3,200 followers" in section
    assert "美妆博主Lily (weibo, 2,400,000 followers" in section  # the KOL involved
    (row,) = [line for line in section.splitlines() if line.startswith("| Globex |")]
    assert row.endswith("| yes |")  # volume up against its own baseline: piggy-backing
    assert '<section id="listening">' in html
    assert "<svg" in html[html.index('<section id="listening">'):]
    stored = world.bot.handler.postmortems.generate(1, by="test")
    import json

    (globex,) = json.loads(stored.rendered.json)["listening"]["competitors"]
    assert globex["volume_change"] >= 0.5 and globex["opportunism"] is True
    assert globex["during"]["posts"] > 0 and globex["baseline"]["posts"] > 0
