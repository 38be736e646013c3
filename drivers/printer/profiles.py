"""Printer profiles: what a model can do (paper width, Chinese font, native QR), looked up, not assumed."""
from __future__ import annotations

import dataclasses

from drivers.printer.constants import PAPER


@dataclasses.dataclass(frozen=True)
class PrinterProfile:
    paper_mm: int = 80
    width_chars: int = 48     # font A columns (a hanzi takes two)
    width_dots: int = 576
    has_chinese_font: bool = True   # False: text goes as raster images drawn with our SC font
    native_qr: bool = True          # False: the QR goes as a raster image
    qr_module: int = 6              # dots per QR module


def profile_for(paper: int = 80, **overrides) -> PrinterProfile:
    """The profile for 58 or 80 mm paper; overrides (e.g. has_chinese_font=False) win."""
    if paper not in PAPER:
        raise ValueError(f"paper must be 58 or 80 mm, not {paper!r}")
    return PrinterProfile(paper_mm=paper, **{**PAPER[paper], **overrides})
