"""Printer operations: what a receipt layout asks the printer to do, before any bytes exist."""
from __future__ import annotations

import dataclasses
from typing import Literal, Union

Align = Literal["left", "center", "right"]


@dataclasses.dataclass(frozen=True)
class Text:
    """One printed line (the layout has already wrapped it to the paper width)."""

    text: str
    align: Align = "left"
    bold: bool = False
    width: int = 1    # character width multiplier (GS !)
    height: int = 1   # character height multiplier


@dataclasses.dataclass(frozen=True)
class Qr:
    payload: str
    module: int = 6   # dots per module


@dataclasses.dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclasses.dataclass(frozen=True)
class Cut:
    pass


Op = Union[Text, Qr, Feed, Cut]


def text_columns(text: str) -> int:
    """Columns a string takes on the printer: ASCII one, anything double-byte (GB18030) two."""
    return sum(1 if ord(c) < 0x80 else 2 for c in text)
