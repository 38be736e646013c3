"""Fault: the kiosk runs under a permissive umask (022, or 000 from a careless unit file). The
outbox folder and everything in it (database, WAL, shared memory, marker, lock, attachment
folders and sealed files) are 0700/0600 whatever the umask, and an outbox made by an older version
with 0644 files is tightened when it opens. The key file stays 0600."""
import os
import stat

import pytest

from offline_queue.crypto import create_key
from offline_queue.forwarder import Forwarder
from offline_queue.store import Store
from tests.support.outbox import attachment, submit

pytestmark = pytest.mark.faults


@pytest.fixture(params=[0o022, 0o000])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _modes(folder):
    out = {}
    for root, dirs, files in os.walk(folder):
        for n in dirs + files:
            p = os.path.join(root, n)
            out[os.path.relpath(p, folder)] = stat.S_IMODE(os.lstat(p).st_mode)
    out["."] = stat.S_IMODE(os.stat(folder).st_mode)
    return out


def _assert_private(folder):
    for rel, mode in _modes(folder).items():
        p = os.path.join(folder, rel)
        want = 0o700 if os.path.isdir(p) else 0o600
        assert mode == want, f"{rel}: mode {mode:o}, want {want:o}"


def test_everything_private_under_any_umask(tmp_path, umask):
    key = str(tmp_path / "keys" / "outbox.key")
    create_key(key)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    folder = str(tmp_path / "data" / "outbox")
    s = Store(folder, key)
    submit(s, attachments=[attachment(tmp_path)])
    fw = Forwarder(s, {})
    fw.start()  # the lock file
    try:
        assert os.path.exists(s.path + "-wal") and os.path.exists(s.path + "-shm")
        _assert_private(folder)
    finally:
        fw.stop()
        s.close()


def test_an_older_outbox_with_open_modes_is_tightened(tmp_path, umask):
    key = str(tmp_path / "keys" / "outbox.key")
    create_key(key)
    folder = str(tmp_path / "outbox")
    s = Store(folder, key)
    submit(s, attachments=[attachment(tmp_path)])
    s.close()
    for root, dirs, files in os.walk(folder):
        for n in dirs:
            os.chmod(os.path.join(root, n), 0o755)
        for n in files:
            os.chmod(os.path.join(root, n), 0o644)
    os.chmod(folder, 0o755)
    s = Store(folder, key)
    try:
        _assert_private(folder)
    finally:
        s.close()
