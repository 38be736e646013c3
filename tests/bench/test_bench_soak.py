"""Soak (issue 19): the forwarder process is killed (SIGKILL) at random every 0.05–2 s for a few
minutes while it forwards a backlog to a slow simulated jurisdiction (~0.3 s a call) that also
injects transient faults (503, 500, resets after processing, timeouts). Printed: items delivered
per minute (as the outbox acknowledged them and as the jurisdiction received them), duplicates
absorbed by its deduplication, and lost (goal: steady progress, 0 lost, 0 dead).

Runs in `make bench` only. SOAK_SECONDS sets the kill phase (default 150, bounded to 10..1800);
afterwards the faults are cleared and one clean forwarder drains the rest, so every item is
accounted for. Real time on purpose: the point is killing a real process at random moments."""
from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest

from offline_queue.crypto import create_key
from offline_queue.forwarder import Forwarder
from offline_queue.store import Store
from offline_queue.transports import Endpoint, make_transport
from offline_queue.types import AttachmentIn, Request

pytestmark = pytest.mark.bench
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLOW = 0.3  # s a call takes at the jurisdiction (the audit's slow receiver)
FAULTS = {"503": 0.03, "500": 0.02, "reset": 0.03, "timeout": 0.005, "slow": 1.0}  # the rest are slow
KILL_EVERY = (0.05, 2.0)  # s


def _seconds() -> float:
    try:
        s = float(os.environ.get("SOAK_SECONDS", "150"))
    except ValueError:
        s = 150.0
    return min(1800.0, max(10.0, s))


def _fill(store: Store, n: int, scratch: str) -> list[str]:
    """A backlog (not measured): one in four with an attachment; no fsync while filling."""
    store._db.execute("PRAGMA synchronous=OFF")
    ids = []
    try:
        for i in range(n):
            txid = str(uuid.uuid4())
            atts = []
            if i % 4 == 0:
                p = os.path.join(scratch, f"{txid}.pdf")
                with open(p, "wb") as f:
                    f.write(b"%PDF-1.4\n" + txid.encode() * 40)
                atts = [AttachmentIn("idcopy", p)]
            req = Request(txid, "DC-GJJ-002", "/api/v1/matters/DC-GJJ-002/applications",
                          {"name": "张三丰", "id_number": "11010519491231002X", "n": str(i)})
            store.submit(req, jurisdiction="dachang", tracking=txid[:8].upper(), subject="11010519491231002X",
                         attachments=atts)
            ids.append(txid)
    finally:
        store._db.execute("PRAGMA synchronous=FULL")
    return ids


@pytest.fixture
def sigpipe_ignored():
    old = signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # answers to killed clients: EPIPE, not death
    yield
    signal.signal(signal.SIGPIPE, old)


def test_bench_soak_forwarder_killed_at_random(tmp_path, sigpipe_ignored):
    from offline_queue.sim import SimulatedJurisdiction
    import offline_queue.sim.http as sim_http

    seconds = _seconds()
    rng = random.Random(20261202)
    folder, key, scratch = str(tmp_path / "outbox"), str(tmp_path / "outbox.key"), str(tmp_path / "scratch")
    os.makedirs(scratch)
    create_key(key)
    store = Store(folder, key)
    ids = _fill(store, max(600, int(seconds * 15)), scratch)  # more than a fault-free forwarder sends meanwhile
    slow_was = getattr(sim_http, "SLOW_SECONDS", None)
    if slow_was is not None:
        sim_http.SLOW_SECONDS = SLOW
    sim = SimulatedJurisdiction("rest", "dachang").start()
    sim.faults.set_rates(FAULTS)
    samples: list[tuple[float, int, int]] = []  # (t, acknowledged by the outbox, received once by the remote)
    kills = 0
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            p = subprocess.Popen([sys.executable, "-m", "tests.bench.test_bench_soak", folder, key, sim.url], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            end = time.monotonic() + rng.uniform(*KILL_EVERY)
            while time.monotonic() < end:
                time.sleep(min(0.05, max(0.0, end - time.monotonic())))
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
            samples.append((time.monotonic() - t0, store.counts()["delivered"], len(sim.delivered_ids())))
        during = store.counts()
        received_during = len(sim.delivered_ids())
        worst = store._db.execute("SELECT max(attempts), max(failures) FROM items").fetchone()
        far = store._db.execute("SELECT count(*) FROM items WHERE state='queued' AND next_attempt_at > ?",
                                (time.time() + 300,)).fetchone()[0]
        # the clean-up: faults off, one forwarder that is not killed drains the rest
        sim.faults.clear()
        if slow_was is not None:
            sim_http.SLOW_SECONDS = slow_was
        store.release_all()
        store.reschedule_now()
        fw = Forwarder(store, {"dachang": make_transport(Endpoint("dachang", "rest", sim.url, connect_timeout=2,
                                                                  read_timeout=5))})
        t_drain = time.monotonic()
        fw.forward_once()
        drain = time.monotonic() - t_drain
        fw.stop()
        after = store.counts()
        received = sim.received
        delivered_ids = sim.delivered_ids()
        in_store = {i.txid for i in store.list(limit=10 ** 6)}
        lost = len(set(ids) - in_store) + len(set(ids) - delivered_ids)
        dups = sum(r.copies - 1 for r in received.values())
        unknown = len(delivered_ids - set(ids))
        assert store.integrity_check() == "ok"
    finally:
        sim.stop()
        if slow_was is not None:
            sim_http.SLOW_SECONDS = slow_was
        store.close()

    print(f"\nsoak: forwarder SIGKILLed {kills} times in {seconds:.0f} s (every {KILL_EVERY[0]}-{KILL_EVERY[1]} s at "
          f"random), REST jurisdiction {SLOW * 1000:.0f} ms a call, faults {FAULTS}, backlog {len(ids)} "
          f"({tmp_path}):")
    print("  minute  acknowledged  received-by-remote   (items delivered in that minute)")
    prev = (0, 0)
    minutes = math.ceil(seconds / 60)
    for m in range(1, minutes + 1):
        upto = [x for x in samples if x[0] < m * 60 or m == minutes]
        cum = (upto[-1][1], upto[-1][2]) if upto else (0, 0)
        span = min(60.0, seconds - (m - 1) * 60)
        print(f"  {m:6d}  {cum[0] - prev[0]:12d}  {cum[1] - prev[1]:18d}" + (f"   (in {span:.0f} s)" if span < 60 else ""))
        prev = cum
    print(f"  during the kills: {during['delivered']} acknowledged ({during['delivered'] / seconds * 60:.0f}/min), "
          f"{received_during} received by the remote ({received_during / seconds * 60:.0f}/min), dead {during['dead']}")
    print(f"  worst item: leased {worst[0]} times, {worst[1]} remote failures (what its backoff grows on); {far} items waiting more than 5 min for a retry")
    print(f"  then a forwarder left alone drained the rest in {drain:.1f} s: delivered {after['delivered']}/{len(ids)}, "
          f"queued {after['queued']}, dead {after['dead']}")
    print(f"  duplicates absorbed by the remote's deduplication: {dups} ({dups / max(1, len(ids)):.1%} of items); "
          f"lost: {lost}; unknown at the remote: {unknown}")
    assert lost == 0 and unknown == 0 and after["dead"] == 0 and after["delivered"] == len(ids)
    assert during["delivered"] > 0


def _forward(folder: str, key: str, url: str) -> None:
    """The child: the outbox's forwarder as the service runs it, until it is killed."""
    s = Store(folder, key)
    fw = Forwarder(s, {"dachang": make_transport(Endpoint("dachang", "rest", url, connect_timeout=2, read_timeout=2))})
    fw.start()
    while True:
        time.sleep(1)


if __name__ == "__main__":
    _forward(*sys.argv[1:4])
