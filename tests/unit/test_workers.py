"""The keyed worker pool: serial per key, concurrent across keys, bounded, urgent first."""

from __future__ import annotations

import threading

import pytest

from bot.adapters.slack.workers import KeyedWorkers

WAIT = 30  # generous: the machine is shared


@pytest.fixture
def pool():
    made: list[KeyedWorkers] = []

    def make(**kwargs) -> KeyedWorkers:
        made.append(KeyedWorkers(**kwargs))
        return made[-1]

    yield make
    for p in made:
        p.close()


def test_jobs_of_one_key_run_in_submission_order(pool):
    workers = pool(workers=4)
    seen: list[int] = []
    futures = [workers.submit("inc:1", lambda i=i: seen.append(i)) for i in range(200)]
    for f in futures:
        f.result(timeout=WAIT)
    assert seen == list(range(200))


def test_one_key_never_runs_twice_at_once(pool):
    workers = pool(workers=4)
    inside, overlaps = [0], []
    lock = threading.Lock()

    def job() -> None:
        with lock:
            inside[0] += 1
            overlaps.append(inside[0])
        with lock:
            inside[0] -= 1

    for f in [workers.submit("inc:2", job) for _ in range(100)]:
        f.result(timeout=WAIT)
    assert max(overlaps) == 1


def test_different_keys_run_concurrently(pool):
    workers = pool(workers=2)
    other_ran = threading.Event()
    first = workers.submit("inc:1", lambda: other_ran.wait(WAIT))
    workers.submit("inc:2", other_ran.set)
    assert first.result(timeout=WAIT) is True  # inc:1 waited for inc:2, which was not blocked


def test_a_full_pool_refuses_work_and_errors_reach_the_future(pool):
    workers = pool(workers=1, capacity=3)
    release = threading.Event()
    started = threading.Event()
    workers.submit("a", lambda: (started.set(), release.wait(WAIT)))
    assert started.wait(WAIT)
    queued = [workers.submit(f"k{i}", lambda: 1 / 0) for i in range(3)]
    assert all(queued) and workers.waiting == 3
    assert workers.submit("one-more", lambda: None) is None
    release.set()
    with pytest.raises(ZeroDivisionError):
        queued[0].result(timeout=WAIT)


def test_urgent_work_starts_before_background_work(pool):
    workers = pool(workers=1)
    release, started = threading.Event(), threading.Event()
    order: list[str] = []
    workers.submit("a", lambda: (started.set(), release.wait(WAIT)))
    assert started.wait(WAIT)
    home = workers.submit("home", lambda: order.append("home"), urgent=False)
    command = workers.submit("inc:1", lambda: order.append("command"))
    release.set()
    home.result(timeout=WAIT)
    command.result(timeout=WAIT)
    assert order == ["command", "home"]


def test_closing_drops_work_not_started_and_lets_running_work_finish(pool):
    workers = pool(workers=1)
    release, started = threading.Event(), threading.Event()
    running = workers.submit("a", lambda: (started.set(), release.wait(WAIT))[1])
    assert started.wait(WAIT)
    queued = [workers.submit("a", lambda: "late"), workers.submit("b", lambda: "late")]
    assert workers.close(wait=False) == 2
    assert all(f.cancelled() for f in queued)
    assert workers.submit("c", lambda: None) is None
    release.set()
    assert running.result(timeout=WAIT) is True


def test_a_job_keeps_the_submitters_log_fields_and_its_own_binds_do_not_leak(pool):
    from bot.logs import bind_log_context, current_context, log_context

    workers = pool(workers=1)
    with log_context(request_id="r-1"):
        seen_first = workers.submit(None, lambda: (bind_log_context(incident="INC-7"),
                                                   current_context())[1]).result(timeout=WAIT)
    seen_second = workers.submit(None, current_context).result(timeout=WAIT)
    assert seen_first == {"request_id": "r-1", "incident": "INC-7"}
    assert seen_second == {}  # same thread, nothing left over from the first job


def test_items_queued_behind_each_other_run_together_in_order(pool):
    workers = pool(workers=2, max_batch=4)
    gate, calls = threading.Event(), []

    def together(items: list[int]) -> list[int]:
        gate.wait(WAIT)
        calls.append(list(items))
        return [item * 10 for item in items]

    futures = [workers.submit("inc:1", i, together=together) for i in range(9)]
    plain = workers.submit("inc:1", lambda: calls.append("plain"))
    futures.append(workers.submit("inc:1", 9, together=together))
    gate.set()
    assert [f.result(timeout=WAIT) for f in futures] == [i * 10 for i in range(10)]
    plain.result(timeout=WAIT)
    # At most four at a time (whatever was queued when a worker took the first); a plain job
    # ends a batch, and everything ran in submission order.
    assert any(len(call) > 1 for call in calls if call != "plain")
    assert [i for call in calls if call != "plain" for i in call] == list(range(10))
    assert calls.index("plain") == len(calls) - 2 and calls[-1] == [9]
    assert all(len(call) <= 4 for call in calls if call != "plain")
    assert workers.waiting == 0


def test_a_failing_batch_fails_each_of_its_items(pool):
    workers = pool(workers=1)
    gate = threading.Event()
    first = workers.submit("inc:1", lambda: gate.wait(WAIT))

    def together(items: list[str]) -> list[str]:
        raise ValueError("database gone")

    futures = [workers.submit("inc:1", f"item {i}", together=together) for i in range(3)]
    gate.set()
    first.result(timeout=WAIT)
    for future in futures:
        with pytest.raises(ValueError, match="database gone"):
            future.result(timeout=WAIT)
