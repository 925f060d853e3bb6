"""Reminder configuration: the site config's ``reminders:`` section, the environment, the
test clock file."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.reminders import ReminderSettings
from bot.settings import Settings
from bot.siteconfig import parse_site_config
from bot.testclock import FileClock
from tests.conftest import T0


def test_site_config_reminders_section_sets_offsets_and_grace():
    site = parse_site_config({"reminders": {
        "first_statement_before": ["90m", "10m"], "task_due_soon": "1h",
        "regulatory_before": ["12h"], "postmortem_before": "6h", "escalation_grace": "45m",
    }})
    assert site.reminders == ReminderSettings(
        first_statement_before=(timedelta(minutes=90), timedelta(minutes=10)),
        task_due_soon=timedelta(hours=1), regulatory_before=(timedelta(hours=12),),
        postmortem_before=timedelta(hours=6), escalation_grace=timedelta(minutes=45),
    )


def test_site_config_without_reminders_uses_the_defaults():
    assert parse_site_config({}).reminders == ReminderSettings()


@pytest.mark.parametrize("section, message", [
    ({"escalation_grace": "soon"}, "reminders.escalation_grace"),
    ({"first_statement_before": "60m"}, "must be a list"),
    ({"grace": "30m"}, "unknown setting(s) grace"),
    (["30m"], "reminders must be a mapping"),
])
def test_bad_reminder_settings_are_refused_with_the_setting_named(section, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_site_config({"reminders": section})


def test_environment_sets_the_ticker_interval_late_window_and_test_clock(tmp_path):
    settings = Settings.from_env({
        "CRISISBOT_REMINDER_INTERVAL": "2.5", "CRISISBOT_REMINDER_LATE_WITHIN": "90m",
        "CRISISBOT_TEST_CLOCK_FILE": str(tmp_path / "clock"),
    }, dotenv=tmp_path / "none")
    assert settings.reminder_interval == 2.5
    assert settings.reminder_late_within == timedelta(minutes=90)
    assert settings.test_clock_file == tmp_path / "clock"
    defaults = Settings.from_env({}, dotenv=tmp_path / "none")
    assert (defaults.reminder_interval, defaults.reminder_late_within) == (15.0, timedelta(hours=6))
    assert defaults.test_clock_file is None


@pytest.mark.parametrize("name, value", [
    ("CRISISBOT_REMINDER_INTERVAL", "often"), ("CRISISBOT_REMINDER_INTERVAL", "0"),
    ("CRISISBOT_REMINDER_LATE_WITHIN", "a while"),
])
def test_bad_reminder_environment_stops_start_up_with_the_variable_named(tmp_path, name, value):
    with pytest.raises(SystemExit, match=name):
        Settings.from_env({name: value}, dotenv=tmp_path / "none")


def test_file_clock_reads_the_time_a_test_writes(tmp_path):
    path = tmp_path / "clock"
    FileClock.write(path, T0)
    clock = FileClock(path)
    assert clock() == T0
    FileClock.write(path, T0 + timedelta(hours=1))
    assert clock() == T0 + timedelta(hours=1)


def test_a_misspelt_top_level_setting_is_refused_naming_it():
    from bot.siteconfig import parse_site_config

    with pytest.raises(InvalidInput, match="unknown setting.*anounce_channel"):
        parse_site_config({"anounce_channel": "crisis-announce"})
