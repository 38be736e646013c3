"""An sd_notify listener for tests: a datagram socket in the abstract namespace (Linux), so its
name has no filesystem path whose length depends on where TMPDIR is (AF_UNIX paths stop at 107
bytes; a CI's deep TMPDIR went past it)."""
from __future__ import annotations

import os
import socket
import uuid


def notify_listener() -> tuple[str, socket.socket]:
    """(the NOTIFY_SOCKET value to hand the notifier, the bound socket)."""
    name = f"kiosk-test-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(b"\0" + name.encode())
    return "@" + name, s
