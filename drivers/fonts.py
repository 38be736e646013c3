"""Finds a Simplified-Chinese font face for drawing text (receipt rasters, the printer twin, demo pages)."""
from __future__ import annotations

import functools
import os

from PIL import ImageFont

# Debian's Noto CJK .ttc holds JP, KR, SC, TC, HK faces in that order: face 0 is JAPANESE, so
# characters like 骨 and 直 would take Japanese shapes. Face 2 is SC. WenQuanYi is SC-only.
REGULAR = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)
BOLD = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
) + REGULAR


class FontMissing(RuntimeError):
    """No Simplified-Chinese font is installed (Debian: fonts-noto-cjk or fonts-wqy-microhei)."""


def font_path(bold: bool = False) -> tuple[str, int]:
    """(path, face index) of the first installed SC face."""
    for path, index in (BOLD if bold else REGULAR):
        if os.path.exists(path):
            return path, index
    raise FontMissing("no Simplified-Chinese font: install fonts-noto-cjk or fonts-wqy-microhei")


@functools.lru_cache(maxsize=64)
def sc_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A Pillow font of `size` pixels in a Simplified-Chinese face."""
    path, index = font_path(bold)
    # BASIC layout: Chinese needs no shaping, and raqm costs ~10x per glyph drawn
    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)
