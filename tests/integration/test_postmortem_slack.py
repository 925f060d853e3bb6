"""`/crisis postmortem` and `/crisis followup` over real HTTP, files arriving in the emulator."""

from __future__ import annotations

import pytest

from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


def resolved_incident(world, clock) -> None:
    world.declare()
    clock.advance(minutes=20)
    world.cmd("fact Card processor returns 502 for Visa")
    world.cmd("fact confirm 1")
    world.cmd("note worked: the status page went up within minutes")
    world.cmd("followup Add a second card processor <@UOPS|ops>")
    clock.advance(minutes=90)
    world.cmd("resolve Processor fixed the certificate")


def test_postmortem_posts_a_summary_with_markdown_and_html_files_to_the_incident_channel(world, clock):
    resolved_incident(world, clock)
    reply = world.cmd("postmortem")
    assert "version 1" in reply["text"]
    files = world.emulator.files()
    assert sorted(f["name"] for f in files) == ["INC-1-postmortem-v1.html", "INC-1-postmortem-v1.md"]
    assert all(f["channels"] == [world.channel()] for f in files)
    md = next(f for f in files if f["name"].endswith(".md"))["content"].decode()
    html = next(f for f in files if f["name"].endswith(".html"))["content"].decode()
    assert md.startswith("# Post-mortem — INC-1: Checkout failing for card payments")
    # owners by their Slack name (users.info), never the raw user id
    assert "| Add a second card processor | uops |" in md and "UOPS" not in md
    assert "the status page went up within minutes" in md
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    carrying = [m for m in world.messages() if m.get("files")]
    assert len(carrying) == 1
    assert "Post-mortem INC-1 (v1)" in carrying[0]["text"]
    assert "team assembled" in carrying[0]["text"].lower()
    assert any("published the post-mortem (version 1)" in t for t in world.texts())
    timeline = [e.name for e in world.bot.core.incidents.timeline(1)]
    assert timeline.count("postmortem.published") == 1


def test_asking_again_without_new_data_posts_the_same_stored_version(world, clock):
    resolved_incident(world, clock)
    world.cmd("postmortem")
    clock.advance(minutes=5)
    again = world.cmd("postmortem")
    assert "version 1" in again["text"] and "same report" in again["text"]
    files = world.emulator.files()
    md = [f["content"] for f in files if f["name"].endswith(".md")]
    assert len(md) == 2 and md[0] == md[1]
    clock.advance(minutes=5)
    world.cmd("followup Train the on-call team")
    third = world.cmd("postmortem")
    assert "version 2" in third["text"]


def test_postmortem_before_resolution_is_refused_and_nothing_is_uploaded(world, clock):
    world.declare()
    reply = world.cmd("postmortem")
    assert "not resolved yet" in reply["text"]
    assert world.emulator.files() == []
    assert "postmortem.published" not in [e.name for e in world.bot.core.incidents.timeline(1)]


def test_followup_is_recorded_with_its_owner_and_announced(world, clock):
    world.declare()
    reply = world.cmd("followup Pre-approve holding statements <@UCOMMS|comms>")
    assert reply["text"].startswith(":white_check_mark:")
    incident = world.incident()
    assert [(f.item_no, f.text, f.owner) for f in incident.followups] == [
        (1, "Pre-approve holding statements", "UCOMMS")]
    assert any("action item #1" in t and "<@UCOMMS>" in t for t in world.texts())


def test_followup_without_text_gets_a_clear_error(world, clock):
    world.declare()
    reply = world.cmd("followup <@UCOMMS|comms>")
    assert "needs the action item" in reply["text"]
    assert world.incident().followups == []


def test_files_are_delivered_once_slack_recovers_from_an_outage(world, clock):
    resolved_incident(world, clock)
    world.emulator.fail_next("files.getUploadURLExternal", status=500, count=1)
    world.cmd("postmortem")
    assert world.emulator.files() == []
    clock.advance(seconds=5)
    world.bot.gateway.drain()
    assert len([f for f in world.emulator.files() if f["content"]]) == 2
