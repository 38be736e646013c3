"""What the kiosk seals for a profile to read: the remote item code from the catalog (remote_code,
else the kiosk's own code), the tracking number, the card, the form, the delivery, the material
names — frozen with the request at submit."""
from kiosk.catalog import load_catalog
from kiosk.outbox import build_request, profile_values
from tests.support.outbox import ID_NUMBER, NAME, transaction


def test_the_catalog_gives_the_remote_item_code():
    cat = load_catalog(None)
    sanhe = cat.get("SH-YB-001")
    assert sanhe.remote_code and sanhe.item_code == sanhe.remote_code != sanhe.code
    dachang = cat.get("DC-GJJ-002")
    assert dachang.remote_code is None and dachang.item_code == "DC-GJJ-002"


def test_values_frozen_with_the_request():
    cat = load_catalog(None)
    m = cat.get("SH-YB-001")
    tx = transaction("SH-YB-001", "sanhe")
    v = profile_values(tx, m)
    assert v["item_code"] == m.remote_code and v["tracking"] == tx.tracking_number
    assert v["card.name"] == NAME and v["card.id_number"] == ID_NUMBER and v["card.sex"] == "female"
    assert v["card.birth_date"] == "1949-12-31" and v["form.amount"] == "1200.00"
    assert v["delivery.method"] == "pickup" and v["kiosk.id"] == "demo-dachang-01"
    assert all(v[f"material_name.{mat.code}"] == mat.name for mat in m.materials)
    req = build_request(tx, m)
    assert req.values == v and "photo" not in str(sorted(v))
    assert type(req).loads(req.dumps()).values == v  # sealed and read back unchanged


def test_a_new_jurisdiction_needs_no_code_change(tmp_path):
    """A municipal office joins: the site declares it, the catalog names it; nothing lists it in code."""
    import json

    from kiosk.catalog.loader import parse_catalog
    from kiosk.config import parse_config
    cfg = parse_config('''
[kiosk]
id = "langfang-hall-01"
site = "廊坊市政务服务中心"
site_jurisdiction = "langfang"
[data]
folder = "/var/lib/kiosk"
outbox_key = "/etc/kiosk/outbox.key"
[jurisdictions.langfang]
name = "廊坊市（市本级）"
name_en = "Langfang (municipal)"
protocol = "rest"
endpoint = "https://zwfw.langfang.example.gov.cn/api"
profile = "profiles/langfang.toml"
''', str(tmp_path / "site.toml"))
    jc = cfg.jurisdictions["langfang"]
    assert jc.name_en == "Langfang (municipal)" and jc.profile == str(tmp_path / "profiles" / "langfang.toml")
    sample = json.load(open("kiosk/catalog/sample.json", encoding="utf-8"))
    m = dict(sample["matters"][0], code="LF-GJJ-001", jurisdiction="langfang", remote_code="1310000000MB1500000000004000111")
    [matter] = parse_catalog(json.dumps({**sample, "matters": [m]}, ensure_ascii=False), "catalog.json")
    assert matter.jurisdiction == "langfang" and matter.item_code == "1310000000MB1500000000004000111"


def test_an_empty_remote_code_is_refused():
    import json

    import pytest

    from kiosk.catalog.loader import parse_catalog
    from kiosk.errors import ConfigError
    sample = json.load(open("kiosk/catalog/sample.json", encoding="utf-8"))
    m = dict(sample["matters"][0], remote_code=" ")
    with pytest.raises(ConfigError, match="remote_code"):
        parse_catalog(json.dumps({**sample, "matters": [m]}, ensure_ascii=False), "catalog.json")
