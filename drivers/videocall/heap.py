"""A call's memory back to the system when the call ends. A call makes and frees big blocks many
times a second on several threads (decoded pictures: a 640x480 frame is 450 kB, its rgb24 copy
for the screen 900 kB; encoder buffers; packets). glibc raises its mmap threshold past such blocks
at the first free of one (its "dynamic" threshold) and then carves them out of the heaps of its
per-thread arenas (up to 8 per core), which keep what is freed. Measured on the kiosk's process
(tests/bench/test_bench_videocall.py: the clerk in its own process, 3 warm-up calls, then 60):
RSS grew 12.4 MB over 20 calls, 19.2 over 40, 28.6 over 60 (0.4 MB a call, without end) while
the bytes in use grew 1.1, 1.6, 1.7 MB; with give_back() at each call's end, 2.5, 4.4, 5.9 MB.
Elsewhere than glibc it does nothing."""
from __future__ import annotations

import ctypes


def give_back() -> bool:
    """Return to the system the free pages every arena keeps (glibc's malloc_trim(0)); a few ms,
    once a call. False where there is no malloc_trim."""
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False
    return bool(trim(0))
