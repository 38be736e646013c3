"""Hands files a technician (root) writes to the kiosk's service user, so the sandboxed units can
read them; a no-op when not root or when the user does not exist (a test, a laptop)."""
from __future__ import annotations

import os
import pwd

SERVICE_USER = "kiosk"


def service_ids(user: str | None = None) -> tuple[int, int] | None:
    try:
        pw = pwd.getpwnam(user or SERVICE_USER)
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid


def hand_to(path: str, *, user: str | None = None, group_only: bool = False) -> bool:
    """chown `path` to user:user (or root:user with group_only). True when the owner was set."""
    ids = service_ids(user)
    if ids is None or os.geteuid() != 0:
        return False
    uid, gid = ids
    os.chown(path, 0 if group_only else uid, gid, follow_symlinks=False)
    return True
