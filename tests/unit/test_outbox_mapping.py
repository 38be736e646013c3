"""The catalog mapping resolved against a Transaction (kiosk/outbox.py), pure."""
import datetime as _dt

import pytest

from kiosk.identity import Identity
from kiosk.mapping import resolve_fields, resolve_source
from kiosk.outbox import build_request
from kiosk.transaction import Delivery, Transaction
from tests.support.outbox import FIELDS, stand_in_catalog

IDENT = Identity("resident", "张三丰", "11010519491231002X", sex="female", birth_date=_dt.date(1949, 12, 31),
                 long_term=True)
TX = Transaction(id="6f1c2e3a-0000-4000-8000-000000000001", matter_code="GJJ-WITHDRAW-DC", jurisdiction="dachang",
                 identity=IDENT, form={"amount": "1200.00", "bank_account": "6222"},
                 delivery=Delivery("mail", "河北省廊坊市大厂县", "13800000000"), kiosk_id="dachang-hall-01")


@pytest.mark.parametrize("src, want", [
    ("form.amount", "1200.00"),
    ("form.not_filled", ""),
    ("card.name", "张三丰"),
    ("card.id_number", "11010519491231002X"),
    ("card.birth_date", "1949-12-31"),
    ("card.long_term", "true"),
    ("card.address", ""),
    ("delivery.method", "mail"),
    ("delivery.address", "河北省廊坊市大厂县"),
    ("delivery.recipient_phone", "13800000000"),
    ("kiosk.id", "dachang-hall-01"),
    ("const:111", "111"),
    ("const:", ""),
    ("const:a.b:c", "a.b:c"),
])
def test_sources(src, want):
    assert resolve_source(src, TX) == want


@pytest.mark.parametrize("src", ["card.photo", "card.nope", "card._x", "delivery.nope", "kiosk.name", "form.", "name",
                                 "", "card"])
def test_bad_sources_are_catalog_mistakes(src):
    with pytest.raises(ValueError, match="mapping source"):
        resolve_source(src, TX)


def test_resolve_fields_and_build_request():
    got = resolve_fields(FIELDS, TX)
    assert got["applicant_id"] == "11010519491231002X" and got["channel"] == "kiosk" and got["address"].startswith("河北")
    req = build_request(TX, stand_in_catalog().get("GJJ-WITHDRAW-DC"))
    assert (req.txid, req.matter, req.operation, req.status_operation) == (
        TX.id, "GJJ-WITHDRAW-DC", "/applications/gjj-withdrawal", "/status")
    assert dict(req.fields) == got
    assert "张三丰" not in repr(req) and "1101051949" not in repr(req)


def test_request_survives_sealing_round_trip():
    from offline_queue.types import Request
    req = build_request(TX, stand_in_catalog().get("GJJ-WITHDRAW-TZ"))
    assert Request.loads(req.dumps()) == req
