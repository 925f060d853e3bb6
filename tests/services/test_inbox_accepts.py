"""The inbox writes of the acks, batched for the event loop (bot/adapters/slack/accepts.py), on
both engines: a lone command is stored at once, commands handed over while a write runs go
in the next one together, and a failed write fails every command of its batch (each ack then
says the command was not taken)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from bot.adapters.db.inbox import InboxEntry, SlackInbox
from bot.adapters.slack.accepts import InboxAccepts

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WAIT = 30


def entry(key: str) -> InboxEntry:
    return InboxEntry(key=key, user_id="ULEAD", channel_id="C1", text="status",
                      response_url="http://slack.example/actions/T/R1")


def test_a_lone_command_is_stored_and_a_replay_is_told_apart(engine):
    inbox = SlackInbox(engine)
    accepts = InboxAccepts(inbox, lambda: T0)

    async def main() -> list[bool]:
        first = await accepts.store(entry("slack:one"))
        again = await accepts.store(entry("slack:one"))
        return [first, again]

    assert asyncio.run(main()) == [True, False]
    assert inbox.status_of("slack:one") == "pending"


def test_commands_handed_over_during_a_write_are_stored_together(engine):
    inbox = SlackInbox(engine)
    real = inbox.accept_many
    batches: list[list[str]] = []
    entered, release = threading.Event(), threading.Event()

    def held(entries, *, now):
        batches.append([e.key for e in entries])
        if len(batches) == 1:
            entered.set()
            release.wait(WAIT)        # the first write runs while the others arrive
        return real(entries, now=now)

    inbox.accept_many = held
    accepts = InboxAccepts(inbox, lambda: T0)

    async def main() -> list[bool]:
        first = accepts.store(entry("slack:first"))
        assert await asyncio.to_thread(entered.wait, WAIT)
        others = [accepts.store(entry(f"slack:{n}")) for n in range(3)]
        release.set()
        return await asyncio.gather(first, *others)

    assert asyncio.run(main()) == [True, True, True, True]
    assert batches == [["slack:first"], ["slack:0", "slack:1", "slack:2"]]
    assert [inbox.status_of(f"slack:{n}") for n in range(3)] == ["pending"] * 3


def test_a_failed_write_fails_every_command_of_its_batch_and_the_next_is_stored(engine):
    inbox = SlackInbox(engine)
    real = inbox.accept_many
    calls: list[int] = []

    def failing_once(entries, *, now):
        calls.append(len(entries))
        if len(calls) == 1:
            raise ConnectionError("database unavailable")
        return real(entries, now=now)

    inbox.accept_many = failing_once
    accepts = InboxAccepts(inbox, lambda: T0)

    async def main() -> tuple[BaseException | bool, bool]:
        failed = await asyncio.gather(accepts.store(entry("slack:lost")), return_exceptions=True)
        return failed[0], await accepts.store(entry("slack:later"))

    failed, later = asyncio.run(main())
    assert isinstance(failed, ConnectionError) and later is True
    assert inbox.status_of("slack:lost") is None and inbox.status_of("slack:later") == "pending"


def test_a_row_the_database_refuses_fails_only_its_own_command(engine):
    inbox = SlackInbox(engine)
    real = inbox.accept_many
    entered, release = threading.Event(), threading.Event()
    sizes: list[int] = []

    def held(entries, *, now):
        sizes.append(len(entries))
        if len(sizes) == 1:
            entered.set()
            release.wait(WAIT)
        return real(entries, now=now)

    inbox.accept_many = held
    accepts = InboxAccepts(inbox, lambda: T0)
    # PostgreSQL refuses NUL in text (SQLite stores it): on PostgreSQL that command alone fails.
    poisoned = InboxEntry(key="slack:nul", user_id="ULEAD", channel_id="C1", text="note a\x00b",
                          response_url="http://slack.example/actions/T/R1")

    async def main() -> list[object]:
        first = accepts.store(entry("slack:first"))
        assert await asyncio.to_thread(entered.wait, WAIT)
        others = [accepts.store(entry("slack:a")), accepts.store(poisoned),
                  accepts.store(entry("slack:b"))]
        release.set()
        return await asyncio.gather(first, *others, return_exceptions=True)

    first, a, nul, b = asyncio.run(main())
    assert (first, a, b) == (True, True, True)
    if engine.dialect.name == "postgresql":
        assert isinstance(nul, Exception) and sizes[1:] == [3, 1, 1, 1]
        assert inbox.status_of("slack:nul") is None
    else:
        assert nul is True and sizes[1:] == [3]
    assert inbox.status_of("slack:a") == inbox.status_of("slack:b") == "pending"
