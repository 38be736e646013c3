"""The SOAP transport (zeep, hardened) against the simulated SOAP jurisdiction (spyne) on loopback."""
import os

import pytest

from offline_queue.transports import make_transport
from offline_queue.types import Dead, UnavailableError
from tests.support.outbox import ID_NUMBER, NAME, attachment, endpoint_for, forwarder_for, make_request, submit

pytestmark = pytest.mark.wire


def test_application_with_attachments_delivered_once(store, soap_sim, tmp_path):
    info = submit(store, "soap", attachments=[attachment(tmp_path, "idcopy")])
    assert forwarder_for(store, soap_sim).forward_once()["delivered"] == 1
    got = soap_sim.received[info.txid]
    assert got.fields == {"name": NAME, "id_number": ID_NUMBER, "amount": "1200.00"} and got.copies == 1
    ref = info.attachments[0]
    assert soap_sim.state.attachments[(info.txid, ref.sha256)] == open(tmp_path / "idcopy.pdf", "rb").read()
    assert store.get(info.txid).remote_reference == got.reference


def test_txid_sent_on_every_attempt_deduplicates(store, soap_sim):
    info = submit(store, "soap")
    t = make_transport(endpoint_for(soap_sim))
    req = store.load_request(info.txid)
    a, b = t.send(req, lambda r: b""), t.send(req, lambda r: b"")
    assert a.reference == b.reference and b.duplicate and soap_sim.received[info.txid].copies == 2


def _write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, text.encode())
    os.close(fd)


def test_ws_security_username_token(store, soap_sim, tmp_path):
    soap_sim.set_credentials(username="kiosk-dc-01", password="pa55")
    creds = str(tmp_path / "tz.toml")
    _write(creds, 'username = "kiosk-dc-01"\npassword = "wrong"\n')
    info = submit(store, "soap")
    fw = forwarder_for(store, soap_sim, credentials_file=creds)
    fw.forward_once()
    got = store.get(info.txid)
    assert got.state == "dead" and "Authentication" in got.last_error
    _write(creds, 'username = "kiosk-dc-01"\npassword = "pa55"\n')
    os.utime(creds, (1, 1))
    store.retry(info.txid)
    assert fw.forward_once()["delivered"] == 1


def test_unknown_operation_is_dead(soap_sim):
    import dataclasses
    out = make_transport(endpoint_for(soap_sim)).send(dataclasses.replace(make_request("soap"), operation="Nope"),
                                                      lambda r: b"")
    assert isinstance(out, Dead) and "Nope" in out.reason


@pytest.mark.parametrize("decision, reason, want", [
    ("pass", None, "prereview_passed"), ("needs_correction", "照片不清晰", "needs_correction"), ("reject", "重复申请", "rejected"),
])
def test_status_query(store, soap_sim, decision, reason, want):
    info = submit(store, "soap")
    soap_sim.set_prereview(decision, reason)
    forwarder_for(store, soap_sim).forward_once()
    st = make_transport(endpoint_for(soap_sim)).status(info.txid, "QueryStatus")
    assert (st.state, st.reason) == (want, reason)
    soap_sim.complete(info.txid)
    assert make_transport(endpoint_for(soap_sim)).status(info.txid).state == "completed"


def test_query_online_and_unavailable_offline(soap_sim):
    t = make_transport(endpoint_for(soap_sim))
    got = t.query("QueryGjj001", {"certNo": ID_NUMBER})
    assert got["result"] == "ok"
    soap_sim.stop()
    with pytest.raises(UnavailableError):
        t.query("QueryGjj001", {"certNo": ID_NUMBER})
