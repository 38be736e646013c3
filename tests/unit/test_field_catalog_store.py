"""kiosk-admin catalog update / rollback: a new catalog is validated, swapped in atomically, and
the old one kept; a bad file changes nothing."""
import json
import os

import pytest

from kiosk.catalog.loader import SAMPLE
from kiosk.errors import ConfigError, KioskError
from kiosk.field import catalog_store
from tests.support.field import admin, site_config


def variant(tmp_path, name: str, drop: int) -> str:
    d = json.loads(SAMPLE.read_text(encoding="utf-8"))
    d["matters"] = d["matters"][: len(d["matters"]) - drop]
    p = tmp_path / name
    p.write_text(json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8")
    return str(p)


def current(data) -> str:
    return os.path.realpath(os.path.join(data, "catalog", "current.json"))


def test_update_then_rollback_then_undo(tmp_path):
    data = str(tmp_path / "data")
    a, b = variant(tmp_path, "a.json", 1), variant(tmp_path, "b.json", 2)
    ra = catalog_store.update(data, a)
    assert ra.previous is None and open(current(data), "rb").read() == open(a, "rb").read()
    rb = catalog_store.update(data, b)
    assert rb.previous == ra.current and open(current(data), "rb").read() == open(b, "rb").read()
    assert rb.matters == ra.matters - 1
    back = catalog_store.rollback(data)
    assert back.current == ra.current and open(current(data), "rb").read() == open(a, "rb").read()
    again = catalog_store.rollback(data)  # a second rollback undoes the first
    assert again.current == rb.current
    assert os.path.islink(os.path.join(data, "catalog", "current.json"))


def test_a_bad_catalog_changes_nothing(tmp_path):
    data = str(tmp_path / "data")
    good = variant(tmp_path, "good.json", 0)
    catalog_store.update(data, good)
    before = current(data)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1,\n "matters": [\n  {"code": "nope"}\n ]\n}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.json(:\d+)?: matters\[0\]\.code"):
        catalog_store.update(data, str(bad))
    assert current(data) == before
    assert not [p for p in os.listdir(os.path.join(data, "catalog", "versions")) if p.startswith(".incoming")]


def test_same_catalog_twice_is_refused_and_rollback_needs_a_previous(tmp_path):
    data = str(tmp_path / "data")
    a = variant(tmp_path, "a.json", 0)
    with pytest.raises(KioskError, match="no previous catalog"):
        catalog_store.rollback(data)
    catalog_store.update(data, a)
    with pytest.raises(KioskError, match="already the current one"):
        catalog_store.update(data, a)


def test_old_versions_are_pruned(tmp_path):
    data = str(tmp_path / "data")
    for i in range(6):
        catalog_store.update(data, variant(tmp_path, f"v{i}.json", i))
    files = [f for f in os.listdir(os.path.join(data, "catalog", "versions")) if f.endswith(".json")]
    assert len(files) == catalog_store.KEEP_VERSIONS  # each with its compiled index beside it
    assert os.path.basename(current(data)) in files


def test_the_config_finds_the_installed_catalog(tmp_path):
    from kiosk.config import load_config

    cfg_path = site_config(tmp_path, devices={}, jurisdictions={"dachang": ("rest", "http://127.0.0.1:9/")})
    cfg = load_config(str(cfg_path))
    assert cfg.active_catalog() is None
    catalog_store.update(cfg.data_folder, variant(tmp_path, "a.json", 3))
    assert os.path.realpath(cfg.active_catalog()) == current(cfg.data_folder)


def test_cli_update_and_rollback(tmp_path):
    cfg = site_config(tmp_path, devices={}, jurisdictions={"dachang": ("rest", "http://127.0.0.1:9/")})
    a, b = variant(tmp_path, "a.json", 0), variant(tmp_path, "b.json", 5)
    r = admin("--config", str(cfg), "catalog", "update", a)
    assert r.returncode == 0, r.stderr
    assert "catalog updated: " in r.stdout and "systemctl restart kiosk" in r.stdout
    r = admin("--config", str(cfg), "catalog", "update", b, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["previous"]
    r = admin("--config", str(cfg), "catalog", "rollback")
    assert r.returncode == 0 and "rolled back" in r.stdout
    r = admin("--config", str(cfg), "catalog", "update", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "missing.json: no such file" in r.stderr
