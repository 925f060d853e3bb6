"""The SQLite write gate: one transaction at a time in the process, urgent ones first."""

from __future__ import annotations

import threading
import time

from bot.adapters.db.write_gate import WriteGate, urgent

WAIT = 30.0


def _until(predicate) -> bool:
    deadline = time.monotonic() + WAIT
    while not predicate():
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(0.005)
    return True


def test_an_urgent_writer_goes_before_writers_that_waited_longer():
    gate = WriteGate(timeout=WAIT)
    assert gate.acquire()
    order: list[str] = []

    def writer(name: str) -> None:
        assert gate.acquire()
        order.append(name)
        gate.release()

    normal = threading.Thread(target=writer, args=("normal",))
    normal.start()
    assert _until(lambda: gate.waiting == 1)
    def urgent_writer(name: str) -> None:
        with urgent():
            writer(name)

    ack = threading.Thread(target=urgent_writer, args=("urgent",))
    ack.start()
    assert _until(lambda: gate.waiting == 2)
    gate.release()
    normal.join(WAIT)
    ack.join(WAIT)
    assert order == ["urgent", "normal"]


def test_a_writer_that_waited_too_long_goes_ahead_and_leaves_it_to_sqlite():
    gate = WriteGate(timeout=0.05)
    assert gate.acquire()
    with urgent():
        assert gate.acquire() is False  # the holder never released: no deadlock
    gate.release()
    assert gate.acquire()
