"""A simulated GA 467 SAM reader on a pseudo-terminal: serves the real protocol from card files,
emulates line time at the configured baud, and takes run-time commands (place/remove a card,
faults). The app opens `twin.path`, a stable symlink to the pty slave, like a udev symlink."""
from __future__ import annotations

import dataclasses
import logging
import os
import select
import tempfile
import threading
import time
import tty
from typing import Callable

from drivers.idcard import status
from drivers.idcard.cards import load_card
from drivers.idcard.frame import NEED_DATA, FrameDecoder, ProtocolError, encode_response, parse_command
from drivers.idcard.layouts import encode_text
from drivers.idcard.messages import read_data
from drivers.idcard.record import IdCardRecord

log = logging.getLogger("drivers.idcard.twin")

# Faults the twin can be told to inject, and what each does to the next matching answer.
FAULTS = {
    "garbage": "answer with random bytes instead of a frame",
    "bad_checksum": "answer with a frame whose checksum is wrong",
    "no_card": "answer find with 80 (no card) although a card is on",
    "read_failed": "answer the read with SW3 41 (card moved away)",
    "slow": "answer after an extra delay (seconds; default 2)",
    "pull": "answer the read with SW3 41 and take the card away (pulled mid-read)",
    "mute": "do not answer at all",
}
_READ_CMDS = (status.READ_TEXT_PHOTO, status.READ_TEXT_PHOTO_FP)
# A hand swapping cards leaves the reader empty for a moment; without that gap a reader polling
# "is a card on?" would never see the first card go, nor read the second. Longer than the
# reader's removal detection (2 misses at its 0.2 s present-card poll).
SWAP_GAP = 0.5


@dataclasses.dataclass
class _Fault:
    kind: str
    target: str  # read | find | any
    count: int
    arg: float = 0.0


class IdReaderTwin:
    """Start with `start()`; then `path` is the device to open. Thread-safe control methods:
    place(), remove(), inject(), vanish(), come_back(), stop()."""

    def __init__(self, card: IdCardRecord | str | None = None, *, baud: int = 115200,
                 link: str | None = None, emulate_line: bool = True, swap_gap: float = SWAP_GAP,
                 sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic):
        rec = load_card(card) if isinstance(card, str) else card  # a bad card file fails before any resource
        self.baud = baud
        self.emulate_line = emulate_line
        self.swap_gap = swap_gap
        self._removed_at = -1e9
        self._sleep, self._mono = sleep, monotonic
        self._own_dir = None if link else tempfile.mkdtemp(prefix="kiosk-idreader-")
        self.path = link or os.path.join(self._own_dir, "ttyIDREADER")
        self._lock = threading.Lock()
        self._card: IdCardRecord | None = None
        self._text = b""
        self._faults: list[_Fault] = []
        self._master = self._slave = -1
        self._wake_r, self._wake_w = os.pipe()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dec = FrameDecoder()
        self.placed_at: float | None = None  # monotonic time the last placed card lies on the reader
        self.answered = 0  # frames answered (tests wait on it through `changed`)
        self.bytes_in = self.bytes_out = 0
        self.changed = threading.Condition()
        if rec is not None:
            self.place(rec)

    # ---- life cycle -------------------------------------------------------------------------------
    def start(self) -> str:
        self._open_pty()
        self._thread = threading.Thread(target=self._run, name="idreader twin", daemon=True)
        self._thread.start()
        return self.path

    def stop(self) -> None:
        self._stop.set()
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close_pty()
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        if self._own_dir:
            try:
                os.rmdir(self._own_dir)
            except OSError:
                pass

    def __enter__(self) -> "IdReaderTwin":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # the slave starts cooked: echo and CR/LF translation would corrupt frames
        tty.setraw(master)
        with self._lock:
            self._master, self._slave = master, slave
        tmp = self.path + ".new"
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.path)
        self._dec = FrameDecoder()

    def _close_pty(self) -> None:
        with self._lock:
            fds, self._master, self._slave = (self._master, self._slave), -1, -1
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        for fd in fds:
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass

    # ---- control (any thread) ---------------------------------------------------------------------
    @property
    def card(self) -> IdCardRecord | None:
        return self._card

    @property
    def online(self) -> bool:
        return self._master >= 0

    def place(self, card: IdCardRecord | str) -> IdCardRecord:
        rec = load_card(card) if isinstance(card, str) else card
        text = encode_text(rec)
        now = self._mono()
        with self._lock:
            if self._card is not None:  # a swap: the old card leaves first
                self._removed_at = now
            self._card, self._text = rec, text
            self.placed_at = max(now, self._removed_at + self.swap_gap)
        self._notify()
        return rec

    def remove(self) -> None:
        with self._lock:
            if self._card is not None:
                self._removed_at = self._mono()
            self._card, self._text = None, b""
        self._notify()

    def inject(self, kind: str, *, target: str | None = None, count: int = 1, arg: float = 0.0) -> None:
        """Make the next `count` matching answers go wrong in the way `kind` says (see FAULTS)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r} (one of {', '.join(FAULTS)})")
        default = {"no_card": "find", "read_failed": "read", "pull": "read"}.get(kind, "read")
        target = target or default
        if target not in ("read", "find", "any"):
            raise ValueError(f"fault target {target!r} is not read, find or any")
        if kind == "slow" and not arg:
            arg = 2.0
        with self._lock:
            self._faults.append(_Fault(kind, target, max(1, count), arg))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def vanish(self) -> None:
        """The port disappears, as when the USB cable is pulled."""
        self._close_pty()
        os.write(self._wake_w, b"x")
        self._notify()

    def come_back(self) -> None:
        """The port returns at the same path (a new pty behind the same symlink)."""
        if not self.online:
            self._open_pty()
            os.write(self._wake_w, b"x")
        self._notify()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    # ---- serving --------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            master = self._master
            fds = [self._wake_r] + ([master] if master >= 0 else [])
            try:
                ready, _, _ = select.select(fds, [], [], 0.5)
            except (OSError, ValueError):
                continue
            if self._wake_r in ready:
                os.read(self._wake_r, 64)
            if master >= 0 and master in ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    data = b""
                if not data:
                    continue
                self.bytes_in += len(data)
                self._dec.receive_data(data)
                self._serve(master)

    def _serve(self, master: int) -> None:
        while True:
            try:
                ev = self._dec.next_event()
            except ProtocolError:
                self._write(master, encode_response(0x10), 10)  # checksum error, as a SAM says
                continue
            if ev is NEED_DATA:
                return
            cmd = parse_command(ev)
            self._answer(master, (cmd.cmd, cmd.para), len(ev.body) + 8)

    def _take_fault(self, which: tuple[int, int]) -> _Fault | None:
        kind = "read" if which in _READ_CMDS else "find" if which == status.FIND_CARD else "other"
        with self._lock:
            for f in self._faults:
                if f.target == "any" or f.target == kind:
                    f.count -= 1
                    if f.count <= 0:
                        self._faults.remove(f)
                    return f
        return None

    def _answer(self, master: int, which: tuple[int, int], cmd_len: int) -> None:
        fault = self._take_fault(which)
        with self._lock:
            card, text = self._card, self._text
            if card is not None and self._mono() < (self.placed_at or 0):
                card = None  # still in the hand: the swap gap
        if fault and fault.kind == "pull":
            self.remove()
            card = None
        if fault and fault.kind == "mute":
            return
        if fault and fault.kind == "no_card" and which == status.FIND_CARD:
            card = None
        if which == status.SAM_STATUS or which == status.RESET_SAM:
            frame = encode_response(status.OK)
        elif which == status.READ_SAM_ID:
            frame = encode_response(status.OK, bytes(range(16)))
        elif which == status.FIND_CARD:
            frame = encode_response(status.CARD_FOUND, bytes(4)) if card else encode_response(status.FIND_FAILED)
        elif which == status.SELECT_CARD:
            frame = encode_response(status.OK, bytes(8)) if card else encode_response(status.SELECT_FAILED)
        elif which in _READ_CMDS:
            if card is None or (fault and fault.kind == "read_failed"):
                frame = encode_response(status.READ_FAILED)
            else:
                fp = card.fingerprint if which == status.READ_TEXT_PHOTO_FP else None
                if which == status.READ_TEXT_PHOTO_FP and fp is None:
                    fp = bytes(1024)
                frame = encode_response(status.OK, read_data(text, card.photo or bytes(1024), fp))
        elif which == status.READ_NEW_ADDRESS:
            frame = encode_response(status.NO_CONTENT)
        else:
            frame = encode_response(0x21)
        if fault and fault.kind == "garbage":
            frame = bytes(b if b != 0xAA else 0x55 for b in os.urandom(len(frame)))
        elif fault and fault.kind == "bad_checksum":
            frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
        delay = fault.arg if fault and fault.kind == "slow" else 0.0
        self._write(master, frame, cmd_len, delay)

    def _write(self, master: int, frame: bytes, cmd_len: int, extra: float = 0.0) -> None:
        # A pty moves bytes at once; the wire at `baud` (8N1: 10 bits a byte) would take this long.
        wait = extra + ((cmd_len + len(frame)) * 10 / self.baud if self.emulate_line else 0.0)
        if wait > 0:
            self._sleep(wait)
        try:
            os.write(master, frame)
        except OSError:
            return  # vanished meanwhile
        self.bytes_out += len(frame)
        self.answered += 1
        self._notify()
