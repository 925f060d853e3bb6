"""The command inbox on both engines: stored once per request key, taken over only after
its lease, expired once its response_url is too old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from bot.adapters.db.inbox import InboxEntry, SlackInbox

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def entry(key: str = "slack:abc", text: str = "note hello") -> InboxEntry:
    return InboxEntry(key=key, user_id="ULEAD", channel_id="C1", text=text,
                      response_url="http://slack.example/actions/T/R1")


def test_a_replayed_request_is_stored_once(engine):
    inbox = SlackInbox(engine)
    assert inbox.accept(entry(), now=T0)
    assert not inbox.accept(entry(), now=T0)
    assert inbox.status_of("slack:abc") == "pending"


def test_a_pending_command_is_taken_over_only_after_its_lease(engine):
    inbox = SlackInbox(engine, lease=timedelta(seconds=60))
    inbox.accept(entry(), now=T0)
    assert inbox.claim_due(now=T0 + timedelta(seconds=59)) == ([], 0)
    claimed, expired = inbox.claim_due(now=T0 + timedelta(seconds=61))
    assert claimed == [entry()] and expired == 0
    # Now leased to the claimer: nobody else gets it until that lease runs out too.
    assert inbox.claim_due(now=T0 + timedelta(seconds=62)) == ([], 0)
    inbox.finish("slack:abc", now=T0 + timedelta(seconds=63))
    assert inbox.claim_due(now=T0 + timedelta(minutes=10)) == ([], 0)
    assert inbox.status_of("slack:abc") == "done"


def test_finished_commands_are_pruned_after_a_week_pending_ones_never(engine):
    inbox = SlackInbox(engine)
    inbox.accept(entry("slack:done"), now=T0)
    inbox.accept(entry("slack:open"), now=T0)
    inbox.finish("slack:done", now=T0)
    assert inbox.prune(before=T0) == 0
    assert inbox.prune(before=T0 + timedelta(days=7)) == 1
    assert inbox.status_of("slack:done") is None and inbox.status_of("slack:open") == "pending"


def test_an_abandoned_command_is_never_taken_over(engine):
    inbox = SlackInbox(engine)
    inbox.accept(entry(), now=T0)
    inbox.abandon("slack:abc", now=T0)
    assert inbox.claim_due(now=T0 + timedelta(minutes=5)) == ([], 0)
    assert inbox.status_of("slack:abc") == "abandoned"


def test_a_command_older_than_30_minutes_expires(engine):
    inbox = SlackInbox(engine)
    inbox.accept(entry(), now=T0)
    assert inbox.claim_due(now=T0 + timedelta(minutes=30)) == ([], 1)
    assert inbox.status_of("slack:abc") == "expired"


def test_many_commands_are_stored_with_one_statement_and_replays_are_told_apart(engine):
    inbox = SlackInbox(engine)
    assert inbox.accept(entry("slack:old"), now=T0)
    statements: list[str] = []
    event.listen(inbox.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *rest: statements.append(sql))
    results = inbox.accept_many([entry("slack:a"), entry("slack:old"), entry("slack:b"),
                                 entry("slack:a")], now=T0)
    assert results == [True, False, True, False]   # stored before / twice in one batch: replays
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1
    assert [inbox.status_of(k) for k in ("slack:a", "slack:b")] == ["pending", "pending"]
    claimed, _ = inbox.claim_due(now=T0 + timedelta(minutes=2))
    assert sorted(e.key for e in claimed) == ["slack:a", "slack:b", "slack:old"]
