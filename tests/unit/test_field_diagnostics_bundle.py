"""The diagnostics bundle's second net: journal and log text is scrubbed again (ID numbers
masked, secret-looking lines dropped), and figures survive the scrub."""
import json
import tarfile

from kiosk.config import load_config
from kiosk.field.diagnostics import build_bundle
from tests.support.field import site_config


def members(path):
    with tarfile.open(path, "r:gz") as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode() for m in tar.getmembers()}


def test_journal_is_scrubbed_and_floats_survive(tmp_path):
    cfg = load_config(str(site_config(tmp_path, devices={}, jurisdictions={"dachang": ("rest", "http://127.0.0.1:9/")})))
    journal = {"kiosk.service": "Nov 27 kiosk[1]: read 11010519491231002X\nNov 27 kiosk[1]: password=hunter2\n",
               "kiosk-forwarder.service": ""}
    out = tmp_path / "b.tar.gz"
    names = build_bundle(cfg, str(out), journal=journal.get,
                         outbox_counts=lambda: {"oldest_queued_age": 123.45678901234567, "counts": {"queued": 1}})
    m = members(out)
    assert "journal/kiosk.service.txt" in m and "journal/kiosk-forwarder.service.txt" not in m
    j = m["journal/kiosk.service.txt"]
    assert "110105********002X" in j and "11010519491231002X" not in j and "hunter2" not in j
    assert json.loads(m["outbox.json"])["oldest_queued_age"] == 123.457
    assert set(json.loads(m["system.json"])) >= {"units", "device_links"}
    assert all(n.startswith("kiosk-diagnostics-test-kiosk-01-") for n in names)
