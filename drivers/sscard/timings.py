"""Every delay and timeout of the social security card reader, in one place."""
from __future__ import annotations

import dataclasses

from drivers.backoff import doubling


@dataclasses.dataclass(frozen=True)
class Timings:
    # SCardGetStatusChange returns on any change at once; this bound only keeps stop() and a
    # dead pcscd noticed promptly (stop() also cancels the wait).
    status_wait: float = 0.5
    # pcscd gone or no reader yet: first retry delay, doubling up to the cap.
    reconnect_first: float = 0.2
    reconnect_max: float = 5.0
    # Whole-card read attempts when the answers stop making sense (a reset under us).
    read_attempts: int = 2


DEFAULT = Timings()


def backoff(attempt: int, t: Timings = DEFAULT) -> float:
    return doubling(attempt, t.reconnect_first, t.reconnect_max)
