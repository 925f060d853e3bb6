"""The drill scorecard counts lint errors on statements as they were when submitted: an edit
after submission does not change the count (signed commands to the real bolt app, the
emulator, an injected clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.slack_world import make_world

FACILITATOR = "UANNA"


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, extra_config={
        "comms_channel": "crisis-comms",
        "drills": {"channel": "crisis-drills", "facilitators": [FACILITATOR]},
    })
    w.emulator.add_channel("crisis-comms", members=["UBOT"])
    w.emulator.add_channel("crisis-drills", members=["UBOT"])
    yield w
    w.close()


def test_lint_errors_are_counted_on_the_text_as_submitted_not_as_edited_later(world, clock):
    start = clock.now
    reply = world.cmd("drill start cosmetic-allergy-viral team <@ULEAD> <@UCOMMS> scale 9m",
                      user=FACILITATOR, channel=world.general)
    assert "started" in reply["text"], reply
    channel = world.bot.gateway.store.place(1).channel_id
    drills = world.bot.drills

    def cmd(text: str, user: str = "ULEAD") -> str:
        return world.cmd(text, user=user, channel=channel)["text"]

    def current_errors() -> int:
        """What the scorecard used to count: the statement's errors on its text now."""
        return drills.statement_lint_errors(world.incident(1), 1)

    def at_submission() -> int:
        return drills.scorecard(drills.run_for(1)).lint_errors_at_submission

    # A holding statement drafted before any fact is confirmed, submitted as it is.
    assert "Drafted" in cmd("statement customers holding en")
    assert at_submission() == 0  # drafted, not submitted: nothing counted yet
    assert ":white_check_mark:" in cmd("statement submit 1")
    submitted = current_errors()
    assert submitted >= 1  # at least: a holding statement must state a confirmed fact
    assert at_submission() == submitted

    # After submission the text is edited: two more errors (absolute claims) in the text now.
    clock.now = start + timedelta(seconds=30)
    text = world.incident(1).statements[1].text
    cmd(f"statement edit 1 {text} We guarantee it is 100% safe.")
    assert world.incident(1).statements[1].version == 2
    assert current_errors() == submitted + 1  # one absolute_claim finding for both words
    assert at_submission() == submitted  # the scorecard keeps the count at submission

    # Submitted again, the new version's errors count too: each submission as it was.
    assert ":white_check_mark:" in cmd("statement submit 1")
    assert at_submission() == submitted + submitted + 1

    clock.now = start + timedelta(minutes=9)
    world.bot.drill_ticker.tick()
    ended = world.cmd("drill end", user=FACILITATOR, channel=channel)
    assert "expectations met" in ended["text"], ended
    world.bot.gateway.drain()
    [md] = [f for f in world.emulator.files() if f["name"].endswith(".md")]
    expected = f"| Lint errors at submission | {2 * submitted + 1} |"
    assert expected in md["content"].decode(), md["content"].decode()
