"""Reading the files a technician hands the kiosk (site config, catalog, identity, credentials,
certificates, WSDL) with a size limit: `kiosk-admin check-config /dev/zero` must stop with a
reason, not read until the machine runs out of memory. Every refusal is a ConfigError naming the
file, so the CLI answers it with exit 2 and one line."""
from __future__ import annotations

import fcntl
import os
import stat

from kiosk.errors import ConfigError

KiB, MiB = 1024, 1024 * 1024

# The largest file of each kind the kiosk reads. Each is far above any real file of its kind.
CONFIG_MAX = 256 * KiB       # a site config is ~2 KB
# A catalog: 3,600 matters (the largest region's catalog) is ~6 MB; one limit wherever one is read
# (install, check, check-config, submit), set by what installing it costs (kiosk/catalog/compiled.py).
CATALOG_MAX = 256 * MiB
IDENTITY_MAX = 64 * KiB      # `read-id --json` prints ~600 bytes (no photo)
CREDENTIALS_MAX = 64 * KiB   # a token or a username and password
PEM_MAX = 1 * MiB            # a CA bundle of a few hundred certificates
WSDL_MAX = 8 * MiB           # a jurisdiction's WSDL with its schemas inline


def read_bounded(path: str | os.PathLike, limit: int, what: str) -> bytes:
    """The bytes of `path`, refused (ConfigError) beyond `limit` bytes. A FIFO or a character
    device is read too (`check-config <(ssh kiosk cat ...)`), up to the same limit; opening never
    blocks on a FIFO that has no writer."""
    p = os.fspath(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConfigError(p, "no such file") from None
    except OSError as e:
        raise ConfigError(p, f"cannot read: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(p, f"is a directory, not {what}")
        if stat.S_ISREG(st.st_mode) and st.st_size > limit:
            raise ConfigError(p, f"too large for {what}: {st.st_size} bytes (at most {limit})")
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        chunks, size = [], 0
        while True:
            try:
                b = os.read(fd, min(1 * MiB, limit + 1 - size))
            except OSError as e:
                raise ConfigError(p, f"cannot read: {e.strerror}") from None
            if not b:
                break
            chunks.append(b)
            size += len(b)
            if size > limit:
                raise ConfigError(p, f"too large for {what}: more than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text_bounded(path: str | os.PathLike, limit: int, what: str) -> str:
    """As read_bounded, decoded as UTF-8 (a BOM is tolerated: Windows editors write one)."""
    data = read_bounded(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(os.fspath(path), f"not UTF-8 text (byte {e.start})") from None

