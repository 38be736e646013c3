"""The pinyin keyboard's logic: full pinyin to candidates, phrases, paging, syllable splitting."""
import pytest
from hypothesis import given, settings, strategies as st

from screens.pinyin_input import PAGE, PinyinComposer, split_syllables


def typed(letters: str) -> PinyinComposer:
    c = PinyinComposer()
    for ch in letters:
        c.press(ch)
    return c


def test_common_character_first():
    assert typed("da").candidates()[0] == "大"
    assert "路" in typed("lu").candidates()[:2]
    assert "号" in typed("hao").candidates()[:3]


def test_v_is_u_umlaut():
    assert "绿" in typed("lv").all_candidates()[0][0] + "".join(c for c, _ in typed("lv").all_candidates())


def test_phrase_for_whole_input_then_first_syllable():
    c = typed("dachang")
    assert c.candidates()[0] == "大厂"
    assert typed("renmin").candidates()[0] == "人民"


def test_choosing_a_character_consumes_its_syllable():
    c = typed("tongzhoulu")
    assert c.choose(c.candidates().index("通")) == "通"
    assert c.letters == "zhoulu"
    assert c.choose(c.candidates().index("州")) == "州"
    assert c.letters == "lu"


def test_paging_wraps():
    c = typed("shi")
    first = c.candidates()
    assert len(first) == PAGE
    assert c.more()
    assert c.candidates() != first


def test_not_pinyin_gives_nothing():
    assert typed("xq").candidates() == []
    assert split_syllables("xq") is None


def test_backspace_and_bad_letters():
    c = typed("zh")
    c.backspace()
    assert c.letters == "z"
    with pytest.raises(ValueError):
        c.press("1")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuwxyz", min_size=1, max_size=12))
def test_any_letters_never_crash_and_choose_shrinks(letters):
    c = typed(letters)
    cands = c.candidates()
    if cands:
        before = len(c.letters)
        text = c.choose(0)
        assert text and len(c.letters) < before
