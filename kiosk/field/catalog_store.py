"""The installed catalog under the data folder: `catalog update` validates a new file and swaps
it in atomically; the one it replaced stays for `catalog rollback`.

    <data>/catalog/current.json   -> versions/<stamp>-<sha8>.json   (what Config.active_catalog() finds)
    <data>/catalog/previous.json  -> versions/<older>.json          (what rollback goes back to)
    <data>/catalog/versions/<v>.index.sqlite                         (each version's compiled index)

The catalog is validated once, here, and compiled into its index (kiosk/catalog/compiled.py) before
it becomes current: the kiosk opens the index at start-up without reading the JSON.
The swap is a rename of a symlink, so the app sees the old catalog or the new one, never half."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import os
from pathlib import Path

from kiosk.errors import ConfigError, KioskError
from kiosk.field import owner
from kiosk.files import fsync_dir, write_atomically

KEEP_VERSIONS = 3  # current, previous and one more: enough to undo a rollback; catalogs are a few MB


@dataclasses.dataclass(frozen=True)
class CatalogSwap:
    current: str
    previous: str | None
    matters: int
    sha256: str
    pinned_by_config: str | None = None  # the site config names its own catalog: this one is not used
    index: str | None = None  # the compiled index beside the current catalog
    index_seconds: float = 0.0  # how long compiling it took


def store_dir(data_folder: str) -> Path:
    return Path(data_folder) / "catalog"


def update(data_folder: str, new_file: str, *, pinned: str | None = None, now: _dt.datetime | None = None) -> CatalogSwap:
    """Validate `new_file` (ConfigError with file:line: key: reason) and make it current."""
    from kiosk import inputs
    from kiosk.catalog import compiled

    # read once, with a limit: what is validated is exactly what is installed
    data = inputs.read_bounded(new_file, compiled.INSTALL_MAX, "a catalog")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(str(new_file), f"not UTF-8 text (byte {e.start})") from None
    matters = compiled.parse_quickly(text, str(new_file))
    sha = hashlib.sha256(data).hexdigest()
    now = now or _dt.datetime.now().astimezone()
    d = store_dir(data_folder)
    versions = d / "versions"
    versions.mkdir(parents=True, exist_ok=True, mode=0o750)
    for p in (d, versions):
        owner.hand_to(str(p))
    target = versions / f"{now:%Y%m%d-%H%M%S}-{sha[:8]}.json"
    cur = _target(d / "current.json")
    if cur is not None and cur.is_file() and hashlib.sha256(cur.read_bytes()).hexdigest() == sha:
        raise KioskError(f"{new_file}: this catalog is already the current one ({cur.name}); nothing to do")
    _write_file(target, data)
    st = target.stat()
    built = compiled.write_index(matters, compiled.beside(target), source=str(target), sha256=sha,
                                 size=st.st_size, mtime_ns=st.st_mtime_ns)
    owner.hand_to(built.index)
    if cur is not None:
        _point(d / "previous.json", cur)
    _point(d / "current.json", target)
    _prune(d)
    prev = _target(d / "previous.json")
    return CatalogSwap(current=str(target), previous=str(prev) if prev else None, matters=len(matters),
                       sha256=sha, pinned_by_config=pinned, index=built.index, index_seconds=built.seconds)


def rollback(data_folder: str, *, pinned: str | None = None) -> CatalogSwap:
    """Swap current and previous (a second rollback undoes the first)."""
    from kiosk.catalog import compiled

    d = store_dir(data_folder)
    cur, prev = _target(d / "current.json"), _target(d / "previous.json")
    if prev is None or not prev.is_file():
        raise KioskError(f"{d}: no previous catalog to roll back to (only `catalog update` keeps one)")
    # it was valid once; a newer kiosk build may read it differently: validated and compiled again
    built = compiled.build_index(prev, compiled.beside(prev))
    owner.hand_to(built.index)
    _point(d / "current.json", prev)
    if cur is not None:
        _point(d / "previous.json", cur)
    return CatalogSwap(current=str(prev), previous=str(cur) if cur else None, matters=built.matters,
                       sha256=hashlib.sha256(prev.read_bytes()).hexdigest(), pinned_by_config=pinned,
                       index=built.index, index_seconds=built.seconds)


def status(data_folder: str) -> dict:
    d = store_dir(data_folder)
    cur, prev = _target(d / "current.json"), _target(d / "previous.json")
    return {"current": str(cur) if cur else None, "previous": str(prev) if prev else None}


def _target(link: Path) -> Path | None:
    if not link.is_symlink() and not link.exists():
        return None
    return link.resolve()


def _point(link: Path, target: Path) -> None:
    """Atomically make `link` a symlink to `target` (relative, so the folder can be moved)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    os.symlink(os.path.relpath(target, link.parent), tmp)
    owner.hand_to(str(tmp))
    os.replace(tmp, link)
    fsync_dir(link.parent)


def _write_file(path: Path, data: bytes) -> None:
    write_atomically(path, data, 0o640, before_replace=owner.hand_to)


def _prune(d: Path) -> None:
    keep = {p for p in (_target(d / "current.json"), _target(d / "previous.json")) if p}
    versions = sorted((d / "versions").glob("*.json"), key=lambda p: p.name, reverse=True)
    kept = 0
    for p in versions:
        if p.resolve() in keep or kept < KEEP_VERSIONS - len(keep):
            if p.resolve() not in keep:
                kept += 1
            continue
        p.unlink()
        try:
            beside(p).unlink()  # its compiled index
        except FileNotFoundError:
            pass


def beside(p: Path) -> Path:
    from kiosk.catalog.compiled import beside as index_of

    return index_of(p)
