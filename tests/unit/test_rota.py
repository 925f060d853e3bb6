"""The duty rota: turns, handoffs (daylight-saving changes included), layers, overrides, gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.rota import (
    Hours,
    Layer,
    Override,
    Rota,
    Rotation,
    Shift,
    local_instant,
    parse_hours,
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily(members=("UA", "UB"), **kw) -> Rotation:
    kw.setdefault("tz", "Asia/Shanghai")
    return Rotation(members=tuple(members), period="daily", handoff=kw.pop("handoff", time(9)),
                    start=kw.pop("start", date(2026, 1, 5)), **kw)


def test_the_turn_changes_exactly_at_the_handoff_in_the_rotation_zone():
    r = daily()
    # 09:00 Shanghai is 01:00 UTC.
    assert r.holder_at(at(2026, 1, 5, 1, 0)) == "UA"
    assert r.holder_at(at(2026, 1, 6, 0, 59, 59)) == "UA"
    assert r.holder_at(at(2026, 1, 6, 1, 0)) == "UB"
    assert r.holder_at(at(2026, 1, 7, 1, 0)) == "UA"


def test_before_the_first_handoff_of_the_start_day_the_previous_turn_runs():
    r = daily()
    assert r.holder_at(at(2026, 1, 5, 0, 30)) == "UB"  # 08:30 on the start day: the day before


def test_weekly_rotation_hands_over_on_its_weekday():
    r = Rotation(members=("UA", "UB", "UC"), period="weekly", handoff=time(10), tz="UTC",
                 handoff_day=2, start=date(2026, 1, 7))  # Wednesdays
    assert r.holder_at(at(2026, 1, 7, 10)) == "UA"
    assert r.holder_at(at(2026, 1, 14, 9, 59)) == "UA"
    assert r.holder_at(at(2026, 1, 14, 10)) == "UB"
    assert r.holder_at(at(2026, 1, 21, 10)) == "UC"
    assert r.holder_at(at(2026, 1, 28, 10)) == "UA"
    assert r.next_handoff(at(2026, 1, 8)) == at(2026, 1, 14, 10)


def test_handoff_follows_wall_clock_across_spring_forward():
    # New York springs forward on 8 March 2026: 09:00 is 14:00 UTC before, 13:00 UTC after.
    r = daily(tz="America/New_York", start=date(2026, 3, 1))
    assert r.next_handoff(at(2026, 3, 7, 15)) == at(2026, 3, 8, 13)
    assert r.holder_at(at(2026, 3, 8, 12, 59)) == r.holder_at(at(2026, 3, 7, 14))
    assert r.holder_at(at(2026, 3, 8, 13, 0)) != r.holder_at(at(2026, 3, 8, 12, 59))


def test_handoff_in_the_skipped_hour_happens_when_the_clocks_jump():
    # 02:30 does not exist on 8 March 2026 in New York: clocks go 01:59:59 EST -> 03:00 EDT.
    assert local_instant(date(2026, 3, 8), time(2, 30), _ny()) == at(2026, 3, 8, 7, 0)
    r = daily(tz="America/New_York", handoff=time(2, 30), start=date(2026, 3, 1))
    before = r.holder_at(at(2026, 3, 8, 6, 59))
    assert r.holder_at(at(2026, 3, 8, 7, 0)) != before


def test_handoff_in_the_repeated_hour_happens_at_its_first_occurrence_only():
    # 01:30 happens twice on 1 November 2026 in New York (05:30 and 06:30 UTC).
    r = daily(tz="America/New_York", handoff=time(1, 30), start=date(2026, 10, 1))
    first = r.holder_at(at(2026, 11, 1, 5, 29))
    second = r.holder_at(at(2026, 11, 1, 5, 30))
    assert second != first
    # The repeated 01:15 (06:15 UTC, second pass) is still the new turn, not the old one.
    assert r.holder_at(at(2026, 11, 1, 6, 15)) == second
    assert r.holder_at(at(2026, 11, 2, 6, 29)) == second  # 01:29 EST next day
    assert r.holder_at(at(2026, 11, 2, 6, 30)) == first


def test_a_turn_across_fall_back_lasts_25_hours():
    r = daily(tz="Europe/Berlin", start=date(2026, 10, 1))
    begin = r.shift_start(at(2026, 10, 24, 12))[1]
    assert r.next_handoff(at(2026, 10, 24, 12)) - begin == timedelta(hours=25)


def test_overnight_hours_belong_to_the_day_they_start():
    hours = parse_hours("20:00-08:00", ["fri"])
    local = datetime(2026, 1, 9, 21, 0)  # Friday 21:00
    assert hours.covers(local)
    assert hours.covers(datetime(2026, 1, 10, 7, 59))  # Saturday early morning: Friday's night
    assert not hours.covers(datetime(2026, 1, 10, 8, 0))
    assert not hours.covers(datetime(2026, 1, 10, 21, 0))  # Saturday evening: not listed


def test_first_rotation_covering_the_moment_wins_and_the_next_fills_in():
    weekdays = daily(("UA",), tz="UTC", hours=parse_hours("08:00-20:00", ["mon", "tue", "wed", "thu", "fri"]))
    nights = daily(("UN",), tz="UTC")
    rota = Rota(roles={"comms": (Layer("primary", rotations=(weekdays, nights)),)})
    assert rota.holder("comms", at(2026, 1, 5, 10)) == "UA"  # Monday day
    assert rota.holder("comms", at(2026, 1, 5, 21)) == "UN"  # Monday night
    assert rota.holder("comms", at(2026, 1, 10, 10)) == "UN"  # Saturday


def test_the_newest_override_wins_on_its_layer_only():
    rota = Rota(roles={"comms": (Layer("p", rotations=(daily(tz="UTC"),)),
                                 Layer("s", rotations=(daily(("UZ",), tz="UTC"),)))},
                overrides=(Override("comms", "UX", at(2026, 1, 5, 12), at(2026, 1, 5, 20)),
                           Override("comms", "UY", at(2026, 1, 5, 14), at(2026, 1, 5, 16))))
    assert rota.holder("comms", at(2026, 1, 5, 13)) == "UX"
    assert rota.holder("comms", at(2026, 1, 5, 15)) == "UY"
    assert rota.holder("comms", at(2026, 1, 5, 20)) == "UA"  # the end is exclusive
    assert rota.holder("comms", at(2026, 1, 5, 15), layer=1) == "UZ"
    duty = rota.on_duty("comms", at(2026, 1, 5, 15))
    assert duty.override and duty.until == at(2026, 1, 5, 16)


def test_now_and_next_cross_the_handoff():
    rota = Rota(roles={"comms": (Layer("p", rotations=(daily(),)),)})
    now = rota.on_duty("comms", at(2026, 1, 5, 3))
    nxt = rota.next_on_duty("comms", at(2026, 1, 5, 3))
    assert (now.user, now.until) == ("UA", at(2026, 1, 6, 1))
    assert (nxt.user, nxt.start, nxt.until) == ("UB", at(2026, 1, 6, 1), at(2026, 1, 7, 1))


def test_gaps_are_the_uncovered_stretches_exactly():
    weekend_day = daily(("UA",), tz="UTC", hours=parse_hours("08:00-02:00"))
    rota = Rota(roles={"comms": (Layer("p", rotations=(weekend_day,)),)})
    gaps = rota.gaps("comms", at(2026, 1, 10, 0), at(2026, 1, 11, 0))
    assert [(g.start, g.end) for g in gaps] == [(at(2026, 1, 10, 2), at(2026, 1, 10, 8))]


def test_shifts_layer_and_no_member_means_nobody():
    layer = Layer("cal", shifts=(Shift("UC", at(2026, 1, 5, 0), at(2026, 1, 6, 0)),))
    rota = Rota(roles={"legal": (layer,)})
    assert rota.holder("legal", at(2026, 1, 5, 23, 59)) == "UC"
    assert rota.holder("legal", at(2026, 1, 6, 0)) is None
    assert rota.holder("ops", at(2026, 1, 5)) is None


def test_bad_rotation_values_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        Rotation(members=("UA",), tz="Mars/Olympus")
    with pytest.raises(ValueError, match="period"):
        Rotation(members=("UA",), period="hourly")
    with pytest.raises(ValueError, match="member"):
        Rotation(members=())
    assert Hours().covers(datetime(2026, 1, 5, 3))


def _ny():
    from zoneinfo import ZoneInfo
    return ZoneInfo("America/New_York")
