"""Client-side pacing and UTF-16 truncation: the pure parts of living within Slack's limits."""

from __future__ import annotations

import pytest

from bot.adapters.slack.escape import cut_plain, truncate, truncate_plain, utf16_len
from bot.adapters.slack.pacing import MethodBudget, Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_tier_2_method_bursts_three_then_keeps_under_twenty_a_minute():
    clock = Clock()
    budget = MethodBudget(clock=clock)
    for _ in range(3):
        assert budget.wait_time("conversations.setTopic") == 0
        budget.take("conversations.setTopic")
    wait = budget.wait_time("conversations.setTopic")
    assert wait == pytest.approx(60 / 17)
    assert budget.wait_time("conversations.invite") == 0  # each method has its own bucket
    assert budget.wait_time("chat.postMessage") == 0  # paced per channel instead
    calls, t = 0, 0.0
    while t < 60:  # a whole minute of calls as fast as the budget allows
        clock.now += budget.wait_time("conversations.setTopic")
        t = clock.now - 100.0
        if t < 60:
            budget.take("conversations.setTopic")
            calls += 1
    assert calls + 3 <= 20


def test_a_429_blocks_the_method_for_its_retry_after():
    clock = Clock()
    budget = MethodBudget(clock=clock)
    budget.rate_limited("pins.add", 30)
    assert budget.wait_time("pins.add") == pytest.approx(30)
    clock.now += 30
    assert budget.wait_time("pins.add") == pytest.approx(60 / 17)  # an empty bucket refills
    assert MethodBudget(enabled=False, clock=clock).wait_time("pins.add") == 0


def test_the_channel_pacer_allows_its_burst_then_one_per_pace():
    clock = Clock()
    pacer = Pacer(pace=1.0, burst=2, clock=clock)
    pacer.take("C1")
    pacer.take("C1")
    assert pacer.wait_time("C1") == pytest.approx(1.0)
    assert pacer.wait_time("C2") == 0


def test_truncation_counts_utf16_units_and_never_splits_a_character_or_entity():
    emoji = "😀" * 100
    cut = truncate_plain(emoji, 150)
    assert utf16_len(cut) <= 150 and cut.endswith("…") and "\ud83d" not in cut
    assert truncate_plain("中" * 150, 150) == "中" * 150
    assert truncate("a &amp; b", 6) == "a …"
    assert truncate("see <https://x.example|link> now", 12) == "see …"
    assert cut_plain("line one\nline two &amp;" * 30, 250).count("\n") == 0
    assert utf16_len(cut_plain("🔥" * 300, 250)) <= 250


def test_every_message_fits_the_block_text_budget_and_says_what_it_left_out():
    from bot.adapters.slack.blocks.common import (
        BLOCK_TEXT_BUDGET,
        block_text_size,
        context,
        header,
        message,
        section,
    )

    blocks = [header("Card")] + [section("x" * 2900) for _ in range(20)] + [context("footer")]
    fitted = message("fallback", blocks)["blocks"]
    assert block_text_size(fitted) <= BLOCK_TEXT_BUDGET
    assert fitted[0] == blocks[0] and fitted[-1] == blocks[-1]
    note = fitted[-2]["elements"][0]["text"]
    assert note.startswith("…and 17 more not shown") and "/crisis timeline 50" in note
    small = [header("Card"), section("short")]
    assert message("fallback", small)["blocks"] == small
