"""Draws printer text and QR codes as images: for printers without a Chinese font, and for the twin."""
from __future__ import annotations

import qrcode
from PIL import Image, ImageDraw

from drivers.fonts import sc_font
from drivers.printer.constants import DOTS_PER_COLUMN, GLYPH_BASELINE, LINE_DOTS


def draw_text_line(text: str, width_dots: int, *, align: str = "left", bold: bool = False,
                   width: int = 1, height: int = 1) -> Image.Image:
    """One printed line as an 'L' image (white paper, black ink) `width_dots` wide, drawn the way a
    font-A printer places it: ASCII in 12-dot cells, hanzi in 24-dot cells, scaled by width/height."""
    cell = DOTS_PER_COLUMN
    cols = [1 if ord(c) < 0x80 else 2 for c in text]
    base_w = max(1, sum(cols) * cell)
    base = Image.new("L", (base_w, LINE_DOTS), 255)
    draw = ImageDraw.Draw(base)
    font = sc_font(24, bold)
    x = 0
    for ch, c in zip(text, cols):
        if ch != " ":
            # centre each glyph in its cell; ASCII glyphs of a CJK font are a little wide for 12 dots
            box = font.getbbox(ch)
            gw = box[2] - box[0]
            # on the baseline, so a hanzi fills dots 1–25 and Latin descenders (g, p) stay inside the line
            draw.text((x + (c * cell - gw) / 2 - box[0], GLYPH_BASELINE), ch, font=font, fill=0, anchor="ls")
        x += c * cell
    if width != 1 or height != 1:
        base = base.resize((base_w * width, LINE_DOTS * height), Image.NEAREST)
    line = Image.new("L", (width_dots, base.height), 255)
    if align == "center":
        left = max(0, (width_dots - base.width) // 2)
    elif align == "right":
        left = max(0, width_dots - base.width)
    else:
        left = 0
    line.paste(base.crop((0, 0, min(base.width, width_dots - left), base.height)), (left, 0))
    return line


def qr_image(payload: str, module: int) -> Image.Image:
    """The QR code (model 2, level M, quiet zone of 2 modules) as an 'L' image, `module` dots per module."""
    code = qrcode.QRCode(box_size=module, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def centred(img: Image.Image, width_dots: int) -> Image.Image:
    """`img` pasted in the middle of a full-width strip of paper (so alignment commands do not matter)."""
    out = Image.new("L", (width_dots, img.height), 255)
    out.paste(img.crop((0, 0, min(img.width, width_dots), img.height)), (max(0, (width_dots - img.width) // 2), 0))
    return out
