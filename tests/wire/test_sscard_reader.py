"""The real pyscard reader against pcscd + vpcd + the virtual card (pcscd started by the tests)."""
from __future__ import annotations

import json

import pytest

from kiosk.devices.idcard import make_sscard, wait_for_card
from tests.support.sscard import FAST, READER, SIM_URL, WAIT, wait_slot_empty

pytestmark = pytest.mark.wire


@pytest.mark.parametrize("name,number,version", [("ss-1", "A00000001", "3.00"), ("ss-2", "B00000002", "1.00")])
def test_cards_are_read(ss_twin, ss_reader, name, number, version):
    reader, log = ss_reader()
    log.wait_for("StateChanged", code="ready")
    ss_twin.insert(name)
    rec = log.wait_for("CardRead", timeout=WAIT).record
    assert rec.card_number == number and rec.version == version and rec.ss_number
    assert reader.state.code == "card_present"


def test_removal_is_reported_and_the_next_card_read(ss_twin, ss_reader):
    _, log = ss_reader()
    ss_twin.insert("ss-1")
    log.wait_for("CardRead")
    ss_twin.remove()
    log.wait_for("CardRemoved")
    ss_twin.insert("ss-2")
    assert log.wait_for("CardRead", count=2).record.name == "李四"


def test_card_already_in_at_start_is_read(ss_twin, ss_reader):
    ss_twin.insert("ss-1")
    assert ss_twin.connected.wait(WAIT)
    _, log = ss_reader()  # no "inserted" event will come: the initial state must be polled
    assert log.wait_for("CardRead").record.card_number == "A00000001"


@pytest.fixture
def slot_free(pcscd):
    """For tests whose sim:// source brings its own twin: the slot empty before and after."""
    wait_slot_empty()
    yield
    wait_slot_empty()


def test_sim_url_through_the_kiosk_adapter(slot_free):
    src = make_sscard(SIM_URL + "ss-1", timings=FAST)
    ident = wait_for_card(src, WAIT)
    assert ident.card_type == "social_security" and ident.name == "张三" and ident.sex == "male"
    assert ident.ethnicity == "汉" and ident.card_number == "A00000001" and ident.region_code == "110112"


def test_cli_read_sscard_json(slot_free, capsys):
    from kiosk.cli import main

    rc = main(["read-sscard", "--device", SIM_URL + "ss-2", "--timeout", "10", "--json"])
    out, err = capsys.readouterr()
    assert (rc, err) == (0, "")
    d = json.loads(out)
    assert list(d) == ["card_number", "ss_number", "name", "sex", "birth_date", "region_code", "version", "issued", "expires"]
    assert d == {"card_number": "B00000002", "ss_number": "131028194811230024", "name": "李四", "sex": "female",
                 "birth_date": "1948-11-23", "region_code": "131028", "version": "1.00", "issued": "2012-09-01",
                 "expires": "2022-09-01"}


def test_cli_read_sscard_real_reader_by_name(ss_twin, capsys):
    from kiosk.cli import main

    ss_twin.insert("ss-1")
    rc = main(["read-sscard", "--device", "pcsc://" + READER, "--timeout", "10"])
    out, _ = capsys.readouterr()
    assert rc == 0 and "A00000001" in out


def test_cli_read_sscard_unknown_reader_exit_1(pcscd, capsys):
    from kiosk.cli import main

    rc = main(["read-sscard", "--device", "pcsc://No Such Reader", "--timeout", "5"])
    _, err = capsys.readouterr()
    assert rc == 1 and err.count("\n") == 1 and "No Such Reader" in err
