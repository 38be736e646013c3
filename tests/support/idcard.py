"""Shared fixtures for the ID-card tests: the pty twin, the real reader on it with fast timings,
and an event log that tests wait on (a condition, never a sleep)."""
from __future__ import annotations

import threading

import pytest

from drivers.idcard.reader import IdCardReader
from drivers.idcard.timings import Timings
from drivers.idcard.twin import IdReaderTwin

# Small timeouts only where real I/O must time out (a muted or slow twin); backoff kept short.
FAST = Timings(command_timeout=0.3, read_timeout=0.4, poll_interval=0.005, present_poll_interval=0.01,
               removed_after_misses=2, read_retries=2, fault_after_failures=3,
               reconnect_first=0.01, reconnect_max=0.05)
WAIT = 10.0  # generous bound for a condition that normally holds within milliseconds


class EventLog:
    """Collects driver events (any thread); `wait_for(kind)` returns the first matching event."""

    def __init__(self) -> None:
        self.events: list = []
        self._cv = threading.Condition()

    def __call__(self, ev) -> None:
        with self._cv:
            self.events.append(ev)
            self._cv.notify_all()

    def of(self, kind: str, **match) -> list:
        with self._cv:
            return [e for e in self.events if type(e).__name__ == kind
                    and all(getattr(e, k) == v for k, v in match.items())]

    def wait_for(self, kind: str, timeout: float = WAIT, count: int = 1, **match):
        with self._cv:
            ok = self._cv.wait_for(lambda: len(self.of(kind, **match)) >= count, timeout)
        if not ok:
            raise AssertionError(f"no {kind} {match or ''} within {timeout} s; got {self.events}")
        return self.of(kind, **match)[count - 1]

    def clear(self) -> None:
        with self._cv:
            self.events.clear()


@pytest.fixture
def twin():
    t = IdReaderTwin(swap_gap=0.05)  # > removed_after_misses x FAST.present_poll_interval
    t.start()
    yield t
    t.stop()


@pytest.fixture
def reader_on(twin):
    """reader_on(**opts) → (reader, events): the real reader on the twin, started, stopped after."""
    made = []

    def make(timings: Timings = FAST, **opts):
        log = EventLog()
        r = IdCardReader(twin.path, on_event=log, timings=timings, **opts)
        r.start()
        made.append(r)
        log.wait_for("StateChanged", code="ready")
        return r, log

    yield make
    for r in made:
        r.stop()
