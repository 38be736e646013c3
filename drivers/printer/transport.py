"""Byte pipes to a printer (TCP 9100, serial, USB) on python-escpos's printer classes, plus what
python-escpos lacks: reading exactly one status byte against a short deadline."""
from __future__ import annotations

import os
import select
import socket
import time
from typing import Callable

from drivers.printer.constants import TIMINGS, Timings


class TransportError(OSError):
    """The printer cannot be reached (not found, connection refused, port gone)."""


class Transport:
    """Opened for one operation (a status reading or a job) and closed after it, so a printer
    that was switched off and on, or a dropped connection, costs nothing to recover from."""

    name = "printer"

    def __init__(self, timings: Timings = TIMINGS, monotonic: Callable[[], float] = time.monotonic):
        self.timings, self.monotonic = timings, monotonic
        self._printer = None

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def _make(self):  # -> an escpos.printer instance
        raise NotImplementedError

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError

        p = self._make()
        try:
            p.open()
        except (DeviceNotFoundError, OSError) as e:
            raise TransportError(f"{self.name}: cannot open: {str(e).splitlines()[-1] if str(e) else e}") from None
        self._printer = p
        self._opened()

    def _opened(self) -> None:
        pass

    def close(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            except Exception:  # closing a dead link must not hide the job's real outcome
                pass
            self._printer = None

    def write(self, data: bytes) -> None:
        try:
            self._printer._raw(data)
        except OSError as e:
            raise TransportError(f"{self.name}: write failed: {e}") from None

    def read_byte(self, timeout: float) -> int | None:
        """One byte, or None when none came within `timeout` seconds of the injected clock."""
        deadline = self.monotonic() + timeout
        while True:
            remaining = deadline - self.monotonic()
            if remaining <= 0:
                return None
            b = self._read_one(min(remaining, self.timings.poll_slice_s))
            if b is not None:
                return b

    def _read_one(self, wait: float) -> int | None:
        raise NotImplementedError


class TcpTransport(Transport):
    def __init__(self, host: str, port: int = 9100, **kw):
        super().__init__(**kw)
        self.host, self.port = host, port
        self.name = f"tcp://{host}:{port}"

    def _make(self):
        from escpos.printer import Network

        return Network(self.host, self.port, timeout=self.timings.connect_s)

    def _opened(self) -> None:
        sock = self._printer.device
        sock.settimeout(self.timings.write_s)
        # a 3-byte status query right after a job would otherwise wait for the job's delayed ACK (40 ms)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _read_one(self, wait: float) -> int | None:
        sock = self._printer.device
        try:
            r, _, _ = select.select([sock], [], [], wait)
            if not r:
                return None
            data = sock.recv(1)
        except OSError as e:
            raise TransportError(f"{self.name}: read failed: {e}") from None
        if not data:
            raise TransportError(f"{self.name}: the printer closed the connection")
        return data[0]


class SerialTransport(Transport):
    def __init__(self, path: str, baud: int = 115200, *, rtscts: bool = False, **kw):
        super().__init__(**kw)
        self.path, self.baud, self.rtscts = path, baud, rtscts
        self.name = f"serial://{path}"

    def _make(self):
        from escpos.printer import Serial

        # dsrdtr=False: most receipt printers wire RTS/CTS or nothing; DSR/DTR flow control on a
        # pseudo-terminal or a bare USB-serial cable blocks writes forever.
        return Serial(devfile=self.path, baudrate=self.baud, timeout=self.timings.write_s, dsrdtr=False)

    def _opened(self) -> None:
        dev = self._printer.device
        dev.rtscts = self.rtscts
        dev.reset_input_buffer()  # a stale byte would answer the wrong query

    def write(self, data: bytes) -> None:
        super().write(data)
        try:
            self._printer.device.flush()
        except OSError as e:
            raise TransportError(f"{self.name}: write failed: {e}") from None

    def _read_one(self, wait: float) -> int | None:
        dev = self._printer.device
        r, _, _ = select.select([dev.fileno()], [], [], wait)
        if not r:
            return None
        try:
            data = os.read(dev.fileno(), 1)  # exactly one byte: never pyserial's 16-byte read
        except OSError as e:
            raise TransportError(f"{self.name}: read failed: {e}") from None
        return data[0] if data else None


class UsbTransport(Transport):
    def __init__(self, vendor: int, product: int, *, in_ep: int = 0x82, out_ep: int = 0x01, **kw):
        super().__init__(**kw)
        self.vendor, self.product, self.in_ep, self.out_ep = vendor, product, in_ep, out_ep
        self.name = f"usb://{vendor:#06x}:{product:#06x}"

    def _make(self):
        from escpos.printer import Usb

        return Usb(self.vendor, self.product, timeout=int(self.timings.write_s * 1000),
                   in_ep=self.in_ep, out_ep=self.out_ep)

    def write(self, data: bytes) -> None:
        try:
            self._printer._raw(data)
        except Exception as e:  # usb.core.USBError is not an OSError
            raise TransportError(f"{self.name}: write failed: {e}") from None

    def _read_one(self, wait: float) -> int | None:
        import usb.core

        try:
            data = self._printer.device.read(self.in_ep, 64, max(1, int(wait * 1000)))
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as e:
            raise TransportError(f"{self.name}: read failed: {e}") from None
        return data[0] if len(data) else None
