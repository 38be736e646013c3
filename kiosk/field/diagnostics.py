"""`kiosk-admin diagnostics`: one tar.gz a technician sends to the support desk — the config
without secrets, the recent logs (masked when written, and scrubbed again here), outbox counts,
the device list, the last selftest if asked, and versions. Nothing personal: no outbox data, no
keys, no credentials, no scans."""
from __future__ import annotations

import datetime as _dt
import io
import json
import os
import platform
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any, Callable

from kiosk.config import Config
from kiosk.field import limits
from kiosk.logs import scrub

UNITS = ("kiosk.service", "kiosk-forwarder.service")
_PACKAGES = ("kivy", "pyserial", "pyscard", "python-escpos", "python-sane", "zeep", "requests", "cryptography",
             "img2pdf", "Pillow", "qrcode", "pypinyin", "psutil", "quyu-tongban-kiosk")
# Lines that look like secrets are dropped whole, whatever logged them.
_SECRET_LINE = re.compile(r"(?i)(password|passwd|token|secret|pin_hash|private key|BEGIN [A-Z ]*KEY|authorization:)")


def build_bundle(config: Config | None, out_file: str, *, config_error: str | None = None,
                 devices: Callable[[], dict] | None = None, outbox_counts: Callable[[], dict] | None = None,
                 selftest: Callable[[], list] | None = None, journal: Callable[[str], str] | None = None,
                 now: _dt.datetime | None = None) -> list[str]:
    """Write the bundle; returns the member names. Every part that fails is replaced by a note
    saying why (a broken kiosk is exactly when this runs)."""
    now = now or _dt.datetime.now().astimezone()
    root = f"kiosk-diagnostics-{config.kiosk_id if config else 'unconfigured'}-{now:%Y%m%d-%H%M%S}"
    members: dict[str, bytes] = {}

    def add_json(name: str, make: Callable[[], Any]) -> None:
        try:
            data = make()
        except Exception as e:
            data = {"error": f"{type(e).__name__}: {e}"}
        # floats rounded: a technician reads milliseconds, not 1764290000.1234567
        members[name] = scrub(json.dumps(_rounded(data), ensure_ascii=False, indent=2, default=str)).encode("utf-8")

    add_json("manifest.json", lambda: {"made": now.isoformat(), "kiosk_id": config.kiosk_id if config else None,
                                       "what": "config without secrets, masked logs, counts, devices, versions; no personal data"})
    if config is not None:
        add_json("config.json", lambda: _config_without_secrets(config))
    else:
        members["config-error.txt"] = scrub(config_error or "no config").encode("utf-8")
    add_json("versions.json", versions)
    add_json("system.json", lambda: system_state(config))
    if devices is not None:
        add_json("devices.json", devices)
    if outbox_counts is not None:
        add_json("outbox.json", outbox_counts)
    if selftest is not None:
        add_json("selftest.json", lambda: [c.as_dict() for c in selftest()])
    for path in _log_files(config):
        members[f"logs/{os.path.basename(path)}"] = _scrubbed_tail(path)
    jr = journal or _journal
    for unit in UNITS:
        text = jr(unit)
        if text:
            members[f"journal/{unit}.txt"] = _scrub_text(text).encode("utf-8")

    tmp = f"{out_file}.part"
    with tarfile.open(tmp, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o640
            tar.addfile(info, io.BytesIO(data))
    os.chmod(tmp, 0o640)
    os.replace(tmp, out_file)
    return [f"{root}/{n}" for n in members]


def _rounded(x: Any) -> Any:
    if isinstance(x, float):
        return round(x, 3)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_rounded(v) for v in x]
    if hasattr(x, "as_dict"):
        return _rounded(x.as_dict())
    return x


def _config_without_secrets(config: Config) -> dict:
    d = config.without_secrets()
    # paths stay (they say where things should be); what is in the files never comes along
    d["technician_pin_hash"] = "set" if config.technician_pin_hash else "not set"
    return d


def versions() -> dict:
    from importlib import metadata

    pk = {}
    for name in _PACKAGES:
        try:
            pk[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pk[name] = None
    osr = {}
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            k, _, v = line.partition("=")
            if k in ("PRETTY_NAME", "VERSION_ID"):
                osr[k] = v.strip('"')
    except OSError:
        pass
    return {"python": sys.version.split()[0], "platform": platform.platform(), "os": osr,
            "packages": pk, "kernel": platform.release(), "git": _git_commit()}


def system_state(config: Config | None) -> dict:
    """What the machine says about the kiosk: service states and restart counts (a watchdog
    restart shows here), the device links udev made, uptime and the data folder's disk."""
    import shutil

    units = {}
    for unit in UNITS:
        try:
            r = subprocess.run(["systemctl", "show", "-p", "ActiveState,SubState,Result,NRestarts,ActiveEnterTimestamp", unit],
                               capture_output=True, text=True, timeout=10)
            units[unit] = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line) or r.stderr.strip()
        except (OSError, subprocess.SubprocessError) as e:
            units[unit] = f"systemctl not available: {e}"
    links = {}
    for name in ("kiosk-idreader", "kiosk-printer"):
        p = f"/dev/{name}"
        links[p] = os.path.realpath(p) if os.path.islink(p) else None
    out: dict[str, Any] = {"units": units, "device_links": links}
    try:
        out["uptime_s"] = round(float(Path("/proc/uptime").read_text().split()[0]))
    except (OSError, ValueError):
        pass
    if config is not None and os.path.isdir(config.data_folder):
        u = shutil.disk_usage(config.data_folder)
        out["data_disk"] = {"free_bytes": u.free, "total_bytes": u.total}
    return out


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parents[2]
    if not (here / ".git").exists():
        return None
    try:
        r = subprocess.run(["git", "-C", str(here), "describe", "--always", "--dirty"], capture_output=True,
                           text=True, timeout=5)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _log_files(config: Config | None) -> list[str]:
    if config is None or not config.log_file:
        return []
    base = config.log_file
    files = [base] + [f"{base}.{i}" for i in range(1, limits.LOG_FILES_MAX)]
    return [f for f in files if os.path.isfile(f)]


def _scrubbed_tail(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limits.LOG_TAIL_BYTES))
            data = f.read()
    except OSError as e:
        return f"cannot read {path}: {e.strerror}\n".encode()
    text = data.decode("utf-8", "replace")
    if size > limits.LOG_TAIL_BYTES:
        text = text.partition("\n")[2]  # drop the cut first line
    return _scrub_text(text).encode("utf-8")


def _scrub_text(text: str) -> str:
    """The logs were masked when written; this is the second net (a library that logged around
    our filter, a log from an older build)."""
    out = []
    for line in text.splitlines():
        if _SECRET_LINE.search(line):
            out.append("<line dropped: looked like a secret>")
        else:
            out.append(scrub(line))
    return "\n".join(out) + "\n"


def _journal(unit: str) -> str:
    try:
        r = subprocess.run(["journalctl", "--no-pager", "-o", "short-iso", "-n", str(limits.JOURNAL_LINES), "-u", unit],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    text = r.stdout
    if r.returncode != 0 or "-- No entries --" in text and text.count("\n") <= 1:
        return ""
    return text
