"""The transaction: frozen, its id fixed, JSON round trip."""
import dataclasses
import datetime as dt

import pytest

from kiosk.identity import Identity
from kiosk.transaction import Attachment, Delivery, Transaction, tracking_number


def test_roundtrip_and_frozen():
    ident = Identity(card_type="resident", name="张三", id_number="11010519491231002X", photo=b"x" * 1024)
    tx = Transaction(id=Transaction.new_id(), matter_code="TZ-GJJ-002", jurisdiction="tongzhou", identity=ident,
                     form={"phone": "13800138000"}, attachments=(Attachment("invoice", "/tmp/a.pdf", 2, "ab" * 32, 1000),),
                     delivery=Delivery("mail", "北京市通州区运河东大街1号", "13800138000"), kiosk_id="k1",
                     created_at=dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    back = Transaction.loads(tx.dumps())
    assert back == tx
    assert b"x" * 100 not in tx.dumps()  # the photo never goes into the payload
    with pytest.raises(dataclasses.FrozenInstanceError):
        tx.id = "other"
    assert "张三" not in repr(tx)
    assert tx.tracking_number == "261127" + tx.id.replace("-", "")[:8].upper()
    assert tracking_number("abcdef01-0000", tx.created_at) == "261127ABCDEF01"


def test_unknown_schema_version_is_refused():
    with pytest.raises(ValueError, match="schema version"):
        Transaction.from_json({"schema_version": 99})
