"""Fault: SOAP faults. A server fault is retried until delivered; a client fault is dead with its
reason, and a technician's retry sends it again."""
import pytest

from tests.support.outbox import drive, forwarder_for, submit

pytestmark = pytest.mark.faults


def test_server_fault_retried(store, now, soap_sim):
    soap_sim.faults.push("soapfault", 2)
    info = submit(store, "soap")
    fw = forwarder_for(store, soap_sim)
    fw.run_due()
    got = store.get(info.txid)
    assert got.state == "queued" and "SOAP fault Server" in got.last_error
    assert drive(fw, now)["delivered"] == 1 and store.get(info.txid).attempts == 3


def test_client_fault_is_dead_then_technician_retry(store, now, soap_sim):
    soap_sim.faults.push("soapclientfault")
    info = submit(store, "soap")
    fw = forwarder_for(store, soap_sim)
    fw.run_due()
    got = store.get(info.txid)
    assert got.state == "dead" and "SOAP fault Client" in got.last_error
    now.advance(3600)
    assert fw.run_due() == 0  # dead items are not retried on their own
    assert store.retry_dead() == 1
    assert fw.forward_once()["delivered"] == 1
