"""deploy/: the systemd units pass `systemd-analyze verify`, and install.sh / uninstall.sh into a
temporary root (DESTDIR) leave the files, modes, owners and links a kiosk needs."""
import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = ("kiosk.service", "kiosk-forwarder.service")
IS_ROOT = os.geteuid() == 0


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """One trial install (no virtualenv: pip would need the network) shared by the checks."""
    d = tmp_path_factory.mktemp("root")
    r = run("bash", str(DEPLOY / "install.sh"), "--destdir", str(d), "--no-venv")
    assert r.returncode == 0, r.stderr
    return d


class _Section(dict):
    """A unit section: repeated keys (After=, Environment=) are joined with spaces, as systemd lists them."""

    def add(self, k, v):
        self[k] = f"{self[k]} {v}" if k in self else v


def unit(name) -> dict[str, _Section]:
    sections: dict[str, _Section] = {}
    cur = None
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            cur = sections.setdefault(line.strip("[]"), _Section())
        else:
            k, _, v = line.partition("=")
            cur.add(k.strip(), v.strip())
    return sections


# ---- systemd-analyze verify --------------------------------------------------------------------
def _verify_root(root: Path) -> Path:
    """systemd-analyze verify --root needs the stock units (sysinit.target ...) and checks that
    ExecStart= binaries exist: give the temporary root both (cage is not installed on CI)."""
    stock = Path("/usr/lib/systemd/system")
    dst = root / "usr/lib/systemd/system"
    if not dst.exists():
        shutil.copytree(stock, dst, symlinks=True)
    for exe in ("/usr/bin/cage", "/opt/kiosk/venv/bin/kiosk-admin", "/opt/kiosk/venv/bin/kiosk"):
        p = root / exe.lstrip("/")
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("#!/bin/sh\n")
            p.chmod(0o755)
    return root


needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None or not Path("/usr/lib/systemd/system").is_dir(),
                                   reason="systemd-analyze or the stock units are not installed")


@needs_analyze
def test_units_pass_systemd_analyze_verify(root):
    r = run("systemd-analyze", "verify", f"--root={_verify_root(root)}", *UNITS)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr  # no "Unknown key" or other warnings either


@needs_analyze
def test_verify_really_checks(tmp_path, root):
    """A control: the same verify catches a typo and a missing binary, so the test above means something."""
    vr = _verify_root(root)
    bad = vr / "etc/systemd/system/kiosk-typo.service"
    bad.write_text("[Service]\nExecStart=/opt/kiosk/venv/bin/kiosk-admin queue forward\nRestrat=always\n")
    nobin = vr / "etc/systemd/system/kiosk-nobin.service"
    nobin.write_text("[Service]\nExecStart=/usr/bin/no-such-kiosk-binary\n")
    try:
        r = run("systemd-analyze", "verify", f"--root={vr}", "kiosk-typo.service")
        assert "Restrat" in r.stderr
        r = run("systemd-analyze", "verify", f"--root={vr}", "kiosk-nobin.service")
        assert r.returncode != 0 and "no-such-kiosk-binary" in r.stderr
    finally:
        bad.unlink()
        nobin.unlink()


@needs_analyze
@pytest.mark.parametrize("name, ceiling", [("kiosk.service", 4.0), ("kiosk-forwarder.service", 2.0)])
def test_units_exposure_stays_low(root, name, ceiling):
    """systemd's own sandbox score (0 best, 10 worst); the screen needs devices, so it scores higher."""
    r = run("systemd-analyze", "security", "--offline=true", f"--root={_verify_root(root)}", name,
            cwd=str(root / "etc/systemd/system"))
    m = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout)
    assert m, r.stdout[-500:] + r.stderr
    assert float(m.group(1)) <= ceiling, r.stdout


# ---- what the units promise -------------------------------------------------------------------
def test_app_unit_is_a_watched_sandboxed_cage_session():
    s = unit("kiosk.service")["Service"]
    assert s["Type"] == "notify" and s["NotifyAccess"] == "all"
    assert int(s["WatchdogSec"]) > 0
    assert s["ExecStart"].startswith("/usr/bin/cage ") and s["ExecStart"].endswith("/opt/kiosk/bin/kiosk-session")
    assert s["Restart"] == "always" and s["User"] == "kiosk"
    _sandboxed(s)
    u = unit("kiosk.service")["Unit"]
    assert "pcscd.service" in u["After"] and "network-online.target" in u["After"]
    assert "pcscd.socket" in u["Wants"] and "network-online.target" in u["Wants"]
    assert u["StartLimitIntervalSec"] == "0" and u["ConditionPathExists"].endswith("/etc/kiosk/kiosk.toml")


def test_forwarder_is_its_own_sandboxed_service():
    s = unit("kiosk-forwarder.service")["Service"]
    assert s["ExecStart"] == "/opt/kiosk/venv/bin/kiosk-admin queue forward"
    assert s["Restart"] == "always" and s["User"] == "kiosk"
    assert s["PrivateDevices"] == "yes"
    _sandboxed(s)
    u = unit("kiosk-forwarder.service")["Unit"]
    assert "network-online.target" in u["After"] and u["StartLimitIntervalSec"] == "0"
    assert u["ConditionPathExists"] == "/etc/kiosk/kiosk.toml"


def _sandboxed(s):
    for key, want in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"),
                      ("ProtectHome", "yes"), ("ProtectKernelTunables", "yes"), ("RestrictSUIDSGID", "yes")):
        assert s.get(key) == want, key
    assert "/var/lib/kiosk" in s["ReadWritePaths"].split()


def test_session_script_runs_only_the_app():
    text = (DEPLOY / "session/kiosk-session").read_text()
    assert os.access(DEPLOY / "session/kiosk-session", os.X_OK)
    assert re.search(r"^exec /opt/kiosk/venv/bin/kiosk --config", text, re.M)
    assert run("sh", "-n", str(DEPLOY / "session/kiosk-session")).returncode == 0


def test_folders_the_units_may_write_are_the_ones_tmpfiles_makes():
    made = {line.split()[1] for line in (DEPLOY / "tmpfiles/kiosk.conf").read_text().splitlines()
            if line.startswith("d ")}
    for name in UNITS:
        for p in unit(name)["Service"]["ReadWritePaths"].split():
            if not p.startswith("-"):
                assert p in made, f"{name} writes {p} but tmpfiles does not create it"


# ---- udev -------------------------------------------------------------------------------------
_RULE_TOKEN = re.compile(r'\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')


def _rules():
    for n, line in enumerate((DEPLOY / "udev/99-kiosk.rules").read_text().splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            pos, toks = 0, []
            while pos < len(line):
                m = _RULE_TOKEN.match(line, pos)
                assert m, f"99-kiosk.rules:{n}: cannot parse at column {pos + 1}: {line[pos:pos + 30]!r}"
                toks.append(m.groups()[:3])
                pos = m.end()
            yield n, toks


def test_udev_rules_parse_and_give_stable_names_and_group_access():
    links, labels, gotos = set(), set(), set()
    for n, toks in _rules():
        d = {k: (op, v) for k, op, v in toks}
        if "SYMLINK" in d:
            links.add(d["SYMLINK"][1])
        if "LABEL" in d:
            labels.add(d["LABEL"][1])
        if "GOTO" in d:
            gotos.add(d["GOTO"][1])
        if any(k.startswith("ATTR") and "idVendor" in k for k in d):
            assert d.get("GROUP") == ("=", "kiosk") and d.get("MODE") == ("=", "0660"), f"line {n}"
            for k, (op, v) in d.items():
                if "idVendor" in k or "idProduct" in k:
                    assert re.fullmatch(r"[0-9a-f]{4}", v), f"line {n}: {k} must be 4 lower-case hex digits"
    assert links == {"kiosk-idreader", "kiosk-printer"}
    assert gotos <= labels


def test_udev_ids_match_the_table_kiosk_admin_devices_uses():
    usb_ids = pytest.importorskip("kiosk.field.usb_ids")
    in_rules = {"idreader": set(), "printer": set()}
    for _, toks in _rules():
        d = {k: v for k, _, v in toks}
        vid = d.get("ATTRS{idVendor}") or d.get("ATTR{idVendor}")
        pid = d.get("ATTRS{idProduct}") or d.get("ATTR{idProduct}")
        if vid:
            kind = "idreader" if d.get("SUBSYSTEM") == "tty" else "printer"
            in_rules[kind].add((int(vid, 16), int(pid, 16)))
    assert in_rules["idreader"] == {k for k, _ in usb_ids.IDREADER_BRIDGES.items()}
    assert in_rules["printer"] == {k for k, _ in usb_ids.PRINTERS.items()}


# ---- install.sh / uninstall.sh into a temporary root -----------------------------------------
def _mode(p: Path) -> int:
    return stat.S_IMODE(p.lstat().st_mode)


def _ids(root: Path):
    uid = gid = None
    for line in (root / "etc/passwd").read_text().splitlines():
        if line.startswith("kiosk:"):
            uid, gid = int(line.split(":")[2]), int(line.split(":")[3])
    return uid, gid


def test_install_puts_files_in_place_with_their_modes(root):
    expect = {
        "etc/systemd/system/kiosk.service": 0o644,
        "etc/systemd/system/kiosk-forwarder.service": 0o644,
        "etc/udev/rules.d/99-kiosk.rules": 0o644,
        "etc/pam.d/kiosk": 0o644,
        "etc/sysusers.d/kiosk.conf": 0o644,
        "etc/tmpfiles.d/kiosk.conf": 0o644,
        "opt/kiosk/bin/kiosk-session": 0o755,
        "opt/kiosk/share/README.md": 0o644,
        "opt/kiosk/share/sites/profiles/nested-soap.toml": 0o644,  # a real file, not the repo's symlink
        "opt/kiosk/share/sites/profiles/nested-soap.wsdl": 0o644,
        "etc/kiosk": 0o750,
        "var/lib/kiosk": 0o750,
        "var/lib/kiosk/catalog": 0o750,
        "var/log/kiosk": 0o750,
    }
    for rel, mode in expect.items():
        p = root / rel
        assert p.exists(), rel
        assert _mode(p) == mode, f"{rel}: {_mode(p):o}"
    assert (root / "etc/systemd/system/kiosk.service").read_bytes() == (DEPLOY / "systemd/kiosk.service").read_bytes()
    assert os.readlink(root / "usr/local/bin/kiosk-admin") == "/opt/kiosk/venv/bin/kiosk-admin"
    for name in UNITS:
        link = root / "etc/systemd/system/multi-user.target.wants" / name
        assert os.readlink(link) == f"/etc/systemd/system/{name}", "enabled"


@pytest.mark.skipif(not IS_ROOT, reason="owners need root")
def test_install_creates_the_user_and_gives_it_its_folders(root):
    uid, gid = _ids(root)
    assert uid is not None and 0 < uid < 1000, "a system user"
    passwd = [l for l in (root / "etc/passwd").read_text().splitlines() if l.startswith("kiosk:")][0]
    assert passwd.endswith(":/var/lib/kiosk:/usr/sbin/nologin")
    groups = (root / "etc/group").read_text()
    for g in ("video", "input", "render", "scanner"):
        assert re.search(rf"^{g}:x:\d+:(.*,)?kiosk(,|$)", groups, re.M), g
    for rel in ("var/lib/kiosk", "var/lib/kiosk/catalog", "var/log/kiosk"):
        st = (root / rel).stat()
        assert (st.st_uid, st.st_gid) == (uid, gid), rel
    st = (root / "etc/kiosk").stat()
    assert (st.st_uid, st.st_gid) == (0, gid), "config: root writes, kiosk reads"


def test_install_twice_changes_nothing(root):
    before = {p: (p.lstat().st_mtime_ns, _mode(p)) for p in root.rglob("*") if "usr/lib/systemd" not in str(p)}
    r = run("bash", str(DEPLOY / "install.sh"), "--destdir", str(root), "--no-venv")
    assert r.returncode == 0, r.stderr
    assert "wrote" not in r.stdout, r.stdout
    after = {p: (p.lstat().st_mtime_ns, _mode(p)) for p in root.rglob("*") if "usr/lib/systemd" not in str(p)}
    changed = [str(p) for p in before if before[p] != after.get(p) and not p.name.startswith(".pwd")
               and p.name not in ("passwd", "group", "shadow", "gshadow")
               and p != root / "etc"]  # systemd-sysusers rewrites passwd and group in place
    assert not changed
    assert _ids(root)[0] is not None and sum(l.startswith("kiosk:") for l in (root / "etc/passwd").read_text().splitlines()) == 1


def test_install_refuses_unknown_options(tmp_path):
    r = run("bash", str(DEPLOY / "install.sh"), "--destdir", str(tmp_path), "--frobnicate")
    assert r.returncode == 2 and "unknown option --frobnicate" in r.stderr


def test_uninstall_keeps_data_unless_purged(tmp_path):
    d = tmp_path / "r"
    assert run("bash", str(DEPLOY / "install.sh"), "--destdir", str(d), "--no-venv").returncode == 0
    (d / "var/lib/kiosk/outbox.db").write_bytes(b"queued applications")
    r = run("bash", str(DEPLOY / "uninstall.sh"), "--destdir", str(d))
    assert r.returncode == 0, r.stderr
    assert not (d / "etc/systemd/system/kiosk.service").exists()
    assert not (d / "etc/systemd/system/multi-user.target.wants/kiosk.service").exists()
    assert not (d / "opt/kiosk").exists() and not (d / "usr/local/bin/kiosk-admin").is_symlink()
    assert (d / "var/lib/kiosk/outbox.db").exists() and (d / "etc/kiosk").is_dir()
    r = run("bash", str(DEPLOY / "uninstall.sh"), "--destdir", str(d), "--purge")
    assert r.returncode == 0, r.stderr
    assert not (d / "var/lib/kiosk").exists() and not (d / "etc/kiosk").exists()
    assert "kiosk:" not in (d / "etc/passwd").read_text()


@pytest.mark.parametrize("undelivered,flags,purged", [(2, (), False), (2, ("--discard-undelivered",), True),
                                                      (0, (), True), (None, (), False)])
def test_purge_refuses_while_applications_wait(tmp_path, undelivered, flags, purged):
    """--purge must not throw away applications the outbox has not delivered (nor when it cannot tell)."""
    d = tmp_path / "r"
    assert run("bash", str(DEPLOY / "install.sh"), "--destdir", str(d), "--no-venv").returncode == 0
    (d / "var/lib/kiosk/outbox").mkdir()
    (d / "var/lib/kiosk/outbox/outbox.sqlite3").write_bytes(b"SQLite format 3\x00")
    admin = tmp_path / "kiosk-admin"
    counts = {"queued": undelivered, "sending": 0, "delivered": 5, "dead": 0}
    admin.write_text("#!/bin/sh\n" + ("exit 1\n" if undelivered is None else f"echo '{json.dumps({'counts': counts})}'\n"))
    admin.chmod(0o755)
    r = subprocess.run(["bash", str(DEPLOY / "uninstall.sh"), "--destdir", str(d), "--purge", *flags],
                       capture_output=True, text=True, env=dict(os.environ, KIOSK_ADMIN=str(admin)))
    assert (r.returncode == 0) == purged, r.stderr
    assert (d / "var/lib/kiosk/outbox/outbox.sqlite3").exists() != purged
    if not purged:
        assert "not delivered" in r.stderr and "--discard-undelivered" in r.stderr
        assert (d / "etc/systemd/system/kiosk.service").exists(), "refused before removing anything"


@pytest.mark.skipif(not IS_ROOT or shutil.which("setpriv") is None, reason="needs root to become nobody")
def test_a_trial_install_as_an_ordinary_user_sets_modes_and_says_owners_are_left():
    import pwd
    import tempfile

    nobody = pwd.getpwnam("nobody")
    # directly under /tmp (1777 on every Linux): pytest's tmp, and a TMPDIR inside a root-only
    # folder (a CI's scratch), are places nobody cannot enter
    top = Path(tempfile.mkdtemp(prefix="kiosk-install-", dir="/tmp"))
    try:
        top.chmod(0o755)
        src = top / "src" / "deploy"  # a copy: the checkout may sit where nobody cannot read (/root)
        shutil.copytree(DEPLOY, src, ignore=shutil.ignore_patterns("bootstrap.sh"))
        for p in [top / "src", *(top / "src").rglob("*")]:
            p.chmod(0o755 if p.is_dir() or os.access(p, os.X_OK) else 0o644)
        d = top / "r"
        d.mkdir()
        os.chown(d, nobody.pw_uid, nobody.pw_gid)
        r = run("setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                "bash", str(src / "install.sh"), "--destdir", str(d), "--no-venv")
        _check_trial_install(r, d, nobody)
    finally:
        shutil.rmtree(top)


def _check_trial_install(r, d, nobody):
    assert r.returncode == 0, r.stderr
    assert "owners are not set" in r.stdout
    for rel in ("etc/kiosk", "var/lib/kiosk", "var/log/kiosk"):
        assert _mode(d / rel) == 0o750 and (d / rel).stat().st_uid == nobody.pw_uid
    assert not (d / "etc/passwd").exists()
    assert (d / "etc/systemd/system/multi-user.target.wants/kiosk.service").is_symlink()
