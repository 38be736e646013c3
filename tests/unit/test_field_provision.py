"""kiosk-admin provision: a site template becomes one kiosk's config, outbox key (0600, the
format offline_queue reads), PIN hash and optional mTLS key + CSR; an existing key is never
replaced silently."""
import os
import stat
import tomllib

import pytest

from kiosk.config import load_config
from kiosk.errors import ConfigError, KioskError, UsageError
from kiosk.field.provision import edit_toml, provision
from kiosk.pin import verify_pin
from tests.support.field import SITES, admin

TEMPLATE = str(SITES / "dachang-hall-01.toml")


def mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_provision_writes_a_config_that_loads_with_id_pin_hash_and_key(tmp_path):
    out = tmp_path / "etc-kiosk"
    r = provision(TEMPLATE, "dachang-hall-02", str(out), "135790")
    cfg = load_config(r.config_path)
    assert cfg.kiosk_id == "dachang-hall-02"
    assert verify_pin("135790", cfg.technician_pin_hash) and not verify_pin("000000", cfg.technician_pin_hash)
    assert cfg.outbox_key == str(out / "outbox.key") == r.key_path
    assert "135790" not in (out / "kiosk.toml").read_text()
    assert mode(out / "kiosk.toml") == 0o640
    assert r.key_state == "new"
    # the key is in the format offline_queue reads, and only the owner may read it
    from offline_queue.crypto import load_key
    assert mode(r.key_path) == 0o600 and len(load_key(r.key_path)) == 32
    # the template's comments and other settings survive
    text = (out / "kiosk.toml").read_text()
    assert text.startswith("# Provisioned by `kiosk-admin provision`")
    assert "大厂回族自治县政务服务中心" in text and 'printer = "usb://0x0416:0x5011"' in text
    assert r.still_needed and any("credentials" in what for _, what in r.still_needed)


def test_an_existing_key_is_not_replaced_without_force(tmp_path):
    out = tmp_path / "k"
    provision(TEMPLATE, "dachang-hall-02", str(out), "135790")
    key = (out / "outbox.key").read_bytes()
    with pytest.raises(KioskError, match="outbox key exists already.*unreadable.*--keep-key.*--force"):
        provision(TEMPLATE, "dachang-hall-02", str(out), "246800")
    assert (out / "outbox.key").read_bytes() == key
    # --keep-key: a new PIN, the same key
    r = provision(TEMPLATE, "dachang-hall-02", str(out), "246800", keep_key=True)
    assert r.key_state == "kept" and (out / "outbox.key").read_bytes() == key
    assert verify_pin("246800", load_config(r.config_path).technician_pin_hash)
    # --force: a new key, and the old one kept beside it, never deleted
    r = provision(TEMPLATE, "dachang-hall-02", str(out), "246800", force=True)
    assert r.key_state.startswith("replaced") and (out / "outbox.key").read_bytes() != key
    backups = list(out.glob("outbox.key.replaced-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == key and mode(backups[0]) == 0o600


def test_csr_makes_a_client_key_and_request_and_points_the_config_at_them(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    out = tmp_path / "k"
    r = provision(TEMPLATE, "dachang-hall-07", str(out), "135790", csr=True)
    assert mode(r.client_key) == 0o600
    req = x509.load_pem_x509_csr(open(r.csr, "rb").read())
    assert req.is_signature_valid
    assert req.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == "dachang-hall-07"
    key = serialization.load_pem_private_key(open(r.client_key, "rb").read(), None)
    assert key.public_key().public_numbers() == req.public_key().public_numbers()
    cfg = load_config(r.config_path)
    assert cfg.jurisdictions["tongzhou"].client_key == r.client_key
    assert cfg.jurisdictions["tongzhou"].client_cert == r.client_cert.replace(".key", ".crt")
    assert (r.client_cert, "tongzhou: the signed client certificate, from the CSR") in r.still_needed
    assert cfg.jurisdictions["dachang"].client_cert is None  # it had no mTLS in the template


@pytest.mark.parametrize("pin", ["12", "abcd", "1234567890123", ""])
def test_a_bad_pin_writes_nothing(tmp_path, pin):
    with pytest.raises(UsageError, match="PIN"):
        provision(TEMPLATE, "dachang-hall-02", str(tmp_path / "k"), pin)
    assert not (tmp_path / "k").exists()


def test_a_bad_kiosk_id_or_template_writes_nothing(tmp_path):
    with pytest.raises(UsageError, match="kiosk-id"):
        provision(TEMPLATE, "Dachang Hall", str(tmp_path / "k"), "135790")
    bad = tmp_path / "bad.toml"
    bad.write_text('[kiosk]\nid = "x1"\nsite = "s"\nsite_jurisdiction = "No Where"\n')
    with pytest.raises(ConfigError, match=r"bad.toml:4: kiosk.site_jurisdiction"):
        provision(str(bad), "dachang-hall-02", str(tmp_path / "k"), "135790")
    with pytest.raises(UsageError, match="no such site template"):
        provision(str(tmp_path / "missing.toml"), "dachang-hall-02", str(tmp_path / "k"), "135790")
    assert not (tmp_path / "k").exists()


def test_edit_toml_replaces_adds_and_appends_keeping_comments():
    text = "# top\n[kiosk]\nid = \"old\" # note\n\n[technician]\n# the hash goes here\n"
    out = edit_toml(text, [("kiosk", "id", "new-1"), ("technician", "pin_hash", 'scrypt$a"b'), ("data", "n", 3)])
    d = tomllib.loads(out)
    assert d == {"kiosk": {"id": "new-1"}, "technician": {"pin_hash": 'scrypt$a"b'}, "data": {"n": 3}}
    assert "# top" in out and "# the hash goes here" in out


# ---- through the command line ------------------------------------------------------------------
def test_cli_pin_from_stdin(tmp_path):
    r = admin("provision", "--site", TEMPLATE, "--kiosk-id", "dachang-hall-03", "--out", str(tmp_path / "k"),
              "--pin-stdin", stdin="864200\n")
    assert r.returncode == 0, r.stderr
    assert "provisioned kiosk dachang-hall-03" in r.stdout and "outbox key" in r.stdout
    assert "864200" not in r.stdout
    assert verify_pin("864200", load_config(str(tmp_path / "k" / "kiosk.toml")).technician_pin_hash)
    again = admin("provision", "--site", TEMPLATE, "--kiosk-id", "dachang-hall-03", "--out", str(tmp_path / "k"),
                  "--pin-stdin", stdin="864200\n")
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "outbox key exists already" in again.stderr


def test_cli_without_a_terminal_or_pin_stdin_is_a_usage_error(tmp_path):
    r = admin("provision", "--site", TEMPLATE, "--kiosk-id", "dachang-hall-03", "--out", str(tmp_path / "k"), stdin="")
    assert r.returncode == 2 and "--pin-stdin" in r.stderr
    assert not (tmp_path / "k").exists()


def test_cli_force_and_keep_key_exclude_each_other(tmp_path):
    r = admin("provision", "--site", TEMPLATE, "--kiosk-id", "x-1", "--out", str(tmp_path), "--force", "--keep-key")
    assert r.returncode == 2 and "not allowed with" in r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="owners need root")
def test_as_root_the_service_user_gets_the_key_and_reads_the_config(tmp_path, monkeypatch):
    import pwd

    from kiosk.field import owner

    nobody = pwd.getpwnam("nobody")  # stands in for `kiosk`, which CI machines do not have
    monkeypatch.setattr(owner, "SERVICE_USER", "nobody")
    out = tmp_path / "k"
    r = provision(TEMPLATE, "dachang-hall-02", str(out), "135790", csr=True)
    assert r.owner_set

    def ids(p):
        st = os.stat(p)
        return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)

    assert ids(r.key_path) == (nobody.pw_uid, nobody.pw_gid, 0o600)  # the app and forwarder open it
    assert ids(r.client_key) == (nobody.pw_uid, nobody.pw_gid, 0o600)
    assert ids(r.config_path) == (0, nobody.pw_gid, 0o640)  # root writes, the service reads
    assert ids(out)[:2] == (0, nobody.pw_gid)


def test_a_profile_the_template_names_is_copied_beside_the_config(tmp_path):
    """A site template that names its jurisdiction's interface profile (profiles/x.toml, as
    install.sh lays the examples beside the templates) gives a config whose profile resolves."""
    sites = tmp_path / "share" / "sites"
    (sites / "profiles").mkdir(parents=True)
    (sites / "profiles" / "nested-soap.toml").write_bytes((SITES.parent / "profiles" / "nested-soap.toml").read_bytes())
    text = (SITES / "dachang-hall-01.toml").read_text(encoding="utf-8")
    text = text.replace('# profile = "profiles/tongzhou-intake.toml"', 'profile = "profiles/nested-soap.toml"', 1)
    assert 'profile = "profiles/nested-soap.toml"' in text
    (sites / "site.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "etc-kiosk"
    provision(str(sites / "site.toml"), "dachang-hall-02", str(out), "135790")
    assert (out / "profiles" / "nested-soap.toml").read_bytes() == (sites / "profiles" / "nested-soap.toml").read_bytes()
    assert mode(out / "profiles" / "nested-soap.toml") == 0o640
