"""Start and stop a private pcscd for tests and the demo: start `pcscd -f` only if none runs,
wait until it lists the vpcd readers, and stop only the pcscd we started."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time

SOCKET = "/run/pcscd/pcscd.comm"
VPCD_READER = "Virtual PCD 00 00"
VPCD_SLOTS = 2  # Debian's vpcd opens two slots: ports 35963 and 35964


def vpcd_reader(slot: int = 0) -> str:
    """The PC/SC reader name of vpcd slot `slot` (tests use slot 1 so a running demo keeps slot 0)."""
    return f"Virtual PCD 00 {slot:02d}"
READY_TIMEOUT = 30.0  # pcscd loads its drivers in well under a second here; a CI machine under load took over 10 s once
STOP_TIMEOUT = 5.0


class PcscdError(Exception):
    """pcscd cannot be started or reached (not installed, not root, did not come up)."""


def running() -> bool:
    """Is a pcscd answering on its socket (ours or the system's)?"""
    return list_readers() is not None


def list_readers() -> list[str] | None:
    """The PC/SC reader names pcscd lists; None when no pcscd answers (or pyscard is missing)."""
    try:
        from smartcard.scard import (SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCardEstablishContext,
                                     SCardListReaders, SCardReleaseContext)
    except ImportError:
        return None
    if not os.path.exists(SOCKET):
        return None
    hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    if hr != SCARD_S_SUCCESS:
        return None
    try:
        hr, readers = SCardListReaders(ctx, [])
        return list(readers) if hr == SCARD_S_SUCCESS else []
    finally:
        SCardReleaseContext(ctx)


def wait_ready(timeout: float = READY_TIMEOUT, reader: str = VPCD_READER) -> bool:
    """Wait (real time: pcscd is a real process) until pcscd lists `reader`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readers = list_readers()
        if readers and any(r.startswith(reader) for r in readers):
            return True
        time.sleep(0.05)
    return False


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the process that started us dies (killed test run, demo
    ended by a signal), so no orphan pcscd keeps the vpcd ports. Linux only; the parent-death
    signal follows the starting *thread*, hence only used from the main thread."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


_list_readers = list_readers  # the name kiosk/field used before it was public


class PrivatePcscd:
    """`start()` runs `pcscd -f` unless one already answers; `stop()` ends only the one it
    started. `owned` says which happened (a test that must restart pcscd needs owned=True)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    @property
    def owned(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = READY_TIMEOUT) -> "PrivatePcscd":
        if running():
            if not wait_ready(timeout):
                raise PcscdError(f"a pcscd runs but does not list {VPCD_READER!r} (is vsmartcard-vpcd installed?)")
            return self
        exe = shutil.which("pcscd") or ("/usr/sbin/pcscd" if os.path.exists("/usr/sbin/pcscd") else None)
        if exe is None:
            raise PcscdError("pcscd is not installed (Debian: apt-get install pcscd vsmartcard-vpcd)")
        if os.geteuid() != 0:
            raise PcscdError("no pcscd runs and starting one needs root")
        # A stale socket from a killed pcscd makes the new one refuse to start.
        if os.path.exists(SOCKET):
            try:
                os.unlink(SOCKET)
            except OSError:
                pass
        self.proc = subprocess.Popen([exe, "-f"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=_die_with_parent if threading.current_thread() is threading.main_thread() else None)
        if not wait_ready(timeout):
            self.stop()
            raise PcscdError(f"pcscd did not list {VPCD_READER!r} within {timeout:g} s")
        return self

    def stop(self) -> None:
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(STOP_TIMEOUT)

    def restart(self, timeout: float = READY_TIMEOUT) -> None:
        if not self.owned:
            raise PcscdError("this pcscd was not started here; not restarting it")
        self.stop()
        self.start(timeout)

    def __enter__(self) -> "PrivatePcscd":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
