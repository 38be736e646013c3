"""The clerks file: who may log in to the clerk's console, their display name, the desks (VideoRoom
rooms, docs/videocall.md) whose queue they see, and their password as a salted scrypt hash.

A TOML file, one table per clerk, written by `kiosk-desk add-clerk` (mode 0600, replaced whole on
each write, never edited in place; it keeps its owner, so root may add a clerk to the file
the kiosk-desk service user reads):

    [clerks.wangfang]
    name = "王芳"
    desks = ["tongzhou-hall", "dachang-hall"]
    password = "scrypt$131072$8$1$<salt>$<hash>"

A login is 1-32 of `a-z 0-9 _ -`; a desk 1-64 of `A-Za-z0-9 . _ -`; a name 1-40 printable
characters. The hash is kiosk/pin.py's format and cost (scrypt N=2^17, r=8, p=1, 16-byte salt;
verify_pin refuses a hash below that cost or above its ceiling), so one verification costs
~0.5 s and 128 MiB: the server runs one at a time (kiosk/desk/auth.py). Errors read
`file:line: key: reason` (kiosk.errors.ConfigError)."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from kiosk.config import _Lines, load_toml
from kiosk.errors import ConfigError
from kiosk.pin import _MAXMEM, _N, _P, _R, hash_problem, verify_pin

LOGIN = re.compile(r"[a-z0-9_-]{1,32}")  # no dot: [clerks.LOGIN] stays one table
DESK = re.compile(r"[A-Za-z0-9._-]{1,64}")
NAME_MAX = 40
PASSWORD_MIN = 8  # characters; the lockout (auth.py) and the hash cost do the rest
PASSWORD_MAX = 256  # a longer one is refused before any hashing (a 1 MB "password" costs scrypt time)
FILE_MAX = 1 << 20  # bytes: a clerks file is a few KB


@dataclasses.dataclass(frozen=True)
class Clerk:
    login: str
    name: str
    desks: tuple[str, ...]
    password: str = dataclasses.field(repr=False)  # the hash, never the password


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    salt = salt or os.urandom(16)
    h = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=_MAXMEM)
    b = lambda x: base64.b64encode(x).decode()
    return f"scrypt${_N}${_R}${_P}${b(salt)}${b(h)}"


def verify_password(password: str, stored: str) -> bool:
    """True only for the right password against a hash of at least the issued cost."""
    if not isinstance(password, str) or len(password) > PASSWORD_MAX:
        return False
    return verify_pin(password, stored)  # the same format and checks; nothing PIN-only in verifying


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return f"a password has at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"a password has at most {PASSWORD_MAX} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "a password has no control characters"
    return None


def _name_problem(name) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "a display name is a non-empty string"
    if len(name) > NAME_MAX or any(not c.isprintable() for c in name):
        return f"a display name is at most {NAME_MAX} printable characters"
    return None


def load_clerks(path: str | os.PathLike) -> dict[str, Clerk]:
    """Every clerk in the file, by login. Raises ConfigError (the first problem) or OSError."""
    p = Path(path)
    with open(p, "rb") as f:
        raw_bytes = f.read(FILE_MAX + 1)
    if len(raw_bytes) > FILE_MAX:
        raise ConfigError(str(p), f"larger than {FILE_MAX} bytes: not a clerks file")
    return parse_clerks(raw_bytes.decode("utf-8", "replace"), str(p))


def parse_clerks(text: str, path: str = "<clerks>") -> dict[str, Clerk]:
    raw = load_toml(text, path)
    lines = _Lines(text)

    def bad(key: str, reason: str):
        line = lines.line(key) or next((n for k, n in lines.where.items() if k.startswith(key + ".")), None)
        raise ConfigError(path, reason, key=key, line=line)

    for k in raw:
        if k != "clerks":
            bad(k, "unknown key (a clerks file has only [clerks.LOGIN] tables)")
    table = raw.get("clerks", {})
    if not isinstance(table, dict):
        bad("clerks", "must be tables: [clerks.LOGIN]")
    out: dict[str, Clerk] = {}
    for login, c in table.items():
        key = f"clerks.{login}"
        if not LOGIN.fullmatch(login):
            bad(key, "a login is 1-32 of a-z 0-9 _ -")
        if not isinstance(c, dict):
            bad(key, "must be a table with name, desks, password")
        for k in c:
            if k not in ("name", "desks", "password"):
                bad(f"{key}.{k}", "unknown key (name, desks, password)")
        for k in ("name", "desks", "password"):
            if k not in c:
                bad(key, f"missing {k}")
        problem = _name_problem(c["name"])
        if problem:
            bad(f"{key}.name", problem)
        desks = c["desks"]
        if not isinstance(desks, list) or not desks or not all(isinstance(d, str) and DESK.fullmatch(d) for d in desks):
            bad(f"{key}.desks", "a non-empty list of desk names (A-Za-z0-9 . _ -, at most 64)")
        if not isinstance(c["password"], str) or hash_problem(c["password"]):
            bad(f"{key}.password", "not a password hash made by kiosk-desk add-clerk "
                                   f"(scrypt$N$r$p$salt$hash, N at least {_N}): run add-clerk again")
        out[login] = Clerk(login, c["name"], tuple(dict.fromkeys(desks)), c["password"])
    return out


def _q(s: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (control characters were refused before)."""
    return json.dumps(s, ensure_ascii=False)


def render(clerks: dict[str, Clerk]) -> str:
    out = ["# kiosk-desk clerks: written by `kiosk-desk add-clerk` (mode 0600). One table per clerk:",
           "# name (shown to the resident's kiosk and in the console), desks (VideoRoom rooms),",
           "# password (salted scrypt hash; the password itself is never stored).", ""]
    for c in sorted(clerks.values(), key=lambda c: c.login):
        out += [f"[clerks.{c.login}]", f"name = {_q(c.name)}", f"desks = [{', '.join(_q(d) for d in c.desks)}]",
                f"password = {_q(c.password)}", ""]
    return "\n".join(out)


def add_clerk(path: str | os.PathLike, login: str, name: str, desks: list[str], password: str) -> bool:
    """Write (or replace) one clerk in the file, which is created mode 0600 if missing and always
    replaced whole (a temporary file renamed over it). Returns True when the login was new.
    Raises ValueError for a bad login, name, desk or password, ConfigError for a broken file."""
    if not LOGIN.fullmatch(login or ""):
        raise ValueError("a login is 1-32 of a-z 0-9 _ -")
    problem = _name_problem(name)
    if problem:
        raise ValueError(problem)
    if not desks or not all(DESK.fullmatch(d or "") for d in desks):
        raise ValueError("each --desk is 1-64 of A-Za-z0-9 . _ -")
    p = Path(path)
    clerks = load_clerks(p) if p.exists() else {}
    owner = (os.stat(p).st_uid, os.stat(p).st_gid) if p.exists() else None
    new = login not in clerks
    clerks[login] = Clerk(login, name, tuple(dict.fromkeys(desks)), hash_password(password))
    text = render(clerks)
    parse_clerks(text, str(p))  # what is written reads back
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".clerks.", dir=p.parent)  # mkstemp: mode 0600 from the start
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        if owner is not None and owner != (os.getuid(), os.getgid()):
            os.chown(tmp, *owner)  # root adds a clerk; the file stays the service user's to read
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return new
