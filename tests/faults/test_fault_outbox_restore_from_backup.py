"""Fault: the outbox database is emptied on a kiosk that made a backup (`kiosk-admin queue backup`).
The damaged outbox is refused (see test_fault_outbox_emptied_database); the backup, copied in its
place as the refusal says, brings back every application with its sealed attachments, and they
are delivered once."""
import json
import os
import shutil
import stat

import pytest

from kiosk.cli import main
from kiosk.outbox import provision_key
from offline_queue.store import DB_NAME, Store
from offline_queue.types import CorruptStoreError, OutboxError
from tests.faults.test_fault_outbox_emptied_database import _empty
from tests.support.outbox import attachment, drive, forwarder_for, site_config, submit

pytestmark = pytest.mark.faults


def test_backup_while_in_use_restores_every_application(store, key_path, now, tmp_path, rest_sim):
    infos = [submit(store, attachments=[attachment(tmp_path, "idcopy")]) for _ in range(3)]
    backup = tmp_path / "backup"
    assert store.backup(str(backup)) == {"queued": 3, "sending": 0, "delivered": 0, "dead": 0}
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(os.path.join(r, f)).st_mode) == 0o600
               for r, _d, fs in os.walk(backup) for f in fs)
    folder = store.folder
    store.close()
    _empty(os.path.join(folder, DB_NAME))
    with pytest.raises(CorruptStoreError, match="restore"):
        Store(folder, key_path, now=now)
    shutil.move(folder, str(tmp_path / "damaged"))
    shutil.copytree(backup, folder)  # what the technician does: cp -a BACKUP OUTBOX
    restored = Store(folder, key_path, now=now)
    try:
        assert {i.txid for i in restored.list("queued")} == {i.txid for i in infos}
        for i in infos:
            got = restored.get(i.txid)
            assert restored.read_attachment(i.txid, got.attachments[0]).startswith(b"%PDF")
        assert drive(forwarder_for(restored, rest_sim), now)["delivered"] == 3
        assert set(rest_sim.state.received) == {i.txid for i in infos} and rest_sim.state.duplicates == 0
    finally:
        restored.close()


def test_backup_never_overwrites_and_opens_only_with_the_key(store, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep me")
    with pytest.raises(OutboxError, match="never overwrites"):
        store.backup(str(tmp_path / "full"))
    assert (tmp_path / "full" / "x").read_text() == "keep me"
    submit(store)
    store.backup(str(tmp_path / "b"))
    other = tmp_path / "other.key"
    provision_key(str(other))
    with pytest.raises(OutboxError, match="key"):
        Store(str(tmp_path / "b"), str(other))


def test_kiosk_admin_queue_backup(tmp_path, capsys):
    cfg, path = site_config(tmp_path)
    provision_key(str(tmp_path / "keys" / "outbox.key"))
    assert main(["--config", path, "queue", "status"]) == 0
    capsys.readouterr()
    assert main(["--config", path, "queue", "backup", "--out", str(tmp_path / "bk"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["folder"] == str(tmp_path / "bk") and out["counts"]["queued"] == 0
    assert main(["--config", path, "queue", "backup", "--out", str(tmp_path / "bk")]) != 0
    assert "never overwrites" in capsys.readouterr().err
