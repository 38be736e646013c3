"""The compiled catalog: built once when installed, opened at start-up without the JSON, the same
answers as the in-memory search; a stale or damaged index is rebuilt, a catalog that cannot be
read any more leaves the kiosk on the index it has, or says which file and why."""
import os
from pathlib import Path

import pytest

from kiosk.catalog import Catalog, load_catalog, open_catalog
from kiosk.catalog import compiled
from kiosk.catalog.synthetic import catalog_json, synthetic_matters
from kiosk.field import catalog_store

QUERIES = ("gjj", "公积金", "zhufang", "dengji", "登记", "ydjy", "护士", "z", "g", "社保", "xkz", "yy", "jijin",
           "zhufanggongjijin", "街道", "镇", "qqqq", "qq", "住房公积金提取", "hushizhiye", "x", "公", "zfgjjt", "")
FILTERS = ({}, {"jurisdiction": "sanhe"}, {"category": "住房公积金"}, {"audience": "company"},
           {"jurisdiction": "tongzhou", "audience": "personal", "category": "民政"}, {"jurisdiction": "haidian"})


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    """Nothing from an earlier run: the sample's index goes to this test's own cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _write(tmp_path, name, matters) -> Path:
    p = tmp_path / name
    p.write_text(catalog_json(matters), encoding="utf-8")
    return p


def _same(a, b, n=30):
    for q in QUERIES:
        for f in FILTERS:
            for limit in (8, n):
                assert [m.code for m in a.search(q, limit=limit, **f)] == \
                    [m.code for m in b.search(q, limit=limit, **f)], (q, f, limit)


@pytest.fixture(scope="module")
def sample():
    return load_catalog()


@pytest.mark.parametrize("cap", [compiled.CAP, 7])
def test_answers_as_the_in_memory_search(tmp_path, monkeypatch, sample, cap):
    """cap 7: every stored list is cut short, so the scans that continue them answer too."""
    monkeypatch.setattr(compiled, "CAP", cap)
    monkeypatch.setattr(compiled, "POP_CAP", min(cap, compiled.POP_CAP))
    matters = synthetic_matters(900, base=sample.matters)
    f = _write(tmp_path, "c.json", matters)
    compiled.build_index(f, tmp_path / "c.sqlite")
    cc, mem = compiled._open(tmp_path / "c.sqlite", f), Catalog(matters)
    _same(cc, mem, n=100)
    for j in (None, "sanhe", "dachang"):
        for a in (None, "company"):
            assert cc.categories(j, a) == mem.categories(j, a)
        assert [m.code for m in cc.popular(j)] == [m.code for m in mem.popular(j)]
    assert cc.jurisdictions() == mem.jurisdictions() and len(cc) == len(mem) == 900
    assert cc.matters == mem.matters  # in the file's order, equal field by field
    assert cc.get("TZ-YB-001") == mem.get("TZ-YB-001")
    with pytest.raises(KeyError):
        cc.get("TZ-NO-999")
    assert sum(cc.counts("sanhe").values()) == sum(m.jurisdiction == "sanhe" for m in matters)


def test_the_sample_is_compiled_on_first_use_then_only_opened(tmp_path, monkeypatch):
    cat = open_catalog()
    assert "公积金" in cat.search("gjj")[0].name and cat.search("护士")[0].name == "护士执业注册"
    idx = Path(cat.index_file)
    assert idx.is_file() and str(idx).startswith(str(tmp_path / "cache"))
    assert not [p for p in idx.parent.iterdir() if p.name.startswith(".")]  # no temp file left

    def no(*a, **k):
        raise AssertionError("start-up parsed or built the catalog")
    monkeypatch.setattr(compiled, "build_index", no)
    monkeypatch.setattr(compiled, "parse_catalog", no)
    again = open_catalog()
    assert [m.code for m in again.popular("tongzhou")] == [m.code for m in cat.popular("tongzhou")]
    assert again.categories("tongzhou")[0] in ("住房公积金", "社会保险", "医疗保险")


def test_an_index_of_another_catalog_version_is_rebuilt(tmp_path, sample):
    data = str(tmp_path / "data")
    f = _write(tmp_path, "site.json", sample.matters)
    first = open_catalog(f, data_folder=data)
    assert first.index_file.startswith(os.path.join(data, "catalog", "index"))
    assert len(first) == len(sample)
    f.write_text(catalog_json(sample.matters[:-5]), encoding="utf-8")  # edited in place
    assert len(open_catalog(f, data_folder=data)) == len(sample) - 5


def test_same_content_touched_is_not_rebuilt(tmp_path, monkeypatch, sample):
    f = _write(tmp_path, "site.json", sample.matters)
    open_catalog(f, data_folder=str(tmp_path / "data"))
    os.utime(f, ns=(1, 1))  # size and time differ from what the index recorded: the hash decides
    monkeypatch.setattr(compiled, "build_index", lambda *a, **k: pytest.fail("rebuilt the same catalog"))
    assert len(open_catalog(f, data_folder=str(tmp_path / "data"))) == len(sample)


def test_catalog_update_compiles_beside_the_installed_file_and_start_up_only_opens(tmp_path, monkeypatch, sample):
    data = str(tmp_path / "data")
    a = _write(tmp_path, "a.json", sample.matters)
    b = _write(tmp_path, "b.json", sample.matters[:-3])
    ra = catalog_store.update(data, str(a))
    assert ra.index == str(compiled.beside(ra.current)) and os.path.isfile(ra.index)
    rb = catalog_store.update(data, str(b))
    monkeypatch.setattr(compiled, "build_index", lambda *a, **k: pytest.fail("start-up built the index"))
    monkeypatch.setattr(compiled, "parse_catalog", lambda *a, **k: pytest.fail("start-up parsed the JSON"))
    cat = open_catalog(os.path.join(data, "catalog", "current.json"), data_folder=data)
    assert len(cat) == len(sample) - 3 and cat.index_file == rb.index
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    back = catalog_store.rollback(data)
    assert back.index == ra.index
    assert len(open_catalog(os.path.join(data, "catalog", "current.json"), data_folder=data)) == len(sample)


def test_pruned_versions_take_their_index_with_them(tmp_path, sample):
    data = str(tmp_path / "data")
    for i in range(catalog_store.KEEP_VERSIONS + 2):
        catalog_store.update(data, str(_write(tmp_path, f"v{i}.json", sample.matters[: len(sample) - i - 1])))
    versions = Path(data, "catalog", "versions")
    jsons = sorted(p.name[: -len(".json")] for p in versions.glob("*.json"))
    indexes = sorted(p.name[: -len(".index.sqlite")] for p in versions.glob("*.index.sqlite"))
    assert jsons == indexes and len(jsons) == catalog_store.KEEP_VERSIONS
