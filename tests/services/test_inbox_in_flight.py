"""A command still queued in this process's worker pool is not run a second time by the
inbox sweeper when its lease runs out; one no longer in flight is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters.db.inbox import InboxEntry, SlackInbox
from bot.adapters.slack.handlers import Reply
from bot.adapters.slack.inbox import InboxSweeper
from bot.adapters.slack.workers import InFlight

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Handler:
    """Records what the sweeper runs (the sweeper's own tests use the real handler)."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def handle(self, command, *, user_id, channel_id, key=None) -> Reply:
        self.ran.append(key)
        return Reply("done")


def test_the_sweeper_skips_commands_still_in_flight(engine):
    inbox = SlackInbox(engine, lease=timedelta(seconds=60))
    for key in ("slack:queued", "slack:lost"):
        inbox.accept(InboxEntry(key=key, user_id="ULEAD", channel_id="C1", text="note hi",
                                response_url="http://slack.example/actions/T/R1"), now=T0)
    in_flight = InFlight()
    in_flight.add("slack:queued")
    handler, posted = Handler(), []
    now = [T0 + timedelta(seconds=61)]
    sweeper = InboxSweeper(inbox=inbox, handler=handler, clock=lambda: now[0], in_flight=in_flight,
                           post=lambda url, body: posted.append(body) or 200)
    assert sweeper.sweep() == 1
    assert handler.ran == ["slack:lost"]
    assert inbox.status_of("slack:queued") == "pending"
    # Once it has left this process unanswered (a crash of its worker), the next sweep runs it.
    in_flight.discard("slack:queued")
    now[0] += timedelta(seconds=61)
    assert sweeper.sweep() == 1
    assert handler.ran == ["slack:lost", "slack:queued"]
    assert inbox.status_of("slack:queued") == "done"
