"""Every fixed number of the receipt printer driver, in one place, with why it is what it is."""
from __future__ import annotations

import dataclasses

# ---- ESC/POS bytes we write ourselves (the rest come from python-escpos) ----------------------
ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\x0a"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"   # FS & : double-byte (GB18030) mode
CHINESE_OFF = FS + b"."  # FS . : back to single-byte code pages
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
BOLD = {False: ESC + b"E\x00", True: ESC + b"E\x01"}


def size_cmd(width: int, height: int) -> bytes:
    """GS ! n: character width and height multipliers 1..8 (scales hanzi too, unlike ESC !)."""
    return GS + b"!" + bytes(((((width - 1) & 7) << 4) | ((height - 1) & 7),))


def feed_cmd(lines: int) -> bytes:
    """ESC d n: print and feed n lines."""
    return ESC + b"d" + bytes((max(0, min(255, lines)),))


def status_query(n: int) -> bytes:
    """DLE EOT n: real-time status, answered with one byte even while the printer is busy."""
    return DLE + EOT + bytes((n,))


# ---- paper ----------------------------------------------------------------------------------
# Font A is 12x24 dots: an ASCII character takes one column (12 dots), a hanzi two (24 dots).
# At 203 dpi, 58 mm paper prints 48 mm = 384 dots; 80 mm prints 72 mm = 576 dots.
PAPER = {58: dict(width_chars=32, width_dots=384, qr_module=5),
         80: dict(width_chars=48, width_dots=576, qr_module=6)}
DOTS_PER_COLUMN = 12
LINE_DOTS = 30          # 24-dot glyphs plus ESC/POS's default 6-dot line spacing
GLYPH_BASELINE = 22     # the twin's drawing: baseline row in a line (hanzi rise 0.88 em above it)
FEED_BEFORE_CUT = 4     # lines between the last print and the cutter blade


# ---- time ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Timings:
    """Timeouts of the I/O shell. A printer answers DLE EOT in real time (well under 50 ms even
    through a USB-serial bridge), so a status byte that has not come in 250 ms is not coming:
    we never wait out pyserial's 1-second read timeout for a 1-byte answer."""

    status_reply_s: float = 0.25   # per DLE EOT query
    poll_slice_s: float = 0.02     # select() slice, so an injected clock decides the deadline
    connect_s: float = 3.0         # TCP connect to a network printer on the kiosk's LAN
    write_s: float = 10.0          # sending one receipt (a raster receipt is ~40 KB at 9600 baud)


TIMINGS = Timings()
