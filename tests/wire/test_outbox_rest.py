"""The REST transport and forwarder against the simulated REST jurisdiction on loopback (plain HTTP)."""
import os

import pytest

from offline_queue.transports import make_transport
from offline_queue.types import UnavailableError
from tests.support.outbox import ID_NUMBER, NAME, attachment, endpoint_for, forwarder_for, submit

pytestmark = pytest.mark.wire


def test_application_with_attachments_delivered_once(store, rest_sim, tmp_path):
    info = submit(store, attachments=[attachment(tmp_path, "idcopy"), attachment(tmp_path, "hukou")])
    fw = forwarder_for(store, rest_sim)
    assert fw.forward_once()["delivered"] == 1
    got = rest_sim.received[info.txid]
    assert got.fields["name"] == NAME and got.fields["id_number"] == ID_NUMBER
    assert got.operation == "/applications/gjj-withdrawal" and got.copies == 1
    assert [a["material"] for a in got.attachments] == ["idcopy", "hukou"]
    for ref in info.attachments:
        assert rest_sim.state.attachments[(info.txid, ref.sha256)] == open(tmp_path / f"{ref.material}.pdf", "rb").read()
    assert store.get(info.txid).remote_reference == got.reference


def test_resend_after_lost_ack_is_deduplicated(store, rest_sim, now):
    info = submit(store)
    t = make_transport(endpoint_for(rest_sim))
    req = store.load_request(info.txid)
    first = t.send(req, lambda r: b"")
    second = t.send(req, lambda r: b"")  # the kiosk crashed before its ack: same id again
    assert first.reference == second.reference and second.duplicate
    assert len(rest_sim.received) == 1 and rest_sim.received[info.txid].copies == 2


def test_same_id_other_content_is_refused_dead(store, rest_sim):
    info = submit(store)
    t = make_transport(endpoint_for(rest_sim))
    req = store.load_request(info.txid)
    t.send(req, lambda r: b"")
    import dataclasses
    out = t.send(dataclasses.replace(req, fields={"name": "other"}), lambda r: b"")
    assert type(out).__name__ == "Dead" and "422" in out.reason


def _write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, text.encode())
    os.close(fd)


def test_bearer_token_read_at_use(store, rest_sim, tmp_path):
    rest_sim.set_credentials(token="s3cret")
    creds = str(tmp_path / "dachang.toml")
    _write(creds, 'token = "wrong"\n')
    info = submit(store)
    fw = forwarder_for(store, rest_sim, credentials_file=creds)
    fw.forward_once()
    got = store.get(info.txid)
    assert got.state == "dead" and "401" in got.last_error
    _write(creds, 'token = "s3cret"\n')  # the technician fixes the file; no restart
    os.utime(creds, (1, 1))
    store.retry(info.txid)
    assert fw.forward_once()["delivered"] == 1


@pytest.mark.parametrize("decision, reason, want", [
    ("pass", None, "prereview_passed"), ("needs_correction", "户口本首页不清晰", "needs_correction"),
    ("reject", "不属于本辖区", "rejected"), ("hold", None, "received"),
])
def test_status_query_follows_remote_prereview(store, rest_sim, decision, reason, want):
    info = submit(store)
    rest_sim.set_prereview(decision, reason, txid=info.txid)
    forwarder_for(store, rest_sim).forward_once()
    st = make_transport(endpoint_for(rest_sim)).status(info.txid, "/applications/{id}/status")
    assert (st.state, st.reason) == (want, reason)


def test_completed_and_unknown_status(store, rest_sim):
    info = submit(store)
    forwarder_for(store, rest_sim).forward_once()
    rest_sim.complete(info.txid)
    t = make_transport(endpoint_for(rest_sim))
    assert t.status(info.txid).state == "completed"
    assert t.status("00000000-0000-4000-8000-000000000000").state == "unknown"


def test_query_online_and_unavailable_offline(rest_sim):
    t = make_transport(endpoint_for(rest_sim))
    got = t.query("/api/v1/matters/DC-GJJ-001/query", {"certNo": ID_NUMBER})
    assert got["result"] == "ok" and "balance" in got
    rest_sim.set_reachable(False)
    with pytest.raises(UnavailableError):
        t.query("/api/v1/matters/DC-GJJ-001/query", {"certNo": ID_NUMBER})
    rest_sim.stop()
    with pytest.raises(UnavailableError):
        t.status("x")
