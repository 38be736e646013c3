"""The kiosk side: card records → Identity, driver states → DeviceState, backoff, twin control lines."""
from __future__ import annotations

import datetime as _dt

import pytest

from drivers.idcard import control
from drivers.idcard.cards import list_cards, load_card
from drivers.idcard.timings import Timings, backoff
from drivers.idcard.twin import IdReaderTwin
from drivers.sscard.apdu import SsCardRecord
from kiosk.devices.idcard import (FAILURE_WORDS, STATE_WORDS, device_state, identity_from_idcard,
                                  identity_from_sscard, make_idreader, make_sscard)
from kiosk.errors import UsageError

READ_ID_KEYS = ["card_type", "name", "name_en", "sex", "ethnicity", "birth_date", "valid_from", "valid_to",
                "long_term", "address", "id_number", "id_number_valid", "issuer", "pass_number", "nationality"]
TODAY = _dt.date(2026, 11, 27)


@pytest.mark.parametrize("name", list_cards())
def test_every_sample_maps_onto_an_identity(name):
    rec = load_card(name)
    ident = identity_from_idcard(rec)
    assert list(ident.to_json()) == READ_ID_KEYS
    assert ident.photo == rec.photo
    expected = ["expired"] if name == "resident-expired" else []
    assert ident.problems(TODAY) == expected


def test_card_types():
    types = {n: identity_from_idcard(load_card(n)).card_type for n in ("resident-1", "J-1", "I-1", "Y-1")}
    assert types == {"resident-1": "resident", "J-1": "hmt_permit", "I-1": "foreign_permanent", "Y-1": "foreign_permanent"}


def test_resident_json_values():
    d = identity_from_idcard(load_card("resident-2")).to_json()
    assert d["sex"] == "female" and d["ethnicity"] == "回" and d["long_term"] is True and d["valid_to"] is None
    assert d["id_number_valid"] is True and d["birth_date"] == "1948-11-23"


def test_permit_and_foreign_cards_have_no_ethnicity():
    assert identity_from_idcard(load_card("J-1")).ethnicity is None
    i = identity_from_idcard(load_card("I-1"))
    assert i.ethnicity is None and i.nationality == "CAN" and i.name_en == "SAMPLE, ALEX JOHN"


def test_sscard_record_maps_onto_identity():
    rec = SsCardRecord(card_number="A00000001", ss_number="110112198507040013", name="张三", sex_code="1",
                       ethnicity_code="01", birth_date=_dt.date(1985, 7, 4), card_id="110112D156000005",
                       region_code="110112", version="3.00", issued=_dt.date(2021, 5, 1), expires=_dt.date(2031, 5, 1))
    ident = identity_from_sscard(rec)
    assert ident.card_type == "social_security" and ident.sex == "male" and ident.ethnicity == "汉"
    assert ident.card_number == "A00000001" and ident.region_code == "110112"
    assert ident.valid_to == _dt.date(2031, 5, 1) and ident.problems(TODAY) == []
    assert "110112198507040013" not in repr(rec)


def test_device_states_are_a_closed_set_with_words():
    for code, (health, zh, en) in STATE_WORDS.items():
        s = device_state("idreader", code, "detail")
        assert s.health == health and s.zh and s.en and s.code == code
    assert device_state("sscard", "offline").health == "offline"
    assert set(FAILURE_WORDS) >= {"read_failed", "unknown_card", "pin_needed", "not_ss_card", "bad_data"}


def test_backoff_doubles_to_a_cap():
    t = Timings(reconnect_first=0.2, reconnect_max=5.0)
    assert [backoff(i, t) for i in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    assert backoff(10_000, t) == 5.0


@pytest.mark.parametrize("url", ["tcp://1.2.3.4:9100", "sim://printer", "usb://0x1:0x2", "", "serial://nopath"])
def test_idreader_factory_refuses_other_urls(url):
    with pytest.raises(UsageError):
        make_idreader(url)


@pytest.mark.parametrize("url", ["serial:///dev/ttyS0", "sim://idreader", "nope://x"])
def test_sscard_factory_refuses_other_urls(url):
    with pytest.raises(UsageError):
        make_sscard(url)


def test_sim_factory_refuses_an_unknown_card():
    with pytest.raises(UsageError, match="no such card"):
        make_idreader("sim://idreader?card=nobody")
    with pytest.raises(UsageError, match="no such card"):
        make_sscard("sim://sscard?card=nobody")


def test_pcsc_factory_keeps_the_reader_name():
    assert make_sscard("pcsc://Virtual PCD 00 00").reader_name == "Virtual PCD 00 00"
    assert make_sscard("pcsc://").reader_name is None


def test_control_lines():
    twin = IdReaderTwin()  # not started: control only changes its state
    try:
        assert control.apply_command(twin, "place J-1").startswith("ok") and twin.card.layout == "J"
        assert control.apply_command(twin, "garbage 2 any") == "ok garbage armed"
        assert control.apply_command(twin, "slow 0.5") == "ok slow armed"
        assert control.apply_command(twin, "remove") == "ok removed" and twin.card is None
        assert control.apply_command(twin, "place nobody").startswith("error: ")
        assert control.apply_command(twin, "place").startswith("error: ")
        assert control.apply_command(twin, "garbage lots").startswith("error: ")
        assert control.apply_command(twin, "garbage 1 sideways").startswith("error: ")
        assert control.apply_command(twin, "fly").startswith("error: unknown command")
        assert "place" in control.apply_command(twin, "help")
        assert control.apply_command(twin, "clear") == "ok faults cleared"
        assert control.apply_command(twin, "") == ""
    finally:
        twin.stop()


def test_sim_sscard_without_pcscd_and_not_root_is_absent(monkeypatch):
    """A developer without root and without pcscd: the source says `absent`, clearly, and does not crash."""
    from drivers.sscard import pcscd as pcscd_mod

    monkeypatch.setattr(pcscd_mod, "running", lambda: False)
    monkeypatch.setattr(pcscd_mod.os, "geteuid", lambda: 1000)
    src = make_sscard("sim://sscard?card=ss-1")
    states = []

    class L:
        def card_read(self, *a): pass
        def card_failed(self, *a): pass
        def card_removed(self, *a): pass
        def device_state(self, s): states.append(s)

    src.start(L())
    try:
        assert src.state().code == "absent" and src.state().health == "absent"
        assert "root" in src.state().detail and states[-1].code == "absent"
    finally:
        src.stop()
