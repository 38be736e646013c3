"""The size table meets the floors of each mode, and every colour pair the screens use reaches a
4.5:1 contrast."""
from screens.sizes import COLORS, FLOORS, PAIRS, SIZES, contrast


def test_floors():
    for mode, s in SIZES.items():
        text, target = FLOORS[mode]
        assert min(s.text, s.small) >= text, mode
        assert min(s.target, s.button, s.key) >= target, mode
    assert SIZES["elder"].text > SIZES["normal"].text


def test_contrast_of_every_pair():
    for fg, bg in PAIRS:
        assert contrast(COLORS[fg], COLORS[bg]) >= 4.5, (fg, bg, round(contrast(COLORS[fg], COLORS[bg]), 2))


def test_contrast_formula():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0


def test_keyboards_fit_the_window_in_each_mode():
    """The pinyin keyboard's widest row (ten letters and the four-key digit block) fits beside
    the choose screen's filter column, and a candidate key holds a four-character phrase."""
    from screens.boot import WINDOW
    from screens.pinyin_input import MAX_PHRASE

    spacing, padding = 6, 6  # dp, screens/keyboards.kv
    for mode, s in SIZES.items():
        width = WINDOW[0]
        row = (10 + 4) * (s.key + spacing) + s.key / 3 + 2 * padding
        assert row <= width - 2 * s.pad, mode
        filters = 300 if mode == "elder" else 240  # screens/choose.kv
        assert 10 * (s.key + spacing) + 2 * padding <= width - 2 * s.pad - filters - s.pad, mode
        # the candidate row: the letters (2 keys), the page's candidates, 更多 n/m (2.2 keys)
        free = width - 2 * s.pad - 2 * padding - (2 + 2.2) * s.key - (s.candidates + 1) * spacing
        assert free / s.candidates >= MAX_PHRASE * s.text + s.pad, mode
        assert s.candidates >= 4, mode  # fewer would page too often
