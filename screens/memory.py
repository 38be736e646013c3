"""Hands the heap's free pages back to the OS once home is drawn after a journey. glibc keeps
memory freed in the middle of its heap resident: each journey's churn (labels rendered, widgets
rebuilt, textures) leaves holes, so the kiosk's RSS crept up over its first ~80 journeys by
15–40 MB with the memory in use flat (measured: mallinfo2 in-use 84.0 → 84.0 MB, heap +14 MB,
all of it free). malloc_trim(0) gives those pages back (≈ 5–40 ms on this machine)."""
from __future__ import annotations

import ctypes
import logging
import time

log = logging.getLogger(__name__)


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the process already has
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back this way
        return None


_trim = _malloc_trim()


def release() -> float:
    """Return the heap's free pages to the OS; the seconds it took (0 when unsupported)."""
    if _trim is None:
        return 0.0
    t = time.perf_counter()
    _trim(0)
    took = time.perf_counter() - t
    log.debug("heap trimmed in %.1f ms", took * 1000)
    return took


def release_after_next_frame() -> None:
    """Trim once the next frame is on screen (nobody waits for it: the resident has just left)."""
    from kivy.core.window import Window

    def once(*_):
        Window.unbind(on_flip=once)
        release()

    Window.bind(on_flip=once)
