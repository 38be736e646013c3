"""The real pyserial reader against the pty twin: every layout, removal, a card already on at
start, the fingerprint read, the kiosk adapter and kiosk-admin read-id."""
from __future__ import annotations

import json
import threading

import pytest

from drivers.idcard.cards import list_cards, load_card
from kiosk.devices.idcard import make_idreader, wait_for_card
from tests.support.idcard import FAST, WAIT, EventLog

pytestmark = pytest.mark.wire


@pytest.mark.parametrize("name", list_cards())
def test_every_sample_card_is_read(twin, reader_on, name):
    reader, log = reader_on()
    twin.place(name)
    ev = log.wait_for("CardRead")
    want = load_card(name)
    assert ev.record == want and ev.record.photo == want.photo
    assert reader.state.code == "card_present"


def test_removal_then_next_card(twin, reader_on):
    reader, log = reader_on()
    twin.place("resident-1")
    log.wait_for("CardRead")
    twin.remove()
    log.wait_for("CardRemoved")
    log.wait_for("StateChanged", code="ready", count=2)
    twin.place("J-1")
    assert log.wait_for("CardRead", count=2).record.layout == "J"
    assert len(log.of("CardRead")) == 2  # a card lying on the reader is read once


def test_card_already_on_at_start_is_read(twin, reader_on):
    twin.place("Y-1")
    _, log = reader_on()
    assert log.wait_for("CardRead").record.layout == "Y"


def test_fingerprint_read(twin, reader_on):
    _, log = reader_on(read_fingerprint=True)
    twin.place("resident-2")
    rec = log.wait_for("CardRead").record
    assert rec.fingerprint == load_card("resident-2").fingerprint


def test_sam_id_is_read_at_start(twin, reader_on):
    reader, _ = reader_on()
    assert reader.sam_id == bytes(range(16))


def test_reader_names_the_port_when_none_is_there(tmp_path):
    from drivers.idcard.reader import IdCardReader

    log = EventLog()
    r = IdCardReader(str(tmp_path / "ttyNONE"), on_event=log, timings=FAST)
    r.start()
    try:
        ev = log.wait_for("StateChanged", code="offline")
        assert "ttyNONE" in ev.detail and "No such file" in ev.detail
    finally:
        r.stop()


# ---- through the kiosk adapter --------------------------------------------------------------------
class Listener:
    def __init__(self):
        self.cards, self.removed, self.failed, self.states = [], [], [], []
        self.cv = threading.Condition()

    def _add(self, lst, x):
        with self.cv:
            lst.append(x)
            self.cv.notify_all()

    def card_read(self, source, identity):
        self._add(self.cards, (source, identity))

    def card_failed(self, source, code, zh, en):
        self._add(self.failed, (source, code, zh, en))

    def card_removed(self, source):
        self._add(self.removed, source)

    def device_state(self, state):
        self._add(self.states, state)

    def wait(self, pred, timeout=WAIT):
        with self.cv:
            assert self.cv.wait_for(pred, timeout), (self.cards, self.failed, self.states)


def test_sim_url_starts_the_twin_and_delivers_an_identity():
    src = make_idreader("sim://idreader?card=resident-1", timings=FAST)
    lis = Listener()
    src.start(lis)
    try:
        lis.wait(lambda: lis.cards)
        source, ident = lis.cards[0]
        assert source == "idreader" and ident.card_type == "resident" and ident.name == "张三"
        assert src.state().code == "card_present" and src.state().health == "ok"
        src.twin.remove()
        lis.wait(lambda: lis.removed)
        src.twin.place("I-1")
        lis.wait(lambda: len(lis.cards) == 2)
        assert lis.cards[1][1].card_type == "foreign_permanent"
    finally:
        src.stop()
    assert src.state().code == "stopped"


def test_serial_url_opens_a_real_port(twin):
    twin.place("J-1")
    ident = wait_for_card(make_idreader(f"serial://{twin.path}?baud=115200", timings=FAST), WAIT)
    assert ident.card_type == "hmt_permit" and ident.pass_number == "H00000001"


def test_plain_path(twin):
    twin.place("resident-2")
    assert wait_for_card(make_idreader(twin.path, timings=FAST), WAIT).long_term is True


# ---- kiosk-admin read-id ---------------------------------------------------------------------------
def test_cli_read_id_json(twin, capsys):
    from kiosk.cli import main

    twin.place("resident-1")
    rc = main(["read-id", "--device", twin.path, "--timeout", "10", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0 and err == ""
    d = json.loads(out)
    assert list(d) == ["card_type", "name", "name_en", "sex", "ethnicity", "birth_date", "valid_from", "valid_to",
                       "long_term", "address", "id_number", "id_number_valid", "issuer", "pass_number", "nationality"]
    assert d["name"] == "张三" and d["ethnicity"] == "汉" and d["id_number_valid"] is True


def test_cli_read_id_no_card_exit_1_one_line(twin, capsys):
    from kiosk.cli import main

    rc = main(["read-id", "--device", twin.path, "--timeout", "0.3"])
    out, err = capsys.readouterr()
    assert rc == 1 and out == "" and err.count("\n") == 1 and "no card within 0.3 s" in err


def test_cli_read_id_bad_device_exit_1(tmp_path, capsys):
    from kiosk.cli import main

    rc = main(["read-id", "--device", str(tmp_path / "ttyGONE"), "--timeout", "5"])
    _, err = capsys.readouterr()
    assert rc == 1 and err.count("\n") == 1 and "offline" in err


def test_cli_read_id_bad_usage_exit_2(capsys):
    from kiosk.cli import main

    assert main(["read-id", "--device", "tcp://1.2.3.4:1", "--timeout", "1"]) == 2
    assert main(["read-id", "--device", "sim://idreader?card=resident-1", "--timeout", "0"]) == 2
