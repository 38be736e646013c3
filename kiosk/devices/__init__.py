"""Devices are named by URL. `parse_device_url` reads one; the factories in this package
(idreader, sscard, printer, scanner) are the only place that picks a real or a simulated device.

    serial:///dev/kiosk-idreader?baud=115200    a serial port (also a plain path: /dev/ttyUSB0)
    pcsc://  |  pcsc://<reader name>             PC/SC (first reader, or by name)
    usb://0x0416:0x5011                          a USB printer by vendor:product
    tcp://10.0.0.9:9100                          a network printer
    sane://<device-name>                         a SANE scanner
    v4l2:///dev/video0?dpi=150                   a document camera (高拍仪, V4L2/UVC)
    frames:///PATH                               recorded camera frames (a folder or an MJPG video)
    sim://idreader?card=resident-1               a simulated twin speaking the real protocol
"""
from __future__ import annotations

import dataclasses
import urllib.parse

SCHEMES = ("serial", "pcsc", "usb", "tcp", "sane", "sim", "folder", "v4l2", "frames")


class DeviceURLError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class DeviceURL:
    scheme: str
    host: str = ""  # tcp host, sim device kind, pcsc reader name, sane device name, usb ids
    port: int | None = None
    path: str = ""  # serial device path, folder path
    params: tuple[tuple[str, str], ...] = ()
    raw: str = ""

    def param(self, name: str, default: str | None = None) -> str | None:
        for k, v in self.params:
            if k == name:
                return v
        return default

    def int_param(self, name: str, default: int) -> int:
        v = self.param(name)
        if v is None:
            return default
        try:
            return int(v)
        except ValueError:
            raise DeviceURLError(f"{self.raw}: {name} must be a whole number, not {v!r}") from None

    def __str__(self) -> str:
        return self.raw


def parse_device_url(url: str) -> DeviceURL:
    """Parse and check a device URL; raises DeviceURLError with a reason a technician can act on."""
    if not isinstance(url, str) or not url.strip():
        raise DeviceURLError("empty device URL")
    url = url.strip()
    if url.startswith("/"):  # a plain path is a serial port
        url = "serial://" + url
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise DeviceURLError(f"{url}: unknown scheme {scheme!r} (expected one of {', '.join(SCHEMES)})")
    params = tuple(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    host = urllib.parse.unquote(parts.netloc)
    if scheme == "serial":
        if not parts.path.startswith("/"):
            raise DeviceURLError(f"{url}: a serial URL needs a device path: serial:///dev/ttyUSB0")
        d = DeviceURL(scheme, path=parts.path, params=params, raw=url)
        baud = d.int_param("baud", 115200)
        if baud not in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600):
            raise DeviceURLError(f"{url}: unusual baud rate {baud}")
        return d
    if scheme == "tcp":
        try:
            port = parts.port
        except ValueError:
            raise DeviceURLError(f"{url}: the port is not a number") from None
        if not parts.hostname:
            raise DeviceURLError(f"{url}: a tcp URL needs a host: tcp://10.0.0.9:9100")
        return DeviceURL(scheme, host=parts.hostname, port=port or 9100, params=params, raw=url)
    if scheme == "usb":
        ids = host.split(":")
        try:
            if len(ids) != 2:
                raise ValueError
            int(ids[0], 16), int(ids[1], 16)
        except ValueError:
            raise DeviceURLError(f"{url}: a usb URL is usb://VENDOR:PRODUCT in hex, e.g. usb://0x0416:0x5011") from None
        return DeviceURL(scheme, host=host, params=params, raw=url)
    if scheme == "sim":
        if host not in ("idreader", "sscard", "printer", "scanner", "camera"):
            raise DeviceURLError(f"{url}: unknown simulated device {host!r} (idreader, sscard, printer, scanner, camera)")
        return DeviceURL(scheme, host=host, params=params, raw=url)
    if scheme == "v4l2":
        if not parts.path.startswith("/dev/"):
            raise DeviceURLError(f"{url}: a v4l2 URL names a video device: v4l2:///dev/video0 "
                                 "(or a /dev/v4l/by-id/… link, which keeps its name when replugged)")
        return DeviceURL(scheme, path=parts.path, params=params, raw=url)
    if scheme in ("folder", "frames"):
        return DeviceURL(scheme, path=(host + parts.path) if host else parts.path, params=params, raw=url)
    # pcsc://[reader], sane://<device>: the rest of the URL is the name
    name = host + urllib.parse.unquote(parts.path)
    if scheme == "sane" and not name:
        raise DeviceURLError(f"{url}: a sane URL needs a device name, e.g. sane://test:0")
    return DeviceURL(scheme, host=name, params=params, raw=url)


# Which schemes each device kind accepts (the config checks against this).
ACCEPTS = {
    "idreader": ("serial", "sim"),
    "sscard": ("pcsc", "sim"),
    "printer": ("usb", "tcp", "serial", "sim"),
    "scanner": ("sane", "sim", "folder", "v4l2", "frames"),  # a kiosk whose only scanner is a camera
    "camera": ("v4l2", "sim", "frames"),  # a document camera beside the scanner, for some materials
}
# Which simulated devices (sim://HOST) each kind accepts.
SIM_HOSTS = {"idreader": ("idreader",), "sscard": ("sscard",), "printer": ("printer",),
             "scanner": ("scanner", "camera"), "camera": ("camera",)}
