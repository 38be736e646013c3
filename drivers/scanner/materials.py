"""Material processing: scanned pages → one PDF per material (img2pdf), each page cropped to the
paper, grayscale or colour by material type, cleaned and compressed; page count checked."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from typing import Sequence

import img2pdf
from PIL import Image, ImageChops

from drivers.scanner import constants as K
from drivers.scanner.status import ScanError

# Materials whose colour carries meaning (photos, red seals, coloured certificates).
@dataclasses.dataclass(frozen=True)
class MaterialPDF:
    path: str
    pages: int
    size: int
    sha256: str
    previews: tuple[str, ...]


def crop_to_page(img: Image.Image) -> Image.Image:
    """The paper, without the darker scanner bed or lid around it (found on a small copy)."""
    gray = img.convert("L")
    scale = min(1.0, K.CROP_PROBE_WIDTH / gray.width)
    probe = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))), Image.BILINEAR)
    paper = probe.point(lambda v: 255 if v > K.PAPER_THRESHOLD else 0)
    w, h = paper.size
    # a row's (column's) mean brightness is the share of paper in it: Pillow's box filter averages
    rows = [v / 255 >= K.PAPER_MIN_FILL for v in paper.resize((1, h), Image.BOX).tobytes()]
    if not any(rows):
        return img  # no paper found (a dark page): keep everything
    top, bottom = rows.index(True), h - rows[::-1].index(True)
    band = paper.crop((0, top, w, bottom))
    cols = [v / 255 >= K.PAPER_MIN_FILL for v in band.resize((w, 1), Image.BOX).tobytes()]
    if not any(cols):
        return img
    left, right = cols.index(True), w - cols[::-1].index(True)
    inset = K.CROP_INSET_PX
    box = (min(img.width - 1, int(left / scale) + inset), min(img.height - 1, int(top / scale) + inset),
           max(1, int(right / scale) - inset), max(1, int(bottom / scale) - inset))
    if box[2] <= box[0] or box[3] <= box[1]:
        return img
    return img.crop(box)


def _levels(lum: Image.Image) -> list[int]:
    """A lookup table stretching the darkest ink to black and the paper to white, found on the
    luminance (so a colour page gets the same curve on every channel and keeps its hues)."""
    hist = lum.histogram()
    total = sum(hist)
    lo_cut, hi_cut = total * K.INK_CUTOFF / 100, total * K.PAPER_CUTOFF / 100
    acc, lo = 0, 0
    while lo < 255 and acc + hist[lo] <= lo_cut:
        acc += hist[lo]
        lo += 1
    acc, hi = 0, 255
    while hi > 0 and acc + hist[hi] <= hi_cut:
        acc += hist[hi]
        hi -= 1
    if hi - lo < 32:  # a blank or flat page: leave it alone
        lo, hi = 0, 255
    scale = 255 / (hi - lo)
    lut = [min(255, max(0, round((v - lo) * scale))) for v in range(256)]
    return [255 if v > K.WHITE_POINT else v for v in lut]


def process_page(img: Image.Image, *, colour: bool) -> Image.Image:
    """One page made legible and small: cropped, levels stretched, paper made white."""
    page = crop_to_page(img)
    if colour:
        page = page.convert("RGB")
        lum = page.convert("L")
        lut = _levels(lum)
        out = page.point(lut * 3)
        # paper → pure white, as whole pixels that are bright AND nearly grey: a pale face in a
        # photo or a light stamp is bright too, but coloured, and stays
        bright = lum.point(lut).point(lambda v: 255 if v >= 255 else 0)
        r, g, b = out.split()
        chroma = ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(r, g), b),
                                     ImageChops.darker(ImageChops.darker(r, g), b))  # max - min channel
        grey = chroma.point(lambda v: 255 if v < K.PAPER_MAX_SATURATION else 0)
        out.paste((255, 255, 255), mask=ImageChops.multiply(bright, grey))
        return out
    page = page.convert("L")
    return page.point(_levels(page))


def encode_page(page: Image.Image, dpi: int) -> bytes:
    """The page as a JPEG img2pdf embeds as it is (no re-encoding)."""
    buf = io.BytesIO()
    q = K.JPEG_QUALITY_COLOR if page.mode == "RGB" else K.JPEG_QUALITY_GRAY
    page.save(buf, "JPEG", quality=q, optimize=True, dpi=(dpi, dpi), subsampling=2)
    return buf.getvalue()


def check_pages(got: int, wanted: int, material: str = "") -> None:
    if got != wanted:
        raise ScanError("page_count", f"{material or 'material'}: {got} page(s) scanned, {wanted} wanted")


def build_material(images: Sequence[Image.Image], out_path: str, *, dpi: int, colour: bool,
                   expected_pages: int | None = None, material: str = "") -> MaterialPDF:
    """Process `images` into one PDF at `out_path` (plus a small PNG preview per page beside it)."""
    if expected_pages is not None:
        check_pages(len(images), expected_pages, material)
    if not images:
        raise ScanError("no_documents", "no pages")
    pages = [process_page(im, colour=colour) for im in images]
    jpegs = [encode_page(p, dpi) for p in pages]
    pdf = img2pdf.convert(jpegs)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    tmp = out_path + ".part"
    with open(tmp, "wb") as f:
        f.write(pdf)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out_path)  # a half-written PDF never carries the final name
    stem = os.path.splitext(out_path)[0]
    previews = []
    for i, p in enumerate(pages, 1):
        thumb = p.copy()
        thumb.thumbnail((K.PREVIEW_WIDTH, K.PREVIEW_WIDTH * 2))
        path = f"{stem}-p{i}.png"
        thumb.save(path)
        previews.append(path)
    return MaterialPDF(out_path, len(pages), len(pdf), hashlib.sha256(pdf).hexdigest(), tuple(previews))
