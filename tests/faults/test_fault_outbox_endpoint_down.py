"""Fault: a jurisdiction's endpoint is down (connections refused). Applications wait, the breaker
keeps the forwarder off it, other jurisdictions are served, and on return each arrives once."""
import pytest

from offline_queue.forwarder import Forwarder
from offline_queue.sim import SimulatedJurisdiction
from offline_queue.transports import make_transport
from tests.support.outbox import drive, endpoint_for, submit

pytestmark = pytest.mark.faults


def test_endpoint_down_then_back(store, now):
    down = SimulatedJurisdiction("rest", "dachang").start()
    up = SimulatedJurisdiction("soap", "tongzhou").start()
    try:
        port = down.port
        down.stop()  # refused from now on
        fw = Forwarder(store, {"dachang": make_transport(endpoint_for(down)),
                               "tongzhou": make_transport(endpoint_for(up, code="tongzhou"))}, rand=lambda: 0.0)
        waiting = [submit(store, jurisdiction="dachang").txid for _ in range(10)]
        served = [submit(store, "soap", jurisdiction="tongzhou").txid for _ in range(5)]
        for _ in range(6):
            fw.forward_once()
            now.advance(600)
        assert up.delivered_ids() == set(served)
        assert fw.breaker_state("dachang") in ("open", "half_open") and not fw.reachable["dachang"]
        items = [store.get(t) for t in waiting]
        assert all(i.state == "queued" for i in items)
        assert all("network" in i.last_error for i in items if i.attempts)
        # the breaker kept the attempts down: far fewer than 10 items x 6 rounds
        assert sum(i.attempts for i in items) < 20
        down.port = port
        down.start()
        fw.network_up("dachang")
        assert drive(fw, now)["delivered"] == 15
        assert down.delivered_ids() == set(waiting)
        assert all(r.copies == 1 for r in down.received.values())
    finally:
        down.stop()
        up.stop()
