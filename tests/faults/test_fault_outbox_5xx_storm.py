"""Fault: a storm of 500 and 503 answers. Everything is retried with backoff until delivered; nothing
goes dead, nothing arrives twice."""
import pytest

from tests.support.outbox import drive, forwarder_for, submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("protocol", ["rest", "soap"])
def test_storm(store, now, protocol, request):
    sim = request.getfixturevalue(f"{protocol}_sim")
    sim.faults.set_rates({"500": 0.4, "503": 0.3})
    txids = {submit(store, protocol).txid for _ in range(30)}
    fw = forwarder_for(store, sim)
    counts = drive(fw, now, rounds=400)
    assert counts["delivered"] == 30 and counts["dead"] == 0
    assert sim.delivered_ids() == txids
    assert all(r.copies == 1 for r in sim.received.values())  # 5xx came before processing
    assert sim.faults.injected.get("500", 0) + sim.faults.injected.get("503", 0) >= 10
    assert max(store.get(t).attempts for t in txids) > 1
