"""Runs a slow use case (network, printer, scanner) off the main thread and hands the result back
on it. A result that arrives after the resident left (the journey changed) is dropped."""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)


class Worker:
    """One per app. `journey` moves on at every wipe; a late result of an older journey is dropped."""

    def __init__(self) -> None:
        self.journey = 0
        self._busy = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def new_journey(self) -> None:
        self.journey += 1

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        journey = self.journey
        with self._lock:
            self._busy += 1

        def finish(cb, value):
            def on_main(_dt):
                with self._lock:
                    self._busy -= 1
                if journey == self.journey:
                    cb(value)
            Clock.schedule_once(on_main, 0)

        def work():
            try:
                value = fn()
            except BaseException as e:  # handed to the screen, which says it in words
                log.warning("background task failed: %s: %s", type(e).__name__, e)
                finish(on_error, e)
            else:
                finish(on_done, value)

        threading.Thread(target=work, daemon=True, name="kiosk-worker").start()
