"""A material's pages as the resident arranges them at the scanner: pages added one at a time,
retaken or deleted, within the catalog's pages_min..pages_max; a two-sided material (the ID card,
正反面) is taken front then back, sheet by sheet. Kivy-free; the journey (kiosk/journey.py) keeps
one `Pages` per material and the screens show it.

Each page is scanned on its own (a one-page PDF from the Scanner port); the material's PDF is
assembled from them in the order shown (pikepdf), so what the resident checked is what is sent."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from typing import Literal

from kiosk.catalog.model import Material
from kiosk.ports import ScannedMaterial

Side = Literal["", "front", "back"]  # "": a one-sided material
LARGE_WIDTH = 1000  # pixels of the large view a page opens in for checking


@dataclasses.dataclass(frozen=True)
class PagesView:
    """What the scan screen shows of a material's pages."""

    previews: tuple[str, ...]  # each page's small picture, in order
    sides: tuple[Side, ...]  # each page's side ("" for a one-sided material)
    next_side: Side  # the side the next page added is (back: 请翻面)
    can_add: bool  # fewer than pages_max
    complete: bool  # pages_min..pages_max, whole sheets: the material is kept for the submission
    id_card: bool  # the resident's ID card (catalog kind id_card), scanned front and back

    @property
    def count(self) -> int:
        return len(self.previews)


@dataclasses.dataclass
class Pages:
    """One material's pages, in the order the resident sees them."""

    material: Material
    pages: list[ScannedMaterial] = dataclasses.field(default_factory=list)  # one-page scans

    @property
    def count(self) -> int:
        return len(self.pages)

    @property
    def two_sided(self) -> bool:
        return self.material.two_sided

    def can_add(self) -> bool:
        return self.count < self.material.pages_max

    def complete(self) -> bool:
        """Within pages_min..pages_max, and every sheet of a two-sided material has its back."""
        m = self.material
        return m.pages_min <= self.count <= m.pages_max and not (self.two_sided and self.count % 2)

    def next_side(self) -> Side:
        """The side the next page added is: front, back (请翻面), or "" for a one-sided material."""
        if not self.two_sided:
            return ""
        return "back" if self.count % 2 else "front"

    def side_of(self, index: int) -> Side:
        return ("back" if index % 2 else "front") if self.two_sided else ""

    def add(self, page: ScannedMaterial) -> None:
        if not self.can_add():
            raise ValueError(f"{self.material.code}: at most {self.material.pages_max} page(s)")
        self.pages.append(page)

    def retake(self, index: int, page: ScannedMaterial) -> ScannedMaterial:
        """Put `page` in place of page `index` (same place, same side); the old one, to delete."""
        old, self.pages[index] = self.pages[index], page
        return old

    def delete(self, index: int) -> list[ScannedMaterial]:
        """Remove page `index`; of a two-sided material the whole sheet (front and back), so the
        sides stay paired. The pages removed, to delete."""
        if self.two_sided:
            start = index - index % 2
            gone, self.pages[start:start + 2] = self.pages[start:start + 2], []
        else:
            gone = [self.pages.pop(index)]
        return gone

    def previews(self) -> tuple[str, ...]:
        return tuple(p.preview_paths[0] if p.preview_paths else "" for p in self.pages)

    def view(self) -> PagesView:
        return PagesView(self.previews(), tuple(self.side_of(i) for i in range(self.count)), self.next_side(),
                         self.can_add(), self.complete(), self.material.kind == "id_card")


def assemble(pages: Pages, out_dir: str) -> ScannedMaterial:
    """The material's one PDF, its pages in the order shown, with each page's preview."""
    import pikepdf

    path = os.path.join(out_dir, f"{_safe(pages.material.code)}-{uuid.uuid4().hex[:8]}.pdf")
    with pikepdf.new() as pdf:
        for p in pages.pages:
            with pikepdf.open(p.pdf_path) as src:
                pdf.pages.extend(src.pages)
        tmp = path + ".part"
        pdf.save(tmp)
    os.replace(tmp, path)  # a half-written PDF never carries the final name
    with open(path, "rb") as f:
        data = f.read()
    return ScannedMaterial(pages.material.code, path, pages.count, pages.previews(),
                           hashlib.sha256(data).hexdigest(), len(data))


def large_view(page: ScannedMaterial) -> str:
    """A PNG of the page big enough to check (the scan's own image out of its one-page PDF, at most
    LARGE_WIDTH wide), beside its PDF; made once. The small preview when the PDF holds no image."""
    import pikepdf

    out = os.path.splitext(page.pdf_path)[0] + "-large.png"
    if os.path.exists(out):
        return out
    try:
        with pikepdf.open(page.pdf_path) as pdf:
            images = list(pdf.pages[0].images.values()) if len(pdf.pages) else []
            if not images:
                raise ValueError("no image")
            im = pikepdf.PdfImage(images[0]).as_pil_image()
        im.thumbnail((LARGE_WIDTH, LARGE_WIDTH * 2))
        im.save(out)
        return out
    except Exception:  # not a scanner's PDF (a fake's): the preview is what there is
        return page.preview_paths[0] if page.preview_paths else ""


def discard(pages: list[ScannedMaterial]) -> None:
    """A retaken or deleted page's files are personal data: gone at once."""
    for p in pages:
        for path in (p.pdf_path, *p.preview_paths, os.path.splitext(p.pdf_path)[0] + "-large.png"):
            try:
                os.remove(path)
            except OSError:
                pass


def discard_pdf(material: ScannedMaterial) -> None:
    """An assembled PDF replaced by a newer arrangement (its previews are the pages', kept)."""
    try:
        os.remove(material.pdf_path)
    except OSError:
        pass


def _safe(code: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in code)[:40] or "material"
