"""AES-256-GCM sealing of payloads and attachment files; the key file made at provisioning."""
from __future__ import annotations

import os
import stat

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline_queue.limits import KEY_BYTES, NONCE_BYTES
from offline_queue.types import KeyFileError, WrongKeyError

_MAGIC = b"OQ1"  # format tag in front of every sealed blob: nonce and ciphertext follow


def create_key(path: str) -> None:
    """Write a fresh random key, mode 0600, refusing to overwrite an existing one (that would
    make every queued item unreadable)."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path}: a key exists already; remove it only if the outbox is empty") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, os.urandom(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    dfd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def load_key(path: str) -> bytes:
    """The key from its file; a clear error when it is missing, the wrong size or not 0600."""
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            key = f.read(KEY_BYTES + 1)
    except FileNotFoundError:
        raise KeyFileError(f"{path}: outbox key file missing (made by `kiosk-admin provision`)") from None
    except PermissionError:
        raise KeyFileError(f"{path}: outbox key file not readable by this user") from None
    except OSError as e:
        raise KeyFileError(f"{path}: cannot read the outbox key: {e.strerror}") from None
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise KeyFileError(f"{path}: outbox key file is readable by others (mode {stat.S_IMODE(st.st_mode):o}); chmod 600 it")
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"{path}: outbox key must be {KEY_BYTES} bytes, not {len(key)}")
    return key


class Sealer:
    """Seals bytes with AES-256-GCM: a fresh 96-bit nonce per item, the txid as associated data,
    so a sealed payload copied onto another transaction's row does not open."""

    def __init__(self, key: bytes):
        if len(key) != KEY_BYTES:
            raise KeyFileError(f"outbox key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def seal(self, data: bytes, aad: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return _MAGIC + nonce + self._aead.encrypt(nonce, data, aad.encode("utf-8"))

    def open(self, blob: bytes, aad: str) -> bytes:
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + NONCE_BYTES + 16:
            raise WrongKeyError(f"sealed item for {aad} is not in the outbox format")
        nonce = blob[len(_MAGIC):len(_MAGIC) + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[len(_MAGIC) + NONCE_BYTES:], aad.encode("utf-8"))
        except InvalidTag:
            raise WrongKeyError(f"sealed item for {aad} does not open with this key (wrong key or tampered)") from None
