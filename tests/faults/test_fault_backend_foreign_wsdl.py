"""Fault: a SOAP jurisdiction points at another agency's WSDL but speaks the kiosk's own profile
(the issue's first symptom: every submission retried for ever with `internal error: ValueError:
No binding found`). Now the item is dead at once with what to fix, and after the technician names
the right profile a retry delivers it."""
import dataclasses

import pytest

from offline_queue.forwarder import Forwarder
from offline_queue.sim import SimulatedJurisdiction
from offline_queue.transports import Endpoint, make_transport
from tests.support.backends import backend_request

pytestmark = pytest.mark.faults


def test_foreign_wsdl_is_dead_with_the_fix_then_delivered(store):
    sim = SimulatedJurisdiction("nested-soap", "xianghe").start()
    try:
        ep = Endpoint(code="xianghe", protocol="soap", url=sim.url, wsdl=sim.wsdl, connect_timeout=2, read_timeout=5)
        req, _ = backend_request()
        info = store.submit(req, jurisdiction="xianghe", tracking="261202ABCDEF12")
        fw = Forwarder(store, {"xianghe": make_transport(ep)}, rand=lambda: 0.0)
        fw.run_due()
        got = store.get(info.txid)
        assert got.state == "dead" and got.attempts == 1
        assert "binding {urn:quyu-tongban:jurisdiction:1}Jurisdiction is not in" in got.last_error
        assert "fix [soap] binding" in got.last_error and "internal error" not in got.last_error
        assert sim.state.requests == 0  # nothing reached the agency
        fixed = Forwarder(store, {"xianghe": make_transport(dataclasses.replace(ep, profile=sim.profile))},
                          rand=lambda: 0.0)
        assert store.retry_dead() == 1 and fixed.forward_once()["delivered"] == 1
    finally:
        sim.stop()
