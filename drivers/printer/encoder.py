"""The ESC/POS encoder: printer operations → bytes, on python-escpos for QR, images and the cut.

Text never goes through python-escpos's magic encoder: it sends GB18030 only when a string holds a
CJK ideograph, so punctuation-only lines and ¥ come out as '?'. We switch the printer to Chinese
mode (FS &) once and encode every string as GB18030 ourselves — or draw the line as a raster image
with our SC font when the profile says the printer has no Chinese font."""
from __future__ import annotations

from typing import Iterable

from escpos.constants import QR_ECLEVEL_M
from PIL import Image
from escpos.printer import Dummy

from drivers.printer import constants as C
from drivers.printer.ops import Cut, Feed, Op, Qr, Text
from drivers.printer.profiles import PrinterProfile
from drivers.printer.raster import centred, draw_text_line, qr_image

# Characters a GBK-font printer lacks but that have a full-width twin it does have.
_NORMALISE = str.maketrans({"¥": "￥", "\t": " ", "\u00a0": " "})


def encode_text(text: str) -> bytes:
    """A string as the bytes a printer in Chinese mode prints: GB18030, ¥ as ￥, no control bytes."""
    text = "".join(ch for ch in text.translate(_NORMALISE) if ch >= " " and ch != "\x7f")
    return text.encode("gb18030", errors="replace")


class Encoder:
    """Encodes operations for one profile; remembers alignment, bold and size so each is sent only
    when it changes. One Encoder per job: `begin()`, ops, then `bytes()`."""

    def __init__(self, profile: PrinterProfile):
        self.profile = profile
        self._out = bytearray()
        self._align = self._bold = self._size = None

    def begin(self) -> None:
        self._out += C.INIT
        self._align, self._bold, self._size = "left", False, (1, 1)
        if self.profile.has_chinese_font:
            self._out += C.CHINESE_ON

    def op(self, op: Op) -> None:
        if isinstance(op, Text):
            self._text(op)
        elif isinstance(op, Qr):
            self._qr(op)
        elif isinstance(op, Feed):
            self._out += C.feed_cmd(op.lines)
        elif isinstance(op, Cut):
            d = Dummy()
            d.cut(feed=False)  # GS V 66 0: feed to the cutter and cut
            self._out += d.output
        else:
            raise TypeError(f"not a printer operation: {op!r}")

    def bytes(self) -> bytes:
        return bytes(self._out)

    def _set(self, align: str, bold: bool, size: tuple[int, int]) -> None:
        if align != self._align:
            self._out += C.ALIGN[align]
            self._align = align
        if bold != self._bold:
            self._out += C.BOLD[bold]
            self._bold = bold
        if size != self._size:
            self._out += C.size_cmd(*size)
            self._size = size

    def _text(self, op: Text) -> None:
        if not self.profile.has_chinese_font:
            self._image(draw_text_line(op.text, self.profile.width_dots, align=op.align, bold=op.bold,
                                       width=op.width, height=op.height))
            return
        self._set(op.align, op.bold, (op.width, op.height))
        self._out += encode_text(op.text) + C.LF

    def _qr(self, op: Qr) -> None:
        if self.profile.native_qr:
            self._set("center", self._bold or False, self._size or (1, 1))
            d = Dummy()
            d.qr(op.payload, ec=QR_ECLEVEL_M, size=op.module, native=True)  # GS ( k: model, size, level, store, print
            self._out += d.output + C.LF
        else:
            self._image(centred(qr_image(op.payload, op.module), self.profile.width_dots))

    def _image(self, img) -> None:
        d = _dummy(self.profile.width_dots)
        # threshold, not Floyd-Steinberg: dithered glyph edges print grainy on a thermal head
        d.image(img.convert("L").convert("1", dither=Image.Dither.NONE), impl="bitImageRaster")  # GS v 0
        self._out += d.output


def _dummy(width_dots: int) -> Dummy:
    """A python-escpos byte collector whose profile knows the paper width (its default profile
    does not, and then prints a warning on stdout for every image)."""
    d = Dummy()
    data = dict(d.profile.profile_data)
    data["media"] = {**data.get("media", {}), "width": {"pixels": width_dots, "mm": "Unknown"}, "dpi": 203}
    d.profile.profile_data = data  # an instance attribute: python-escpos's shared class stays untouched
    return d


def encode(ops: Iterable[Op], profile: PrinterProfile) -> bytes:
    """The bytes of one job: init, Chinese mode (if the printer has the font), the ops."""
    enc = Encoder(profile)
    enc.begin()
    for op in ops:
        enc.op(op)
    return enc.bytes()
