"""Where the kiosk keeps files it can make again (the extracted font face, the demo's sample pages,
python-escpos's capabilities table): the user's cache folder, made on first use, private to the
user. A machine where nothing ran before, or a HOME that cannot be written (a service user), still
works: the folder falls back to one of the user's own under the temporary folder."""
from __future__ import annotations

import os
import stat
import tempfile


def user_cache_dir(*parts: str) -> str:
    """`$XDG_CACHE_HOME/kiosk/<parts>` (default `~/.cache`), created 0700 level by level; if that
    cannot be written, `$TMPDIR/kiosk-cache-<uid>/<parts>`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for root in (os.path.join(base, "kiosk"), os.path.join(tempfile.gettempdir(), f"kiosk-cache-{os.getuid()}")):
        path = os.path.join(root, *parts)
        try:
            _make_private(root)
            os.makedirs(path, mode=0o700, exist_ok=True)
            if os.access(path, os.W_OK):
                return path
        except OSError:
            continue
    raise OSError(f"no writable cache folder (tried {base} and {tempfile.gettempdir()})")


def _make_private(root: str) -> None:
    """Make `root` (0700); under the shared temporary folder refuse one that another user owns."""
    os.makedirs(root, mode=0o700, exist_ok=True)
    st = os.lstat(root)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise OSError(f"{root} is not a folder of this user")
