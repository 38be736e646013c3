"""Fault: the forwarder is killed more often than a round lasts (a crash loop, a watchdog
restarting it). Each send's outcome is committed as it completes, before the next send starts on
that worker, so a kill loses at most the sends in flight; and the attempts our own restarts
cause (leases given back by a starting forwarder, or expired) do not push the backoff the
remote's failures earn."""
import os
import signal
import subprocess
import sys

import pytest

from offline_queue import limits
from offline_queue.forwarder import Forwarder
from offline_queue.types import Delivered, Retry
from tests.support.outbox import submit

pytestmark = pytest.mark.faults
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# A forwarder whose process is killed (SIGKILL) as its KILL_AT-th send starts: the sends before it
# completed, the jurisdiction has them; the question is whether the outbox knows.
CHILD = r"""
import os, signal, sys
from offline_queue.forwarder import Forwarder
from offline_queue.store import Store
from offline_queue.transports import Endpoint, make_transport

folder, key, url, kill_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
inner = make_transport(Endpoint(code="dachang", protocol="rest", url=url, connect_timeout=2, read_timeout=5))

class KilledAt:
    n = 0
    def send(self, request, read_attachment):
        KilledAt.n += 1
        if KilledAt.n == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return inner.send(request, read_attachment)
    def close(self):
        inner.close()

Forwarder(Store(folder, key), {"dachang": KilledAt()}, concurrency=1, rand=lambda: 0.0).forward_once()
"""


def test_a_kill_mid_round_keeps_the_sends_that_completed(store, key_path, rest_sim):
    items = [submit(store) for _ in range(20)]
    kill_at = 6
    p = subprocess.run([sys.executable, "-c", CHILD, store.folder, key_path, rest_sim.url, str(kill_at)], cwd=ROOT,
                       capture_output=True, timeout=120)
    assert p.returncode == -signal.SIGKILL, p.stderr.decode()[-2000:]
    received = rest_sim.delivered_ids()
    assert len(received) == kill_at - 1
    delivered = {i.txid for i in items if store.get(i.txid).state == "delivered"}
    assert delivered == received, f"{len(received)} reached the jurisdiction, the outbox knows of {len(delivered)}"


class _Scripted:
    def __init__(self, *answers):
        self.answers = list(answers)

    def send(self, request, read_attachment):
        return self.answers.pop(0)

    def close(self):
        pass


def test_restarts_do_not_push_the_backoff(store, now):
    a = submit(store)
    for _ in range(50):  # fifty forwarders died holding its lease; each successor gave it back
        assert len(store.lease(32)) == 1
        store.release_all()
    fw = Forwarder(store, {"dachang": _Scripted(Retry("HTTP 500"), Retry("HTTP 500"))}, rand=lambda: 0.0)
    fw.run_due()
    assert store.get(a.txid).next_attempt_at == now() + limits.BACKOFF_BASE  # the remote's first failure
    now.advance(limits.BACKOFF_BASE)
    for _ in range(20):  # and twenty leases that expired under a wedged or killed sender
        store.lease(32)
        now.advance(limits.LEASE_SECONDS + 1)
        store.release_expired()
    fw.run_due()
    assert store.get(a.txid).next_attempt_at == now() + limits.BACKOFF_BASE * 2  # its second


def test_attempts_still_count_every_send_for_the_technician(store, now):
    a = submit(store)
    store.lease(1)
    store.release_all()
    Forwarder(store, {"dachang": _Scripted(Delivered("R-1"))}, rand=lambda: 0.0).run_due()
    got = store.get(a.txid)
    assert got.state == "delivered" and got.attempts == 2
