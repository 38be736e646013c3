"""Another agency's REST API through its profile (deploy/profiles/multipart-rest.toml), against the
simulated provincial open API on loopback: API key header, X-Request-Id, multipart/form-data;
the same API with the files inline in base64 or uploaded first for a file id (profile variants);
business codes inside HTTP 200, Chinese status words, TLS and mTLS with REQUESTS_CA_BUNDLE set."""

import pytest

from offline_queue.sim import SimulatedJurisdiction
from offline_queue.sim.multipart_rest_app import PROFILE_FILE
from offline_queue.transports import Endpoint, make_transport
from offline_queue.types import Dead, Delivered, Retry
from tests.support.backends import ITEM_CODE, NAME, SEX_FEMALE_ID, backend_request, creds_file

pytestmark = pytest.mark.wire
TEXT = open(PROFILE_FILE, encoding="utf-8").read()


@pytest.fixture
def sim():
    s = SimulatedJurisdiction("multipart-rest", "sanhe").start()
    s.set_credentials(api_key="ak-sanhe-01")
    yield s
    s.stop()


@pytest.fixture
def key(tmp_path):
    return creds_file(tmp_path / "sanhe.toml", api_key="ak-sanhe-01")


def transport(sim, **kw):
    return make_transport(Endpoint(code="sanhe", protocol="rest", connect_timeout=2.0, read_timeout=5.0,
                                   **(sim.endpoint_kwargs() | kw)))


def variant(tmp_path, old: str, new: str) -> str:
    assert old in TEXT
    p = tmp_path / "variant.toml"
    p.write_text(TEXT.replace(old, new), encoding="utf-8")
    return str(p)


def test_multipart_with_api_key_and_request_id(sim, key):
    req, files = backend_request(attachments=2)
    out = transport(sim, credentials_file=key).send(req, lambda r: files[r.sha256])
    assert out == Delivered("SANHE-000001")
    seen = sim.app.requests_seen[-1]
    assert seen["headers"]["X-Request-Id"] == req.txid and seen["headers"]["X-Api-Key"] == "ak-sanhe-01"
    assert seen["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    got = sim.received[req.txid]
    assert got.matter == ITEM_CODE
    assert {k: v for k, v in got.fields.items() if k.startswith("applicant.")} == {
        "applicant.name": NAME, "applicant.idNo": SEX_FEMALE_ID, "applicant.sex": "2",
        "applicant.birthday": "1949-12-31", "applicant.phone": "13800138000"}
    assert got.fields["amount"] == "1200.00" and got.fields["fileCount"] == "2"
    assert [sim.state.attachments[(req.txid, a["sha256"])] for a in got.attachments] == list(files.values())


def test_wrong_or_missing_api_key_is_dead(sim, tmp_path):
    req, _ = backend_request()
    out = transport(sim, credentials_file=creds_file(tmp_path / "k.toml", api_key="nope")).send(req, lambda r: b"")
    assert isinstance(out, Dead) and "HTTP 401" in out.reason
    out = transport(sim, credentials_file=creds_file(tmp_path / "t.toml", token="x")).send(req, lambda r: b"")
    assert isinstance(out, Dead) and "no api_key" in out.reason and "t.toml" in out.reason
    assert sim.received == {}


def test_business_codes_duplicate_busy_unknown_item(sim, key):
    t = transport(sim, credentials_file=key)
    req, files = backend_request(attachments=1)
    first = t.send(req, lambda r: files[r.sha256])
    assert t.send(req, lambda r: files[r.sha256]) == Delivered(first.reference, duplicate=True)
    sim.state.business_faults.append("10503")
    busy, _ = backend_request()
    out = t.send(busy, lambda r: b"")
    assert isinstance(out, Retry) and "10503" in out.reason
    unknown, _ = backend_request(item_code="SH-YB-001")  # the kiosk's own code: the agency does not know it
    out = t.send(unknown, lambda r: b"")
    assert isinstance(out, Dead) and "10404" in out.reason and "事项编码不存在" in out.reason


def test_chinese_status_words(sim, key):
    t = transport(sim, credentials_file=key)
    req, _ = backend_request()
    sim.set_prereview("reject", "不属于本辖区受理范围", txid=req.txid)
    t.send(req, lambda r: b"")
    st = t.status(req.txid)
    assert (st.state, st.reason, st.reference) == ("rejected", "不属于本辖区受理范围", "SANHE-000001")
    assert t.status("00000000-0000-4000-8000-000000000000").state == "unknown"


def test_inline_base64_variant(sim, key, tmp_path):
    profile = variant(tmp_path, 'attachments = "multipart"       # a JSON part "data" beside one "files" part per material\n\n'
                                '[submit.multipart]\njson_part = "data"\nfile_part = "files"\n',
                      'attachments = "inline"\n')
    profile_text = open(profile, encoding="utf-8").read().replace(
        'fileName = "attachment.filename" }', 'fileName = "attachment.filename", content = "attachment.content" }')
    open(profile, "w", encoding="utf-8").write(profile_text)
    req, files = backend_request(attachments=1)
    out = transport(sim, credentials_file=key, profile=profile).send(req, lambda r: files[r.sha256])
    assert isinstance(out, Delivered)
    assert sim.app.requests_seen[-1]["headers"]["Content-Type"].startswith("application/json")
    [a] = sim.received[req.txid].attachments
    assert sim.state.attachments[(req.txid, a["sha256"])] == next(iter(files.values()))


def test_upload_first_then_file_ids_in_the_body(sim, key, tmp_path):
    profile = variant(tmp_path, 'attachments = "multipart"       # a JSON part "data" beside one "files" part per material\n\n'
                                '[submit.multipart]\njson_part = "data"\nfile_part = "files"\n',
                      'attachments = "upload"\n')
    text = open(profile, encoding="utf-8").read().replace(
        'fileName = "attachment.filename" }', 'fileName = "attachment.filename", fileId = "attachment.file_id" }')
    text += '''
[upload]
method = "POST"
path = "/api/v2/files"
file = "multipart"
id = "header:X-Request-Id"

[upload.answer]
code = "/code"
file_id = "/data/fileId"

[upload.answer.codes]
delivered = [0]
dead = [10400]
'''
    open(profile, "w", encoding="utf-8").write(text)
    from offline_queue.profile_check import check_profile
    assert check_profile(profile) == []
    req, files = backend_request(attachments=2)
    out = transport(sim, credentials_file=key, profile=profile).send(req, lambda r: files[r.sha256])
    assert isinstance(out, Delivered)
    paths = [r["path"] for r in sim.app.requests_seen]
    assert paths == ["/api/v2/files", "/api/v2/files", "/api/v2/applications"]
    assert sim.app.requests_seen[0]["headers"]["X-Request-Id"].startswith(req.txid + ":")
    assert sorted(a["sha256"] for a in sim.received[req.txid].attachments) == sorted(files)


@pytest.mark.parametrize("client_cert", [True, False])
def test_tls_and_mtls_with_the_jurisdictions_own_ca(pki, monkeypatch, tmp_path, client_cert, key):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "elsewhere.pem"))
    (tmp_path / "elsewhere.pem").write_bytes(open(pki.server_cert, "rb").read())
    sim = SimulatedJurisdiction("multipart-rest", "sanhe", pki=pki).start()
    try:
        req, files = backend_request(attachments=1)
        t = make_transport(Endpoint(code="sanhe", protocol="rest", connect_timeout=2.0, read_timeout=5.0,
                                    credentials_file=key, **sim.endpoint_kwargs(with_client_cert=client_cert)))
        out = t.send(req, lambda r: files[r.sha256])
        if client_cert:
            assert isinstance(out, Delivered) and sim.url.startswith("https://")
        else:
            assert isinstance(out, Retry) and out.network
    finally:
        sim.stop()
