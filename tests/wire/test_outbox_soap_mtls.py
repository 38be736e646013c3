"""SOAP over mTLS: zeep through a requests session with the client certificate and the
jurisdiction's CA, although REQUESTS_CA_BUNDLE points elsewhere."""
import pytest

from offline_queue.transports import make_transport
from offline_queue.types import Retry
from tests.support.outbox import NAME, attachment, endpoint_for, forwarder_for, make_request, submit

pytestmark = pytest.mark.wire


def test_delivered_over_mtls_with_env_bundle_set(store, soap_sim_tls, tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    info = submit(store, "soap", attachments=[attachment(tmp_path)])
    assert forwarder_for(store, soap_sim_tls).forward_once()["delivered"] == 1
    assert soap_sim_tls.received[info.txid].fields["name"] == NAME


def test_without_client_certificate_nothing_is_delivered(soap_sim_tls):
    out = make_transport(endpoint_for(soap_sim_tls, client_cert=None, client_key=None)).send(
        make_request("soap"), lambda r: b"")
    assert isinstance(out, Retry) and out.network
    assert soap_sim_tls.received == {}


def test_status_and_query_over_mtls(store, soap_sim_tls):
    info = submit(store, "soap")
    forwarder_for(store, soap_sim_tls).forward_once()
    t = make_transport(endpoint_for(soap_sim_tls))
    assert t.status(info.txid).state == "prereview_passed"
    assert "balance" in t.query("ProvidentFundBalance", {"id_number": "1"})
