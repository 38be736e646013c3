"""Fault: a row's sealed payload is damaged in the database: TEXT where a BLOB belongs, text that
is not even UTF-8, or an attachments column that is not JSON. The damaged item goes dead with a
reason a technician can act on (no traceback, no retry for ever); the other items still flow."""
import logging

import pytest

from kiosk.cli import main
from tests.support.outbox import drive, forwarder_for, site_config, submit

pytestmark = pytest.mark.faults


def _damage(store, txid, sql):
    store._db.execute(f"UPDATE items SET {sql} WHERE txid=?", (txid,))


@pytest.mark.parametrize("damage, reason", [
    ("payload='this was a sealed request'", "not a sealed blob"),
    ("payload=CAST(x'ff00fe41' AS TEXT)", "cannot be read"),
    ("payload=x'4f5131'", "not in the outbox format"),
    ("payload=12345", "not a sealed blob"),
])
def test_damaged_payload_is_dead_and_the_rest_flow(store, now, rest_sim, caplog, damage, reason):
    items = [submit(store) for _ in range(5)]
    bad = items[2]
    _damage(store, bad.txid, damage)
    caplog.set_level(logging.DEBUG)
    fw = forwarder_for(store, rest_sim)
    counts = drive(fw, now, rounds=20)
    fw.stop()
    got = store.get(bad.txid)
    assert got.state == "dead" and reason in got.last_error and bad.txid in got.last_error, got.last_error
    assert got.attempts == 1
    assert counts["delivered"] == 4 and counts["dead"] == 1, counts
    assert not [r for r in caplog.records if r.exc_info], "a traceback in the log"
    assert rest_sim.delivered_ids() == {i.txid for i in items} - {bad.txid}


def test_attachments_column_not_json_does_not_wedge_the_round(store, now, rest_sim):
    items = [submit(store) for _ in range(3)]
    _damage(store, items[0].txid, "attachments='{not json'")
    assert {i.txid for i in store.list()} == {i.txid for i in items}
    fw = forwarder_for(store, rest_sim)
    counts = drive(fw, now, rounds=20)
    fw.stop()
    assert counts["delivered"] == 3, counts


def test_queue_list_shows_a_damaged_row_without_a_traceback(tmp_path, capsys):
    from kiosk.outbox import open_store
    cfg, path = site_config(tmp_path)
    s = open_store(cfg)
    a = submit(s)
    _damage(s, a.txid, "attachments='[{\"x\": 1}]'")
    s.close()
    for cmd in (["queue", "list"], ["queue", "show", a.txid], ["queue", "forward", "--once"]):
        rc = main(["--config", path, *cmd])
        out, err = capsys.readouterr()
        assert rc == 0 and "internal error" not in err and "Traceback" not in err, (cmd, rc, err)
