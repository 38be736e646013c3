"""Clerk login for the console: sessions (a random token in an HttpOnly, SameSite=Strict cookie,
valid for one working day) and the slow-down after wrong passwords. Sans-I/O: the clock is passed
in, the server (server.py) does the HTTP. Tokens and passwords are never logged or kept beyond
the check; the store keeps a hash of each token, so a memory dump names no live cookie.

The slow-down. After LOGIN_FREE wrong passwords for one login, that login is locked for
LOCK_FIRST seconds, doubling at each further wrong one up to LOCK_MAX; a right password (once the
lock has passed) clears it. The same per client address with ADDR_FREE, so one address cannot walk
through many logins. While locked the password is not even checked (the answer is 429): with
scrypt at ~0.5 s a try, an attacker gets about LOGIN_FREE + 96 guesses a day per login."""
from __future__ import annotations

import dataclasses
import hashlib
import secrets
import threading

from kiosk.clock import Clock

COOKIE = "kiosk_desk"
SESSION_LIFETIME = 10 * 3600.0  # seconds: one working day, then log in again
SESSION_MAX = 500  # live sessions kept (oldest dropped first): a jurisdiction has tens of clerks
LOGIN_FREE = 5  # wrong passwords for one login before it is locked
ADDR_FREE = 20  # wrong passwords from one client address before it is locked (a hall behind one NAT)
LOCK_FIRST = 30.0  # seconds, the first lock
LOCK_MAX = 900.0  # seconds, the longest lock (doubling from LOCK_FIRST)
THROTTLE_KEYS_MAX = 10_000  # failure records kept (oldest dropped first): bounded memory under a spray


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclasses.dataclass(frozen=True)
class Session:
    login: str
    expires: float  # clock.monotonic()


class Sessions:
    def __init__(self, clock: Clock, lifetime: float = SESSION_LIFETIME):
        self.clock, self.lifetime = clock, lifetime
        self._by_digest: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, login: str) -> str:
        """A new session for `login`; returns the token for the cookie (32 random bytes)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._prune()
            while len(self._by_digest) >= SESSION_MAX:
                self._by_digest.pop(next(iter(self._by_digest)))
            self._by_digest[_digest(token)] = Session(login, self.clock.monotonic() + self.lifetime)
        return token

    def get(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        with self._lock:
            s = self._by_digest.get(_digest(token))
            if s is None:
                return None
            if self.clock.monotonic() >= s.expires:
                del self._by_digest[_digest(token)]
                return None
            return s

    def close(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._by_digest.pop(_digest(token), None)

    def close_login(self, login: str) -> None:
        """Every session of a clerk who is no longer in the clerks file."""
        with self._lock:
            for d in [d for d, s in self._by_digest.items() if s.login == login]:
                del self._by_digest[d]

    def remaining(self, token: str) -> float:
        s = self.get(token)
        return 0.0 if s is None else max(0.0, s.expires - self.clock.monotonic())

    def _prune(self) -> None:
        now = self.clock.monotonic()
        for d in [d for d, s in self._by_digest.items() if now >= s.expires]:
            del self._by_digest[d]


class Throttle:
    """Wrong-password counts per key (("login", x) or ("addr", ip)) and the lock they earn."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._fails: dict[tuple, tuple[int, float]] = {}  # key -> (wrong passwords, locked until)
        self._lock = threading.Lock()

    @staticmethod
    def _free(key: tuple) -> int:
        return ADDR_FREE if key[0] == "addr" else LOGIN_FREE

    def wait(self, *keys: tuple) -> float:
        """Seconds before any of `keys` may try again (0: now)."""
        now = self.clock.monotonic()
        with self._lock:
            return max([0.0] + [self._fails.get(k, (0, 0.0))[1] - now for k in keys])

    def failed(self, *keys: tuple) -> None:
        now = self.clock.monotonic()
        with self._lock:
            for k in keys:
                n, _ = self._fails.pop(k, (0, 0.0))
                n += 1
                free = self._free(k)
                until = now + min(LOCK_MAX, LOCK_FIRST * 2 ** (n - free)) if n >= free else 0.0
                self._fails[k] = (n, until)  # re-inserted: the dict's order is the oldest failure first
            while len(self._fails) > THROTTLE_KEYS_MAX:
                self._fails.pop(next(iter(self._fails)))

    def succeeded(self, *keys: tuple) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)


def cookie_header(token: str, max_age: int, *, secure: bool) -> str:
    return (f"{COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict"
            + ("; Secure" if secure else ""))


def cleared_cookie_header(*, secure: bool) -> str:
    return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")


def token_from(cookie_header_value: str | None) -> str | None:
    """The session token from a request's Cookie header (the last one named COOKIE wins)."""
    found = None
    for part in (cookie_header_value or "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == COOKIE and v:
            found = v
    return found
