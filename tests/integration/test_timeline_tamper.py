"""A tamper-evident timeline: the runtime role of PostgreSQL can only append; SQLite refuses
INSERT OR REPLACE; and the hash chain names the first event anyone (even a superuser with
the triggers switched off) changed, removed or reordered."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.adapters.db import make_engine, upgrade
from bot.adapters.db.chain import verify_all
from bot.adapters.db.migrate import head_revision
from bot.bootstrap import build_core
from bot.cli import main as cli
from bot.domain.chain import GENESIS
from bot.domain.roles import Actor
from bot.settings import Settings

LEAD = Actor("ULEAD")


def populate(url: str) -> None:
    core = build_core(Settings(database_url=url), migrate=False)
    try:
        core.incidents.declare(title="Courier API down", crisis_type="service_logistics",
                               severity=None, description="", actor=LEAD, roles={})
        core.incidents.add_fact(1, "Courier API answers 500", actor=LEAD)
        core.incidents.add_note(1, "rolled back", actor=LEAD)
        core.incidents.record_impact(1, {"orders": "1200", "revenue": "USD 12000.5"}, actor=LEAD)
    finally:
        core.close()


def superuser_sql(url: str, *statements: str) -> None:
    """What a database superuser can do: switch the append-only triggers off and edit."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            postgres = engine.dialect.name == "postgresql"
            conn.execute(text("ALTER TABLE timeline DISABLE TRIGGER USER" if postgres
                              else "DROP TRIGGER timeline_no_update"))
            if not postgres:
                conn.execute(text("DROP TRIGGER timeline_no_delete"))
            for statement in statements:
                conn.execute(text(statement))
            if postgres:
                conn.execute(text("ALTER TABLE timeline ENABLE TRIGGER USER"))
    finally:
        engine.dispose()


def note_row(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT id FROM timeline WHERE name = 'note.added'")).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def populated(db_url):
    populate(db_url)
    return db_url


def test_an_untouched_timeline_verifies_and_reports_its_head(populated, capsys, monkeypatch):
    (report,) = verify_all(make_engine(populated))
    assert report.intact and report.events >= 4 and report.head != GENESIS
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", populated)
    assert cli(["verify", "INC-1"]) == 0
    assert f"INC-1: intact, {report.events} events, chain head {report.head}" in capsys.readouterr().out


def test_new_events_extend_the_chain(populated):
    (before,) = verify_all(make_engine(populated))
    core = build_core(Settings(database_url=populated), migrate=False)
    try:
        core.incidents.add_note(1, "second note", actor=LEAD)
    finally:
        core.close()
    (after,) = verify_all(make_engine(populated))
    assert after.intact and after.events == before.events + 1 and after.head != before.head


def test_an_edited_event_is_named(populated, capsys, monkeypatch):
    row = note_row(populated)
    payload = ("jsonb_set(payload, '{text}', '\"nothing happened\"')"
               if populated.startswith("postgresql") else "json_set(payload, '$.text', 'nothing happened')")
    superuser_sql(populated, f"UPDATE timeline SET payload = {payload} WHERE id = {row}")
    (report,) = verify_all(make_engine(populated))
    assert not report.intact and report.broken.row_id == row and report.broken.name == "note.added"
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", populated)
    assert cli(["verify"]) == 1
    out = capsys.readouterr().out
    assert f"INC-1: BROKEN at event {report.broken_index} (row id {row}, note.added" in out


def test_a_deleted_event_breaks_the_chain_at_the_next_one(populated):
    row = note_row(populated)
    superuser_sql(populated, f"DELETE FROM timeline WHERE id = {row}")
    (report,) = verify_all(make_engine(populated))
    assert not report.intact and report.broken.row_id > row
    assert report.broken.name == "impact.recorded"


def test_a_rehashed_edit_still_breaks_at_the_next_event(populated):
    """Recomputing the edited event's own hash is not enough: the next one no longer follows."""
    from sqlalchemy.orm import Session

    from bot.adapters.db.chain import stored_events
    from bot.domain.chain import canonical, link

    row = note_row(populated)
    engine = make_engine(populated)
    with Session(engine) as session:
        events = stored_events(session, 1)
    index = [e.row_id for e in events].index(row)
    forged = link(events[index - 1].stored_hash, canonical(
        incident=1, name="note.added", actor="ULEAD", at=events[index].at,
        payload={**events[index].payload, "text": "nothing happened"}))
    payload = ("jsonb_set(payload, '{text}', '\"nothing happened\"')"
               if populated.startswith("postgresql") else "json_set(payload, '$.text', 'nothing happened')")
    superuser_sql(populated, f"UPDATE timeline SET payload = {payload}, chain_hash = '{forged}' "
                             f"WHERE id = {row}")
    (report,) = verify_all(engine)
    assert not report.intact and report.broken.row_id == events[index + 1].row_id


def test_sqlite_refuses_insert_or_replace_over_an_existing_event(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    populate(url)
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        before = conn.execute("SELECT * FROM timeline ORDER BY id").fetchall()
        for verb in ("INSERT OR REPLACE", "REPLACE"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(f"{verb} INTO timeline (id, incident, name, actor, occurred_at, payload) "
                             "VALUES (1, 1, 'incident.declared', 'UX', '2026-01-01 00:00:00', '{}')")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("INSERT INTO timeline (id, incident, name, actor, occurred_at, payload) "
                         "VALUES (1, 1, 'x', 'UX', '2026-01-01 00:00:00', '{}') "
                         "ON CONFLICT(id) DO UPDATE SET actor = 'UX'")
        assert conn.execute("SELECT * FROM timeline ORDER BY id").fetchall() == before


# ------------------------------------------------------------------ PostgreSQL roles


@pytest.fixture
def runtime(pg_server, pg_template):
    """A fresh database owned by the migrating (owner) role, and a runtime role with only
    what `crisisbot db grant-runtime` gives it."""
    from tests.conftest import fresh_pg_database

    owner_url = fresh_pg_database(pg_server, pg_template)
    role = f"crisisbot_rt_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    yield owner_url, role, make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    with admin.connect() as conn:
        database = make_url(owner_url).database
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


@pytest.mark.postgres
def test_the_runtime_role_runs_the_bot_but_cannot_rewrite_the_timeline(runtime, monkeypatch, capsys):
    owner_url, role, runtime_url = runtime
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", owner_url)
    assert cli(["db", "grant-runtime", role]) == 0
    runtime_engine = make_engine(runtime_url)
    # serve's start-up migration finds nothing to do, and needs no more than SELECT for that
    assert upgrade(runtime_engine) == head_revision(runtime_engine)
    runtime_engine.dispose()
    populate(runtime_url)  # the bot's own work: declare, facts, notes, impact
    rows = verify_all(make_engine(owner_url))[0].events
    engine = create_engine(runtime_url)
    refused = [
        "UPDATE timeline SET actor = 'UX'",
        "DELETE FROM timeline",
        "TRUNCATE timeline",
        "ALTER TABLE timeline DISABLE TRIGGER timeline_no_update_delete",
        "ALTER TABLE timeline DISABLE TRIGGER ALL",
        "DROP TRIGGER timeline_no_update_delete ON timeline",
        "ALTER TABLE timeline ADD COLUMN note text",
        "DROP TABLE timeline",
        "DROP FUNCTION timeline_append_only()",
    ]
    try:
        for statement in refused:
            with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.execute(text(statement))
            assert caught.value.orig.sqlstate == "42501", (statement, caught.value)  # insufficient privilege
    finally:
        engine.dispose()
    (report,) = verify_all(make_engine(owner_url))
    assert report.intact and report.events == rows


@pytest.mark.postgres
def test_grant_runtime_refuses_unknown_or_odd_role_names(runtime, monkeypatch, capsys):
    owner_url, _, _ = runtime
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", owner_url)
    assert cli(["db", "grant-runtime", "no_such_role_x"]) == 2
    assert "there is no role" in capsys.readouterr().err
    assert cli(["db", "grant-runtime", 'x"; DROP TABLE timeline; --']) == 2
    assert "not a plain role name" in capsys.readouterr().err


def test_the_migration_chains_events_stored_before_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO incidents (number, title, crisis_type, severity, stage, status, declared_at,"
            " declared_by, open_tasks, updated_at) VALUES (1, 't', 'service_logistics', 'A', "
            "'detect', 'active', '2026-11-20 09:00:00', 'ULEAD', 0, '2026-11-20 09:00:00')"))
        for minute, name in enumerate(["note.added", "fact.added", "note.added"]):
            conn.execute(text(
                "INSERT INTO timeline (incident, name, actor, occurred_at, payload) VALUES "
                f"(1, '{name}', 'ULEAD', '2026-11-20 09:0{minute}:00', '{{\"text\": \"n{minute}\", \"no\": 1.0}}')"))
    upgrade(engine)
    (report,) = verify_all(engine)
    assert report.intact and report.events == 3
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE timeline SET actor = 'UX'"))
    engine.dispose()


def test_the_post_mortem_reports_the_chain_head(populated):
    from bot.bootstrap import build_postmortems

    core = build_core(Settings(database_url=populated), migrate=False)
    try:
        stored = build_postmortems(core).generate(1, by="ULEAD")
    finally:
        core.close()
    (report,) = verify_all(make_engine(populated))
    assert f"the chain head is `{report.head}`" in stored.rendered.markdown
    assert f"crisisbot verify INC-1 --events {report.events}" in stored.rendered.markdown
    assert report.head in stored.rendered.html
    assert f'"chain_head": "{report.head}"' in stored.rendered.json


def test_verify_can_recompute_the_head_a_report_quoted(populated, capsys, monkeypatch):
    (earlier,) = verify_all(make_engine(populated), first=3)
    core = build_core(Settings(database_url=populated), migrate=False)
    try:
        core.incidents.add_note(1, "after the report", actor=LEAD)
    finally:
        core.close()
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", populated)
    assert cli(["verify", "INC-1", "--events", "3"]) == 0
    assert f"INC-1: intact, 3 events, chain head {earlier.head}" in capsys.readouterr().out
    assert cli(["verify", "--events", "3"]) == 2
