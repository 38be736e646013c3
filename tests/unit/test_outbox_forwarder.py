"""The forwarder's decisions, driven step by step with a moved clock and in-process transports
(fakes of the Transport port; the store is real)."""
import threading

from offline_queue import limits
from offline_queue.forwarder import Forwarder
from offline_queue.store import Store
from offline_queue.types import Dead, Delivered, Retry
from tests.support.outbox import submit


class FakeTransport:
    def __init__(self, answers=None):
        self.answers = list(answers or [])
        self.sent: list[str] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.gate: threading.Event | None = None
        self.open_gate_at: int | None = None  # release every send once this many run at once

    def send(self, request, read_attachment):
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.sent.append(request.txid)
            answer = self.answers.pop(0) if self.answers else Delivered("R")
            if self.gate and self.open_gate_at is not None and self.active >= self.open_gate_at:
                self.gate.set()
        if self.gate:
            self.gate.wait(5)
        with self.lock:
            self.active -= 1
        return answer

    def close(self):
        pass


def test_delivered_retry_dead_recorded(store, now):
    a, b, c = submit(store), submit(store), submit(store)
    t = FakeTransport([Delivered("R-1"), Retry("HTTP 503", retry_after=120), Dead("HTTP 400: no")])
    fw = Forwarder(store, {"dachang": t}, concurrency=1, rand=lambda: 0.0)
    assert fw.run_due() == 3
    assert store.get(a.txid).remote_reference == "R-1"
    rb = store.get(b.txid)
    assert rb.state == "queued" and rb.next_attempt_at == now() + 120 and rb.last_error == "HTTP 503"
    assert store.get(c.txid).state == "dead"


def test_backoff_survives_a_restart(store, key_path, now):
    a = submit(store)
    fw = Forwarder(store, {"dachang": FakeTransport([Retry("x"), Retry("x")])}, rand=lambda: 0.0)
    fw.run_due()
    now.advance(limits.BACKOFF_BASE)
    fw.run_due()
    due = store.get(a.txid).next_attempt_at
    assert due == now() + limits.BACKOFF_BASE * 2
    store.close()
    again = Store(store.folder, key_path, now=now)
    fw2 = Forwarder(again, {"dachang": FakeTransport()}, rand=lambda: 0.0)
    assert fw2.run_due() == 0  # not due yet: the schedule was persisted
    now.advance(limits.BACKOFF_BASE * 2)
    assert fw2.run_due() == 1 and again.get(a.txid).state == "delivered"
    again.close()


def test_breaker_stops_one_jurisdiction_not_the_others(store, now):
    for _ in range(6):
        submit(store, jurisdiction="dachang")
        submit(store, jurisdiction="sanhe")
    down = FakeTransport([Retry("network", network=True)] * 100)
    up = FakeTransport()
    fw = Forwarder(store, {"dachang": down, "sanhe": up}, concurrency=1, rand=lambda: 0.0)
    fw.forward_once()
    assert len(up.sent) == 6 and store.counts()["delivered"] == 6
    assert len(down.sent) == limits.BREAKER_FAILURES  # the rest were given back untried
    assert fw.breaker_state("dachang") == "open" and not fw.reachable["dachang"]
    assert all(i.attempts <= 1 for i in store.list("queued"))
    now.advance(limits.BREAKER_COOLDOWN + limits.BACKOFF_CAP)
    fw.run_due()
    assert len(down.sent) == limits.BREAKER_FAILURES + 1  # half-open: exactly one probe


def test_network_up_resets_breaker_and_makes_items_due(store, now):
    for _ in range(4):
        submit(store)
    t = FakeTransport([Retry("down", network=True)] * 3)
    fw = Forwarder(store, {"dachang": t}, concurrency=1, rand=lambda: 0.0)
    fw.forward_once()
    assert fw.breaker_state("dachang") == "open" and store.counts()["queued"] == 4
    fw.network_up()
    assert fw.forward_once()["delivered"] == 4


def test_concurrency_is_bounded(store):
    for _ in range(20):
        submit(store)
    t = FakeTransport()
    t.gate = threading.Event()
    fw = Forwarder(store, {"dachang": t}, concurrency=3, rand=lambda: 0.0)
    threading.Timer(0.2, t.gate.set).start()  # let the pool fill up, then release every send
    fw.forward_once()
    assert t.max_active == 3 and store.counts()["delivered"] == 20


def test_unknown_jurisdiction_is_dead_with_reason(store):
    a = submit(store, jurisdiction="chaoyang")
    Forwarder(store, {"dachang": FakeTransport()}).run_due()
    got = store.get(a.txid)
    assert got.state == "dead" and "chaoyang" in got.last_error


def test_expired_lease_of_crashed_sender_is_sent_again(store, now):
    a = submit(store)
    store.lease(1)  # a sender that died holding it
    fw = Forwarder(store, {"dachang": FakeTransport()})
    assert fw.run_due() == 0
    now.advance(limits.LEASE_SECONDS + 1)
    assert fw.run_due() == 1 and store.get(a.txid).state == "delivered"


def test_wake_runs_the_thread_at_once(store):
    t = FakeTransport()
    fw = Forwarder(store, {"dachang": t})
    done = threading.Event()
    fw.on_change = done.set
    fw.start()
    try:
        a = submit(store)
        fw.wake()
        assert done.wait(5)
        assert store.get(a.txid).state == "delivered"
    finally:
        fw.stop()


def test_only_one_forwarder_per_outbox(store):
    import pytest
    from offline_queue.types import OutboxError
    fw = Forwarder(store, {})
    fw.start()
    try:
        with pytest.raises(OutboxError, match="another forwarder"):
            Forwarder(store, {}).start()
    finally:
        fw.stop()
