"""kiosk/outbox.py end to end on the demo site: sim:// jurisdictions started on loopback, submit,
progress with remote pre-review, queries, a cut network and its return."""
import hashlib
import threading

import pytest

from kiosk.errors import KioskError, OfflineError
from kiosk.outbox import open_outbox
from kiosk.transaction import Attachment
from tests.support.outbox import ID_NUMBER, NAME, pdf_file, site_config, stand_in_catalog, transaction

pytestmark = pytest.mark.wire


@pytest.fixture
def box(tmp_path):
    cfg, _ = site_config(tmp_path)
    b = open_outbox(cfg, stand_in_catalog())
    yield b
    b.close()


def test_simulators_started_for_sim_endpoints(box):
    assert set(box.simulators) == {"tongzhou", "dachang", "sanhe", "xianghe", "haochaping"}
    assert box.simulators["tongzhou"].protocol == "soap" and box.simulators["dachang"].protocol == "rest"
    assert all(box.online(c) for c in box.simulators)


def test_submit_forwards_promptly_and_progress_follows_prereview(box, tmp_path):
    pdf = pdf_file(tmp_path, "idcopy.pdf")
    data = open(pdf, "rb").read()
    att = Attachment("idcopy", pdf, 1, hashlib.sha256(data).hexdigest(), len(data))
    tx = transaction(attachments=[att])
    box.simulators["dachang"].set_prereview("needs_correction", "身份证复印件不清晰", txid=tx.id)
    out = box.submit(tx)
    assert out.forwarded and out.remote_reference and out.tracking_number == tx.tracking_number
    sent = box.simulators["dachang"].received[tx.id]
    assert sent.fields["applicant_name"] == NAME and sent.fields["applicant_id"] == ID_NUMBER
    assert sent.fields["kiosk"] == "demo-dachang-01" and sent.fields["channel"] == "kiosk"
    [p] = box.progress(id_number=ID_NUMBER)
    assert (p.local_state, p.remote_state, p.remote_reason) == ("delivered", "needs_correction", "身份证复印件不清晰")
    [p] = box.progress(tracking_number=tx.tracking_number)
    assert p.txid == tx.id and p.matter_code == "GJJ-WITHDRAW-DC"


def test_soap_jurisdiction_through_the_adapter(box):
    tx = transaction("GJJ-WITHDRAW-TZ", "tongzhou")
    assert box.submit(tx).forwarded
    assert box.simulators["tongzhou"].received[tx.id].fields["applicant_id"] == ID_NUMBER
    assert box.progress(tracking_number=tx.tracking_number)[0].remote_state == "prereview_passed"


def test_cut_network_queues_then_forwards_on_return(box):
    sim = box.simulators["sanhe"]
    sim.set_reachable(False)
    changed = threading.Event()
    box.subscribe(changed.set)
    txs = [transaction("SB-CERT-SH", "sanhe") for _ in range(4)]
    outs = [box.submit(t) for t in txs]
    assert not any(o.forwarded for o in outs)
    assert changed.is_set()
    assert box.counts()["queued"] + box.counts()["sending"] == 4
    assert not box.online("sanhe") and box.online("dachang")
    [p] = box.progress(tracking_number=txs[0].tracking_number)
    assert p.local_state in ("queued", "sending") and p.remote_state is None
    done = threading.Event()
    box.subscribe(lambda: box.counts()["delivered"] == 4 and done.set())
    sim.set_reachable(True)  # the demo panel restores the link: the forwarder goes at once, not after its backoff
    assert done.wait(10)
    assert sim.delivered_ids() == {t.id for t in txs}


def test_query_online_and_offline(box):
    got = box.query("dachang", "gjj-balance", {"id_number": ID_NUMBER})
    assert "balance" in got
    box.simulators["dachang"].set_reachable(False)
    with pytest.raises(OfflineError) as e:
        box.query("dachang", "gjj-balance", {"id_number": ID_NUMBER})
    assert "联网" in e.value.resident


def test_query_matter_is_never_queued(box):
    with pytest.raises(KioskError, match="query matter"):
        box.submit(transaction("GJJ-BALANCE-DC"))
    with pytest.raises(KioskError, match="unknown matter"):
        box.submit(transaction("NOPE"))
    assert sum(box.counts().values()) == 0


def test_missing_key_on_a_real_site_is_a_clear_error(tmp_path):
    cfg, _ = site_config(tmp_path, demo=False)
    with pytest.raises(KioskError, match="key file missing"):
        open_outbox(cfg, stand_in_catalog(), start_forwarder=False)


@pytest.mark.parametrize("matter,code", [("GJJ-WITHDRAW-DC", "dachang"), ("GJJ-WITHDRAW-TZ", "tongzhou")])
def test_a_correction_names_the_original_and_the_jurisdiction_links_them(box, matter, code):
    """补正 (issue 15 #4): a new submission with corrects = the original's txid, queued and forwarded
    like any other (REST and SOAP); the simulated jurisdiction links the two and puts the original
    back under review; the progress query shows both."""
    import dataclasses

    sim = box.simulators[code]
    first = transaction(matter, code)
    sim.set_prereview("needs_correction", "材料不清晰", txid=first.id)
    assert box.submit(first).forwarded
    fix = dataclasses.replace(transaction(matter, code), corrects=first.id)
    out = box.submit(fix)
    assert out.forwarded and out.tracking_number != first.tracking_number
    got = sim.received
    assert got[fix.id].fields["corrects"] == first.id and got[fix.id].corrects == first.id
    assert got[first.id].corrected_by == fix.id and got[first.id].status == "received"
    states = {p.txid: p.remote_state for p in box.progress(id_number=ID_NUMBER)}
    assert states[first.id] == "received" and states[fix.id] == "prereview_passed"


def test_a_correction_naming_an_unknown_transaction_is_taken_unlinked(box):
    import dataclasses

    fix = dataclasses.replace(transaction("GJJ-WITHDRAW-DC", "dachang"), corrects="no-such-txid")
    assert box.submit(fix).forwarded
    assert box.simulators["dachang"].received[fix.id].corrects is None
