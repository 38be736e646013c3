"""Fault: the SOAP answer carries a DTD with external entities (a local file, a network URL) and
an internal entity. zeep's hardened parser refuses it: nothing is resolved or fetched, the item
is retried and delivered once."""
import pytest
import zeep
import zeep.exceptions

from offline_queue.transports.soap import HARDENED
from tests.support.outbox import drive, forwarder_for, submit

pytestmark = pytest.mark.faults


def test_hostile_answer_refused_and_retried(store, now, soap_sim):
    soap_sim.faults.push("hostile")
    info = submit(store, "soap")
    fw = forwarder_for(store, soap_sim)
    fw.run_due()
    got = store.get(info.txid)
    assert got.state == "queued" and "hostile XML" in got.last_error
    assert soap_sim.app.canary_hits == 0  # the external entity was never fetched
    assert "root:" not in got.last_error  # nor /etc/passwd read into anything
    assert drive(fw, now)["delivered"] == 1
    got = store.get(info.txid)
    assert got.remote_reference == soap_sim.received[info.txid].reference and "root:" not in got.remote_reference
    assert soap_sim.app.canary_hits == 0


def test_parser_settings_refuse_dtd_and_entities(soap_sim):
    from zeep.loader import parse_xml
    body = soap_sim.app.hostile(None).body
    settings = zeep.Settings(**HARDENED)
    with pytest.raises((zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden)):
        parse_xml(body, None, settings=settings)
    assert soap_sim.app.canary_hits == 0
