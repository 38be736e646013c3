"""The composition root and the use cases over fakes of the ports: a device that fails to start
is reported unavailable and the rest runs; a submission gives a receipt with masked data only."""
import pytest

from kiosk.bootstrap import build
from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.transaction import Delivery
from kiosk.mapping import MappingInputs, resolve_fields
from tests.support.fakes import RESIDENT, FakeScanner, fake_factories


@pytest.fixture
def services(tmp_path):
    cfg = load_config(None, demo=True)
    import dataclasses

    cfg = dataclasses.replace(cfg, data_folder=str(tmp_path))
    s = build(cfg, clock=FakeClock(), factories=fake_factories())
    yield s
    s.close()


def test_a_failing_device_is_unavailable_not_fatal(tmp_path):
    import dataclasses

    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path))

    def broken(config, clock):
        raise OSError("connection refused")

    s = build(cfg, clock=FakeClock(), factories=dict(fake_factories(), printer=broken))
    assert s.printer is None and "connection refused" in s.availability.get("printer")
    assert s.actions.print_receipt(None) is None  # the receipt screen then shows the QR
    assert {d.device: d.health for d in s.actions.device_states()}["printer"] == "absent"


def test_submit_builds_a_transaction_and_a_masked_receipt(services, tmp_path):
    m = services.catalog.get("TZ-YB-001")
    scanned = {mat.code: FakeScanner().scan(mat.code, out_dir=str(tmp_path)) for mat in m.materials}
    data = {"identity": RESIDENT, "matter": m, "form": {"phone": "13912345678"}, "attachments": scanned,
            "delivery": Delivery("pickup")}
    sub = services.actions.submit(data)
    assert sub.outcome.forwarded
    r = sub.receipt
    assert r.masked_id == "110105********002X" and r.masked_name == "张*"  # masked once: not 张**
    assert r.tracking_number == sub.outcome.tracking_number and r.tracking_number in r.qr_payload
    assert services.actions.progress(tracking_number=r.tracking_number)[0].matter_code == "TZ-YB-001"


def test_queued_when_offline_and_query_matter_needs_network(services):
    services.outbox.up = False
    assert not services.actions.can_start(services.catalog.get("TZ-GJJ-001"))  # a query: needs the network
    assert services.actions.can_start(services.catalog.get("TZ-YB-001"))  # an application: may be queued


def test_prefill_from_card_and_validation(services):
    m = services.catalog.get("TZ-YB-001")
    values = services.actions.prefill(m, RESIDENT)
    assert values["name"] == "张三" and values["id_number"] == RESIDENT.id_number
    errs = services.actions.form_errors(m, dict(values, phone="123"))
    assert "phone" in errs


def test_resolve_fields():
    out = resolve_fields({"a": "form.phone", "b": "card.name", "c": "delivery.method", "d": "kiosk.id", "e": "const:X",
                          "f": "card.birth_date"},
                         MappingInputs(identity=RESIDENT, form={"phone": "1"}, delivery=Delivery("mail"), kiosk_id="k1"))
    assert out == {"a": "1", "b": "张三", "c": "mail", "d": "k1", "e": "X", "f": "1949-12-31"}
