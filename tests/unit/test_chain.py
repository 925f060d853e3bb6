"""The hash chain itself: deterministic, order- and content-sensitive, JSONB-stable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bot.domain.chain import GENESIS, StoredEvent, canonical, link, verify

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def chain(texts: list[str]) -> list[StoredEvent]:
    events, previous = [], GENESIS
    for index, text in enumerate(texts):
        at = T0 + timedelta(minutes=index)
        previous = link(previous, canonical(incident=7, name="note.added", actor="U1", at=at,
                                            payload={"text": text}))
        events.append(StoredEvent(index + 1, 7, "note.added", "U1", at, {"text": text}, previous))
    return events


def test_an_intact_chain_reports_its_head():
    events = chain(["a", "b", "c"])
    report = verify(7, events)
    assert report.intact and report.events == 3 and report.head == events[-1].stored_hash


def test_the_first_changed_event_is_named():
    events = chain(["a", "b", "c"])
    events[1] = StoredEvent(2, 7, "note.added", "U1", events[1].at, {"text": "B"}, events[1].stored_hash)
    report = verify(7, events)
    assert report.broken_index == 2 and report.events == 1 and report.head == events[0].stored_hash


def test_swapping_two_events_breaks_the_chain():
    events = chain(["a", "b", "c"])
    report = verify(7, [events[0], events[2], events[1]])
    assert report.broken_index == 2


def test_an_event_moved_to_another_incident_breaks_the_chain():
    events = chain(["a"])
    assert not verify(8, events).intact


def test_whole_floats_hash_like_integers_and_key_order_does_not_matter():
    one = canonical(incident=1, name="n", actor="a", at=T0, payload={"x": 1.0, "y": [2.0, "z"]})
    two = canonical(incident=1, name="n", actor="a", at=T0, payload={"y": [2, "z"], "x": 1})
    assert one == two


def test_the_time_is_hashed_in_utc():
    local = T0.astimezone(timezone(timedelta(hours=8)))
    assert canonical(incident=1, name="n", actor="a", at=local, payload={}) == canonical(
        incident=1, name="n", actor="a", at=T0, payload={})
