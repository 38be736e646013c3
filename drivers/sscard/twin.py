"""A virtual social security card for pcscd's vpcd driver: a TCP client to 127.0.0.1:35963 that
answers the card's APDUs from a card file. Connected = card inserted; closed = card removed.
vpcd frames are a 2-byte big-endian length + payload; a 1-byte payload is a control code."""
from __future__ import annotations

import logging
import socket
import threading
import time

from drivers.sscard import apdu
from drivers.sscard.cards import VirtualCard, load_card

log = logging.getLogger("drivers.sscard.twin")

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # vpcd's first slot: reader "Virtual PCD 00 00"; slot n listens on VPCD_PORT + n
RECONNECT_EVERY = 0.2  # while a card should be in but pcscd is not listening (or restarting)
# pcscd polls vpcd for presence every ~0.4 s: a card put back sooner after a removal would look
# as if it had never left (no removal, no insertion event). A person takes longer anyway.
REMOVAL_GAP = 0.6
_last_out: dict[int, float] = {}  # port → monotonic time a card last left that slot
_POWER_OFF, _POWER_ON, _RESET, _GET_ATR = 0, 1, 2, 4
_SFI = {0x2C: apdu.EF05, 0x34: apdu.EF06}


class CardState:
    """The card's side of an APDU exchange, sans-I/O: `answer(apdu) -> response bytes`."""

    def __init__(self, card: VirtualCard):
        self.card = card
        self.reset()

    def reset(self) -> None:
        self.app = False
        self.file: bytes | None = None
        self.verified = False

    def answer(self, c: bytes) -> bytes:
        if len(c) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2 = c[:4]
        body = c[5:5 + c[4]] if len(c) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:
            self.app = self.card.ss_application and body == apdu.SSSE_AID
            self.file = None
            return b"\x90\x00" if self.app else b"\x6a\x82"
        if ins == 0xA4 and p1 == 0x02:
            if not self.app or body not in (apdu.EF05, apdu.EF06):
                return b"\x6a\x82"
            self.file = body
            return b"\x90\x00"
        if ins == 0x20:
            if not self.app:
                return b"\x69\x85"
            self.verified = body == apdu.encode_bcd(self.card.pin)
            return b"\x90\x00" if self.verified else b"\x63\xc2"
        if ins == 0xB2:
            f = self.file if p2 == 0x04 else _SFI.get(p2)
            if not self.app or f is None:
                return b"\x69\x86"
            if f == apdu.EF06 and self.card.pin_required and not self.verified:
                return b"\x69\x82"
            data = self.card.records.get((f, p1))
            if data is None:
                return b"\x6a\x83"
            le = c[4] if len(c) == 5 else 0
            if le and le != len(data):
                return bytes([0x6C, len(data)])
            return data + b"\x90\x00"
        return b"\x6d\x00"


class SsCardTwin:
    """Insert and remove a virtual card in pcscd's vpcd reader. `pull_after(n)`: the card is
    pulled out (socket closed) instead of answering the n+1-th APDU from now."""

    def __init__(self, card: VirtualCard | str | None = None, *, host: str = VPCD_HOST, port: int = VPCD_PORT):
        self.host, self.port = host, port
        self._card = load_card(card) if isinstance(card, str) else card
        self._want = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._pull_after: int | None = None
        self.connected = threading.Event()
        self.apdus = 0
        self.inserted_at: float | None = None  # monotonic time the socket connected
        self._thread = threading.Thread(target=self._run, name="sscard twin", daemon=True)
        self._thread.start()

    @property
    def card(self) -> VirtualCard | None:
        return self._card

    def insert(self, card: VirtualCard | str | None = None) -> None:
        if card is not None:
            self.remove()
            self._card = load_card(card) if isinstance(card, str) else card
        if self._card is None:
            raise ValueError("no card to insert")
        self._want = True
        self._kick.set()

    def remove(self) -> None:
        self._want = False
        self._drop()
        self._kick.set()

    def pull_after(self, n: int) -> None:
        self._pull_after = max(0, n)

    def close(self) -> None:
        self._stop.set()
        self.remove()
        self._thread.join(timeout=5)

    stop = close

    def _drop(self) -> None:
        with self._lock:
            s, self._sock = self._sock, None
        if s is not None:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
            _last_out[self.port] = time.monotonic()
        self.connected.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._want:
                self._kick.wait(0.5)
                self._kick.clear()
                continue
            gap = _last_out.get(self.port, -1e9) + REMOVAL_GAP - time.monotonic()
            if gap > 0:
                self._stop.wait(gap)
                continue
            try:
                s = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                self._kick.wait(RECONNECT_EVERY)  # pcscd not (yet) listening
                self._kick.clear()
                continue
            s.settimeout(None)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if not self._want:
                    s.close()
                    continue
                self._sock = s
            self.inserted_at = time.monotonic()
            self.connected.set()
            self._serve(s, CardState(self._card))
            self._drop()

    def _serve(self, s: socket.socket, st: CardState) -> None:
        while True:
            try:
                head = _recv_exact(s, 2)
                payload = _recv_exact(s, int.from_bytes(head, "big")) if head else None
            except OSError:
                return
            if payload is None:
                return
            if len(payload) == 1:
                code = payload[0]
                if code in (_POWER_ON, _RESET, _POWER_OFF):
                    st.reset()
                elif code == _GET_ATR:
                    _send(s, st.card.atr)
                continue
            if self._pull_after is not None:
                if self._pull_after == 0:
                    self._pull_after = None
                    self._want = False
                    return
                self._pull_after -= 1
            self.apdus += 1
            try:
                _send(s, st.answer(payload))
            except OSError:
                return


def _recv_exact(s: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        # pcscd writes a frame's length and payload separately; without a quick ACK each APDU
        # waits out our delayed-ACK timer (~40 ms) behind pcscd's Nagle.
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _send(s: socket.socket, payload: bytes) -> None:
    s.sendall(len(payload).to_bytes(2, "big") + payload)
