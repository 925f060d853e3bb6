"""A clock for tests of real ``crisisbot serve`` processes (restart and replica tests).

When ``CRISISBOT_TEST_CLOCK_FILE`` names a file, ``serve`` reads "now" from it — one ISO-8601
time with its UTC offset, e.g. ``2026-11-20T09:00:00+00:00`` — every time it needs the time, so
a test moves the bot's clock by rewriting the file. Never set it in production: the bot would
stop seeing time pass. Slack request signatures are still checked against the real time.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._last: datetime | None = None

    def __call__(self) -> datetime:
        try:
            text = self.path.read_text(encoding="utf-8").strip()
            now = datetime.fromisoformat(text)
        except (OSError, ValueError):
            # Caught mid-rewrite: keep the last good reading.
            if self._last is None:
                raise
            return self._last
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        self._last = now
        return now

    @staticmethod
    def write(path: Path, now: datetime) -> None:
        """Set the time atomically (write then rename), so a reader never sees half a line."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(now.isoformat(), encoding="utf-8")
        tmp.replace(path)
