"""Fault: the outbox is opened with the wrong key, or with no key. A clear error, nothing read,
nothing changed, never a plaintext fallback."""
import hashlib
import os

import pytest

from kiosk.errors import KioskError
from kiosk.outbox import open_outbox
from offline_queue.crypto import create_key
from offline_queue.store import Store
from offline_queue.types import KeyFileError, WrongKeyError
from tests.support.outbox import site_config, stand_in_catalog, submit

pytestmark = pytest.mark.faults


def _digest(folder):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(folder)):
        for f in sorted(files):
            if f.endswith(("-wal", "-shm", ".lock")):
                continue
            h.update(open(os.path.join(root, f), "rb").read())
    return h.hexdigest()


def test_wrong_key_refused_and_nothing_changed(store, tmp_path, now):
    submit(store)
    store.close()
    before = _digest(store.folder)
    other = str(tmp_path / "other.key")
    create_key(other)
    with pytest.raises(WrongKeyError, match="does not open this outbox"):
        Store(store.folder, other, now=now)
    assert _digest(store.folder) == before


def test_missing_key_refused(store, tmp_path, now):
    submit(store)
    store.close()
    with pytest.raises(KeyFileError, match="missing"):
        Store(store.folder, str(tmp_path / "gone.key"), now=now)


def test_replaced_key_under_a_running_item_never_yields_plaintext(store, key_path, now):
    submit(store)
    store.close()
    os.unlink(key_path)
    create_key(key_path)  # someone "fixed" a lost key by making a new one
    with pytest.raises(WrongKeyError):
        Store(store.folder, key_path, now=now)


def test_kiosk_sees_a_kiosk_error(tmp_path):
    cfg, _ = site_config(tmp_path, demo=False)
    os.makedirs(os.path.dirname(cfg.outbox_key))
    create_key(cfg.outbox_key)
    box = open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    box.close()
    os.unlink(cfg.outbox_key)
    create_key(cfg.outbox_key)
    with pytest.raises(KioskError, match="does not open") as e:
        open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    assert "工作人员" in e.value.resident
