"""Fault: the submitting and the forwarding processes are killed with SIGKILL at random moments,
many times. Afterwards every acknowledged submission is delivered exactly once as the simulated
jurisdiction sees it after deduplication, nothing is lost, and PRAGMA integrity_check is ok."""
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from offline_queue.crypto import create_key
from offline_queue.forwarder import Forwarder
from offline_queue.sim import SimulatedJurisdiction
from offline_queue.store import Store
from offline_queue.transports import Endpoint, make_transport
from tests.support.outbox import Now, drive

pytestmark = pytest.mark.faults
ROUNDS = 14  # each round lets both processes work for 0.5–1.5 s (after start-up), then kills them
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _spawn(*args):
    return subprocess.Popen([sys.executable, "-m", "tests.support.outbox_crash_worker", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


@pytest.fixture
def sigpipe_ignored():
    """The simulated jurisdiction runs in this process and writes answers to sockets whose reader
    was just killed: EPIPE, as in any server, not death by SIGPIPE (which another tier's library
    may have set back to its default in this shared pytest process)."""
    old = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    print(f"SIGPIPE disposition before: {old!r}")
    yield
    signal.signal(signal.SIGPIPE, old)


def test_kill9_submitters_and_forwarders(tmp_path, sigpipe_ignored):
    rng = random.Random(20261127)
    folder, key, scratch = str(tmp_path / "outbox"), str(tmp_path / "outbox.key"), str(tmp_path / "scratch")
    os.makedirs(scratch)
    create_key(key)
    Store(folder, key).close()  # created once, before the first kill
    sim = SimulatedJurisdiction("rest", "dachang").start()
    sim.faults.set_rates({"reset": 0.05, "503": 0.05})  # answers lost after processing: duplicates happen
    acked: list[str] = []
    try:
        for _ in range(ROUNDS):
            sub = _spawn("submit", folder, key, scratch)
            fwd = _spawn("forward", folder, key, sim.url)
            # real time on purpose: the point is to kill real processes at random moments of real work
            time.sleep(rng.uniform(0.5, 1.5))
            victims = [sub, fwd]
            rng.shuffle(victims)
            for p in victims:
                p.send_signal(signal.SIGKILL)
                time.sleep(rng.uniform(0, 0.05))
            out = sub.communicate()[0].decode()
            fwd.communicate()
            # only whole lines are acknowledgements; a torn last line was never acknowledged
            acked += [ln for ln in out.split("\n")[:-1] if ln]
        assert len(acked) > 20, "the submitter never got going: the test proves nothing"
        sim.faults.clear()
        now = Now(time.time())
        store = Store(folder, key, now=now)
        assert store.integrity_check() == "ok"
        store.release_all()  # what the next forwarder does at start
        fw = Forwarder(store, {"dachang": make_transport(Endpoint("dachang", "rest", sim.url))}, rand=lambda: 0.0)
        counts = drive(fw, now, rounds=len(acked) + 100)  # a round may deliver only one lease batch
        fw.stop()
        missing = [t for t in acked if store.get(t) is None]
        assert not missing, f"{len(missing)} acknowledged submissions lost"
        assert counts["queued"] == counts["sending"] == counts["dead"] == 0, counts
        delivered = sim.delivered_ids()
        assert set(acked) <= delivered  # every acknowledged one arrived
        in_store = {i.txid for i in store.list(limit=10 ** 6)}
        assert delivered == in_store  # and nothing arrived that the store does not hold
        for txid in delivered:  # one record each, the same content every time (no 422), attachments present
            r = sim.received[txid]
            for a in r.attachments:
                assert (txid, a["sha256"]) in sim.state.attachments
            assert store.get(txid).remote_reference == r.reference
        assert store.integrity_check() == "ok"
        dups = sum(r.copies - 1 for r in sim.received.values())
        print(f"kill9: {ROUNDS} rounds, {len(acked)} acknowledged, {len(delivered)} delivered once, "
              f"{dups} duplicate sends absorbed by deduplication")
        store.close()
    finally:
        sim.stop()
