"""Fault: the jurisdiction processes the application but its answer never comes (read timeout).
The kiosk retries under the same id; the jurisdiction has it once."""
import pytest

from tests.support.outbox import drive, forwarder_for, submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("protocol", ["rest", "soap"])
def test_timeout_then_deduplicated_retry(store, now, protocol, request):
    sim = request.getfixturevalue(f"{protocol}_sim")
    sim.faults.push("timeout")
    info = submit(store, protocol)
    fw = forwarder_for(store, sim, read_timeout=0.3)  # a real 0.3 s wait on a real socket
    fw.run_due()
    got = store.get(info.txid)
    assert got.state == "queued" and "network" in got.last_error and "Timeout" in got.last_error
    assert sim.received[info.txid].copies == 1  # it did arrive
    assert drive(fw, now)["delivered"] == 1
    assert sim.received[info.txid].copies == 2 and len(sim.received) == 1
    assert store.get(info.txid).remote_reference == sim.received[info.txid].reference


@pytest.mark.parametrize("protocol", ["rest", "soap"])
def test_slow_answer_inside_the_timeout_is_delivered_once(store, now, protocol, request):
    sim = request.getfixturevalue(f"{protocol}_sim")
    sim.faults.push("slow")  # a real 0.2 s delay, well inside the 5 s read timeout
    info = submit(store, protocol)
    assert forwarder_for(store, sim).forward_once()["delivered"] == 1
    assert sim.received[info.txid].copies == 1 and store.get(info.txid).attempts == 1
