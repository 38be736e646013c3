"""Keeps the kiosk's resident memory flat over thousands of journeys. Two causes of creep, both
measured (tests/support/ui_bench.py, 200 journeys): glibc keeps memory freed in the middle of its
heap resident, so each journey's churn (labels, widgets, textures) left holes (mallinfo2: in use
flat at 84.0 MB, heap +14 MB, all of it free); and the cyclic GC ran a full collection only
every ~10 journeys, so up to ten journeys' widgets were garbage still held. So: what lives as
long as the kiosk (start-up data, screens once built) is frozen out of the GC; at each return
home, once home is drawn, the journey's garbage is collected (a few ms: only what the journey
made is walked, not the ~430,000 long-lived objects, ~240 ms) and malloc_trim(0) gives the free
pages back (~1 ms). What is frozen and dropped later is never collected if it is in a cycle: at
most what the screens held at their first return home, once (there are a dozen screens)."""
from __future__ import annotations

import ctypes
import gc
import logging
import time

log = logging.getLogger(__name__)


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the process already has
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back this way
        return None


_trim = _malloc_trim()


def release(settle: bool = False) -> float:
    """Collect the garbage, `settle`: freeze what survives (it lives as long as the kiosk), and
    return the heap's free pages to the OS; the seconds it took."""
    t = time.perf_counter()
    gc.collect()
    if settle:
        gc.freeze()
    if _trim is not None:
        _trim(0)
    took = time.perf_counter() - t
    log.debug("memory released in %.1f ms%s", took * 1000, " (settled)" if settle else "")
    return took


def release_after_next_frame(settle: bool = False) -> None:
    """release() once the next frame is on screen (nobody waits for it: the resident has just left)."""
    from kivy.core.window import Window

    def once(*_):
        Window.unbind(on_flip=once)
        release(settle)

    Window.bind(on_flip=once)
