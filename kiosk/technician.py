"""The technician's PIN gate: the PIN is checked against its scrypt hash; after 5 wrong tries
in a row the gate locks, and every wrong try after a lock doubles the wait. Clock injected.

The count and the lock survive a restart: with `state_path` (the app uses <data>/technician-pin.json)
they are written after every wrong try and every success, atomically (temporary file, fsync,
rename) and 0600. Pulling the plug does not reset the lockout. A state file that cannot be read
(damaged, foreign) fails closed: the gate starts locked for FIRST_LOCK. The lock's end is kept as
wall-clock time; after a restart the wait left is never more than the lock's own length, so a
clock set back cannot lock the technician out for longer."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
from typing import Callable

from kiosk.clock import Clock
from kiosk.files import write_atomically
from kiosk.pin import hash_problem, verify_pin

log = logging.getLogger(__name__)

# The gate's fixed numbers.
MAX_TRIES = 5  # wrong PINs in a row before the first lock
FIRST_LOCK = 30.0  # seconds of the first lock; each lock after it doubles
MAX_LOCK = 3600.0  # the longest lock: an hour
STATE_FILE = "technician-pin.json"  # in the data folder
_STATE_MAX = 4096  # bytes: the state is ~80


@dataclasses.dataclass(frozen=True)
class PinAttempt:
    ok: bool
    locked_for: float = 0.0  # seconds until the next try is accepted (0: not locked)
    tries_left: int = MAX_TRIES  # wrong tries left before a lock
    problem: str = ""  # why no PIN can open the gate (an outdated hash): shown, not counted


class PinGate:
    """`attempt(pin)` → PinAttempt. A try during a lock is refused without checking the PIN."""

    def __init__(self, pin_hash: str | None, clock: Clock,
                 verify: Callable[[str, str | None], bool] = verify_pin, *, state_path: str | None = None):
        self._hash, self._clock, self._verify = pin_hash, clock, verify
        self._state_path = state_path
        self._wrong = 0
        self._locks = 0
        self._until = 0.0  # on the monotonic clock
        self._lock_len = 0.0
        if state_path:
            self._load()

    @property
    def configured(self) -> bool:
        return bool(self._hash)

    @property
    def problem(self) -> str:
        """Why the configured hash cannot be used ("" when it can, or when none is set)."""
        if not self._hash or self._verify is not verify_pin:
            return ""
        return hash_problem(self._hash) or ""

    def locked_for(self) -> float:
        return max(0.0, self._until - self._clock.monotonic())

    def attempt(self, pin: str) -> PinAttempt:
        wait = self.locked_for()
        if wait > 0:
            return PinAttempt(False, wait, 0)
        if self.problem:  # no PIN can open it: not a wrong try, and no scrypt at a forged cost
            return PinAttempt(False, 0.0, MAX_TRIES - self._wrong, problem=self.problem)
        if self._verify(pin, self._hash):
            self._wrong, self._locks, self._until, self._lock_len = 0, 0, 0.0, 0.0
            self._save()
            return PinAttempt(True)
        self._wrong += 1
        if self._wrong >= MAX_TRIES or self._locks:
            lock = min(MAX_LOCK, FIRST_LOCK * 2 ** min(self._locks, 16))
            self._locks += 1
            self._until = self._clock.monotonic() + lock
            self._lock_len = lock
            self._save()
            return PinAttempt(False, lock, 0)
        self._save()
        return PinAttempt(False, 0.0, MAX_TRIES - self._wrong)

    # ---- the state on disk ------------------------------------------------------------------
    def _wall(self) -> float:
        return self._clock.now().timestamp()

    def _load(self) -> None:
        path = self._state_path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return  # never a wrong try here
        except OSError as e:
            return self._fail_closed(f"cannot read {path}: {e.strerror}")
        try:
            raw = os.read(fd, _STATE_MAX + 1)
        except OSError as e:
            return self._fail_closed(f"cannot read {path}: {e.strerror}")
        finally:
            os.close(fd)
        try:
            d = json.loads(raw.decode("utf-8")) if len(raw) <= _STATE_MAX else None
            wrong, locks, until, lock_len = d["wrong"], d["locks"], d["until"], d["lock_len"]
            if not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 10**6 for x in (wrong, locks)):
                raise ValueError
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (until, lock_len)):
                raise ValueError
        except (ValueError, TypeError, KeyError, RecursionError):
            return self._fail_closed(f"{path} is damaged")
        self._wrong, self._locks = wrong, locks
        left = min(float(lock_len), max(0.0, float(until) - self._wall()), MAX_LOCK)
        if left > 0:
            self._until, self._lock_len = self._clock.monotonic() + left, float(lock_len)

    def _fail_closed(self, why: str) -> None:
        log.warning("technician PIN: %s; locked for %.0f s as a precaution", why, FIRST_LOCK)
        self._wrong, self._locks = MAX_TRIES, 1
        self._until, self._lock_len = self._clock.monotonic() + FIRST_LOCK, FIRST_LOCK
        self._save()

    def _save(self) -> None:
        if not self._state_path:
            return
        left = self.locked_for()
        state = {"wrong": self._wrong, "locks": self._locks, "until": self._wall() + left if left else 0.0,
                 "lock_len": self._lock_len if left else 0.0}
        path = self._state_path
        folder = os.path.dirname(path) or "."
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            write_atomically(path, json.dumps(state), 0o600)
        except OSError as e:  # the gate still counts in memory; the technician sees the log
            log.warning("technician PIN: cannot save the lockout state to %s: %s", path, e.strerror)
