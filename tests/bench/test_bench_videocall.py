"""视频帮办 benchmarks (issue 17): a Janus gateway in the test's own network namespace, a clerk
(the project's own aiortc peer) already waiting at the desk, the kiosk's adapter calling it.
Prints the time from the call (the resident's consent) to the first decoded remote frame, and the
kiosk process's memory growth over 20 calls. Never fails on a time.
Run: pytest tests/bench/test_bench_videocall.py -m bench -s

Goals: consent → first remote frame ≤ 1.5 s on loopback; memory growth over 20 calls ≤ 10 MB."""
from __future__ import annotations

import gc
import statistics
import threading
import time

import psutil
import pytest

from drivers.videocall.desk import CallLoop
from kiosk.devices.videodesk import JanusDesk
from tests.support import janus as gw
from tests.support import netns
from tests.wire.test_videocall_janus import CONTEXT, DESK, Clerk, Heard, why_not

pytestmark = [pytest.mark.bench, pytest.mark.skipif(bool(why_not), reason=why_not)]
CALLS = 20


def _until(cond, limit=20.0):
    ev = threading.Event()
    end = time.monotonic() + limit
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("not within %s s" % limit)
        ev.wait(0.002)


def test_bench_consent_to_first_remote_frame_and_memory_over_20_calls(tmp_path):
    times, rss, threads = [], [], []
    proc_self = psutil.Process()
    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, _proc):
        desk, clerk_loop = JanusDesk(url), CallLoop()
        netns.in_namespace(ns, lambda: (desk._loop._ensure(), clerk_loop._ensure()))
        try:
            for i in range(CALLS):
                clerk = Clerk(clerk_loop, url)
                clerk.call.started.result(20)
                _until(lambda: clerk.peer._pub_pc.connectionState == "connected")
                heard = Heard()
                t0 = time.perf_counter()
                call = desk.call(DESK, CONTEXT, heard)
                _until(lambda: call.peer.stats["video_in"] >= 1)
                times.append(time.perf_counter() - t0)
                call.hang_up(wait=20)
                clerk.call.hang_up(wait=20)
                gc.collect()
                rss.append(proc_self.memory_info().rss)
                threads.append(threading.active_count())
        finally:
            desk.close()
            clerk_loop.close()
    growth = (rss[-1] - rss[0]) / 2**20
    print(f"\nvideocall: consent -> first remote frame over {CALLS} calls: median {statistics.median(times)*1000:.0f} ms, "
          f"max {max(times)*1000:.0f} ms (goal <= 1500 ms; ratio {max(times)/1.5:.2f})")
    print(f"videocall: RSS after call 1 {rss[0]/2**20:.1f} MB, after call {CALLS} {rss[-1]/2**20:.1f} MB: "
          f"growth {growth:.1f} MB (goal <= 10 MB); the clerk's peer runs in the same process")
    print(f"videocall: steady state, RSS growth from call 5 to call {CALLS}: {(rss[-1] - rss[4]) / 2**20:.1f} MB "
          f"(the first calls load codecs and warm the allocator)")
    print(f"videocall: RSS by call (MB): {[round(r / 2**20) for r in rss]}; threads: {threads}")
