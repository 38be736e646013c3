"""What the twin printed: commands applied to a roll of paper, rendered to a PNG and a text dump."""
from __future__ import annotations

import dataclasses

from PIL import Image, ImageDraw, ImageOps

from drivers.fonts import sc_font
from drivers.printer.constants import LINE_DOTS
from drivers.printer.raster import draw_text_line, qr_image
from drivers.printer.twin.interpreter import Command

_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclasses.dataclass(frozen=True)
class Item:
    kind: str                  # text | image | qr | feed | cut | stopped
    text: str = ""             # text; qr payload; stopped: the status
    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1
    image: Image.Image | None = None
    lines: int = 0             # feed
    module: int = 3            # qr


class Paper:
    """The printer's modes and the items printed so far in one job."""

    def __init__(self, width_dots: int, width_chars: int):
        self.width_dots, self.width_chars = width_dots, width_chars
        self.items: list[Item] = []
        self.reset()
        self.chinese = True  # Chinese printers power up in Chinese mode

    def reset(self) -> None:
        self.align, self.bold, self.size = "left", False, (1, 1)
        self._line = bytearray()
        self._qr_payload, self._qr_module = b"", 3

    def apply(self, cmd: Command) -> None:
        n = cmd.name
        if n == "init":
            self.flush()
            self.reset()
        elif n == "align":
            self.align = _ALIGN.get(cmd.args[0], "left")
        elif n == "bold":
            self.bold = bool(cmd.args[0] & 1)
        elif n == "size":
            self.size = (min(8, cmd.args[0]), min(8, cmd.args[1]))
        elif n == "mode":  # ESC !: bold bit 3, double height bit 4, double width bit 5
            m = cmd.args[0]
            self.bold = bool(m & 0x08)
            self.size = (2 if m & 0x20 else 1, 2 if m & 0x10 else 1)
        elif n == "chinese":
            self.chinese = cmd.args[0]
        elif n == "text":
            self._line += cmd.data
        elif n == "lf":
            self._line_done(force=True)
        elif n == "feed":
            self._line_done()
            self.items.append(Item("feed", lines=cmd.args[0]))
        elif n == "cut":
            self._line_done()
            self.items.append(Item("cut"))
        elif n == "raster":
            self._line_done()
            xb, y = cmd.args
            img = Image.frombytes("1", (xb * 8, y), cmd.data)  # bit 1 = ink, which PIL reads as white
            self.items.append(Item("image", align=self.align, image=ImageOps.invert(img.convert("L"))))
        elif n == "qr":
            fn, body = cmd.args[0], cmd.data
            if fn == 67 and body:
                self._qr_module = body[0]
            elif fn == 80:
                self._qr_payload = body[1:]  # m, then the data
            elif fn == 81:
                self._line_done()
                self.items.append(Item("qr", self._qr_payload.decode("utf-8", "replace"), self.align,
                                       module=self._qr_module))

    def _line_done(self, force: bool = False) -> None:
        if self._line or force:
            enc = "gb18030" if self.chinese else "cp437"
            text = bytes(self._line).decode(enc, errors="replace")
            self.items.append(Item("text", text, self.align, self.bold, *self.size))
            self._line = bytearray()

    def flush(self) -> None:
        """Text waiting for its line feed is printed (a real printer prints it at the cut)."""
        if self._line:
            self._line_done()

    def stopped(self, status: str) -> None:
        self.flush()
        self.items.append(Item("stopped", status))


def text_dump(items: list[Item], width_chars: int) -> str:
    """The job as text: lines aligned in printer columns, [QR] / [image] / cut markers."""
    out = []
    for it in items:
        if it.kind == "text":
            cols = sum(1 if ord(c) < 0x80 else 2 for c in it.text) * it.width
            pad = 0 if it.align == "left" else max(0, width_chars - cols) // (2 if it.align == "center" else 1)
            out.append((" " * pad + it.text).rstrip())
        elif it.kind == "qr":
            out.append(f"[QR {it.text}]")
        elif it.kind == "image":
            out.append(f"[image {it.image.width}x{it.image.height}]")
        elif it.kind == "feed":
            out.extend([""] * it.lines)
        elif it.kind == "cut":
            out.append("-" * (width_chars // 2 - 2) + " cut " + "-" * (width_chars // 2 - 3))
        elif it.kind == "stopped":
            out.append(f"!!! printing stopped: {it.text} !!!")
    return "\n".join(out) + "\n"


def render(items: list[Item], width_dots: int, margin: int = 12) -> Image.Image:
    """The job as the resident would hold it: white paper `width_dots` wide, black print."""
    strips: list[Image.Image] = []
    for it in items:
        if it.kind == "text":
            strips.append(draw_text_line(it.text, width_dots, align=it.align, bold=it.bold,
                                         width=it.width, height=it.height))
        elif it.kind in ("image", "qr"):
            img = it.image if it.kind == "image" else qr_image(it.text, it.module)
            strip = Image.new("L", (width_dots, img.height), 255)
            left = {"left": 0, "center": (width_dots - img.width) // 2, "right": width_dots - img.width}[it.align]
            strip.paste(img.crop((0, 0, min(img.width, width_dots), img.height)), (max(0, left), 0))
            strips.append(strip)
        elif it.kind == "feed":
            strips.append(Image.new("L", (width_dots, LINE_DOTS * it.lines), 255))
        elif it.kind == "cut":
            strip = Image.new("L", (width_dots, 16), 255)
            d = ImageDraw.Draw(strip)
            for x in range(0, width_dots, 12):
                d.line((x, 8, x + 6, 8), fill=120, width=2)
            strips.append(strip)
        elif it.kind == "stopped":
            strip = Image.new("L", (width_dots, 40), 200)
            ImageDraw.Draw(strip).text((8, 6), f"打印中断 printing stopped: {it.text}", font=sc_font(22), fill=0)
            strips.append(strip)
    height = sum(s.height for s in strips) + 2 * margin
    page = Image.new("L", (width_dots + 2 * margin, max(height, 2 * margin + 1)), 255)
    y = margin
    for s in strips:
        page.paste(s, (margin, y))
        y += s.height
    ImageDraw.Draw(page).rectangle((0, 0, page.width - 1, page.height - 1), outline=190)
    return page
