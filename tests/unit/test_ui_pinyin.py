"""The pinyin keyboard's logic: full pinyin, initials ("bj" → 北京) and both mixed ("beij") to
candidates; phrases, paging, syllable splitting; typing split at every position, backspace, and
choose consuming exactly the letters a candidate covers."""
import pytest
from hypothesis import given, settings, strategies as st

from screens.pinyin_input import PAGE, PinyinComposer, segmentations, split_syllables, warm

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typed(letters: str, page_size: int = PAGE) -> PinyinComposer:
    c = PinyinComposer(page_size)
    for ch in letters:
        c.press(ch)
    return c


def test_common_character_first():
    assert typed("da").candidates()[0] == "大"
    assert "路" in typed("lu").candidates()[:2]
    assert "号" in typed("hao").candidates()[:3]


def test_v_is_u_umlaut():
    assert "绿" in [c for c, _ in typed("lv").all_candidates()]


def test_phrase_for_whole_input_then_first_syllable():
    assert typed("dachang").candidates()[0] == "大厂"
    assert typed("renmin").candidates()[0] == "人民"


@pytest.mark.parametrize("letters, word", [
    ("bj", "北京"), ("tz", "通州"), ("yj", "燕郊"), ("sq", "社区"), ("xq", "小区"), ("lf", "廊坊"),
    ("yy", "医院"), ("tzq", "通州区"), ("bjs", "北京市"),
])
def test_initials_offer_the_address_word_first(letters, word):
    c = typed(letters)
    assert c.candidates()[0] == word
    assert c.choose(0) == word and c.letters == ""


@pytest.mark.parametrize("letters", ["beij", "bjing", "beijing", "beiji", "bjin"])
def test_mixed_full_pinyin_and_initials(letters):
    c = typed(letters)
    assert c.candidates()[0] == "北京"
    assert c.choose(0) == "北京" and c.letters == ""


def test_initials_piece_by_piece():
    """"sqjd": 社区 covers "sq"; then "jd" gives 街道."""
    c = typed("sqjd")
    assert c.candidates()[0] == "社区"
    assert c.choose(0) == "社区" and c.letters == "jd"
    assert c.candidates()[0] == "街道"
    assert c.choose(0) == "街道" and c.letters == ""


def test_longer_cover_first_then_characters():
    c = typed("tongzhoulu")
    assert c.candidates()[0] == "通州"
    assert c.choose(c.candidates().index("通")) == "通"
    assert c.letters == "zhoulu"
    assert c.choose(c.candidates().index("州")) == "州"
    assert c.letters == "lu"


def test_full_pinyin_ahead_of_initials_matches_of_the_same_cover():
    from screens.pinyin_input import _Index

    table = _Index.phrases()
    syllables = {e[0]: e[1] for bucket in table.values() for e in bucket}
    lexicon = {e[0] for bucket in table.values() for e in bucket if e[2]}
    for letters in ("shixian", "beijin", "renmi", "dachan", "yiyuan", "tongz"):
        allc = typed(letters).all_candidates()
        by_cover: dict[int, list[bool]] = {}
        for text, covered in allc:
            if len(text) > 1 and text not in lexicon:
                by_cover.setdefault(covered, []).append("".join(syllables[text]) == letters[:covered])
        for covered, fulls in by_cover.items():
            assert fulls == sorted(fulls, reverse=True), (letters, covered, fulls)
    assert [t for t, _ in typed("shixian").all_candidates()].index("时鲜") < \
        [t for t, _ in typed("shixian").all_candidates()].index("实相")  # shi-xian before shi-xiang


def test_one_syllable_is_never_split_into_a_phrase():
    assert "极恶" not in [t for t, _ in typed("jie").all_candidates()]
    assert all(len(t) == 1 for t, _ in typed("hao").all_candidates())
    assert all(len(tokens) >= 2 for _, tokens in segmentations("beijing"))


def test_paging_wraps_and_covers_every_candidate_once():
    for size in (PAGE, 5):
        c = typed("shi", size)
        seen = []
        first = c.candidates()
        assert len(first) == size
        for _ in range(c.pages()):
            seen += c.candidates()
            assert c.more()
        assert c.candidates() == first  # wrapped round
        assert seen == [t for t, _ in c.all_candidates()]
        assert len(set(seen)) == len(seen)


def test_choose_on_a_later_page_and_paging_resets_on_a_key():
    c = typed("bj")
    c.more()
    text = c.candidates()[2]
    assert c.choose(2) == text and c.page == 0
    c = typed("bj")
    c.more()
    c.press("s")
    assert c.page == 0 and c.candidates()[0] == "北京市"


def test_not_pinyin_gives_nothing():
    for letters in ("v", "vq", "iu", "ii"):
        assert typed(letters).candidates() == []
        assert split_syllables(letters) is None
    assert split_syllables("bj") is None  # initials are no full pinyin …
    assert typed("bj").candidates()  # … but they still give candidates


def test_backspace_and_bad_letters():
    c = typed("zh")
    c.backspace()
    assert c.letters == "z"
    with pytest.raises(ValueError):
        c.press("1")
    with pytest.raises(ValueError):
        c.press("ab")


@pytest.mark.parametrize("word", ["beijingshi", "sqjd", "tongzhouqu", "bjxq", "yanjiaozhen"])
def test_split_at_every_position_gives_what_typing_it_whole_gives(word):
    """The candidates depend on the letters only: typed in two goes, or typed one letter too far
    and taken back, every prefix gives the same candidates as typing it at once."""
    whole = typed(word).all_candidates()
    for k in range(len(word) + 1):
        c = typed(word[:k])
        before = typed(word[:k]).all_candidates()
        assert c.all_candidates() == before
        for ch in word[k:]:
            c.press(ch)
        assert c.all_candidates() == whole, k
        # backspace back to the split point
        for _ in range(len(word) - k):
            c.backspace()
        assert c.letters == word[:k] and c.all_candidates() == before, k


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=LETTERS, min_size=1, max_size=12))
def test_choose_consumes_exactly_the_covered_letters(letters):
    c = typed(letters)
    allc = c.all_candidates()
    for i, (text, covered) in enumerate(allc[:PAGE * 2]):
        c = typed(letters)
        if i >= PAGE:
            c.more()
        assert c.candidates()[i % PAGE] == text
        assert c.choose(i % PAGE) == text
        assert 1 <= covered <= len(letters)
        assert c.letters == letters[covered:]
        assert len(text) <= covered  # one character never covers less than one letter


def test_warm_builds_once():
    warm()
    assert warm() == 0.0
