"""kiosk-admin diagnostics: the support bundle holds the config without secrets, masked logs,
outbox figures, devices and versions — and, grepped byte by byte, no ID number, name, key,
PIN hash or credential, even after a resident's card was read and their application queued."""
import base64
import json
import logging
import subprocess
import sys
import tarfile
import threading

import pytest

from tests.support.field import DEMO_PIN_HASH, admin, make_key, site_config

pytestmark = pytest.mark.wire
ID_NUMBER = "110112198507040013"  # resident-1, the twin's demo card
NAME = "张三"
ADDRESS = "演示路1号院"
TOKEN = "diag-secret-token-0815"


def read_bundle(path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def read_card_through_the_app(logfile: str) -> None:
    """The real ID reader adapter reads the demo card over its pty twin while the kiosk's own
    logging (with its personal-data filter) writes the log file, as on a kiosk."""
    from kiosk.devices.idcard import make_idreader
    from kiosk.logs import setup_logging

    setup_logging(console=False, level="DEBUG", logfile=logfile)
    got = threading.Event()

    class L:
        def card_read(self, source, identity):
            logging.getLogger("kiosk.test").info("card read: %s", identity.id_number)  # masked by the filter
            got.set()

        def card_failed(self, *a): ...
        def card_removed(self, *a): ...
        def device_state(self, *a): ...

    src = make_idreader("sim://idreader?card=resident-1")
    try:
        src.start(L())
        assert got.wait(10), "the twin's card was not read"
    finally:
        src.stop()
        root = logging.getLogger()
        for h in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
            root.removeHandler(h)
            h.close()


@pytest.fixture
def kiosk(tmp_path):
    logdir = tmp_path / "log"
    logdir.mkdir()
    creds = tmp_path / "dachang.toml"
    creds.write_text(f'token = "{TOKEN}"\n')
    cfg = site_config(tmp_path, devices={"printer": "tcp://127.0.0.1:9"},
                      jurisdictions={"dachang": ("rest", "http://127.0.0.1:9/")},
                      extra_jur={"dachang": {"credentials": str(creds)}}, log_file=str(logdir / "kiosk.log"))
    make_key(tmp_path / "outbox.key")
    read_card_through_the_app(str(logdir / "kiosk.log"))
    # a log from an older build that logged around the filter, and a secret someone printed
    (logdir / "kiosk.log.1").write_text(f"2026-11-01 09:00:00 INFO old: read {ID_NUMBER} ok\n"
                                        f"2026-11-01 09:00:01 DEBUG old: Authorization: Bearer {TOKEN}\n"
                                        "2026-11-01 09:00:02 INFO old: printer ready\n", encoding="utf-8")
    # the resident's application, queued (the endpoint is down): personal data in the outbox
    ident = tmp_path / "id.json"
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "read-id", "--device", "sim://idreader?card=resident-1", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    ident.write_text(r.stdout, encoding="utf-8")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a scan\n")
    r = admin("--config", str(cfg), "submit", "--matter", "DC-SB-001", "--identity", str(ident),
              "--field", "phone=13800138000", "--attach", f"id_card={pdf}", "--attach", f"hukou={pdf}")
    assert r.returncode == 0, r.stderr
    ident.unlink()
    return cfg


def test_bundle_has_what_support_needs(kiosk, tmp_path):
    out = tmp_path / "diag.tar.gz"
    r = admin("--config", str(kiosk), "diagnostics", "--out", str(out), "--selftest")
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stdout and "no personal data" in r.stdout
    b = read_bundle(out)
    assert {"manifest.json", "config.json", "versions.json", "devices.json", "outbox.json", "selftest.json",
            "logs/kiosk.log", "logs/kiosk.log.1"} <= set(b)
    cfg = json.loads(b["config.json"])
    assert cfg["kiosk_id"] == "test-kiosk-01" and cfg["technician_pin_hash"] == "set"
    assert json.loads(b["outbox.json"])["counts"]["queued"] == 1
    assert json.loads(b["versions.json"])["python"].startswith("3.")
    names = [c["name"] for c in json.loads(b["selftest.json"])]
    assert "printer" in names and "jurisdiction dachang: network" in names
    old = b["logs/kiosk.log.1"].decode()
    assert "110112********0013" in old and "printer ready" in old and "line dropped" in old
    assert "card read: 110112********0013" in b["logs/kiosk.log"].decode()  # the app's own log, masked when written


def test_bundle_holds_nothing_personal_or_secret(kiosk, tmp_path):
    out = tmp_path / "diag.tar.gz"
    assert admin("--config", str(kiosk), "diagnostics", "--out", str(out), "--selftest").returncode == 0
    key = (tmp_path / "outbox.key").read_bytes()
    blob = b"".join(read_bundle(out).values())
    raw = open(out, "rb").read()
    with tarfile.open(out, "r:gz") as tar:
        assert all(m.name.startswith("kiosk-diagnostics-test-kiosk-01-") for m in tar.getmembers())
    forbidden = {
        "ID number": ID_NUMBER.encode(), "name": NAME.encode(), "address": ADDRESS.encode(),
        "outbox key (raw)": key, "outbox key (hex)": key.hex().encode(), "outbox key (base64)": base64.b64encode(key),
        "PIN hash": DEMO_PIN_HASH.encode(), "PIN hash salt": DEMO_PIN_HASH.split("$")[4].encode(),
        "credentials token": TOKEN.encode(),
    }
    for what, needle in forbidden.items():
        assert needle not in blob, f"the bundle contains the {what}"
        assert needle not in raw, f"the compressed bundle contains the {what}"


def test_a_broken_config_still_gives_a_bundle(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[kiosk]\nid = "x1"\nsite = "s"\nsite_jurisdiction = "Nowhere!"\n')
    out = tmp_path / "d.tgz"
    r = admin("--config", str(bad), "diagnostics", "--out", str(out))
    assert r.returncode == 0, r.stderr
    b = read_bundle(out)
    assert b"kiosk.toml:4: kiosk.site_jurisdiction" in b["config-error.txt"] and "devices.json" in b


def test_the_bundle_must_be_a_tar_gz(tmp_path):
    r = admin("--demo", "diagnostics", "--out", str(tmp_path / "d.zip"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and ".tar.gz" in r.stderr
