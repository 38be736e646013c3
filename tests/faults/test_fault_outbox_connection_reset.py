"""Fault: the connection is reset in the middle of the answer, after the jurisdiction processed
the application. Retried under the same id, held once."""
import pytest

from tests.support.outbox import drive, forwarder_for, submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("protocol", ["rest", "soap"])
def test_reset_mid_response(store, now, protocol, request):
    sim = request.getfixturevalue(f"{protocol}_sim")
    sim.faults.push("reset")
    info = submit(store, protocol)
    fw = forwarder_for(store, sim)
    fw.run_due()
    got = store.get(info.txid)
    assert got.state == "queued" and got.last_error
    assert drive(fw, now)["delivered"] == 1
    r = sim.received[info.txid]
    assert r.copies == 2 and len(sim.received) == 1
    assert store.get(info.txid).remote_reference == r.reference
