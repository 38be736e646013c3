"""Sealing: AES-256-GCM round trips, the txid binds the sealed blob, the key file's rules."""
import os
import stat

import pytest

from offline_queue.crypto import Sealer, create_key, load_key
from offline_queue.types import KeyFileError, WrongKeyError


def test_create_key_is_0600_and_32_bytes(tmp_path):
    p = str(tmp_path / "k" / "outbox.key")
    create_key(p)
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    assert len(load_key(p)) == 32


def test_create_key_refuses_to_overwrite(tmp_path):
    p = str(tmp_path / "outbox.key")
    create_key(p)
    before = open(p, "rb").read()
    with pytest.raises(KeyFileError, match="exists"):
        create_key(p)
    assert open(p, "rb").read() == before


def test_missing_key_is_a_clear_error(tmp_path):
    with pytest.raises(KeyFileError, match="missing"):
        load_key(str(tmp_path / "nope.key"))


def test_group_readable_key_is_refused(tmp_path):
    p = str(tmp_path / "outbox.key")
    create_key(p)
    os.chmod(p, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_key(p)


def test_short_key_is_refused(tmp_path):
    p = str(tmp_path / "outbox.key")
    fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"short")
    os.close(fd)
    with pytest.raises(KeyFileError, match="32 bytes"):
        load_key(p)


def test_seal_round_trip_and_fresh_nonce():
    s = Sealer(os.urandom(32))
    a, b = s.seal(b"hello", "tx-1"), s.seal(b"hello", "tx-1")
    assert a != b  # a fresh nonce each time
    assert s.open(a, "tx-1") == b"hello" == s.open(b, "tx-1")
    assert b"hello" not in a


def test_other_txid_does_not_open():
    s = Sealer(os.urandom(32))
    with pytest.raises(WrongKeyError):
        s.open(s.seal(b"x", "tx-1"), "tx-2")


def test_wrong_key_does_not_open_and_never_returns_plaintext():
    blob = Sealer(os.urandom(32)).seal(b"secret", "tx")
    with pytest.raises(WrongKeyError):
        Sealer(os.urandom(32)).open(blob, "tx")


def test_tampered_blob_is_refused():
    s = Sealer(os.urandom(32))
    blob = bytearray(s.seal(b"secret", "tx"))
    blob[-1] ^= 1
    with pytest.raises(WrongKeyError):
        s.open(bytes(blob), "tx")
