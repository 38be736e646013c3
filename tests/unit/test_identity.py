"""GB 11643 checks, cross-checks, expiry and masking of the resident's identity."""
import datetime as dt

from hypothesis import given, settings, strategies as st

from kiosk.identity import Identity, id_check_char, id_number_valid, mask_id_number, mask_name

EXAMPLE = "11010519491231002X"  # the standard's own example


def test_standard_example_is_valid():
    assert id_check_char(EXAMPLE[:17]) == "X"
    assert id_number_valid(EXAMPLE)
    assert id_number_valid(EXAMPLE.lower())


def test_wrong_check_char_date_or_shape_is_invalid():
    assert not id_number_valid("110105194912310021")
    assert not id_number_valid("110105194902300020")  # 30 February
    assert not id_number_valid("11010519491231002")
    assert not id_number_valid("")
    assert not id_number_valid("0101051949123100 2X")


digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17).filter(lambda s: s[0] != "0")


@settings(max_examples=300)
@given(digits17)
def test_check_char_makes_any_valid_date_number_valid(first17):
    try:
        dt.date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14]))
    except ValueError:
        return
    n = first17 + id_check_char(first17)
    assert id_number_valid(n)
    # any single-digit change in the first 17 is caught by the check character
    for i in range(17):
        d = str((int(n[i]) + 1) % 10)
        changed = n[:i] + d + n[i + 1:]
        if changed[0] != "0":
            assert id_check_char(changed[:17]) != n[17] or changed == n


@settings(max_examples=300)
@given(st.text(alphabet="0123456789X", min_size=15, max_size=18))
def test_masking_hides_the_birth_date_and_keeps_region_and_tail(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert set(masked[6:-4]) <= {"*"}


def test_mask_example_and_names():
    assert mask_id_number(EXAMPLE) == "110105********002X"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**"
    assert mask_name("JOHN SMITH") == "JOHN *"
    assert mask_name("") == ""


@given(st.text(min_size=1, max_size=15).filter(lambda s: s.strip()))
def test_masked_name_never_contains_more_than_the_first_character(name):
    m = mask_name(name)
    if not name.strip().isascii():
        assert m[0] == name.strip()[0] and set(m[1:]) == {"*"}


def ident(**kw):
    base = dict(card_type="resident", name="张三", id_number=EXAMPLE, sex="female",
                birth_date=dt.date(1949, 12, 31), valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2040, 1, 1))
    base.update(kw)
    return Identity(**base)


def test_problems_expiry_long_term_and_cross_checks():
    today = dt.date(2026, 11, 27)
    assert ident().problems(today) == []
    assert ident(valid_to=dt.date(2026, 11, 26)).problems(today) == ["expired"]
    assert ident(valid_to=None, long_term=True).problems(today) == []
    assert ident(valid_from=dt.date(2027, 1, 1)).problems(today) == ["not_yet_valid"]
    assert "sex_mismatch" in ident(sex="male").problems(today)
    assert "birth_mismatch" in ident(birth_date=dt.date(1950, 1, 1)).problems(today)
    assert ident(id_number="110105194912310021").problems(today) == ["invalid_number"]


def test_repr_and_json_never_leak_but_roundtrip():
    i = ident(photo=b"\x00" * 1024)
    assert "张三" not in repr(i) and EXAMPLE not in repr(i) and "110105********002X" in repr(i)
    j = i.to_json()
    assert j["id_number_valid"] is True and j["birth_date"] == "1949-12-31" and "photo" not in j
    back = Identity.from_json(j)
    assert back == i and back.photo is None
