"""Fault (issue 18 #1): the catalog the kiosk starts on can no longer be read or validated (edited
by hand, a newer kiosk's stricter rules, a missing file). With an index built from it before, the
kiosk starts on that (the technician's log line names the file and the reason); without one it
says which file and why, and does not start on a half-read catalog."""
import json
import logging

import pytest

from kiosk.catalog import load_catalog, open_catalog
from kiosk.catalog.synthetic import catalog_json
from kiosk.errors import ConfigError

pytestmark = pytest.mark.faults


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_a_catalog_now_invalid_leaves_the_kiosk_on_its_index(tmp_path, caplog):
    sample = load_catalog()
    f = tmp_path / "site.json"
    f.write_text(catalog_json(sample.matters), encoding="utf-8")
    open_catalog(f, data_folder=str(tmp_path / "data"))
    d = json.loads(f.read_text(encoding="utf-8"))
    d["matters"][2]["kind"] = "form"
    f.write_text(json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kiosk.catalog.compiled"):
        cat = open_catalog(f, data_folder=str(tmp_path / "data"))
    assert len(cat) == len(sample)  # the catalog it was built from
    line = caplog.records[-1].getMessage()
    assert str(f) in line and "kind" in line and "runs on the catalog its index was built from" in line


def test_a_catalog_gone_leaves_the_kiosk_on_its_index(tmp_path):
    sample = load_catalog()
    f = tmp_path / "site.json"
    f.write_text(catalog_json(sample.matters), encoding="utf-8")
    open_catalog(f, data_folder=str(tmp_path / "data"))
    f.unlink()
    assert len(open_catalog(f, data_folder=str(tmp_path / "data"))) == len(sample)


def test_no_index_and_a_bad_catalog_says_which_file_and_why(tmp_path):
    f = tmp_path / "site.json"
    f.write_text('{"format": 1, "matters": [,]}', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        open_catalog(f, data_folder=str(tmp_path / "data"))
    assert str(e.value).startswith(f"{f}:1: not valid JSON")
    with pytest.raises(ConfigError) as e:
        open_catalog(tmp_path / "missing.json", data_folder=str(tmp_path / "data"))
    assert str(tmp_path / "missing.json") in str(e.value)
