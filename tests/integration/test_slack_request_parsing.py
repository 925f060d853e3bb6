"""Slash commands whose text contains the word "payload" still reach crisisbot (bolt alone
mistakes such form bodies for interactivity payloads and drops them)."""

from __future__ import annotations

import pytest

from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock)
    yield w
    w.close()


@pytest.mark.parametrize("text", ["note the payload service is down", "payload", "note payload={}"])
def test_command_text_with_the_word_payload_is_handled(world, text):
    world.declare()
    reply = world.cmd(text)
    assert "Something went wrong" not in reply["text"]
    if text.startswith("note"):
        assert ":white_check_mark:" in reply["text"]
        notes = [e for e in world.bot.core.incidents.timeline(1) if e.name == "note.added"]
        assert notes[-1].text == text.removeprefix("note ")
