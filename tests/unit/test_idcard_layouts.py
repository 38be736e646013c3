"""The four 256-byte text layouts, the code tables and the sample card files."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json

import pytest

from drivers.idcard import tables
from drivers.idcard.cards import CardFileError, card_from_dict, card_path, list_cards, load_card
from drivers.idcard.layouts import TYPE_BYTE, LayoutError, decode_text, encode_text
from kiosk.identity import id_number_valid


@pytest.mark.parametrize("name", list_cards())
def test_every_sample_card_round_trips(name):
    rec = load_card(name)
    text = encode_text(rec)
    assert len(text) == 256
    assert decode_text(text, photo=rec.photo, fingerprint=rec.fingerprint) == rec


def test_samples_cover_all_four_layouts_and_two_residents():
    layouts = [load_card(n).layout for n in list_cards()]
    assert {"resident", "J", "I", "Y"} <= set(layouts) and layouts.count("resident") >= 2


@pytest.mark.parametrize("name", [n for n in list_cards() if load_card(n).layout != "I"])
def test_sample_numbers_have_valid_check_characters(name):
    assert id_number_valid(load_card(name).number)


def test_resident_fields_at_their_offsets():
    rec = load_card("resident-1")
    text = encode_text(rec)
    assert text[0:4].decode("utf-16-le") == "张三"
    assert text[30:32].decode("utf-16-le") == "1"
    assert text[32:36].decode("utf-16-le") == "01"
    assert text[36:52].decode("utf-16-le") == "19850704"
    assert text[122:158].decode("utf-16-le") == rec.number
    assert text[TYPE_BYTE] == 0x20
    assert rec.sex == "male" and rec.ethnicity == "汉" and rec.valid_to == _dt.date(2035, 3, 1)


def test_long_term_validity():
    rec = load_card("resident-2")
    text = encode_text(rec)
    assert text[204:208].decode("utf-16-le") == "长期"
    back = decode_text(text)
    assert back.long_term and back.valid_to is None and back.ethnicity == "回" and back.sex == "female"


def test_j_layout_pass_number_and_blank_ethnicity():
    rec = decode_text(encode_text(load_card("J-1")))
    assert rec.layout == "J" and rec.pass_number == "H00000001" and rec.issue_count == "01"
    assert rec.ethnicity is None and rec.number.startswith("810000")
    assert encode_text(rec)[TYPE_BYTE:TYPE_BYTE + 2] == b"J\x00"


def test_i_layout_fields():
    rec = decode_text(encode_text(load_card("I-1")))
    assert rec.layout == "I" and rec.name == "亚历克斯" and rec.name_en == "SAMPLE, ALEX JOHN"
    assert rec.nationality == "CAN" and len(rec.number) == 15 and rec.birth_date == _dt.date(1985, 6, 1)
    assert rec.card_version == "20" and rec.issuer == "1500"


def test_i_layout_without_chinese_name_uses_the_english_one():
    rec = dataclasses.replace(load_card("I-1"), name="SAMPLE, ALEX JOHN")
    assert decode_text(encode_text(rec)).name == "SAMPLE, ALEX JOHN"


def test_y_layout_english_name_spans_both_fields():
    rec = load_card("Y-1")
    assert len(rec.name_en) > 35
    text = encode_text(rec)
    assert text[52:122].decode("utf-16-le") == rec.name_en[:35]
    assert text[220:242].decode("utf-16-le").rstrip() == rec.name_en[35:]
    back = decode_text(text)
    assert back.name_en == rec.name_en and back.nationality == "GBR" and back.renewal_count == "00"


def test_unknown_card_type_byte():
    text = bytearray(encode_text(load_card("resident-1")))
    text[TYPE_BYTE] = ord("Q")
    with pytest.raises(LayoutError, match="card type"):
        decode_text(bytes(text))


@pytest.mark.parametrize("offset,value", [(36, "19851304"), (36, "1985070X"), (188, "20150230")])
def test_bad_dates_are_our_error(offset, value):
    text = bytearray(encode_text(load_card("resident-1")))
    text[offset:offset + 16] = value.encode("utf-16-le")
    with pytest.raises(LayoutError):
        decode_text(bytes(text))


def test_lone_surrogate_is_our_error():
    text = bytearray(encode_text(load_card("resident-1")))
    text[0:2] = b"\x00\xd8"
    with pytest.raises(LayoutError):
        decode_text(bytes(text))


def test_wrong_text_length():
    with pytest.raises(LayoutError):
        decode_text(b" \x00" * 100)


def test_record_repr_masks():
    r = repr(load_card("resident-1"))
    assert "110112198507040013" not in r and "张三" not in r


def test_ethnicity_table():
    assert len([k for k in tables.ETHNICITY if int(k) <= 56]) == 56
    assert tables.ethnicity_name("01") == "汉" and tables.ethnicity_name("56") == "基诺"
    assert tables.ethnicity_name("97") == "其他" and tables.ethnicity_name("98") == "外国血统中国籍人士"
    assert tables.ethnicity_name("3") == "回" and tables.ethnicity_name("  ") is None
    assert tables.ethnicity_name("77") is None


def test_sex_table():
    assert [tables.sex_name(c) for c in "0129"] == ["unknown", "male", "female", "unspecified"]
    assert tables.sex_name("7") == "unknown"


@pytest.mark.parametrize("patch,why", [
    ({"layout": "Z"}, "layout"), ({"sex": "m"}, "sex"), ({"ethnicity": "火星"}, "ethnicity"),
    ({"birth_date": "1985-13-01"}, "birth_date"), ({"valid_to": "forever"}, "valid_to"),
    ({"name": ""}, "name"), ({"colour": "red"}, "unknown keys"), ({"name": 3}, "name"),
])
def test_card_file_errors_say_where_and_what(tmp_path, patch, why):
    d = json.loads(open(card_path("resident-1"), encoding="utf-8").read())
    d.update(patch)
    with pytest.raises(CardFileError, match=why):
        card_from_dict(d, "x.json")


def test_missing_card_file_lists_the_samples():
    with pytest.raises(CardFileError, match="resident-1"):
        load_card("no-such-card")


def test_card_too_long_for_its_field_is_refused():
    rec = dataclasses.replace(load_card("resident-1"), name="名" * 16)
    with pytest.raises(ValueError):
        encode_text(rec)
