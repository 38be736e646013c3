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
