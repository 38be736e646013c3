"""The ID-card reader's I/O shell: pyserial and one thread that feeds the rules (machine.py) with
bytes and the time, and performs what they say (open, close, write, wait). The protocol lives in
frame.py, messages.py and layouts.py; the rules in machine.py."""
from __future__ import annotations

import logging
import os
import select
import termios
import time
from typing import Callable

import serial

from drivers.idcard.events import StateChanged
from drivers.idcard.machine import ClosePort, IdCardMachine, OpenPort, Send
from drivers.idcard.timings import DEFAULT, Timings
from drivers.readerloop import ReaderLoop

log = logging.getLogger("drivers.idcard")

# The longest the thread blocks on the line before looking at the stop event again.
_READ_SLICE = 0.05


class PortGone(Exception):
    """The serial port failed (unplugged, closed by the other side)."""


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
        self._fp = read_fingerprint
        self._ser: serial.Serial | None = None
        self.machine = IdCardMachine(timings, port=port, read_fingerprint=read_fingerprint)

    @property
    def sam_id(self) -> bytes | None:
        return self.machine.sam_id

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

    def _close(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except Exception:
                pass

    def _write(self, frame: bytes) -> None:
        ser = self._ser
        if ser is None:
            raise PortGone(f"{self.port}: not open")
        try:
            ser.reset_input_buffer()  # a late answer to an earlier command is not ours
            # A command is 10 bytes: the tty takes it in one write. pyserial's write would add a
            # select per command (its write timeout), paid hundreds of times a second while polling.
            n = os.write(ser.fileno(), frame)
            if n < len(frame):
                ser.write(frame[n:])
        except (serial.SerialException, OSError, termios.error) as e:  # tcflush says EIO as termios.error
            raise PortGone(f"{self.port}: {_why(e)}") from None

    def _read(self, timeout: float) -> bytes:
        """What the line has within `timeout` seconds (b"" if nothing)."""
        ser = self._ser
        if ser is None:
            raise PortGone(f"{self.port}: not open")
        try:
            fd = ser.fileno()
            ready, _, _ = select.select([fd], [], [], max(timeout, 0.0))
            if not ready:
                return b""
            data = os.read(fd, 65536)
        except BlockingIOError:
            return b""
        except (serial.SerialException, OSError, ValueError) as e:
            raise PortGone(f"{self.port}: {_why(e)}") from None
        if not data:  # what a vanished USB-serial device (or a closed pty) looks like
            raise PortGone(f"{self.port}: device reports readiness to read but returned no data")
        return data

    # ---- the loop: feed the machine, do what it says -------------------------------------------------
    def _run(self) -> None:
        m = self.machine = IdCardMachine(self.timings, port=self.port, read_fingerprint=self._fp)
        step: Callable[[], list] = lambda: m.start(self._mono())
        while not self._stop.is_set():
            try:
                self._perform(step())
                step = self._next_input
            except Exception as e:  # a bug must not silently end the reader: say so, start over
                log.exception("idreader: unexpected error")
                self._perform(m.internal_error(f"internal error: {type(e).__name__}", self._mono()))
                step = self._next_input
        self._close()

    def _next_input(self) -> list:
        """Wait for what the machine waits for (bytes, its deadline, or stop) and hand it over."""
        m = self.machine
        wait = m.wait
        if wait.until is None:  # nothing to time (not once OpenPort has been answered)
            self._stop.wait(_READ_SLICE)
            return []
        left = wait.until - self._mono()
        if wait.listen:
            try:
                data = self._read(min(max(left, 0.0), _READ_SLICE))
            except PortGone as e:
                return m.port_failed(str(e), self._mono())
            if data:
                return m.receive_data(data, self._mono())
            if left > _READ_SLICE:
                return []  # a slice passed: look at the stop event, then listen again
        elif left > 0:
            self._stop.wait(left)
            return []
        return m.time_passed(self._mono())

    def _perform(self, outputs: list) -> None:
        m = self.machine
        todo = list(outputs)
        while todo:
            out = todo.pop(0)
            more: list = []
            if isinstance(out, Send):
                try:
                    self._write(out.frame)
                except PortGone as e:
                    more = m.port_failed(str(e), self._mono())
            elif isinstance(out, OpenPort):
                try:
                    self._open()
                except PortGone as e:
                    more = m.port_failed(str(e), self._mono())
                else:
                    more = m.port_opened(self._mono())
            elif isinstance(out, ClosePort):
                self._close()
            elif isinstance(out, StateChanged):
                self._set_state(out.code, out.detail)
            else:
                self._emit(out)
            todo[:0] = more


def _why(e: BaseException) -> str:
    if isinstance(e, termios.error) and len(e.args) == 2:  # (errno, text)
        return str(e.args[1])
    s = str(e) or type(e).__name__
    return s.splitlines()[0][:200]
