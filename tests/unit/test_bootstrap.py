"""deploy/bootstrap.sh's Debian step, run for real with stand-ins for dpkg-query, apt-get, id and
python on PATH: on a machine with no package lists yet and on one with them, as root and as a user."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STUBS = {
    # dpkg-query -W -f=... PKG: installed when PKG is listed in $STUB/installed
    "dpkg-query": 'pkg="${@: -1}"; grep -qx "$pkg" "$STUB/installed" 2>/dev/null && printf "install ok installed"; exit 0',
    # apt-get: logs each call; install fails like apt does when the lists were never fetched
    "apt-get": 'echo "$*" >> "$STUB/apt.log"\n'
               'case "$1" in update) touch "$STUB/lists";;\n'
               '  install) [ -f "$STUB/lists" ] || { echo "E: Unable to locate package" >&2; exit 100; };; esac',
    "id": 'echo "$STUB_UID"',
    # a Python without headers or venv (Debian's python3 before python3-dev/python3-venv)
    "python-bare": "exit 1",
}


def run(tmp_path: Path, *, uid: int, installed: list[str] = (), lists: bool = False):
    stub = tmp_path / "stub"
    stub.mkdir(exist_ok=True)
    for name, body in STUBS.items():
        f = stub / name
        f.write_text(f"#!/bin/bash\n{body}\n")
        f.chmod(0o755)
    (stub / "installed").write_text("".join(f"{p}\n" for p in installed))
    if lists:
        (stub / "lists").touch()
    env = dict(os.environ, PATH=f"{stub}:/usr/bin:/bin", STUB=str(stub), STUB_UID=str(uid),
               PYTHON=str(stub / "python-bare"))
    proc = subprocess.run(["bash", "deploy/bootstrap.sh", "--packages-only"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    log = (stub / "apt.log").read_text().splitlines() if (stub / "apt.log").exists() else []
    return proc, log


def all_packages(tmp_path: Path) -> list[str]:
    """Every package the script wants on a bare machine (what root installs there)."""
    probe = tmp_path / "probe"
    probe.mkdir()
    _, log = run(probe, uid=0)
    return log[-1].split()[4:]  # after "install -y -qq --no-install-recommends"


@pytest.mark.parametrize("lists", [False, True], ids=["no-package-lists", "with-package-lists"])
def test_root_updates_the_lists_then_installs_what_is_missing(tmp_path, lists):
    proc, log = run(tmp_path, uid=0, installed=["pcscd", "tmux"], lists=lists)
    assert proc.returncode == 0, proc.stderr
    assert log[0] == "update -qq"
    pkgs = log[1].split()[4:]
    assert log[1].startswith("install -y -qq --no-install-recommends ")
    assert "pcscd" not in pkgs and "tmux" not in pkgs
    assert {"vsmartcard-vpcd", "xvfb", "fonts-noto-cjk", "python3-dev", "python3-venv"} <= set(pkgs)


def test_root_with_everything_installed_runs_no_apt(tmp_path):
    everything = all_packages(tmp_path)
    proc, log = run(tmp_path, uid=0, installed=everything)
    assert proc.returncode == 0, proc.stderr
    assert log == []


def test_a_user_gets_the_complete_apt_line_and_exit_2(tmp_path):
    everything = all_packages(tmp_path)
    proc, log = run(tmp_path, uid=1000, installed=["pcscd"])
    assert proc.returncode == 2 and log == []
    line = [l.strip() for l in proc.stderr.splitlines() if "apt-get install" in l]
    assert len(line) == 1
    prefix = "sudo apt-get update && sudo apt-get install -y --no-install-recommends "
    assert line[0].startswith(prefix)
    assert sorted(line[0][len(prefix):].split()) == sorted(p for p in everything if p != "pcscd")
