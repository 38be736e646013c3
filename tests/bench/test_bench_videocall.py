"""视频帮办 benchmarks (issue 17): a Janus gateway in the test's own network namespace, a clerk (the
project's own clerk stand-in, drivers/videocall/clerk.py) in a process of its own inside it, the
kiosk's adapter calling the desk from this process. Prints the time from the call (the resident's
consent) to the first decoded remote frame, and this process's memory over many calls. Never fails
on a time or a size.
Run: pytest tests/bench/test_bench_videocall.py -m bench -s

Goals: consent → first remote frame ≤ 1.5 s on loopback; memory growth over 20 calls ≤ 10 MB.

How the memory figure is made (so that it measures the kiosk, and growth rather than warm-up):
- the clerk runs in its own process (as the console does): only the kiosk's side is in this one;
- WARMUP calls first (codecs loaded, the call thread and its allocator arenas made), then the
  baseline; CALLS calls measured against it, and as many again twice more: growth that goes on
  from call 20 to call 60 is a leak, growth that stops is warm-up;
- beside RSS, glibc's own count (mallinfo2): bytes in use, and bytes freed but kept by the
  allocator (still resident); RSS can grow while the bytes in use do not.
Also a clerk for the other benchmarks: `python -m tests.bench.test_bench_videocall clerk URL DESK WxH FPS`
watches the desk and answers each kiosk with a test pattern of that size, until its stdin closes."""
from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import statistics
import subprocess
import sys
import threading
import time

import pytest

from tests.support import janus as gw
from tests.support import netns

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WARMUP = 3  # calls before the baseline
CALLS = 20  # the goal's count; measured three times over (20, 40, 60 calls)
HOLD_FRAMES = 15  # frames received per call before hanging up (~1 s of the clerk's 15 fps)
MB = 2**20


def _until(cond, limit=20.0, what="a condition"):
    ev = threading.Event()
    end = time.monotonic() + limit
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"not within {limit} s: {what}")
        ev.wait(0.002)


# ---- the clerk in a process of its own --------------------------------------------------------------
def clerk_main(url: str, desk: str, size: str, fps: str) -> int:
    """Watch the desk, answer each kiosk with a test pattern of `size` at `fps` and a tone; print
    `watching` when joined, `answered N` at each answer; stop when stdin closes."""
    from aiortc.contrib.media import MediaPlayer

    from drivers.videocall.clerk import DeskClerk
    from drivers.videocall.desk import CallLoop
    from drivers.videocall.media import open_track

    def tracks():
        video = MediaPlayer(f"testsrc=size={size}:rate={fps}", format="lavfi").video
        return [video, open_track("test://tone", "audio")]

    loop = CallLoop()
    clerk = DeskClerk(loop, url, desk, name="bench-clerk", tracks=tracks)
    clerk.started.result(30)
    print("watching", flush=True)

    def report():
        n = 0
        while True:
            clerk.answered.wait()
            clerk.answered.clear()
            n += 1
            print(f"answered {n}", flush=True)

    threading.Thread(target=report, daemon=True).start()
    sys.stdin.read()  # until the bench closes our stdin
    clerk.close(wait=20)
    loop.close()
    return 0


@contextlib.contextmanager
def clerk_process(ns: str, url: str, desk: str, size: str = "320x240", fps: int = 15):
    """A clerk answering at `desk`, in its own process inside namespace `ns`; stopped at the end."""
    proc = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-m", "tests.bench.test_bench_videocall",
                             "clerk", url, desk, size, str(fps)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
    try:
        line = proc.stdout.readline()
        assert line.strip() == "watching", f"the clerk did not start: {line!r}"
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # drained
        yield proc
    finally:
        with contextlib.suppress(OSError):
            proc.stdin.close()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# ---- this process's memory -----------------------------------------------------------------------------
class _MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                "fsmblks", "uordblks", "fordblks", "keepcost")]


def _mallinfo():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        return libc.mallinfo2
    except (OSError, AttributeError):  # not glibc ≥ 2.33: RSS only
        return None


def memory(proc, mallinfo) -> dict:
    """RSS; glibc's bytes in use (uordblks + mmapped) and freed-but-kept (fordblks); Python objects
    the collector tracks; aiortc peer connections alive."""
    gc.collect()
    out = {"rss": proc.memory_info().rss / MB, "objects": len(gc.get_objects())}
    out["pcs"] = sum(1 for o in gc.get_objects() if type(o).__name__ == "RTCPeerConnection")
    if mallinfo is not None:
        m = mallinfo()
        out["in_use"] = (m.uordblks + m.hblkhd) / MB
        out["kept_free"] = m.fordblks / MB
    return out


why_not = netns.usable() or ("" if gw.janus_binary() else "janus is not installed (deploy/bootstrap.sh installs it)")


@pytest.mark.bench
@pytest.mark.timeout(900)
@pytest.mark.skipif(bool(why_not), reason=why_not or "-")
def test_bench_consent_to_first_remote_frame_and_memory_over_calls(tmp_path):
    import psutil

    from kiosk.devices.videodesk import JanusDesk
    from tests.wire.test_videocall_janus import CONTEXT, DESK, Heard

    times, rows = [], []
    me, mallinfo = psutil.Process(), _mallinfo()
    total = WARMUP + 3 * CALLS
    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, _proc), \
            clerk_process(ns, url, DESK):
        desk = JanusDesk(url)
        netns.in_namespace(ns, desk._loop._ensure)  # the call thread inside the namespace
        try:
            for i in range(total):
                heard = Heard()
                t0 = time.perf_counter()
                call = desk.call(DESK, CONTEXT, heard)
                _until(lambda: call.peer.stats["video_in"] >= 1, what=f"call {i + 1}'s first remote frame")
                if i >= WARMUP:
                    times.append(time.perf_counter() - t0)
                _until(lambda: call.peer.stats["video_in"] >= HOLD_FRAMES, what="frames flowing")
                call.hang_up(wait=20)
                del call, heard
                rows.append(memory(me, mallinfo))
        finally:
            desk.close()
    base = rows[WARMUP - 1]  # after the warm-up calls

    def at(n):  # after n measured calls
        return rows[WARMUP - 1 + n]

    print(f"\nvideocall: consent -> first remote frame over {len(times)} calls: median {statistics.median(times)*1000:.0f} ms, "
          f"p90 {sorted(times)[int(len(times) * 0.9)]*1000:.0f} ms, max {max(times)*1000:.0f} ms "
          f"(goal <= 1500 ms; max/goal {max(times)/1.5:.2f})")
    print(f"videocall: memory of the kiosk's process (the clerk in its own), baseline after {WARMUP} warm-up calls: "
          f"RSS {base['rss']:.1f} MB" + (f", malloc in use {base['in_use']:.1f} MB, freed but kept {base['kept_free']:.1f} MB"
                                          if mallinfo else ""))
    print(f"videocall: RSS after the first call {rows[0]['rss']:.1f} MB (warm-up: +{base['rss'] - rows[0]['rss']:.1f} MB "
          f"over calls 2..{WARMUP})")
    for n in (CALLS, 2 * CALLS, 3 * CALLS):
        r = at(n)
        line = f"videocall: after {n} calls: RSS growth {r['rss'] - base['rss']:+.1f} MB"
        if mallinfo:
            line += (f" (malloc in use {r['in_use'] - base['in_use']:+.1f} MB, freed but kept "
                     f"{r['kept_free'] - base['kept_free']:+.1f} MB)")
        line += f", Python objects {r['objects'] - base['objects']:+d}, peer connections alive {r['pcs']}"
        if n == CALLS:
            line += f"  [goal <= 10 MB over {CALLS} calls; ratio {(r['rss'] - base['rss']) / 10:.2f}]"
        print(line)
    slope = (at(3 * CALLS)['rss'] - at(CALLS)['rss']) / (2 * CALLS)
    print(f"videocall: RSS slope from call {CALLS} to call {3 * CALLS}: {slope * 1000:+.0f} kB per call "
          f"({slope * CALLS:+.1f} MB per {CALLS} calls once warm)"
          + (f"; malloc in use {(at(3 * CALLS)['in_use'] - at(CALLS)['in_use']) / (2 * CALLS) * 1000:+.0f} kB per call"
             if mallinfo else ""))
    print(f"videocall: RSS by call (MB): {[round(r['rss']) for r in rows]}")
    if mallinfo:
        print(f"videocall: malloc in use by call (MB): {[round(r['in_use'], 1) for r in rows]}")


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "clerk":
    sys.exit(clerk_main(*sys.argv[2:]))
