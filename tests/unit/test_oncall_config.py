"""The ``oncall:`` section: FILE:LINE errors, iCalendar layers with recurrences, the gap report."""

from __future__ import annotations

import io
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.oncall.check import check_config
from bot.adapters.oncall.ical import IcalShifts
from bot.domain.errors import InvalidInput
from bot.oncall_config import coverage_report, load_oncall

GOOD = """\
roster:
  comms: [UCOMMS]
oncall:
  time_zone: Asia/Shanghai
  roles:
    comms:
      - name: primary
        rotations:
          - members: [UAAA, UBBB]
            period: daily
            handoff: "09:00"
            hours: "08:00-02:00"
      - name: secondary
        members: [USEC]
"""


def write(tmp_path, text: str):
    path = tmp_path / "crisisbot.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_valid_rota_is_read_with_its_layers(tmp_path):
    config = load_oncall(write(tmp_path, GOOD))
    assert config.tz == "Asia/Shanghai"
    layers = config.rota.roles["comms"]
    assert [layer.name for layer in layers] == ["primary", "secondary"]
    assert config.rota.holder("comms", datetime(2026, 1, 5, 2, tzinfo=UTC)) == "UAAA"
    assert config.rota.holder("comms", datetime(2026, 1, 5, 2, tzinfo=UTC), layer=1) == "USEC"


@pytest.mark.parametrize("bad, line, words", [
    (GOOD.replace('handoff: "09:00"', 'handoff: "9 o clock"'), 11, "handoff"),
    (GOOD.replace("period: daily", "period: hourly"), 10, "daily or weekly"),
    (GOOD.replace("time_zone: Asia/Shanghai", "time_zone: Asia/Atlantis"), 4, "time zone"),
    (GOOD.replace("    comms:\n", "    coms:\n"), 6, "unknown role"),
    (GOOD.replace("members: [USEC]", "members: []"), 14, "members"),
    (GOOD.replace('hours: "08:00-02:00"', 'hours: "8-2"'), 12, "hours"),
    (GOOD.replace("        members: [USEC]", "        members: [USEC]\n        colour: red"), 15,
     "unknown setting"),
])
def test_each_problem_is_one_line_with_file_and_line(tmp_path, bad, line, words):
    path = write(tmp_path, bad)
    with pytest.raises(InvalidInput) as caught:
        load_oncall(path)
    message = caught.value.message
    assert message.startswith(f"{path}:{line}: oncall"), message
    assert words in message and "\n" not in message


def test_the_gap_report_names_role_day_and_hours(tmp_path):
    config = load_oncall(write(tmp_path, GOOD))
    # A Saturday midnight in Shanghai; nobody from 02:00 to 08:00 each day.
    lines = coverage_report(config, start=datetime(2026, 1, 9, 16, tzinfo=UTC), days=1)
    assert lines == ["no comms lead on duty Sat 02:00–08:00 (Asia/Shanghai)"]


ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//duty//EN
BEGIN:VEVENT
UID:legal-weekly@test
DTSTART;TZID=Europe/Berlin:20260105T090000
DTEND;TZID=Europe/Berlin:20260112T090000
RRULE:FREQ=WEEKLY;INTERVAL=2
EXDATE;TZID=Europe/Berlin:20260119T090000
SUMMARY:Li Na
END:VEVENT
BEGIN:VEVENT
UID:legal-other@test
DTSTART;TZID=Europe/Berlin:20260112T090000
DTEND;TZID=Europe/Berlin:20260119T090000
RRULE:FREQ=WEEKLY;INTERVAL=2
SUMMARY:Duty ULEGAL002
END:VEVENT
END:VCALENDAR
"""


def ical_config(tmp_path):
    (tmp_path / "legal.ics").write_text(ICS.replace("\n", "\r\n"), encoding="utf-8")
    return write(tmp_path, """\
        oncall:
          time_zone: Europe/Berlin
          roles:
            legal:
              - name: primary
                ical: {file: legal.ics}
                people: {"Li Na": ULEGAL001}
        """)


def test_ical_layers_expand_recurrences_and_exceptions(tmp_path):
    config = load_oncall(ical_config(tmp_path))
    shifts = IcalShifts(config).shifts(start=datetime(2026, 1, 1, tzinfo=UTC),
                                       end=datetime(2026, 2, 10, tzinfo=UTC))[("legal", 0)]
    owners = [(s.user, s.start.astimezone(UTC).date().isoformat()) for s in shifts]
    # Every other week Li Na (by name), the other weeks the id in the summary; 19 Jan excluded.
    assert owners == [("ULEGAL001", "2026-01-05"), ("ULEGAL002", "2026-01-12"),
                      ("ULEGAL002", "2026-01-26"), ("ULEGAL001", "2026-02-02"),
                      ("ULEGAL002", "2026-02-09")]
    # 09:00 Berlin in winter is 08:00 UTC.
    assert shifts[0].start == datetime(2026, 1, 5, 8, tzinfo=UTC)


def test_check_reports_the_excluded_week_as_a_gap(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    code = check_config(ical_config(tmp_path), out=out, err=err, days=7,
                        now=datetime(2026, 1, 18, 12, tzinfo=UTC))
    assert code == 0, err.getvalue()
    assert "gap: no legal counsel on duty Mon 09:00–Sun 13:00" in out.getvalue()


def test_check_prints_the_error_and_exits_1(tmp_path):
    path = write(tmp_path, GOOD.replace("period: daily", "period: hourly"))
    out, err = io.StringIO(), io.StringIO()
    assert check_config(path, out=out, err=err) == 1
    assert err.getvalue().startswith(f"{path}:10: oncall.roles.comms[0].rotations[0].period")


def test_a_broken_calendar_is_one_line_naming_the_config_line(tmp_path):
    path = ical_config(tmp_path)
    (tmp_path / "legal.ics").write_text("BEGIN:VCALENDAR\nthis is not ical\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        IcalShifts(load_oncall(path)).shifts(start=datetime(2026, 1, 1, tzinfo=UTC),
                                             end=datetime(2026, 2, 1, tzinfo=UTC))
    assert caught.value.message.startswith(f"{path}:6: the calendar cannot be read")


def test_check_counts_roles_in_english_and_the_example_rota_is_valid(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert check_config(write(tmp_path, GOOD), out=out, err=err) == 0, err.getvalue()
    assert "duty rota valid (1 role)" in out.getvalue()
    # the commented oncall: example of crisisbot.example.yaml, uncommented, is a valid rota
    example = (Path(__file__).resolve().parents[2] / "crisisbot.example.yaml").read_text(encoding="utf-8")
    block = example[example.index("# oncall:"):example.index("# Paging outside")]
    path = write(tmp_path, "\n".join(line[2:] for line in block.splitlines()))
    out = io.StringIO()
    assert check_config(path, out=out, err=err) == 0, err.getvalue()
