"""The ID-card reader's I/O shell: pyserial, one polling thread, find → select → read, reporting
events; survives the port vanishing (reconnects with backoff). The protocol lives in frame.py,
messages.py and layouts.py."""
from __future__ import annotations

import logging
import os
import time
from typing import Callable

import serial

from drivers.idcard import status
from drivers.idcard.events import CardFailed, CardRead, CardRemoved, StateChanged
from drivers.idcard.frame import NEED_DATA, FrameDecoder, ProtocolError, Response, encode_command, parse_response
from drivers.idcard.layouts import LayoutError
from drivers.idcard.messages import fits, parse_read
from drivers.idcard.timings import DEFAULT, Timings, backoff
from drivers.readerloop import ReaderLoop

log = logging.getLogger("drivers.idcard")

# A read returns within this slice so stop() and timeouts stay responsive.
_READ_SLICE = 0.05


class NoAnswer(Exception):
    """The reader did not answer a command within its timeout."""


class PortGone(Exception):
    """The serial port failed (unplugged, closed by the other side)."""


def port_from_url(url: str) -> tuple[str, int]:
    """`serial:///dev/ttyUSB0?baud=115200` or a plain path → (path, baud)."""
    import urllib.parse

    if url.startswith("/"):
        return url, 115200
    p = urllib.parse.urlsplit(url)
    if p.scheme != "serial" or not p.path:
        raise ValueError(f"{url}: expected serial:///dev/... or a device path")
    q = dict(urllib.parse.parse_qsl(p.query))
    return p.path, int(q.get("baud", "115200"))


class IdCardReader(ReaderLoop):
    """Polls a GA 467 SAM reader on `port` and reports CardRead / CardRemoved / CardFailed /
    StateChanged through `on_event` (called on the reader's own thread)."""

    def __init__(self, port: str, *, baud: int = 115200, on_event: Callable[[object], None] | None = None,
                 timings: Timings = DEFAULT, monotonic: Callable[[], float] = time.monotonic,
                 read_fingerprint: bool = False):
        super().__init__("idreader", f"idcard {port}", log, StateChanged, on_event)
        self.port, self.baud = port, baud
        self.timings = timings
        self._mono = monotonic
        self._read_cmd = status.READ_TEXT_PHOTO_FP if read_fingerprint else status.READ_TEXT_PHOTO
        self._fp = read_fingerprint
        self._ser: serial.Serial | None = None
        self._dec = FrameDecoder()
        self._card_present = False
        self._misses = 0
        self._failures = 0
        self._wire = 0
        self.sam_id: bytes | None = None

    # ---- the port -------------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            self._ser = serial.Serial(self.port, self.baud, timeout=_READ_SLICE, write_timeout=1.0,
                                      exclusive=True)
        except (serial.SerialException, OSError, ValueError) as e:
            self._ser = None
            errno = getattr(e, "errno", None)
            why = f"cannot open: {os.strerror(errno)}" if errno else _why(e)
            raise PortGone(f"{self.port}: {why}") from None
        self._dec = FrameDecoder()

    def _close(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except Exception:
                pass

    def transact(self, cmd: tuple[int, int], timeout: float) -> Response:
        """Send one command and wait for its answer. Raises NoAnswer, ProtocolError or PortGone."""
        ser = self._ser
        if ser is None:
            raise PortGone(f"{self.port}: not open")
        frame = encode_command(*cmd)
        try:
            ser.reset_input_buffer()  # a late answer to an earlier command is not ours
            self._dec.reset()
            ser.write(frame)
            self._wire += len(frame)
            deadline = self._mono() + timeout
            while True:
                ev = self._dec.next_event()
                if ev is not NEED_DATA:
                    resp = parse_response(ev)
                    self._wire += len(ev.body) + 8
                    if fits(cmd, resp):
                        return resp
                    log.info("idreader: dropped a %r that does not answer %02X %02X", resp, *cmd)
                    continue
                if self._mono() >= deadline or self._stop.is_set():
                    raise NoAnswer(f"no answer to {cmd[0]:02X} {cmd[1]:02X} within {timeout:g} s")
                data = ser.read(1)
                if data:
                    n = ser.in_waiting
                    if n:
                        data += ser.read(n)
                    self._dec.receive_data(data)
        except (serial.SerialException, OSError) as e:
            raise PortGone(f"{self.port}: {_why(e)}") from None

    # ---- the loop -----------------------------------------------------------------------------------
    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            if self._ser is None:
                try:
                    self._open()
                    self._check_sam()
                except PortGone as e:
                    self._close()
                    self._set_state("offline", str(e))
                except (NoAnswer, ProtocolError) as e:
                    self._close()
                    self._set_state("fault", f"{self.port}: {e}")
                else:
                    attempt = 0
                    self._failures = 0
                    self._set_state("ready", self.port)
                    continue
                self._stop.wait(backoff(attempt, self.timings))
                attempt += 1
                continue
            try:
                self._poll_once()
                self._failures = 0
            except PortGone as e:
                self._close()
                self._lost_card()
                self._set_state("offline", str(e))
                self._stop.wait(backoff(0, self.timings))
                attempt = 1
            except (NoAnswer, ProtocolError) as e:
                self._failures += 1
                if self._failures >= self.timings.fault_after_failures:
                    self._set_state("fault", f"{self.port}: {e}")
                self._stop.wait(self.timings.poll_interval)
            except Exception as e:  # a bug must not silently end the reader: say so, start over
                log.exception("idreader: unexpected error")
                self._close()
                self._lost_card()
                self._set_state("fault", f"{self.port}: internal error: {type(e).__name__}")
                self._stop.wait(backoff(attempt, self.timings))
                attempt += 1
        self._close()

    def _check_sam(self) -> None:
        r = self.transact(status.SAM_STATUS, self.timings.command_timeout)
        if r.sw3 != status.OK:
            raise ProtocolError(f"SAM status: {status.describe(r.sw3)}")
        try:
            r = self.transact(status.READ_SAM_ID, self.timings.command_timeout)
            self.sam_id = r.data if r.sw3 == status.OK else None
        except (NoAnswer, ProtocolError):
            self.sam_id = None  # optional: some readers do not answer it

    def _lost_card(self) -> None:
        if self._card_present:
            self._card_present = False
            self._emit(CardRemoved())

    def _poll_once(self) -> None:
        t0 = self._mono()
        self._wire = 0
        r = self.transact(status.FIND_CARD, self.timings.command_timeout)
        if self._state.code == "fault":
            self._set_state("card_present" if self._card_present else "ready", self.port)
        if r.sw3 == status.CARD_FOUND:
            self._misses = 0
            if not self._card_present:
                self._read_card(t0)
                return
        elif self._card_present:
            self._misses += 1
            if self._misses >= self.timings.removed_after_misses:
                self._lost_card()
                self._set_state("ready", self.port)
                return
        self._stop.wait(self.timings.present_poll_interval if self._card_present else self.timings.poll_interval)

    def _read_card(self, t_found: float) -> None:
        self._set_state("reading", self.port)
        t = self.timings
        why = ""
        for attempt in range(t.read_retries + 1):
            try:
                if attempt:
                    r = self.transact(status.FIND_CARD, t.command_timeout)
                    if r.sw3 != status.CARD_FOUND:
                        why = f"card left during the read ({status.describe(r.sw3)})"
                        break
                r = self.transact(status.SELECT_CARD, t.command_timeout)
                if r.sw3 != status.OK:
                    why = f"select: {status.describe(r.sw3)}"
                    continue
                r = self.transact(self._read_cmd, t.read_timeout)
                if r.sw3 == status.OK:
                    rec = parse_read(r, with_fingerprint=self._fp)
                    self._card_present = True
                    self._set_state("card_present", self.port)
                    self._emit(CardRead(rec, t_found, self._mono(), self._wire))
                    return
                why = f"read: {status.describe(r.sw3)}"
                if r.sw3 == 0x40:
                    self._fail("unknown_card", why)
                    return
            except LayoutError as e:
                self._fail("unknown_card", f"text block: {e}")
                return
            except (NoAnswer, ProtocolError) as e:
                why = str(e)
        self._fail("read_failed", f"{why} (after {t.read_retries + 1} tries)")

    def _fail(self, code: str, detail: str) -> None:
        # Not read again until it is lifted and placed again: no failure storm while it lies there.
        self._card_present = True
        self._misses = 0
        self._set_state("card_present", self.port)
        self._emit(CardFailed(code, detail))


def _why(e: BaseException) -> str:
    s = str(e) or type(e).__name__
    return s.splitlines()[0][:200]
