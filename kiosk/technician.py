"""The technician's PIN gate: the PIN is checked against its scrypt hash; after 5 wrong tries
in a row the gate locks, and every wrong try after a lock doubles the wait. Clock injected."""
from __future__ import annotations

import dataclasses
from typing import Callable

from kiosk.clock import Clock
from kiosk.pin import verify_pin

# The gate's fixed numbers.
MAX_TRIES = 5  # wrong PINs in a row before the first lock
FIRST_LOCK = 30.0  # seconds of the first lock; each lock after it doubles
MAX_LOCK = 3600.0  # the longest lock: an hour (a technician can always restart the kiosk)


@dataclasses.dataclass(frozen=True)
class PinAttempt:
    ok: bool
    locked_for: float = 0.0  # seconds until the next try is accepted (0: not locked)
    tries_left: int = MAX_TRIES  # wrong tries left before a lock


class PinGate:
    """`attempt(pin)` → PinAttempt. A try during a lock is refused without checking the PIN."""

    def __init__(self, pin_hash: str | None, clock: Clock,
                 verify: Callable[[str, str | None], bool] = verify_pin):
        self._hash, self._clock, self._verify = pin_hash, clock, verify
        self._wrong = 0
        self._locks = 0
        self._until = 0.0

    @property
    def configured(self) -> bool:
        return bool(self._hash)

    def locked_for(self) -> float:
        return max(0.0, self._until - self._clock.monotonic())

    def attempt(self, pin: str) -> PinAttempt:
        wait = self.locked_for()
        if wait > 0:
            return PinAttempt(False, wait, 0)
        if self._verify(pin, self._hash):
            self._wrong, self._locks, self._until = 0, 0, 0.0
            return PinAttempt(True)
        self._wrong += 1
        if self._wrong >= MAX_TRIES or self._locks:
            lock = min(MAX_LOCK, FIRST_LOCK * 2 ** self._locks)
            self._locks += 1
            self._until = self._clock.monotonic() + lock
            return PinAttempt(False, lock, 0)
        return PinAttempt(False, 0.0, MAX_TRIES - self._wrong)
