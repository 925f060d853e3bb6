"""No acknowledged command is lost: `kill -9` between the ack and the commit, then a restart
finishes the command and answers it through its response_url."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from bot.bootstrap import build_core
from bot.settings import Settings
from bot.testclock import FileClock
from tests.integration.processes import ServeProcess, free_port
from tests.integration.test_command_inbox import eventually
from tests.resilience.test_crash_restart import wait_for_card

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def inbox(pg_url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                text("SELECT text, status, response_url FROM slack_inbox ORDER BY id"))]
    finally:
        engine.dispose()


def inbox_status(pg_url: str) -> list[tuple[str, str]]:
    return [(t, status) for t, status, _ in inbox(pg_url)]


def notes_of_inc_1(pg_url: str) -> list[str]:
    core = build_core(Settings(database_url=pg_url), migrate=False)
    try:
        return [e.text for e in core.incidents.timeline(1) if e.name == "note.added"]
    finally:
        core.close()


def crash_after_the_ack(site, pg_url: str, clock_file, note: str):
    """Declare INC-1 in a real ``crisisbot serve``, then send ``/crisis note`` while the
    incident's row is locked, so the command is stored and acknowledged but not run, and
    ``kill -9`` the process. Returns the env, port and driver for a restart."""
    FileClock.write(clock_file, T0)
    env = site.env(pg_url, CRISISBOT_TEST_CLOCK_FILE=str(clock_file))
    port = free_port()
    first = ServeProcess(env, port)
    driver = site.driver(f"http://127.0.0.1:{port}")
    locker = create_engine(pg_url)
    try:
        reply = driver.replied(lambda: driver.command(
            "declare Courier API down sev:S type:service_logistics", user="ULEAD", channel=site.general))
        assert reply.status_code == 200
        channel = wait_for_card(site, "inc-1-courier-api-down")
        # Hold the incident's row lock: the command is stored and acknowledged, then its
        # handler waits on the lock until the process is killed.
        with locker.connect() as conn:
            conn.execute(text("SELECT number FROM incidents WHERE number = 1 FOR UPDATE"))
            ack = driver.command(f"note {note}", user="ULEAD", channel=channel)
            assert ack.status_code == 200 and not ack.content  # acknowledged to Slack
            assert [row[1] for row in inbox(pg_url) if row[0] == f"note {note}"] == ["pending"]
            first.kill9()
            conn.rollback()
    finally:
        first.stop()
        locker.dispose()
    return env, port, driver


def test_kill_9_after_the_ack_and_before_the_commit_loses_nothing(site, pg_url, tmp_path):
    clock_file = tmp_path / "clock.txt"
    env, port, driver = crash_after_the_ack(site, pg_url, clock_file, "survived the crash")
    assert notes_of_inc_1(pg_url) == []
    (response_url,) = [url for t, _, url in inbox(pg_url) if t == "note survived the crash"]

    FileClock.write(clock_file, T0 + timedelta(minutes=2))  # past the dead process's lease
    second = ServeProcess(env, port)
    try:
        def answered() -> list[dict]:
            return [p for p in site.emulator.response_url_posts()
                    if p["url"] == response_url and p["status"] == 200]

        assert site.emulator.wait_for(lambda: answered(), timeout=60), "".join(second.log)
        assert ":white_check_mark:" in answered()[0]["payload"]["text"]
        assert eventually(lambda: ("note survived the crash", "done") in inbox_status(pg_url))
    finally:
        driver.close()
        second.stop()
    assert notes_of_inc_1(pg_url) == ["survived the crash"]


def test_a_command_older_than_its_response_url_is_marked_expired_not_run(site, pg_url, tmp_path):
    clock_file = tmp_path / "clock.txt"
    env, port, driver = crash_after_the_ack(site, pg_url, clock_file, "too late")
    FileClock.write(clock_file, T0 + timedelta(minutes=31))
    second = ServeProcess(env, port)
    try:
        assert eventually(lambda: ("note too late", "expired") in inbox_status(pg_url))
    finally:
        driver.close()
        second.stop()
    assert notes_of_inc_1(pg_url) == []
