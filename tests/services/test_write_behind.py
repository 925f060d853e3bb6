"""WriteBehind (bot/adapters/db/write_behind.py) on SQLite and PostgreSQL: a lone item is
written before its caller returns, items added during a write go in the next batch without
their callers waiting, a failed batch is logged and the next one still written."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from bot.adapters.db.uow import session_factory
from bot.adapters.db.write_behind import WriteBehind


@pytest.fixture
def table(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE gc_probe (k VARCHAR(20) PRIMARY KEY)"))
    return engine


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM gc_probe")).scalar_one()


def _insert(engine, keys) -> None:
    """The write under test: every key of the batch in one transaction."""
    with session_factory(engine)() as session:
        for key in keys:
            session.execute(text("INSERT INTO gc_probe VALUES (:k)"), {"k": key})
        session.commit()


def test_write_behind_a_lone_item_is_written_before_its_caller_returns(table):
    behind = WriteBehind(lambda keys: _insert(table, keys), what="probes")
    behind.add("alone")
    assert _count(table) == 1


def test_write_behind_items_added_during_a_write_go_in_one_batch_without_waiting(table):
    release, entered = threading.Event(), threading.Event()
    batches: list[list[str]] = []

    def write(keys):
        batches.append(list(keys))
        if keys == ["first"]:
            entered.set()
            release.wait(timeout=30)  # hold the first batch while the others arrive
        _insert(table, keys)

    behind = WriteBehind(write, what="probes")
    writer = threading.Thread(target=behind.add, args=("first",))
    writer.start()
    assert entered.wait(timeout=30)
    for key in ("a", "b", "c"):
        behind.add(key)           # returns at once: the running writer takes them next
    assert batches == [["first"]]
    release.set()
    writer.join(timeout=30)
    assert batches == [["first"], ["a", "b", "c"]]
    assert _count(table) == 4


def test_write_behind_a_failed_batch_is_logged_and_the_next_one_still_written(table, caplog):
    behind = WriteBehind(lambda keys: _insert(table, keys), what="probes")
    behind.add("taken")
    behind.add("taken")            # a clash: this batch is lost, and said so
    behind.add("fresh")
    assert _count(table) == 2
    assert "probes: 1 not written (IntegrityError)" in caplog.text


def test_write_behind_then_runs_after_the_write_that_held_the_item_even_a_failed_one(table):
    order: list[str] = []

    def write(keys):
        order.append(f"write {keys}")
        if "bad" in keys:
            raise ValueError("refused")

    behind = WriteBehind(write, what="probes")
    behind.add("ok", then=lambda: order.append("then ok"))
    behind.add("bad", then=lambda: order.append("then bad"))
    assert order == ["write ['ok']", "then ok", "write ['bad']", "then bad"]
