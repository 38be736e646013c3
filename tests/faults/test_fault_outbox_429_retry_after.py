"""Fault: the jurisdiction answers 429 with Retry-After. The item waits exactly that long (longer
than its own backoff) and then goes through."""
import pytest

from offline_queue import limits
from tests.support.outbox import forwarder_for, submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("protocol", ["rest", "soap"])
def test_retry_after_is_honoured(store, now, protocol, request):
    sim = request.getfixturevalue(f"{protocol}_sim")
    sim.state.retry_after = 300
    sim.faults.push("429")
    info = submit(store, protocol)
    fw = forwarder_for(store, sim)
    fw.run_due()
    got = store.get(info.txid)
    assert got.state == "queued" and "429" in got.last_error
    assert got.next_attempt_at == now() + 300 > now() + limits.BACKOFF_BASE
    now.advance(299)
    assert fw.run_due() == 0  # not before the server said
    now.advance(1)
    assert fw.run_due() == 1 and store.get(info.txid).state == "delivered"


def test_absurd_retry_after_is_capped(store, now, rest_sim):
    rest_sim.state.retry_after = 10 ** 8
    rest_sim.faults.push("429")
    info = submit(store)
    forwarder_for(store, rest_sim).run_due()
    assert store.get(info.txid).next_attempt_at == now() + limits.RETRY_AFTER_CAP
