"""ESC/POS as the twin reads it, sans-I/O: `feed(bytes)` → the commands found so far (a command
cut in half by the transport waits in the buffer for the rest)."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Command:
    name: str          # init align bold size mode chinese text lf feed cut qr raster status ignored
    args: tuple = ()
    data: bytes = b""
    length: int = 0    # bytes the command took on the wire


# ESC x commands with a fixed number of parameter bytes that we only skip
_ESC_SKIP = {b"t": 1, b"2": 0, b"3": 1, b"M": 1, b"-": 1, b"G": 1, b"R": 1, b"J": 1, b"p": 3, b"=": 1,
             b"V": 1, b"{": 1, b"c": 2, b"U": 1, b" ": 1, b"%": 1}
_GS_SKIP = {b"B": 1, b"b": 1, b"L": 2, b"W": 2, b"H": 1, b"h": 1, b"w": 1, b"f": 1, b"a": 1, b"P": 2}
_FS_SKIP = {b"!": 1, b"C": 1, b"-": 1, b"S": 2, b"W": 1}


class Interpreter:
    def __init__(self):
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Command]:
        self._buf += data
        out: list[Command] = []
        while self._buf:
            cmd, used = self._parse(self._buf)
            if used == 0:
                break  # incomplete: wait for more bytes
            del self._buf[:used]
            if cmd is not None:
                out.append(dataclasses.replace(cmd, length=used))
        return out

    def _parse(self, b: bytearray) -> tuple[Command | None, int]:
        c = b[0]
        if c >= 0x20 or c == 0x09:
            i = 1
            while i < len(b) and (b[i] >= 0x20 or b[i] == 0x09):
                i += 1
            return Command("text", data=bytes(b[:i]).replace(b"\t", b" ")), i
        if c == 0x0A:
            return Command("lf"), 1
        if c == 0x10:  # DLE EOT n
            if len(b) < 3:
                return None, 0
            if b[1] == 0x04:
                return Command("status", (b[2],)), 3
            return Command("ignored", data=bytes(b[:3])), 3
        if c == 0x1B:
            return self._esc(b)
        if c == 0x1D:
            return self._gs(b)
        if c == 0x1C:
            return self._fs(b)
        return None, 1  # CR, NUL and other controls print nothing

    @staticmethod
    def _need(b, n) -> bool:
        return len(b) >= n

    def _esc(self, b):
        if len(b) < 2:
            return None, 0
        k = bytes(b[1:2])
        if k == b"@":
            return Command("init"), 2
        if k in (b"a", b"E", b"d", b"!"):
            if len(b) < 3:
                return None, 0
            n = b[2]
            name = {b"a": "align", b"E": "bold", b"d": "feed", b"!": "mode"}[k]
            return Command(name, (n,)), 3
        n = _ESC_SKIP.get(k, 0)
        if len(b) < 2 + n:
            return None, 0
        return Command("ignored", data=bytes(b[:2 + n])), 2 + n

    def _gs(self, b):
        if len(b) < 2:
            return None, 0
        k = bytes(b[1:2])
        if k == b"!":
            if len(b) < 3:
                return None, 0
            return Command("size", ((b[2] >> 4) + 1, (b[2] & 7) + 1)), 3
        if k == b"V":
            if len(b) < 3:
                return None, 0
            n = 4 if b[2] in (65, 66, 97, 98) else 3
            if len(b) < n:
                return None, 0
            return Command("cut"), n
        if k == b"(":  # GS ( k / GS ( L: pL pH then that many bytes
            if len(b) < 5:
                return None, 0
            size = b[3] | (b[4] << 8)
            if len(b) < 5 + size:
                return None, 0
            body = bytes(b[5:5 + size])
            if b[2] == ord("k") and size >= 2 and body[0] == ord("1"):
                return Command("qr", (body[1],), body[2:]), 5 + size
            return Command("ignored", data=bytes(b[:5 + size])), 5 + size
        if k == b"v":  # GS v 0 m xL xH yL yH data
            if len(b) < 8:
                return None, 0
            xb, y = b[4] | (b[5] << 8), b[6] | (b[7] << 8)
            if len(b) < 8 + xb * y:
                return None, 0
            return Command("raster", (xb, y), bytes(b[8:8 + xb * y])), 8 + xb * y
        n = _GS_SKIP.get(k, 0)
        if len(b) < 2 + n:
            return None, 0
        return Command("ignored", data=bytes(b[:2 + n])), 2 + n

    def _fs(self, b):
        if len(b) < 2:
            return None, 0
        k = bytes(b[1:2])
        if k == b"&":
            return Command("chinese", (True,)), 2
        if k == b".":
            return Command("chinese", (False,)), 2
        n = _FS_SKIP.get(k, 0)
        if len(b) < 2 + n:
            return None, 0
        return Command("ignored", data=bytes(b[:2 + n])), 2 + n
