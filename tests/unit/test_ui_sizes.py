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
