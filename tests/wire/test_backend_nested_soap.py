"""Another agency's SOAP contract through its profile (deploy/profiles/nested-soap.toml), against
the simulated county intake platform on loopback: nested request types, materials as base64
elements, business result codes inside HTTP 200, Chinese status words, WS-Security
UsernameToken text + Timestamp, TLS and mTLS (with REQUESTS_CA_BUNDLE pointing elsewhere)."""
import base64

import pytest

from offline_queue.sim import SimulatedJurisdiction
from offline_queue.transports import Endpoint, make_transport
from offline_queue.types import Dead, Delivered, Retry
from tests.support.backends import ITEM_CODE, SEX_FEMALE_ID, backend_request, creds_file
from tests.support.outbox import forwarder_for, pdf_file

pytestmark = pytest.mark.wire


@pytest.fixture
def sim():
    s = SimulatedJurisdiction("nested-soap", "xianghe").start()
    yield s
    s.stop()


def transport(sim, **kw):
    return make_transport(Endpoint(code="xianghe", protocol="soap", connect_timeout=2.0, read_timeout=5.0,
                                   **(sim.endpoint_kwargs() | kw)))


def test_nested_request_with_base64_materials_delivered(sim):
    req, files = backend_request(attachments=2)
    out = transport(sim).send(req, lambda ref: files[ref.sha256])
    assert isinstance(out, Delivered) and not out.duplicate and out.reference == "XIANGHE-000001"
    got = sim.received[req.txid]
    assert got.matter == ITEM_CODE  # the remote's item code, not the kiosk's matter code
    assert got.fields["applicant.certType"] == "111" and got.fields["applicant.sex"] == "2"
    assert got.fields["applicant.birthDate"] == "19491231" and got.fields["applicant.certNo"] == SEX_FEMALE_ID
    assert got.fields["amount"] == "1200.00"
    assert sorted(sim.state.attachments[(req.txid, a["sha256"])] for a in got.attachments) == sorted(files.values())


def test_duplicate_code_carries_the_original_receipt(sim):
    req, files = backend_request(attachments=1)
    t = transport(sim)
    a, b = t.send(req, lambda r: files[r.sha256]), t.send(req, lambda r: files[r.sha256])
    assert b == Delivered(a.reference, duplicate=True) and sim.received[req.txid].copies == 2


def test_busy_code_is_retried_unknown_item_is_dead(sim):
    sim.state.business_faults.append("9001")
    req, _ = backend_request()
    out = transport(sim).send(req, lambda r: b"")
    assert isinstance(out, Retry) and "9001" in out.reason and "系统繁忙" in out.reason
    bad, _ = backend_request(item_code="TZ-GJJ-001")
    out = transport(sim).send(bad, lambda r: b"")
    assert isinstance(out, Dead) and "1001" in out.reason and "事项编码不存在" in out.reason


def test_chinese_status_words_and_reason(sim):
    req, _ = backend_request()
    t = transport(sim)
    sim.set_prereview("needs_correction", "户口簿首页不清晰，请重新上传", txid=req.txid)
    t.send(req, lambda r: b"")
    st = t.status(req.txid)
    assert (st.state, st.reason, st.reference) == ("needs_correction", "户口簿首页不清晰，请重新上传", "XIANGHE-000001")
    sim.complete(req.txid)
    assert t.status(req.txid).state == "completed"
    assert t.status("00000000-0000-4000-8000-000000000000").state == "unknown"


def test_ws_security_text_with_timestamp(sim, tmp_path):
    sim.set_credentials(username="xh-kiosk-01", password="s3cret")
    req, _ = backend_request()
    good = creds_file(tmp_path / "good.toml", username="xh-kiosk-01", password="s3cret")
    assert isinstance(transport(sim, credentials_file=good).send(req, lambda r: b""), Delivered)
    bad = creds_file(tmp_path / "bad.toml", username="xh-kiosk-01", password="wrong")
    req2, _ = backend_request()
    out = transport(sim, credentials_file=bad).send(req2, lambda r: b"")
    assert isinstance(out, Dead) and "Authentication" in out.reason and "credentials" in out.reason
    out = transport(sim).send(req2, lambda r: b"")  # no credentials at all: no Security header
    assert isinstance(out, Dead) and "wsse:Security missing" in out.reason


def test_envelope_carries_timestamp_and_password_text(sim, tmp_path):
    t = transport(sim, credentials_file=creds_file(tmp_path / "c.toml", username="u", password="p"))
    req, files = backend_request(attachments=1)
    [(op, params)] = t.render_submit(req, lambda r: files[r.sha256])
    profile, client, service, _ = t._service()
    env = client.create_message(service, op, **params)
    ns = {"wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
          "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
          "t": "urn:example:ycsl:intake:2"}
    assert env.find(".//wsu:Timestamp/wsu:Created", ns) is not None
    assert env.find(".//wsse:Password", ns).get("Type").endswith("#PasswordText")
    content = env.find(".//t:materials/t:material/t:content", ns).text
    assert base64.b64decode(content) == next(iter(files.values()))


def test_query_operation(sim):
    got = transport(sim).query("/api/v1/matters/XH-GJJ-001/query", {"id_number": SEX_FEMALE_ID})
    assert got["result"] == "ok" and "balance" in got


def test_forwarder_sends_it_through_the_store(sim, store, tmp_path):
    from offline_queue.types import AttachmentIn
    req, _ = backend_request()
    info = store.submit(req, jurisdiction="xianghe", tracking="261202ABCDEF12", subject=SEX_FEMALE_ID,
                        attachments=[AttachmentIn("hukou", pdf_file(tmp_path, "hukou.pdf"))])
    fw = forwarder_for(store, sim, code="xianghe")
    assert fw.forward_once()["delivered"] == 1
    assert store.get(info.txid).remote_reference == sim.received[info.txid].reference


@pytest.mark.parametrize("client_cert", [True, False])
def test_tls_and_mtls_with_the_jurisdictions_own_ca(pki, monkeypatch, tmp_path, client_cert):
    # the environment's bundle is not the jurisdiction's CA: requests would use it over Session.verify
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "elsewhere.pem"))
    (tmp_path / "elsewhere.pem").write_bytes(open(pki.server_cert, "rb").read())
    sim = SimulatedJurisdiction("nested-soap", "xianghe", pki=pki).start()
    try:
        req, _ = backend_request()
        t = make_transport(Endpoint(code="xianghe", protocol="soap", connect_timeout=2.0, read_timeout=5.0,
                                    **sim.endpoint_kwargs(with_client_cert=client_cert)))
        out = t.send(req, lambda r: b"")
        if client_cert:
            assert isinstance(out, Delivered) and sim.url.startswith("https://")
        else:
            assert isinstance(out, Retry) and out.network  # the handshake fails: no client certificate
    finally:
        sim.stop()
