"""The collector pause around post-mortem builds and renderings (bot/collector.py)."""

from __future__ import annotations

import gc
import threading

import pytest

from bot.adapters.rendering.postmortem.markdown import render_markdown
from bot.collector import collector_paused, without_collector_pauses
from tests.postmortem.timelines import TimelineBuilder


@pytest.fixture(autouse=True)
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_paused_inside_and_resumes_after_even_on_error():
    seen = []

    @without_collector_pauses
    def build() -> None:
        seen.append(gc.isenabled())
        raise ValueError("broken input")

    with pytest.raises(ValueError):
        build()
    assert seen == [False]
    assert gc.isenabled()


def test_nested_pauses_resume_only_when_the_outermost_ends():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_threads_resume_when_the_last_one_leaves():
    first_in, first_may_leave = threading.Event(), threading.Event()
    states: dict[str, bool] = {}

    def first() -> None:
        with collector_paused():
            first_in.set()
            first_may_leave.wait(30)
        states["after_first_left"] = gc.isenabled()  # the second is still inside

    def second() -> None:
        first_in.wait(30)
        with collector_paused():
            first_may_leave.set()
            worker.join(30)  # the first has left while this one is still inside
            states["inside_second"] = gc.isenabled()

    worker = threading.Thread(target=first)
    other = threading.Thread(target=second)
    worker.start()
    other.start()
    other.join(30)
    assert states == {"after_first_left": False, "inside_second": False}
    assert gc.isenabled()


def test_a_rendering_leaves_the_collector_as_it_found_it(report_of):
    report = report_of(TimelineBuilder().add(30, "note.added", text="hello").build())
    assert "hello" in render_markdown(report)
    assert gc.isenabled()
