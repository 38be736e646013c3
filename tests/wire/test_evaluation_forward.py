"""好差评 on the wire: an evaluation queued through kiosk/outbox.py as an item of its own kind is
forwarded to the simulated evaluation platform (offline_queue/sim/haochaping_app.py) through its
interface profile, with the tracking number and matter and nothing that names the resident; a
cut network keeps it queued; `evaluation_counts` reads the levels back from the outbox."""
import json

import pytest

from kiosk.evaluation import Evaluation, Subject
from kiosk.outbox import evaluation_counts, open_outbox
from tests.support.outbox import ID_NUMBER, NAME, site_config, stand_in_catalog, transaction

pytestmark = pytest.mark.wire


@pytest.fixture
def box(tmp_path):
    cfg, _ = site_config(tmp_path)
    b = open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    yield b
    b.close()


def test_an_evaluation_reaches_the_platform_linked_to_the_tracking_number_only(box):
    tx = transaction()
    box.submit(tx)
    subject = Subject("application", tx.matter_code, tracking=tx.tracking_number, jurisdiction="dachang")
    eid = box.evaluate(Evaluation(subject, 1, ("slow", "not_done"), "等了很久"))
    box.evaluate(Evaluation(Subject("query", "GJJ-BALANCE-DC"), 5))
    assert box.store.get(eid).kind == "evaluation" and box.store.get(tx.id).kind == "application"
    assert box.forward_once()
    got = sorted(box.simulators["haochaping"].app.evaluations(), key=lambda e: e["level"])
    assert [(e["level"], e.get("projectNo", "")) for e in got] == [("1", tx.tracking_number), ("5", "")]
    first = got[0]
    assert (first["itemCode"], first["reasons"], first["comment"], first["deviceId"]) == \
        (tx.matter_code, "slow,not_done", "等了很久", "demo-dachang-01")
    assert not any(NAME in str(v) or ID_NUMBER in str(v) for e in got for v in e.values())
    assert box.store.get(eid).state == "delivered"
    # a progress query by the tracking number finds the application, never its evaluation
    assert [p.txid for p in box.progress(tracking_number=tx.tracking_number)] == [tx.id]
    assert [p.txid for p in box.progress(id_number=ID_NUMBER)] == [tx.id]
    counts = evaluation_counts(box.store)
    assert counts["levels"] == {5: 1, 4: 0, 3: 0, 2: 0, 1: 1} and counts["states"] == {"delivered": 2}


def test_platform_unreachable_the_evaluation_waits_in_the_outbox(box):
    sim = box.simulators["haochaping"]
    sim.set_reachable(False)
    eid = box.evaluate(Evaluation(Subject("progress", ""), 3))
    box.forward_once()
    assert box.store.get(eid).state == "queued" and sim.app.evaluations() == []
    sim.set_reachable(True)
    box.store.reschedule_now()
    box.forward_once()
    assert box.store.get(eid).state == "delivered" and sim.app.evaluations()[0]["level"] == "3"


def test_kiosk_admin_evaluations_counts_per_level(tmp_path, capsys):
    from kiosk.cli import main
    cfg, path = site_config(tmp_path)
    b = open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    try:
        for level in (5, 5, 4, 1):
            b.evaluate(Evaluation(Subject("query", "GJJ-BALANCE-DC"), level))
        b.submit(transaction())  # an application is not an evaluation
    finally:
        b.close()
    assert main(["--config", path, "evaluations", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["levels"] == {"5": 2, "4": 1, "3": 0, "2": 0, "1": 1} and got["total"] == 4
    assert main(["--config", path, "evaluations"]) == 0
    out = capsys.readouterr().out
    assert "评价 4 条（queued 4）" in out and "非常满意" in out and "Very dissatisfied" in out
