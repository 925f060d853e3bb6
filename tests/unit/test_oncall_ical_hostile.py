"""Hostile duty calendars: a shift repeating every second (millions of occurrences, each
declaration hanging on it) or a huge file is one clear error naming the config line."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bot.adapters.oncall.ical import MAX_CALENDAR_BYTES, IcalShifts
from bot.domain.errors import InvalidInput
from bot.oncall_config import load_oncall
from tests.unit.test_oncall_config import ical_config

FAST = """BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r
UID:bomb@test\r\nDTSTART:20251101T000000Z\r\nDTEND:20251101T000001Z\r
RRULE:FREQ={freq}\r\nSUMMARY:Duty ULEGAL002\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"""


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY;INTERVAL=1"])
def test_a_shift_repeating_every_second_or_minute_is_refused_quickly(tmp_path, freq):
    path = ical_config(tmp_path)
    (tmp_path / "legal.ics").write_text(FAST.format(freq=freq), encoding="utf-8")
    began = time.monotonic()
    with pytest.raises(InvalidInput) as caught:
        IcalShifts(load_oncall(path)).shifts(start=datetime(2026, 11, 28, tzinfo=UTC),
                                             end=datetime(2027, 1, 10, tzinfo=UTC))
    assert time.monotonic() - began < 20  # without the check: minutes to hours
    assert caught.value.message.startswith(f"{path}:6: `Duty ULEGAL002` repeats ")
    assert "hourly at most" in caught.value.message


def test_an_hourly_shift_still_expands(tmp_path):
    path = ical_config(tmp_path)
    (tmp_path / "legal.ics").write_text(FAST.format(freq="HOURLY").replace("2025", "2026"),
                                        encoding="utf-8")
    shifts = IcalShifts(load_oncall(path)).shifts(start=datetime(2026, 11, 28, tzinfo=UTC),
                                                  end=datetime(2026, 11, 29, tzinfo=UTC))
    assert len(shifts[("legal", 0)]) == 24


def test_a_huge_calendar_file_is_refused(tmp_path):
    path = ical_config(tmp_path)
    (tmp_path / "legal.ics").write_bytes(b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"a" * MAX_CALENDAR_BYTES)
    with pytest.raises(InvalidInput) as caught:
        IcalShifts(load_oncall(path)).shifts(start=datetime(2026, 11, 28, tzinfo=UTC),
                                             end=datetime(2026, 11, 29, tzinfo=UTC))
    assert "larger than 5 MiB" in caught.value.message


def test_an_endless_calendar_feed_is_not_buffered(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sent = []

    class Endless(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "text/calendar")
            self.end_headers()
            try:
                for _ in range(4 * MAX_CALENDAR_BYTES // 65536):
                    self.wfile.write(b"X" * 65536)
                    sent.append(65536)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = ical_config(tmp_path)
        text = path.read_text(encoding="utf-8").replace(
            "ical: {file: legal.ics}", f"ical: {{url: 'http://127.0.0.1:{server.server_port}/x.ics'}}")
        path.write_text(text, encoding="utf-8")
        shifts = IcalShifts(load_oncall(path)).shifts(start=datetime(2026, 11, 28, tzinfo=UTC),
                                                      end=datetime(2026, 11, 29, tzinfo=UTC))
        assert shifts == {}  # no calendar (as when the feed is down), nothing held in memory
        assert sum(sent) < 3 * MAX_CALENDAR_BYTES
    finally:
        server.shutdown()
        server.server_close()
