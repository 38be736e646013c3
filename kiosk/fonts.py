"""The Simplified-Chinese font face for the screen. Debian's NotoSansCJK-Regular.ttc opens on
face 0, which is the JAPANESE face (骨, 直 come out in Japanese shapes); SDL cannot pick a face,
so the SC face (index 2) is extracted once into a cache file. `python -m kiosk.fonts` pre-extracts."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from drivers.cachedir import user_cache_dir

# Face index 2 of the Noto CJK collection is "Noto Sans CJK SC".
NOTO_TTC = ("/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",)
SC_FACE_INDEX = 2
FALLBACK = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)  # WenQuanYi: SC shapes on face 0


def cache_dir() -> Path:
    override = os.environ.get("KIOSK_FONT_CACHE")
    return Path(override) if override else Path(user_cache_dir("fonts"))


def simplified_chinese_font(weight: str = "Regular") -> str:
    """Path of a font file whose first face draws Simplified-Chinese shapes."""
    out = cache_dir() / f"NotoSansCJKsc-{weight}.otf"
    if out.exists() and out.stat().st_size > 0:
        return str(out)
    for pattern in NOTO_TTC:
        src = pattern.format(weight=weight)
        if os.path.exists(src):
            from fontTools.ttLib import TTCollection

            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(f".tmp{os.getpid()}")
            coll = TTCollection(src, lazy=True)
            face = coll.fonts[SC_FACE_INDEX]
            family = face["name"].getDebugName(1) or ""
            if "SC" not in family:
                raise RuntimeError(f"{src}: face {SC_FACE_INDEX} is {family!r}, not the SC face")
            face.save(str(tmp))
            os.replace(tmp, out)
            return str(out)
    for path in FALLBACK:
        if os.path.exists(path):
            return path
    raise FileNotFoundError("no Simplified-Chinese font: install fonts-noto-cjk (deploy/bootstrap.sh does)")


if __name__ == "__main__":
    print(simplified_chinese_font("Regular"))
    if os.path.exists(NOTO_TTC[0].format(weight="Bold")):
        print(simplified_chinese_font("Bold"))
    sys.exit(0)
