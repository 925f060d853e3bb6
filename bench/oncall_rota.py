"""Duty-rota lookups: who holds a role at a moment, the next holder, a week's coverage gaps.

    python bench/oncall_rota.py

Prints microseconds per holder lookup and milliseconds for ``next_on_duty`` and a 7-day gap
scan of a two-rotation layer (weekly New York with hours, weekend UTC), across a DST change.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from bot.domain.rota import Layer, Rota, Rotation, parse_hours


def main() -> None:
    rota = Rota(roles={"comms": (Layer("primary", rotations=(
        Rotation(members=("UA", "UB", "UC"), period="weekly", handoff=clock(9),
                 tz="America/New_York", hours=parse_hours("08:00-02:00")),
        Rotation(members=("UN",), period="daily", tz="UTC", hours=parse_hours("", ["sat", "sun"])),
    )),)})
    now = datetime(2026, 3, 5, tzinfo=UTC)  # New York changes clocks on 8 March
    n = 10_000
    started = time.perf_counter()
    for i in range(n):
        rota.holder("comms", now + timedelta(minutes=7 * i))
    per_lookup = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    gaps = rota.gaps("comms", now, now + timedelta(days=7))
    gap_ms = (time.perf_counter() - started) * 1e3
    started = time.perf_counter()
    rota.next_on_duty("comms", now)
    next_ms = (time.perf_counter() - started) * 1e3
    print(f"holder: {per_lookup:.1f} us/lookup · next_on_duty: {next_ms:.1f} ms · "
          f"7-day gap scan: {gap_ms:.1f} ms ({len(gaps)} gaps)")


if __name__ == "__main__":
    main()
