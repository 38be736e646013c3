"""The life cycle both card readers share: one worker thread, a state code a technician sees,
and events to one listener whose bugs must not kill the reader."""
from __future__ import annotations

import logging
import threading
from typing import Callable, Protocol


class _State(Protocol):
    code: str
    detail: str


class ReaderLoop:
    """Subclasses implement `_run` (the thread's body, until `self._stop` is set) and may extend
    `_interrupt` (wake a blocking wait) and `_close` (release the device after the thread ended).
    `state_type(code, detail)` is the driver's own StateChanged event."""

    def __init__(self, name: str, thread_name: str, log: logging.Logger, state_type: Callable[..., _State],
                 on_event: Callable[[object], None] | None):
        self._name, self._thread_name, self._log, self._state_type = name, thread_name, log, state_type
        self._on_event = on_event or (lambda e: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = state_type("stopped")

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._interrupt()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close()
        self._set_state("stopped")

    @property
    def state(self) -> _State:
        return self._state

    def _run(self) -> None:
        raise NotImplementedError

    def _interrupt(self) -> None:
        """Called by stop() before joining: cut short a wait the thread may be blocked in."""

    def _close(self) -> None:
        """Called by stop() once the thread has ended."""

    def _emit(self, ev: object) -> None:
        try:
            self._on_event(ev)
        except Exception:  # a listener's bug must not kill the reader
            self._log.exception("%s: event listener failed on %s", self._name, type(ev).__name__)

    def _set_state(self, code: str, detail: str = "") -> None:
        if (code, detail) != (self._state.code, self._state.detail):
            self._state = self._state_type(code, detail)
            if code in ("offline", "fault"):
                self._log.warning("%s: %s: %s", self._name, code, detail)
            self._emit(self._state)
