"""The GA 467 frame codec, sans-I/O: encode commands and responses, and decode frames from bytes
arriving in any split, resynchronising on the preamble after garbage (h11 style:
`receive_data(bytes)` then `next_event()`)."""
from __future__ import annotations

import dataclasses

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2  # preamble + LEN_HI LEN_LO
# LEN counts body + checksum. The shortest legal frame is a command (CMD PARA CHK = 3); the
# longest is a 30 10 read (text + photo + fingerprint: 0x090E). A little headroom for readers
# that append a few bytes; anything beyond is a corrupted length, not a frame to wait for.
MIN_LEN = 3
MAX_LEN = 0x0A00


class ProtocolError(Exception):
    """The bytes on the line are not a frame we accept (bad length, bad checksum, wrong shape).
    The decoder has already skipped past the offending bytes when this is raised."""


def checksum(data: bytes) -> int:
    """XOR of LEN_HI, LEN_LO and every body byte (pass exactly those bytes)."""
    if len(data) < 32:
        c = 0
        for b in data:
            c ^= b
        return c
    # XOR is bytewise, so fold the bytes as one big integer in halves: ~11 C-speed steps for a
    # 1,295-byte read instead of 1,290 Python ones (the per-read CPU budget is 0.2 ms).
    x = int.from_bytes(data, "little")
    width = len(data)
    while width > 1:
        half = (width + 1) // 2
        x = (x & ((1 << (8 * half)) - 1)) ^ (x >> (8 * half))
        width = half
    return x


def encode_frame(body: bytes) -> bytes:
    """A whole frame around `body`; the checksum is always computed, never taken from a table."""
    n = len(body) + 1
    if not MIN_LEN <= n <= MAX_LEN:
        raise ValueError(f"frame body of {len(body)} bytes is out of range")
    head = n.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([checksum(head + body)])


def encode_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    return encode_frame(bytes([cmd, para]) + data)


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return encode_frame(bytes([sw1, sw2, sw3]) + data)


@dataclasses.dataclass(frozen=True)
class Frame:
    """One checked frame: its body (without length and checksum)."""

    body: bytes


@dataclasses.dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    data: bytes = b""


@dataclasses.dataclass(frozen=True)
class Response:
    sw3: int
    data: bytes = dataclasses.field(default=b"", repr=False)

    def __repr__(self) -> str:  # never card bytes in a log line
        return f"Response(sw3={self.sw3:02X}, {len(self.data)} data bytes)"


def parse_command(frame: Frame) -> Command:
    if len(frame.body) < 2:
        raise ProtocolError(f"command frame with {len(frame.body)} body bytes")
    return Command(frame.body[0], frame.body[1], bytes(frame.body[2:]))


def parse_response(frame: Frame) -> Response:
    b = frame.body
    if len(b) < 3:
        raise ProtocolError(f"response frame with {len(b)} body bytes (need SW1 SW2 SW3)")
    if b[0] != 0 or b[1] != 0:
        raise ProtocolError(f"response SW1 SW2 = {b[0]:02X} {b[1]:02X}, expected 00 00")
    return Response(b[2], bytes(b[3:]))


NEED_DATA = object()  # next_event(): no complete frame yet


class FrameDecoder:
    """Incremental frame decoder. Bytes before a preamble are skipped (counted in `discarded`);
    a frame with an impossible length or a wrong checksum raises ProtocolError once, after which
    the decoder has dropped one byte and resumes the search for a preamble."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._need = 0  # bytes the frame at the buffer's start needs, once its length is known
        self.discarded = 0

    def reset(self) -> None:
        """Forget buffered bytes (before a new command: a late answer must not be taken as ours)."""
        self._buf.clear()
        self._need = 0

    def receive_data(self, data: bytes) -> None:
        self._buf += data

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def _skip(self, n: int) -> None:
        del self._buf[:n]
        self._need = 0
        self.discarded += n

    def next_event(self):
        """A Frame, NEED_DATA, or raises ProtocolError for a bad frame (already skipped)."""
        buf = self._buf
        if len(buf) < self._need:  # a frame is under way: nothing to look at until it is whole
            return NEED_DATA
        i = buf.find(PREAMBLE)
        if i < 0:
            # keep a tail that may be the start of a preamble split across reads
            keep = 0
            for k in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
                if buf.endswith(PREAMBLE[:k]):
                    keep = k
                    break
            if len(buf) > keep:
                self._skip(len(buf) - keep)
            return NEED_DATA
        if i:
            self._skip(i)
        if len(buf) < HEADER_LEN:
            return NEED_DATA
        n = int.from_bytes(buf[5:7], "big")
        if not MIN_LEN <= n <= MAX_LEN:
            self._skip(1)
            raise ProtocolError(f"frame length {n} is out of range")
        total = HEADER_LEN + n
        if len(buf) < total:
            self._need = total
            return NEED_DATA
        frame = bytes(buf[:total])
        if checksum(frame[5:-1]) != frame[-1]:
            self._skip(1)
            raise ProtocolError(f"checksum {frame[-1]:02X} does not match {checksum(frame[5:-1]):02X}")
        del buf[:total]
        self._need = 0
        return Frame(frame[7:-1])
