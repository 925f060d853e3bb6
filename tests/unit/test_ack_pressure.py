"""AckPressure: worker threads hold back while Slack requests wait for their ack."""

from __future__ import annotations

import threading

from bot.adapters.slack.workers import AckPressure, KeyedWorkers

WAIT = 30  # generous: the machine is shared


def test_quiet_when_no_request_is_in_flight():
    pressure = AckPressure(max_pause=WAIT)
    assert pressure.in_flight == 0
    assert pressure.wait_quiet() is True  # returns at once: a WAIT-long pause would hang here


def test_a_request_in_flight_holds_workers_until_it_is_done():
    pressure = AckPressure(max_pause=WAIT)
    workers = KeyedWorkers(workers=2, pause=pressure.wait_quiet)
    try:
        with pressure:
            assert pressure.in_flight == 1
            started = threading.Event()
            future = workers.submit("inc:1", started.set)
            # Nothing else can let the job start while the request is in flight, and it has
            # WAIT seconds of pause: it must not have started when we check.
            assert not started.wait(0.2)
        assert future.result(timeout=WAIT) is None  # released by the request's end
        assert started.is_set()
        assert pressure.in_flight == 0
    finally:
        workers.close()


def test_nested_requests_keep_the_pressure_until_the_last_ends():
    pressure = AckPressure(max_pause=0.0)
    with pressure:
        with pressure:
            assert pressure.in_flight == 2
        assert pressure.in_flight == 1
        assert pressure.wait_quiet() is False  # still busy: the pause ran out
    assert pressure.wait_quiet() is True


def test_workers_are_never_held_longer_than_the_pause():
    pressure = AckPressure(max_pause=0.01)
    workers = KeyedWorkers(workers=1, pause=pressure.wait_quiet)
    try:
        with pressure:  # a request that never ends within the test
            futures = [workers.submit("inc:1", lambda i=i: i) for i in range(5)]
            assert [f.result(timeout=WAIT) for f in futures] == list(range(5))
    finally:
        workers.close()
