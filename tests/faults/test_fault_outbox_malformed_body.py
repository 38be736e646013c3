"""Fault: a 200 answer with a malformed body. The kiosk cannot read the reference, so it asks again
under the same id and gets the original answer; the jurisdiction holds it once."""
import pytest

from tests.support.outbox import drive, forwarder_for, submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("protocol", ["rest", "soap"])
def test_malformed_then_original_answer(store, now, protocol, request):
    sim = request.getfixturevalue(f"{protocol}_sim")
    sim.faults.push("malformed")
    info = submit(store, protocol)
    fw = forwarder_for(store, sim)
    fw.run_due()
    got = store.get(info.txid)
    assert got.state == "queued" and "malformed" in got.last_error
    assert drive(fw, now)["delivered"] == 1
    assert store.get(info.txid).remote_reference == sim.received[info.txid].reference
    assert len(sim.received) == 1
