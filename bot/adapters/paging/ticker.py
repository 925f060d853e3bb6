"""Runs the paging service and the outbound worker in the background of ``crisisbot serve``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def start_loop(name: str, step: Callable[[], object], *, wake: threading.Event,
               interval: float) -> tuple[threading.Thread, threading.Event]:
    """Call ``step`` every ``interval`` seconds (or when ``wake`` is set) until stopped."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                step()
            except Exception:
                log.exception("%s pass failed", name)
            wake.wait(interval)
            wake.clear()

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread, stop
