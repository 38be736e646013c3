"""Writing a file so that a reader sees the old content or the new, never half of it, and a crash
or a full disk leaves no stray temporary file: the kiosk's config edits, keys, installed
catalogs and the PIN lockout all go through here."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def write_atomically(path: str | os.PathLike, data: str | bytes, mode: int, *,
                     before_replace: Callable[[str], object] | None = None) -> None:
    """A temporary file beside `path` (so the rename stays on one filesystem), created with
    `mode`, written and fsynced, handed to `before_replace` (e.g. to give it its owner), renamed
    over `path`, and the folder fsynced so the rename itself survives a power cut."""
    path = Path(path)
    b = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(b)
            f.flush()
            os.fsync(f.fileno())
        if before_replace is not None:
            before_replace(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: str | os.PathLike) -> None:
    fd = os.open(str(folder), os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
