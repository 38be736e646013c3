"""Fault (issue 18 #1): the compiled catalog index is damaged, of another format or another
catalog version, or breaks under a query while the kiosk runs. The kiosk rebuilds it from the
installed catalog; a damage found while running removes it so the next start rebuilds it, and the
resident's search says so once instead of answering wrong."""
from pathlib import Path

import pytest

from kiosk.catalog import load_catalog, open_catalog
from kiosk.catalog.synthetic import catalog_json
from kiosk.errors import KioskError

pytestmark = pytest.mark.faults


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def sample():
    return load_catalog()


def _site(tmp_path, sample) -> Path:
    f = tmp_path / "site.json"
    f.write_text(catalog_json(sample.matters), encoding="utf-8")
    return f


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other_format", "half_written_meta"])
def test_a_damaged_index_is_rebuilt_at_start(tmp_path, sample, damage):
    f = _site(tmp_path, sample)
    idx = Path(open_catalog(f, data_folder=str(tmp_path / "data")).index_file)
    raw = idx.read_bytes()
    if damage == "garbage":
        idx.write_bytes(b"\x00garbage" * 500)
    elif damage == "truncated":
        idx.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        idx.write_bytes(b"")
    else:
        import sqlite3
        with sqlite3.connect(idx) as c:
            if damage == "other_format":
                c.execute("UPDATE meta SET value = '0-old' WHERE key = 'format'")
            else:
                c.execute("DELETE FROM meta WHERE key = 'complete'")
    cat = open_catalog(f, data_folder=str(tmp_path / "data"))
    assert len(cat) == len(sample) and "公积金" in cat.search("gjj")[0].name


def test_damage_found_while_running_removes_the_index_and_the_next_start_rebuilds_it(tmp_path, sample):
    f = _site(tmp_path, sample)
    cat = open_catalog(f, data_folder=str(tmp_path / "data"))
    idx = Path(cat.index_file)
    raw = bytearray(idx.read_bytes())
    page = 4096
    for start in range(page, len(raw) - page, page):  # every b-tree page but the first: zeroed
        raw[start:start + page] = bytes(page)
    with open(idx, "r+b") as out:  # in place, as a failing disk would
        out.write(raw)
    with pytest.raises(KioskError, match="catalog index damaged"):
        cat.matters  # noqa: B018
    assert not idx.exists()
    again = open_catalog(f, data_folder=str(tmp_path / "data"))
    assert len(again.matters) == len(sample)


def test_a_build_killed_half_way_leaves_nothing_that_stays(tmp_path, sample):
    """A killed build leaves its temp file (never the index name); the next build of that index
    removes temp files older than a build can take, and leaves a younger one (another build)."""
    import os

    from kiosk.catalog import compiled

    f = _site(tmp_path, sample)
    idx = compiled.index_path(f, str(tmp_path / "data"))
    idx.parent.mkdir(parents=True)
    old, young = idx.parent / f".{idx.name}.x1.building", idx.parent / f".{idx.name}.x2.building"
    old.write_bytes(b"half an index")
    young.write_bytes(b"being written")
    os.utime(old, (1, 1))
    assert len(open_catalog(f, data_folder=str(tmp_path / "data"))) == len(sample)
    assert not old.exists() and young.exists()


def test_a_closed_connection_is_not_taken_for_damage(tmp_path, sample):
    import sqlite3

    f = _site(tmp_path, sample)
    cat = open_catalog(f, data_folder=str(tmp_path / "data"))
    cat._conn.close()
    with pytest.raises(sqlite3.ProgrammingError):
        cat.get("TZ-GJJ-001")
    assert Path(cat.index_file).exists()
