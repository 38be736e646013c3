"""Fault: the outbox database file is damaged. Opening is refused with a clear message and the file
is left exactly as it was, for a technician (never recreated)."""
import os
import sqlite3

import pytest

from kiosk.errors import KioskError
from kiosk.outbox import open_outbox
from offline_queue.store import Store
from offline_queue.types import CorruptStoreError
from tests.support.outbox import site_config, stand_in_catalog, submit

pytestmark = pytest.mark.faults


def _checkpoint(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_garbage_header_refused_and_kept(store, key_path, now):
    for _ in range(20):
        submit(store)
    store.close()
    _checkpoint(store.path)
    with open(store.path, "r+b") as f:
        f.write(b"this is not a database at all..." * 4)
    before = open(store.path, "rb").read()
    with pytest.raises(CorruptStoreError, match="damaged.*left in place"):
        Store(store.folder, key_path, now=now)
    assert open(store.path, "rb").read() == before


def test_damaged_page_found_by_the_check(store, key_path, now):
    for _ in range(200):
        submit(store, fields={"pad": "x" * 500})
    store.close()
    _checkpoint(store.path)
    size = os.path.getsize(store.path)
    with open(store.path, "r+b") as f:  # scribble over pages in the middle, keep the header
        f.seek(4096 * 3)
        f.write(os.urandom(4096 * 4))
    before = open(store.path, "rb").read()
    with pytest.raises(CorruptStoreError):
        Store(store.folder, key_path, now=now)
    assert open(store.path, "rb").read() == before and os.path.getsize(store.path) == size


def test_kiosk_sees_a_kiosk_error(tmp_path):
    cfg, _ = site_config(tmp_path)
    box = open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    path = box.store.path
    box.close()
    _checkpoint(path)
    with open(path, "r+b") as f:
        f.write(b"\0" * 100)
    with pytest.raises(KioskError, match="damaged"):
        open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    assert os.path.exists(path)
