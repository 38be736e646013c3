"""A network namespace a test makes for WebRTC media (Janus, aiortc and Chromium refuse loopback for
media; see the notebook's reference/video.md): `lo` up for the signalling and a veth pair with
private addresses for the media, nothing routed outside. Removed at the end. Needs root.

`in_namespace(name, fn)` runs fn on a new thread that has entered the namespace (setns applies to
the calling thread only; threads it starts stay inside), and returns its result."""
from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import threading
import uuid

CLONE_NEWNET = 0x40000000


def usable() -> str:
    """Why namespaces cannot be made here ("" when they can)."""
    if os.geteuid() != 0:
        return "needs root (ip netns)"
    if shutil.which("ip") is None:
        return "no `ip` (iproute2)"
    return ""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@contextlib.contextmanager
def namespace(prefix: str = "kt"):
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    _ip("netns", "add", name)
    try:
        ns = ("-n", name)
        _ip(*ns, "link", "set", "lo", "up")
        _ip(*ns, "link", "add", "kv0", "type", "veth", "peer", "name", "kv1")
        _ip(*ns, "addr", "add", "10.77.0.1/24", "dev", "kv0")
        _ip(*ns, "addr", "add", "10.77.0.2/24", "dev", "kv1")
        _ip(*ns, "link", "set", "kv0", "up")
        _ip(*ns, "link", "set", "kv1", "up")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)


def in_namespace(name: str, fn, *args, timeout: float = 60):
    box: dict = {}

    def run():
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
            box["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 — re-raised on the caller's thread
            box["error"] = e

    t = threading.Thread(target=run, name=f"netns-{name}", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TimeoutError(f"in_namespace {name}: {getattr(fn, '__name__', fn)} still running after {timeout} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")
