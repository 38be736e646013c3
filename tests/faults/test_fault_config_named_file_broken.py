"""Fault (issue 19.4): a file the site config names is missing, unreadable or not what it must be
(catalog, CA bundle, client certificate and key, credentials, WSDL). `check-config` looks at each
and reports every problem as file:line: key: reason, exit 2; before, it said "ok" and the
forwarder found out at send time."""
import os
import shutil
import subprocess
import sys

import pytest

from kiosk.config import load_config
from kiosk.errors import ConfigError
from offline_queue.sim.tls import make_test_pki

pytestmark = pytest.mark.faults

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WSDL = os.path.join(ROOT, "offline_queue", "sim", "jurisdiction.wsdl")
SITE = '''[kiosk]
id = "dachang-hall-01"
site = "大厂"
site_jurisdiction = "dachang"
[data]
folder = "{d}/data"
outbox_key = "{d}/outbox.key"
catalog = "catalog.json"
[jurisdictions.tongzhou]
protocol = "soap"
endpoint = "https://tongzhou.example.invalid/Intake"
wsdl = "intake.wsdl"
credentials = "tongzhou.toml"
ca_bundle = "ca.pem"
client_cert = "client.crt"
client_key = "client.key"
[jurisdictions.dachang]
protocol = "rest"
endpoint = "https://dachang.example.invalid/kiosk"
credentials = "dachang.toml"
'''
LINES = {"data.catalog": 8, "jurisdictions.tongzhou.wsdl": 12, "jurisdictions.tongzhou.credentials": 13,
         "jurisdictions.tongzhou.ca_bundle": 14, "jurisdictions.tongzhou.client_cert": 15,
         "jurisdictions.tongzhou.client_key": 16, "jurisdictions.dachang.credentials": 20}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_test_pki(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture
def site(tmp_path, pki):
    """A provisioned site whose every named file is good."""
    shutil.copy(os.path.join(ROOT, "kiosk", "catalog", "sample.json"), tmp_path / "catalog.json")
    shutil.copy(WSDL, tmp_path / "intake.wsdl")
    (tmp_path / "tongzhou.toml").write_text('username = "kiosk"\npassword = "s3cret"\n')
    (tmp_path / "dachang.toml").write_text('token = "t0ken"\n')
    shutil.copy(pki.ca_cert, tmp_path / "ca.pem")
    shutil.copy(pki.client_cert, tmp_path / "client.crt")
    shutil.copy(pki.client_key, tmp_path / "client.key")
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(SITE.format(d=tmp_path), encoding="utf-8")
    return tmp_path, cfg


def check(cfg):
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", str(cfg)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def test_good_site_passes(site):
    _, cfg = site
    r = check(cfg)
    assert r.returncode == 0 and ": ok: " in r.stdout, r.stderr


def _break(d, pki):
    """Each named file broken in its own way; the key each one is reported under."""
    (d / "catalog.json").write_text('{"format": 1, "matters": []}')
    (d / "intake.wsdl").write_text("<html><body>404 Not Found</body></html>")
    (d / "tongzhou.toml").write_text('username = "kiosk"\n')  # no password
    (d / "ca.pem").write_text("this is not a certificate\n")
    os.remove(d / "client.crt")
    (d / "dachang.toml").write_bytes(b"token = \xff\xfe\n")
    return {"data.catalog": "must be a non-empty list", "jurisdictions.tongzhou.wsdl": "not a WSDL",
            "jurisdictions.tongzhou.credentials": "password", "jurisdictions.tongzhou.ca_bundle": "not a PEM certificate",
            "jurisdictions.tongzhou.client_cert": "no such file", "jurisdictions.dachang.credentials": "UTF-8"}


def test_every_broken_named_file_is_reported_with_its_key_and_line(site, pki):
    d, cfg = site
    want = _break(d, pki)
    with pytest.raises(ConfigError) as e:
        load_config(cfg, check_files=True)
    got = {p.key: p for p in e.value.problems}
    assert set(got) == set(want), [str(p) for p in e.value.problems]
    for key, reason in want.items():
        assert got[key].line == LINES[key] and reason in got[key].reason, str(got[key])
    r = check(cfg)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == len(want)
    assert all(line.startswith(f"kiosk-admin: {cfg}:") for line in lines)


def test_key_of_another_certificate_and_encrypted_key(site, tmp_path_factory):
    d, cfg = site
    other = make_test_pki(str(tmp_path_factory.mktemp("other")))
    shutil.copy(other.client_key, d / "client.key")
    with pytest.raises(ConfigError) as e:
        load_config(cfg, check_files=True)
    assert e.value.key == "jurisdictions.tongzhou.client_key" and "does not belong" in e.value.reason
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key(open(other.client_key, "rb").read(), None)
    (d / "client.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.BestAvailableEncryption(b"pw")))
    with pytest.raises(ConfigError, match="encrypted with a passphrase"):
        load_config(cfg, check_files=True)


def test_named_file_that_never_ends_is_refused_at_a_size_limit(site):
    d, cfg = site
    cfg.write_text(SITE.format(d=d).replace('ca_bundle = "ca.pem"', 'ca_bundle = "/dev/zero"'), encoding="utf-8")
    r = check(cfg)
    assert r.returncode == 2 and "/dev/zero: too large" in r.stderr and "Traceback" not in r.stderr


def test_the_kiosk_itself_does_not_read_the_named_files(site, pki):
    """Loading the config to run (not check-config) does not read them: each is read where it is
    used (the catalog by the app, the TLS files and credentials by the transports)."""
    d, cfg = site
    _break(d, pki)
    assert load_config(cfg).kiosk_id == "dachang-hall-01"
