"""The catalog: the sample is valid and complete enough; search ranks as residents expect."""
import json
import subprocess
import sys

import pytest

from kiosk.catalog import SAMPLE, Catalog, load_catalog, parse_catalog
from kiosk.catalog.search import naive_prepare, naive_search, pinyin_forms
from kiosk.catalog.synthetic import synthetic_matters
from kiosk.errors import ConfigError


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def test_sample_covers_the_four_jurisdictions_both_audiences_and_kinds(cat):
    assert len(cat) >= 40
    assert set(cat.jurisdictions()) == {"tongzhou", "sanhe", "dachang", "xianghe"}
    assert {m.audience for m in cat.matters} == {"personal", "company"}
    assert {m.kind for m in cat.matters} == {"query", "application"}
    names = {m.name for m in cat.matters}
    for must in ("护士执业注册", "医师执业注册", "住房公积金缴存提取查询", "异地就医备案",
                 "城乡居民基本养老保险参保登记", "企业设立登记（电子营业执照）"):
        assert must in names
    for m in cat.matters:
        assert not (m.kind == "query" and m.offline_ok)


def test_pinyin_forms():
    assert pinyin_forms("住房公积金") == ("zhufanggongjijin", "zfgjj")
    assert pinyin_forms("异地就医备案（跨省）")[1] == "ydjybakс".replace("с", "s")


def test_gjj_finds_provident_fund_first(cat):
    found = cat.search("gjj", limit=10)
    assert all("公积金" in m.name for m in found[:8])


@pytest.mark.parametrize("q", ["护士", "hushi", "hs", "护士执业注册"])
def test_nurse_registration_by_chinese_pinyin_and_initials(cat, q):
    assert cat.search(q)[0].name == "护士执业注册"


def test_ranking_exact_then_prefix_then_substring_then_popularity(cat):
    # exact name first, even when less popular than a prefix match
    found = cat.search("异地就医备案")
    assert [m.name for m in found[:3]] == ["异地就医备案"] * 3
    pops = [m.popularity for m in found[:3]]
    assert pops == sorted(pops, reverse=True)
    # keyword (alias) matches come after name matches: 社保 is an alias, not in names
    assert cat.search("社保卡")[0].name == "社会保障卡申领"


def test_filters(cat):
    found = cat.search("gjj", jurisdiction="sanhe")
    assert found and {m.jurisdiction for m in found} == {"sanhe"}
    assert all(m.audience == "company" for m in cat.search("", audience="company", limit=100))
    assert cat.categories("tongzhou")[0] in ("住房公积金", "社会保险", "医疗保险")


def test_index_agrees_with_naive_scan_on_a_synthetic_catalog(cat):
    matters = synthetic_matters(3600, base=cat.matters)
    big = Catalog(matters)
    prepared = naive_prepare(matters)
    for q in ("gjj", "公积金", "zhufang", "dengji", "登记", "ydjy", "护士", "z", "社保", "xkz", "yy", "jijin", "fanggong",
              "g", "zhen", "街道"):
        assert [m.code for m in big.search(q, limit=20)] == [m.code for m in naive_search(prepared, q, limit=20)], q
    # with a filter: the same as the naive scan of the matters that pass it. (The full-pinyin
    # substring stream once checked each candidate against the initials, a generator's
    # late-bound variable: `g` in a category lost every name whose initials lack a g.)
    for q in ("g", "z", "zhen", "jijin", "街道", "公"):
        for c in ("住房公积金", "民政"):
            only = [p for p in prepared if p[0].category == c]
            assert [m.code for m in big.search(q, category=c, limit=30)] == \
                [m.code for m in naive_search(only, q, limit=30)], (q, c)


@pytest.mark.parametrize("mutate, key", [
    (lambda d: d["matters"][0].update(kind="form"), "matters[0] (TZ-GJJ-001).kind"),
    (lambda d: d["matters"][0].update(jurisdiction="Hai dian"), "matters[0] (TZ-GJJ-001).jurisdiction"),
    (lambda d: d["matters"][1]["materials"][0].update(pages_min=0), "matters[1] (SH-GJJ-001)"),
    (lambda d: d["matters"][4]["mapping"]["fields"].update(x="form.nope"), "matters[4] (TZ-GJJ-002).mapping.fields.x"),
    (lambda d: d["matters"][0].update(offline_ok=True), "matters[0] (TZ-GJJ-001).offline_ok"),
    (lambda d: d["matters"][3].update(code=d["matters"][2]["code"]), "matters[3].code"),
])
def test_bad_catalog_is_refused_with_key_and_line(mutate, key):
    d = json.loads(SAMPLE.read_text(encoding="utf-8"))
    d["matters"][1]["materials"] = d["matters"][4]["materials"]
    mutate(d)
    text = json.dumps(d, ensure_ascii=False, indent=1)
    with pytest.raises(ConfigError) as e:
        parse_catalog(text, "c.json")
    assert e.value.key.startswith(key) and e.value.line


def test_broken_json_gives_its_line():
    with pytest.raises(ConfigError) as e:
        parse_catalog('{"format": 1,\n "matters": [,]}', "c.json")
    assert e.value.line == 2


def test_cli_search_and_check(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalog", "search", "gjj", "--json"],
                       capture_output=True, text=True, env={"KIOSK_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin"})
    assert r.returncode == 0, r.stderr
    assert "公积金" in json.loads(r.stdout)[0]["name"]
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalog", "search", "护士"], capture_output=True, text=True,
                       env={"KIOSK_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin"})
    assert "护士执业注册" in r.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 2, "matters": []}')
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalog", "check", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2 and "unsupported catalog format" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalog", "check", str(SAMPLE)], capture_output=True, text=True)
    assert r.returncode == 0 and ": ok: " in r.stdout


def test_warm_in_a_worker_builds_the_index_once_for_every_thread():
    import threading

    c = Catalog(synthetic_matters(300), "synthetic")
    got = []
    threads = [threading.Thread(target=c.warm)] + [threading.Thread(target=lambda: got.append(c.index)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len({id(i) for i in got}) == 1 and got[0] is c.index
    assert c.search(c.matters[0].name)[0].name == c.matters[0].name


def test_a_form_value_with_control_characters_is_refused():
    """No kiosk keyboard types one; `kiosk-admin submit --field` could, into a receipt or a log line."""
    from kiosk.catalog.model import FormField
    f = FormField("address", "联系地址", max_length=70)
    assert f.validate("北京市通州区") is None
    assert f.validate("北京市\n通州区") == "联系地址不能包含控制字符"
    assert f.validate("北京市\x1b[2J") == "联系地址不能包含控制字符"


@pytest.mark.parametrize("pattern, safe", [
    (r"1[3-9]\d{9}", True), (r"\d{12,19}", True), (r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}", True),
    (r"(\d{3}-)+\d{4}", True), (r"[A-Z0-9]+", True), (r"\d*\d*\d*x", True),
    (r"(a+)+$", False), (r"(a|aa)*$", False), (r"(\w+\s?)+$", False), (r"(\d)\1", False),
    (r"\d*\d*\d*\d*x", False), (r"(\d+x){5}", False), ("x" * 201, False), ("([", False),
])
def test_field_patterns_that_could_freeze_the_form_are_refused(pattern, safe):
    """The rule in kiosk/catalog/loader.py (its comment gives the measured times)."""
    from kiosk.catalog.loader import pattern_problem
    assert (pattern_problem(pattern) is None) == safe, pattern_problem(pattern)


def test_the_id_card_material_is_named_by_its_kind_not_its_name(cat):
    """Every 身份证件（正反面） of the sample is kind id_card, scanned front and back; nothing else is."""
    ids = [(m.code, x) for m in cat.matters for x in m.materials if x.kind == "id_card"]
    assert len(ids) >= 20
    assert all(x.two_sided and x.pages_min == x.pages_max == 2 for _, x in ids)
    assert all(x.name == "身份证件（正反面）" and x.name_en == "ID card (front and back)" for _, x in ids)
    assert "id_card" in {x.kind for x in cat.get("TZ-GJJ-003").materials}


@pytest.mark.parametrize("change,key", [
    ({"kind": "passport"}, "materials[0].kind"),
    ({"kind": "id_card", "two_sided": False}, "materials[0].two_sided"),
    ({"two_sided": True, "pages_min": 1, "pages_max": 2}, "materials[0].pages_min"),
])
def test_a_material_kind_or_sides_that_cannot_be_scanned_is_refused(change, key):
    d = json.loads(SAMPLE.read_text(encoding="utf-8"))
    m = next(m for m in d["matters"] if m["code"] == "TZ-GJJ-003")
    m["materials"][0].update(change)
    with pytest.raises(ConfigError) as e:
        parse_catalog(json.dumps(d, ensure_ascii=False, indent=1), "c.json")
    assert key in e.value.key and e.value.line
