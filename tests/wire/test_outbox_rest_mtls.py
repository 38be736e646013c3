"""REST over TLS with client certificates (mTLS) and the jurisdiction's own CA, although
REQUESTS_CA_BUNDLE points elsewhere (it does on these machines)."""
import pytest

from offline_queue.transports import make_transport
from offline_queue.types import Retry
from tests.support.outbox import NAME, attachment, endpoint_for, forwarder_for, make_request, submit

pytestmark = pytest.mark.wire


def test_delivered_over_mtls_with_env_bundle_set(store, rest_sim_tls, tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    info = submit(store, attachments=[attachment(tmp_path)])
    assert forwarder_for(store, rest_sim_tls).forward_once()["delivered"] == 1
    assert rest_sim_tls.received[info.txid].fields["name"] == NAME


def test_without_client_certificate_nothing_is_delivered(store, rest_sim_tls):
    ep = endpoint_for(rest_sim_tls, client_cert=None, client_key=None)
    out = make_transport(ep).send(make_request(), lambda r: b"")
    assert isinstance(out, Retry) and out.network
    assert rest_sim_tls.received == {}


def test_server_not_trusted_without_its_ca(rest_sim_tls):
    ep = endpoint_for(rest_sim_tls, ca_bundle=None)  # the system store does not know the test CA
    out = make_transport(ep).send(make_request(), lambda r: b"")
    assert isinstance(out, Retry) and "SSL" in out.reason
    assert rest_sim_tls.received == {}


def test_query_and_status_over_mtls(store, rest_sim_tls):
    info = submit(store)
    forwarder_for(store, rest_sim_tls).forward_once()
    t = make_transport(endpoint_for(rest_sim_tls))
    assert t.status(info.txid).state == "prereview_passed"
    assert "balance" in t.query("gjj-balance", {"id_number": "1"})
