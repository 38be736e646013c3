"""Fault: the outbox database is emptied (truncated to 0 bytes) or deleted while applications and
their sealed attachments are still in the outbox. The outbox knows it existed (a marker beside the
database, and the attachment folders themselves): opening is refused as damaged, nothing is
created, nothing is swept, and the technician is told how to restore it."""
import os
import sqlite3

import pytest

from kiosk.cli import main
from kiosk.outbox import provision_key
from offline_queue.store import ATTACH_DIR, DB_NAME, Store
from offline_queue.types import CorruptStoreError
from tests.support.outbox import attachment, site_config, submit

pytestmark = pytest.mark.faults


def _queue_three(store, tmp_path, with_attachments=True):
    atts = [attachment(tmp_path, "idcopy")] if with_attachments else []
    return [submit(store, attachments=atts) for _ in range(3)]


def _empty(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    with open(path, "wb"):
        pass  # truncated to 0 bytes


def _snapshot(folder):
    out = {}
    for root, _dirs, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, folder)] = os.path.getsize(p)
    return out


def test_emptied_database_beside_attachments_is_refused_and_nothing_swept(store, key_path, now, tmp_path):
    items = _queue_three(store, tmp_path)
    store.close()
    _empty(store.path)
    before = _snapshot(store.folder)
    now.advance(7 * 86400)  # long past the orphan age: a forwarder would sweep them now
    with pytest.raises(CorruptStoreError, match="restore"):
        Store(store.folder, key_path, now=now)
    assert _snapshot(store.folder) == before  # nothing created, nothing swept
    assert os.path.getsize(store.path) == 0
    for it in items:
        assert os.path.isdir(os.path.join(store.folder, ATTACH_DIR, it.txid))


def test_deleted_database_beside_attachments_is_refused_and_not_recreated(store, key_path, now, tmp_path):
    _queue_three(store, tmp_path)
    store.close()
    _empty(store.path)
    os.remove(store.path)
    with pytest.raises(CorruptStoreError, match="restore"):
        Store(store.folder, key_path, now=now)
    assert not os.path.exists(store.path)


def test_emptied_database_without_attachments_is_refused_by_the_marker(store, key_path, now, tmp_path):
    _queue_three(store, tmp_path, with_attachments=False)
    store.close()
    _empty(store.path)
    with pytest.raises(CorruptStoreError, match="restore"):
        Store(store.folder, key_path, now=now)
    assert os.path.getsize(store.path) == 0


def test_a_database_replaced_by_an_empty_one_is_refused(store, key_path, now, tmp_path):
    _queue_three(store, tmp_path)
    store.close()
    _empty(store.path)
    os.remove(store.path)
    sqlite3.connect(store.path).execute("CREATE TABLE x (a)").connection.close()  # a valid, empty database
    with pytest.raises(CorruptStoreError, match="restore"):
        Store(store.folder, key_path, now=now)


def test_a_new_outbox_still_opens_and_an_old_one_gets_its_marker(tmp_path, key_path, now):
    s = Store(str(tmp_path / "fresh"), key_path, now=now)
    submit(s)
    s.close()
    marker = [n for n in os.listdir(tmp_path / "fresh") if n not in (DB_NAME, ATTACH_DIR) and not n.startswith(DB_NAME)]
    assert marker, "a new outbox leaves a marker that it exists"
    for n in marker:  # an outbox made before the marker existed: it is written at the next open
        os.remove(tmp_path / "fresh" / n)
    Store(str(tmp_path / "fresh"), key_path, now=now).close()
    assert sorted(n for n in os.listdir(tmp_path / "fresh") if n in marker) == sorted(marker)


def test_purge_never_sweeps_when_the_store_holds_no_rows(store, now, tmp_path):
    """Defence in depth: attachment folders beside a store without a single row are evidence of a
    lost database, not crash leftovers; the sweep leaves them."""
    d = os.path.join(store.folder, ATTACH_DIR, "0f0f0f0f-0000-4000-8000-000000000000")
    os.makedirs(d)
    with open(os.path.join(d, "x.sealed"), "wb") as f:
        f.write(b"OQ1" + b"\0" * 40)
    old = os.path.getmtime(d) - 7 * 86400
    os.utime(d, (old, old))
    store.purge()
    assert os.path.isdir(d)


def test_cli_says_how_to_restore_in_one_line(tmp_path, capsys):
    from kiosk.outbox import open_store
    cfg, path = site_config(tmp_path)
    provision_key(str(tmp_path / "keys" / "outbox.key"))
    s = open_store(cfg)  # three applications with their materials, queued as the kiosk queues them
    for _ in range(3):
        submit(s, attachments=[attachment(tmp_path, "idcopy")])
    db = s.path
    s.close()
    _empty(db)
    rc = main(["--config", path, "queue", "status"])
    out, err = capsys.readouterr()
    assert rc == 1 and out == "", (rc, out, err)
    assert len(err.strip().splitlines()) == 1 and "restore" in err and "Traceback" not in err, err
    assert os.path.getsize(db) == 0
