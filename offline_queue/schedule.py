"""Pure retry arithmetic: the backoff schedule and the per-jurisdiction circuit breaker. Both
take the time from their caller, so tests move a clock instead of sleeping."""
from __future__ import annotations

import math
import random
from typing import Callable

from offline_queue import limits


def _steps_to_cap(base: float, factor: float, cap: float) -> int:
    """How many doublings (factor-fold steps) take the base delay to the cap: beyond that the
    power is never computed, so no attempt count can overflow it (2.0 ** 1024 raises)."""
    if base >= cap or factor <= 1.0:
        return 0
    return math.ceil(math.log(cap / base, factor))


def backoff_delay(attempts: int, *, rand: Callable[[], float] = random.random,
                  retry_after: float | None = None) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: exponential, capped, with jitter
    drawn from [d·(1−J), d]. A server's Retry-After is honoured (up to RETRY_AFTER_CAP) when it
    asks for longer than the schedule. Any count is fine: the exponent is capped before the power."""
    steps = min(max(1, attempts) - 1, _steps_to_cap(limits.BACKOFF_BASE, limits.BACKOFF_FACTOR, limits.BACKOFF_CAP))
    d = min(limits.BACKOFF_CAP, limits.BACKOFF_BASE * limits.BACKOFF_FACTOR ** steps)
    d = d * (1.0 - limits.BACKOFF_JITTER * rand())
    if retry_after is not None and retry_after > 0:
        d = max(d, min(retry_after, limits.RETRY_AFTER_CAP))
    return d


class Breaker:
    """One jurisdiction's circuit breaker: closed → (N consecutive transient failures) → open for
    a cooldown → half-open (one probe) → closed on success, open again (longer) on failure."""

    def __init__(self, *, failures: int = limits.BREAKER_FAILURES, cooldown: float = limits.BREAKER_COOLDOWN,
                 cooldown_cap: float = limits.BREAKER_COOLDOWN_CAP):
        self.threshold, self.base_cooldown, self.cooldown_cap = failures, cooldown, cooldown_cap
        self.failures = 0
        self.opened_at: float | None = None
        self.cooldown = cooldown
        self.probing = False

    def state(self, now: float) -> str:
        if self.opened_at is None:
            return "closed"
        if self.probing:
            return "half_open"
        return "half_open" if now >= self.opened_at + self.cooldown else "open"

    def allow(self, now: float) -> bool:
        """May an item of this jurisdiction be sent now? In half-open, one probe at a time."""
        st = self.state(now)
        if st == "closed":
            return True
        if st == "half_open" and not self.probing:
            self.probing = True
            return True
        return False

    def reopens_at(self) -> float | None:
        return None if self.opened_at is None else self.opened_at + self.cooldown

    def success(self) -> None:
        self.failures, self.opened_at, self.probing, self.cooldown = 0, None, False, self.base_cooldown

    def failure(self, now: float) -> None:
        self.failures += 1
        if self.probing:  # the probe failed: stay open, longer
            self.probing = False
            self.cooldown = min(self.cooldown * 2, self.cooldown_cap)
            self.opened_at = now
        elif self.opened_at is None and self.failures >= self.threshold:
            self.opened_at = now

    def reset(self) -> None:
        """The network came back: let traffic through at once."""
        self.success()
