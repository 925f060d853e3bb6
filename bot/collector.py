"""The cyclic garbage collector during ``crisisbot serve``'s start-up.

Importing the bot creates some 130,000 objects that live as long as the process (modules,
classes, functions, tables) and almost no garbage (about 2,000 objects in cycles). Each
automatic collection walks all of them again: measured, a third of a second of CPU in a
start-up of two to three, with nothing to free (SPEC P5, start-up to ready). So the
collector is paused while the application is imported, and what the import made is then
moved to the permanent generation (:func:`gc.freeze`), where later full collections do not
walk it either (shorter pauses while serving). The collector runs as usual afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
