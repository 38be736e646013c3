"""The one table of sizes and colours for normal and elder (大字版) mode, and the contrast check
(WCAG 2 relative luminance) the unit tests hold them to. No Kivy here."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Sizes:
    """In dp. `text` is the smallest text a resident reads; `target` the smallest touch target."""

    text: float
    small: float  # secondary text (English under Chinese, hints); never below the mode's floor
    title: float
    huge: float  # the one message a screen is about
    target: float
    button: float  # height of a journey button
    key: float  # an on-screen key (square)
    pad: float
    columns: int  # result buttons per row
    candidates: int  # pinyin candidates on one page: fewer and wider keys in elder mode, so a
    #                  four-character phrase fits its key


SIZES = {
    # normal: ≥ 18 dp text, ≥ 48 dp targets
    "normal": Sizes(text=22, small=18, title=34, huge=44, target=56, button=80, key=60, pad=16, columns=3,
                     candidates=8),
    # elder (大字版, 适老化): ≥ 30 dp text, ≥ 60 dp targets
    "elder": Sizes(text=32, small=30, title=44, huge=56, target=72, button=96, key=68, pad=20, columns=2,
                    candidates=5),
}
FLOORS = {"normal": (18, 48), "elder": (30, 60)}  # (text, target) minimum per mode

# Colours as 0–255 RGB. Every (foreground, background) pair the screens use is listed in PAIRS.
COLORS = {
    "bg": (248, 249, 251),
    "panel": (255, 255, 255),
    "ink": (23, 32, 42),
    "muted": (74, 85, 99),
    "primary": (0, 82, 163),  # 政务蓝
    "on_primary": (255, 255, 255),
    "secondary": (226, 232, 240),
    "on_secondary": (23, 32, 42),
    "danger": (176, 32, 32),
    "on_danger": (255, 255, 255),
    "ok": (21, 110, 58),
    "warn_bg": (255, 243, 205),
    "warn_ink": (102, 60, 0),
    "dock": (40, 44, 52),
    "on_dock": (240, 240, 240),
}
PAIRS = [("ink", "bg"), ("muted", "bg"), ("ink", "panel"), ("muted", "panel"), ("on_primary", "primary"),
         ("on_secondary", "secondary"), ("on_danger", "danger"), ("ok", "bg"), ("ok", "panel"),
         ("danger", "bg"), ("danger", "panel"), ("warn_ink", "warn_bg"), ("on_dock", "dock"),
         ("primary", "bg"), ("primary", "panel")]


def rgba(name: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    r, g, b = COLORS[name]
    return (r / 255, g / 255, b / 255, alpha)


def _lum(rgb: tuple[int, int, int]) -> float:
    def ch(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    a, b = sorted((_lum(fg), _lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
