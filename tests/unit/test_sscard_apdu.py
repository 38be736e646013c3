"""Social security card APDUs, TLV, BCD and the read sequence, driven against the virtual card's
own APDU state machine (no pcscd)."""
from __future__ import annotations

import datetime as _dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.sscard import apdu
from drivers.sscard.apdu import CardDataError
from drivers.sscard.cards import CardFileError, card_from_dict, list_cards, load_card
from drivers.sscard.session import NotSsCard, PinNeeded, exchange, read_card
from drivers.sscard.twin import CardState


def test_select_ssse_bytes():
    assert apdu.select_aid().hex().upper() == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    assert apdu.SSSE_AID[7:].decode("gbk") == "社会保障"
    assert apdu.select_file(apdu.EF05).hex().upper() == "00A4020002EF05"
    assert apdu.read_record(7).hex().upper() == "00B2070400"


def test_tlv():
    assert apdu.parse_tlv(b"\x07\x03abc\x08\x00") == {7: b"abc", 8: b""}
    assert apdu.parse_tlv(b"\x07\x01a\xff\xff\xff") == {7: b"a"}
    with pytest.raises(CardDataError):
        apdu.parse_tlv(b"\x07\x05ab")
    with pytest.raises(CardDataError):
        apdu.parse_tlv(b"\x07")


def test_bcd():
    assert apdu.decode_bcd(b"\x20\x31\x05\x01") == "20310501"
    assert apdu.bcd_date(b"\x20\x31\x05\x01") == _dt.date(2031, 5, 1)
    assert apdu.bcd_date(b"\x00\x00\x00\x00") is None and apdu.bcd_date(b"\xff" * 4) is None
    assert apdu.encode_bcd("19850704") == b"\x19\x85\x07\x04"
    with pytest.raises(CardDataError):
        apdu.decode_bcd(b"\x1a")
    with pytest.raises(CardDataError):
        apdu.bcd_date(b"\x20\x31\x13\x01")


def test_codes_ascii_or_binary():
    assert apdu.code_digits(b"1") == "1" and apdu.code_digits(b"\x02") == "2" and apdu.code_digits(b"01") == "01"
    with pytest.raises(CardDataError):
        apdu.code_digits(b"\x01\x02")


def test_status_words():
    assert apdu.split_sw(b"ab\x90\x00") == (b"ab", 0x9000)
    assert apdu.pin_needed(0x6982) and apdu.pin_needed(0x63C2) and not apdu.pin_needed(0x6A82)
    with pytest.raises(CardDataError):
        apdu.split_sw(b"\x90")


def _transmit(card):
    st_ = CardState(card)
    return st_.answer


def test_read_ss1():
    rec = read_card(_transmit(load_card("ss-1")))
    assert rec.card_number == "A00000001" and rec.ss_number == "110112198507040013" and rec.name == "张三"
    assert rec.sex_code == "1" and rec.ethnicity_code == "01" and rec.birth_date == _dt.date(1985, 7, 4)
    assert rec.region_code == "110112" and rec.version == "3.00"
    assert rec.issued == _dt.date(2021, 5, 1) and rec.expires == _dt.date(2031, 5, 1)


def test_first_generation_card_keeps_sex_in_record_3():
    rec = read_card(_transmit(load_card("ss-2")))
    assert rec.version == "1.00" and rec.sex_code == "2" and rec.name == "李四" and rec.ethnicity_code == "03"


def test_pin_needed():
    with pytest.raises(PinNeeded):
        read_card(_transmit(load_card("ss-pin")))


def test_pin_accepted_by_the_twin_after_verify():
    card = load_card("ss-pin")
    t = _transmit(card)
    assert t(apdu.select_aid()) == b"\x90\x00"
    assert t(bytes.fromhex("0020000003") + apdu.encode_bcd("123456")) == b"\x90\x00"
    assert t(apdu.select_file(apdu.EF06))[-2:] == b"\x90\x00"
    assert t(apdu.read_record(1))[-2:] == b"\x90\x00"


def test_not_a_social_security_card():
    with pytest.raises(NotSsCard):
        read_card(_transmit(load_card("bank-card")))


def test_6c_and_61_are_followed():
    card = load_card("ss-1")
    st_ = CardState(card)
    pending = {}

    def transmit(c: bytes) -> bytes:
        if c[1] == 0xA4:  # answer selects with 61 xx, the data waiting for GET RESPONSE
            r = st_.answer(c)
            pending["r"] = b"\x6f\x00"
            return b"\x61\x02" if r == b"\x90\x00" else r
        if c[1] == 0xC0:
            return pending.pop("r") + b"\x90\x00"
        if c[1] == 0xB2 and c[4] == 0:  # insist on the exact Le
            r = st_.answer(c)
            return bytes([0x6C, len(r) - 2]) if r[-2:] == b"\x90\x00" else r
        return st_.answer(c)

    assert read_card(transmit).name == "张三"


def test_exchange_gives_up_on_endless_61():
    with pytest.raises(CardDataError):
        exchange(lambda c: b"\x61\x10", apdu.select_aid())


def test_wrong_tag_is_our_error():
    card = load_card("ss-1")
    st_ = CardState(card)

    def transmit(c):
        r = st_.answer(c)
        return (b"\x99\x01x" + r[-2:]) if c[1] == 0xB2 else r

    with pytest.raises(CardDataError):
        read_card(transmit)


def test_record_repr_masks():
    rec = read_card(_transmit(load_card("ss-1")))
    assert "张三" not in repr(rec) and "110112198507040013" not in repr(rec)


@pytest.mark.parametrize("name", list_cards())
def test_samples_load(name):
    assert load_card(name).name == name


@pytest.mark.parametrize("patch,why", [({"kind": "x"}, "kind"), ({"name": ""}, "name"), ({"birth_date": "1985"}, "birth_date"),
                                        ({"extra": 1}, "unknown keys"), ({"name": "名" * 16}, "30 GBK bytes"),
                                        ({"card_id": "110112D156000005"}, "32 hex digits"),
                                        ({"card_id": "110112A1560000050300000000000001"}, "RID"),
                                        ({"card_id": "1A0112D1560000050300000000000001"}, "region")])
def test_card_file_errors(patch, why):
    d = {"card_id": "110112D1560000050300000000000001", "card_number": "A1", "ss_number": "1", "name": "张三"}
    d.update(patch)
    with pytest.raises(CardFileError, match=why):
        card_from_dict(d, "x.json")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_tlv_only_raises_ours(data):
    try:
        apdu.parse_tlv(data)
    except CardDataError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([f for *_, f in apdu.RECORDS]), st.binary(max_size=40)))
def test_fuzz_build_record_only_raises_ours(values):
    try:
        apdu.build_record(values)
    except CardDataError:
        pass


def test_card_id_is_binary_and_its_region_is_bcd():
    """EF05 record 01 holds 16 bytes of binary data: the region in BCD, then the RID."""
    raw = bytes.fromhex("110100D156000005") + bytes(range(8))
    assert apdu.card_identification(raw) == ("110100D1560000050001020304050607", "110100")
    rec = apdu.build_record({"card_id": raw, "card_number": b"A00000001", "ss_number": b"110112198507040013",
                             "name": "张三".encode("gbk")})
    assert rec.region_code == "110100" and rec.card_id.startswith("110100D156000005")


@pytest.mark.parametrize("raw", [b"", b"110112D156000005", bytes.fromhex("1A0112D156000005") + bytes(8),
                                 bytes.fromhex("110112A156000005") + bytes(8)])
def test_card_id_without_the_layout_has_no_region(raw):
    """A code not laid out as region + RID still shows (as hex), and no region is guessed."""
    card_id, region = apdu.card_identification(raw)
    assert region == "" and card_id == raw.hex().upper()


def test_twin_card_files_follow_the_layout():
    for name, region in (("ss-1", "110112"), ("ss-2", "131028"), ("ss-pin", "131022")):
        card = load_card(name)
        rec0 = card.records[(apdu.EF05, 0x01)]
        assert rec0[1] == 16 and rec0[2:5] == bytes.fromhex(region) and rec0[5:10] == apdu.CARD_ID_RID
