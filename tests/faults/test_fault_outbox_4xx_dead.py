"""Fault: the jurisdiction refuses the application with a 4xx (not 408/409/425/429). It is dead at
once with the reason, never retried on its own, and nothing else stalls."""
import pytest

from tests.support.outbox import forwarder_for, submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("status", ["400", "404", "422"])
def test_4xx_is_dead(store, now, rest_sim, status):
    rest_sim.faults.push(status)
    bad = submit(store)
    good = submit(store)
    fw = forwarder_for(store, rest_sim, concurrency=1)
    fw.forward_once()
    got = store.get(bad.txid)
    assert got.state == "dead" and f"HTTP {status}" in got.last_error and got.attempts == 1
    assert store.get(good.txid).state == "delivered"
    now.advance(86400)
    assert fw.run_due() == 0 and store.get(bad.txid).attempts == 1
    assert fw.breaker_state("dachang") == "closed"  # a refusal is an answer: the endpoint is up


def test_401_is_dead(store, rest_sim):
    rest_sim.set_credentials(token="x")
    info = submit(store)
    forwarder_for(store, rest_sim).forward_once()
    assert store.get(info.txid).state == "dead"
