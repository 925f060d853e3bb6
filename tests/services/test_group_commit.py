"""Group commit (bot/adapters/db/group_commit.py) on SQLite and PostgreSQL: writes queued
while a batch is written share the next transaction, each caller gets its own result, and a
failing write fails its whole batch — nothing of it is stored."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from bot.adapters.db.group_commit import GroupCommit, WriteBehind
from bot.adapters.db.uow import session_factory


@pytest.fixture
def table(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE gc_probe (k VARCHAR(20) PRIMARY KEY)"))
    return engine


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM gc_probe")).scalar_one()


def test_writes_queued_meanwhile_share_one_transaction(table):
    group = GroupCommit(session_factory(table))
    release, entered = threading.Event(), threading.Event()
    batches: list[int] = []

    def first(session):
        entered.set()
        release.wait(timeout=30)  # hold the batch open while the others queue up
        session.execute(text("INSERT INTO gc_probe VALUES ('first')"))
        return "first"

    results: dict[str, object] = {}
    leader = threading.Thread(target=lambda: results.update(first=group.run(first)))
    leader.start()
    assert entered.wait(timeout=30)

    def write(key: str):
        def insert(session):
            batches.append(len(group._queue))
            session.execute(text("INSERT INTO gc_probe VALUES (:k)"), {"k": key})
            return key.upper()
        return insert

    followers = [threading.Thread(target=lambda k=k: results.update({k: group.run(write(k))}))
                 for k in ("a", "b", "c", "d")]
    for thread in followers:
        thread.start()
    # All four are queued behind the running batch before it is let go.
    assert _wait(lambda: len(group._queue) == 4)
    release.set()
    for thread in (leader, *followers):
        thread.join(timeout=30)
    assert results == {"first": "first", "a": "A", "b": "B", "c": "C", "d": "D"}
    assert _count(table) == 5
    assert batches == [0, 0, 0, 0]  # the four ran in one batch (the queue had been taken whole)


def test_a_failing_write_fails_its_batch_and_stores_nothing_of_it(table):
    group = GroupCommit(session_factory(table))
    group.run(lambda s: s.execute(text("INSERT INTO gc_probe VALUES ('taken')")))
    release, entered = threading.Event(), threading.Event()

    def hold(session):
        entered.set()
        release.wait(timeout=30)

    outcomes: dict[str, str] = {}

    def attempt(name: str, key: str) -> None:
        try:
            group.run(lambda s: s.execute(text("INSERT INTO gc_probe VALUES (:k)"), {"k": key}))
            outcomes[name] = "stored"
        except Exception as exc:  # noqa: BLE001 - the driver's IntegrityError, either engine
            outcomes[name] = exc.__class__.__name__

    leader = threading.Thread(target=group.run, args=(hold,))
    leader.start()
    assert entered.wait(timeout=30)
    threads = [threading.Thread(target=attempt, args=("good", "fresh")),
               threading.Thread(target=attempt, args=("clash", "taken"))]
    for thread in threads:
        thread.start()
    assert _wait(lambda: len(group._queue) == 2)
    release.set()
    for thread in (leader, *threads):
        thread.join(timeout=30)
    assert outcomes == {"good": "IntegrityError", "clash": "IntegrityError"}
    assert _count(table) == 1  # the good write shared the failed transaction: not stored
    group.run(lambda s: s.execute(text("INSERT INTO gc_probe VALUES ('fresh')")))  # and can retry
    assert _count(table) == 2


def test_a_lone_write_is_written_at_once_and_returns_its_result(table):
    group = GroupCommit(session_factory(table))
    assert group.run(lambda s: s.execute(text("INSERT INTO gc_probe VALUES ('x')")).rowcount) == 1
    assert _count(table) == 1


def test_write_behind_a_lone_item_is_written_before_its_caller_returns(table):
    def write(keys):
        with session_factory(table)() as session:
            for key in keys:
                session.execute(text("INSERT INTO gc_probe VALUES (:k)"), {"k": key})
            session.commit()

    behind = WriteBehind(write, what="probes")
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
        with session_factory(table)() as session:
            for key in keys:
                session.execute(text("INSERT INTO gc_probe VALUES (:k)"), {"k": key})
            session.commit()

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
    def write(keys):
        with session_factory(table)() as session:
            for key in keys:
                session.execute(text("INSERT INTO gc_probe VALUES (:k)"), {"k": key})
            session.commit()

    behind = WriteBehind(write, what="probes")
    behind.add("taken")
    behind.add("taken")            # a clash: this batch is lost, and said so
    behind.add("fresh")
    assert _count(table) == 2
    assert "probes: 1 not written (IntegrityError)" in caplog.text


def _wait(condition, timeout: float = 30.0) -> bool:
    done = threading.Event()
    for _ in range(int(timeout * 100)):
        if condition():
            return True
        done.wait(0.01)
    return False
