"""The injected clock: real time on a kiosk, a hand-moved clock in tests."""
from __future__ import annotations

import datetime as _dt
import time as _time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def now(self) -> _dt.datetime: ...


class SystemClock:
    def monotonic(self) -> float:
        return _time.monotonic()

    def now(self) -> _dt.datetime:
        return _dt.datetime.now().astimezone()


class FakeClock:
    """A clock that moves only when told (tests)."""

    def __init__(self, start: _dt.datetime | None = None):
        self._mono = 1000.0
        self._now = start or _dt.datetime(2026, 11, 27, 9, 0, tzinfo=_dt.timezone(_dt.timedelta(hours=8)))

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> _dt.datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._mono += seconds
        self._now += _dt.timedelta(seconds=seconds)
