"""A tiny sd_notify client: tells systemd the app is ready and alive (Type=notify, WatchdogSec=).

No dependency: one datagram to the unix socket named by $NOTIFY_SOCKET. Outside systemd (no
$NOTIFY_SOCKET) every call is a no-op that returns False, so the app and tests run unchanged.

How the app uses it (the screen's main thread, so a hung UI stops the pings and systemd restarts
the kiosk):

    from kiosk import watchdog
    watchdog.ready("home screen shown")
    every = watchdog.ping_interval()          # None outside systemd
    if every:
        Clock.schedule_interval(lambda dt: watchdog.ping(), every)
    ...
    watchdog.stopping()
"""
from __future__ import annotations

import os
import socket
from typing import Mapping

# Ping at half the watchdog period, as sd_watchdog_enabled(3) advises: one late frame is no restart.
PING_FRACTION = 0.5


class Notifier:
    """One NOTIFY_SOCKET target. `environ` is injectable so tests need not touch os.environ."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self._watchdog_usec = _watchdog_usec(env)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """Send `KEY=value` lines in one datagram; False when not under systemd or it failed.
        Never raises: a kiosk must not crash because its supervisor went away."""
        if self.address is None:
            return False
        msg = "\n".join(fields).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
                s.connect(self.address)
                s.sendall(msg)
            return True
        except OSError:
            return False

    def ready(self, status: str | None = None) -> bool:
        return self.notify("READY=1", *([f"STATUS={_one_line(status)}"] if status else []))

    def ping(self) -> bool:
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={_one_line(text)}")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def ping_interval(self) -> float | None:
        """Seconds between pings, or None when systemd runs no watchdog for us."""
        if self._watchdog_usec is None:
            return None
        return self._watchdog_usec / 1e6 * PING_FRACTION


def _address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):  # abstract namespace socket
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # systemd only ever gives absolute or abstract addresses


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    # WATCHDOG_PID is deliberately not checked (unlike sd_watchdog_enabled): under cage the
    # main process is the compositor and the app is its child; the unit's NotifyAccess=all lets
    # the child feed the watchdog, which is exactly what we want.
    return usec if usec > 0 else None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:200]


_default: Notifier | None = None


def _notifier() -> Notifier:
    global _default
    if _default is None:
        _default = Notifier()
    return _default


def ready(status: str | None = None) -> bool:
    return _notifier().ready(status)


def ping() -> bool:
    return _notifier().ping()


def status(text: str) -> bool:
    return _notifier().status(text)


def stopping() -> bool:
    return _notifier().stopping()


def ping_interval() -> float | None:
    return _notifier().ping_interval()
