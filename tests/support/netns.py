"""A network namespace a test makes for WebRTC media (Janus, aiortc and Chromium refuse loopback for
media; see docs/videocall.md): `lo` up for the signalling and a veth pair with private addresses
for the media, nothing routed outside. Removed at the end. Needs root. The namespace and
`in_namespace` are the product's own (drivers/videocall/gateway.py, which the demo uses); a test's
namespace gets a random name so parallel runs never meet.

`in_namespace(name, fn)` runs fn on a new thread that has entered the namespace (setns applies to
the calling thread only; threads it starts stay inside), and returns its result."""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid

from drivers.videocall.gateway import Namespace, in_namespace  # noqa: F401 — in_namespace: the tests' name for it


def usable() -> str:
    """Why namespaces cannot be made here ("" when they can)."""
    if os.geteuid() != 0:
        return "needs root (ip netns)"
    if shutil.which("ip") is None:
        return "no `ip` (iproute2)"
    return ""


@contextlib.contextmanager
def namespace(prefix: str = "kt"):
    with Namespace.create(f"{prefix}{uuid.uuid4().hex[:8]}") as ns:
        yield ns.name
