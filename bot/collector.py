"""The cyclic garbage collector, paused where it only costs time.

At start-up: importing the bot creates some 130,000 objects that live as long as the process (modules,
classes, functions, tables) and almost no garbage (about 2,000 objects in cycles). Each
automatic collection walks all of them again: measured, a third of a second of CPU in a
start-up of two to three, with nothing to free (SPEC P5, start-up to ready). So the
collector is paused while the application is imported, and what the import made is then
moved to the permanent generation (:func:`gc.freeze`), where later full collections do not
walk it either (shorter pauses while serving). The collector runs as usual afterwards.

Around big builds (:func:`collector_paused`, :func:`without_collector_pauses`): while a
post-mortem's records are loaded, and while it is built or rendered. A report of 10,000 timeline events allocates a few hundred thousand container objects that
stay alive until it is rendered (records, timeline rows, their readable copies). Each burst
makes the collector run full collections over the whole heap of the bot (pandas, matplotlib,
SQLAlchemy, Slack clients: hundreds of thousands of objects), several per report, which cost
about a third of the rendering time. None of this is cyclic garbage worth finding mid-way:
reference counting frees it as usual; the collector resumes when the outermost build or
rendering ends (whatever cycles a chart figure leaves are collected then).

Thread-safe and re-entrant: the collector is disabled by the first caller in and enabled
again by the last one out, and only if it was enabled to begin with.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar


@contextmanager
def paused_for_startup() -> Iterator[None]:
    """Pause automatic collections inside the block; then freeze what exists and resume
    (unless the collector was already off, which is left as it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


_P = ParamSpec("_P")
_R = TypeVar("_R")

_lock = threading.Lock()
_inside = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _inside, _resume
    with _lock:
        if _inside == 0:
            _resume = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _resume:
                gc.enable()


def without_collector_pauses(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` with the collector paused (see the module's docstring)."""

    @functools.wraps(func)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with collector_paused():
            return func(*args, **kwargs)

    return paused
