"""kiosk-desk's service unit passes `systemd-analyze verify`, and the example config it points to
reads as a valid kiosk-desk config. add-clerk run by root keeps the clerks file's owner."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.desk.clerks import add_clerk
from kiosk.desk.config import load_desk_config

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy/systemd/kiosk-desk.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None or not Path("/usr/lib/systemd/system").is_dir(),
                    reason="systemd-analyze or the stock units are not installed")
def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    shutil.copytree("/usr/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    exe = tmp_path / "opt/kiosk/venv/bin/kiosk-desk"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    units = tmp_path / "etc/systemd/system"
    units.mkdir(parents=True)
    shutil.copy(UNIT, units)
    r = subprocess.run(["systemd-analyze", "verify", f"--root={tmp_path}", "kiosk-desk.service"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr


def test_the_example_config_is_valid_and_its_credential_is_not_printed():
    c = load_desk_config(REPO / "deploy/desk/desk.toml.example")
    assert c.tls_cert and c.secure_cookie and c.ice_servers[0]["username"] == "desk"
    assert "change-me" not in repr(c)
    assert "--config /etc/kiosk-desk/desk.toml" in UNIT.read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_add_clerk_keeps_the_files_owner(tmp_path):
    f = tmp_path / "clerks.toml"
    add_clerk(f, "wangfang", "王芳", ["tongzhou-hall"], "correct horse battery")
    os.chown(f, 4242, 4243)
    add_clerk(f, "lisi", "李四", ["xianghe-hall"], "another password 1")
    st = os.stat(f)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (4242, 4243, 0o600)
