"""`kiosk-admin devices`: what is plugged into this kiosk — serial ports (asking likely ones
whether a GA 467 SAM answers), PC/SC readers, USB printers by id, SANE scanners, V4L2 document cameras — with the
device URL a site config would use for each."""
from __future__ import annotations

import contextlib
import dataclasses
import os
from pathlib import Path

from kiosk.field import limits, usb_ids

IDREADER_LINK = "/dev/kiosk-idreader"
PRINTER_LINK = "/dev/kiosk-printer"


@dataclasses.dataclass(frozen=True)
class Found:
    kind: str  # idreader | serial | sscard | printer | scanner | camera
    url: str  # what to put in [devices]; "" when it cannot be used as is
    description: str
    detail: str = ""
    usable: bool = True  # False: seen, but not (yet) usable as that device

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Probe:
    found: tuple[Found, ...]
    problems: tuple[str, ...]  # "sscard: pcscd is not running (systemctl start pcscd.socket)"

    def as_dict(self) -> dict:
        return {"found": [f.as_dict() for f in self.found], "problems": list(self.problems)}


def probe_all(*, sysfs: str = "/sys", probe_ports: tuple[str, ...] = (), probe_every_port: bool = False) -> Probe:
    found: list[Found] = []
    problems: list[str] = []
    for fn in (lambda: serial_ports(probe_ports, probe_every_port), pcsc_readers,
               lambda: usb_printers(sysfs), sane_scanners, lambda: cameras(sysfs)):
        f, p = fn()
        found += f
        problems += p
    return Probe(tuple(found), tuple(problems))


# ---- serial ports and the SAM ----------------------------------------------------------------
def serial_ports(extra: tuple[str, ...] = (), every: bool = False) -> tuple[list[Found], list[str]]:
    """Serial ports; a port is asked for its SAM status only when it is the udev ID-reader link,
    sits behind a known bridge, is named in `extra`, or `every` is set — a SAM command sent to a
    receipt printer's port would be printed as garbage."""
    try:
        from serial.tools import list_ports
    except ImportError:
        return [], ["serial: pyserial is not installed"]
    found, problems = [], []
    link_target = os.path.realpath(IDREADER_LINK) if os.path.islink(IDREADER_LINK) else None
    ports = {p.device: p for p in list_ports.comports()}
    for path in extra:
        ports.setdefault(os.path.realpath(path) if os.path.islink(path) else path, None)
    for dev in sorted(ports):
        info = ports[dev]
        vidpid = (info.vid, info.pid) if info is not None and info.vid is not None else None
        desc = (info.description if info is not None and info.description not in (None, "n/a") else "serial port")
        if vidpid:
            desc += f" [{vidpid[0]:04x}:{vidpid[1]:04x}]"
        named = [p for p in extra if p == dev or os.path.realpath(p) == dev]
        path = IDREADER_LINK if dev == link_target else (named[0] if named else dev)
        likely = dev == link_target or vidpid in usb_ids.IDREADER_BRIDGES or bool(named) or every
        if not likely:
            found.append(Found("serial", "", desc, f"{dev}: not asked (use --probe {dev} if the ID reader may be here)", False))
            continue
        answer = probe_sam(path)
        if answer.ok:
            found.append(Found("idreader", f"serial://{path}?baud={answer.baud}", f"GA 467 SAM reader on {desc}",
                               answer.detail))
        else:
            found.append(Found("serial", "", desc, f"{path}: no SAM: {answer.detail}", False))
    return found, problems


@dataclasses.dataclass(frozen=True)
class SamAnswer:
    ok: bool
    baud: int = 0
    detail: str = ""


def probe_sam(port: str, *, bauds: tuple[int, ...] = limits.SAM_PROBE_BAUDS,
              timeout: float = limits.SAM_PROBE_TIMEOUT) -> SamAnswer:
    """Send the GA 467 "SAM status" command (11 FF) and decode the answer with the driver's codec."""
    import serial

    from drivers.idcard import status
    from drivers.idcard.frame import NEED_DATA, FrameDecoder, ProtocolError, encode_command, parse_response

    last = "no answer"
    for baud in bauds:
        try:
            ser = serial.Serial(port, baud, timeout=0.05, write_timeout=1.0, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as e:
            return SamAnswer(False, detail=_why(e))
        try:
            ser.reset_input_buffer()
            ser.write(encode_command(*status.SAM_STATUS))
            dec = FrameDecoder()
            import time
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                data = ser.read(1)
                if data:
                    data += ser.read(ser.in_waiting or 0)
                    dec.receive_data(data)
                    ev = dec.next_event()
                    if ev is not NEED_DATA:
                        resp = parse_response(ev)
                        if resp.sw3 == status.OK:
                            return SamAnswer(True, baud, f"SAM status ok (SW3 90) at {baud} baud")
                        return SamAnswer(False, baud, f"SAM answered SW3 {resp.sw3:02X}: {status.describe(resp.sw3)}")
            last = f"no answer to SAM status within {timeout:g} s at {', '.join(map(str, bauds))} baud"
        except ProtocolError as e:
            last = f"not a GA 467 answer ({e})"
        except (serial.SerialException, OSError) as e:
            return SamAnswer(False, detail=_why(e))
        finally:
            ser.close()
    return SamAnswer(False, detail=last)


def _why(e: BaseException) -> str:
    err = getattr(e, "errno", None)
    if err == 13 or "Permission denied" in str(e):
        return "permission denied (is the udev rule installed? the kiosk user needs group kiosk)"
    if err == 2 or "No such file" in str(e):
        return "no such port (unplugged?)"
    if "busy" in str(e).lower() or "lock" in str(e).lower():
        return "port busy (the kiosk app has it open: stop kiosk.service first)"
    return str(e) or type(e).__name__


# ---- PC/SC ---------------------------------------------------------------------------------
def pcsc_readers() -> tuple[list[Found], list[str]]:
    try:
        from drivers.sscard.pcscd import list_readers
    except ImportError:
        return [], ["sscard: PC/SC support is not available in this build"]
    readers = list_readers()
    if readers is None:
        return [], ["sscard: pcscd is not running (systemctl start pcscd.socket), so no card reader can be seen"]
    out = [Found("sscard", f"pcsc://{r}" if i else "pcsc://", f"PC/SC reader {r}",
                 "the first reader: pcsc:// picks it" if i == 0 else "") for i, r in enumerate(readers)]
    return out, ([] if readers else ["sscard: pcscd runs but lists no reader (plugged in? `pcsc_scan` shows more)"])


# ---- USB printers ------------------------------------------------------------------------------
def usb_printers(sysfs: str = "/sys") -> tuple[list[Found], list[str]]:
    """Known models by id, and any other device with a USB printer-class interface."""
    base = Path(sysfs) / "bus/usb/devices"
    if not base.is_dir():
        return [], [f"printer: {base} not found: USB printers cannot be listed here"]
    out = []
    for dev in sorted(base.iterdir()):
        try:
            vid = int((dev / "idVendor").read_text().strip(), 16)
            pid = int((dev / "idProduct").read_text().strip(), 16)
        except (OSError, ValueError):
            continue  # an interface, not a device
        known = usb_ids.PRINTERS.get((vid, pid))
        is_printer_class = any(_read_hex(i / "bInterfaceClass") == usb_ids.USB_CLASS_PRINTER
                               for i in dev.glob(f"{dev.name}:*"))
        if not known and not is_printer_class:
            continue
        name = " ".join(x for x in (_read(dev / "manufacturer"), _read(dev / "product")) if x) or known or "USB printer"
        detail = f"bus {dev.name}"
        if not known:
            detail += "; not in deploy/udev/99-kiosk.rules: add it for group access (see deploy/README.md)"
        out.append(Found("printer", usb_ids.usb_url(vid, pid), f"{name} [{vid:04x}:{pid:04x}]", detail, bool(known)))
    return out, []


def _read(p: Path) -> str:
    try:
        return p.read_text(errors="replace").strip()
    except OSError:
        return ""


def _read_hex(p: Path) -> int | None:
    try:
        return int(_read(p), 16)
    except ValueError:
        return None


# ---- SANE ----------------------------------------------------------------------------------------
def sane_scanners() -> tuple[list[Found], list[str]]:
    try:
        from drivers.scanner.sane_scanner import list_devices
    except ImportError:
        return [], ["scanner: SANE support is not available in this build"]
    try:
        devices = list_devices()
    except Exception as e:  # the driver's ScanError names the SANE failure
        return [], [f"scanner: SANE failed to list devices: {e}"]
    out = [Found("scanner", f"sane://{name}", desc or name, "SANE test backend: a simulated scanner" if name.startswith("test:") else "")
           for name, desc in devices]
    return out, ([] if out else ["scanner: SANE lists no scanner (plugged in and powered? `scanimage -L` shows the same)"])


# ---- document cameras (V4L2) ---------------------------------------------------------------------
def cameras(sysfs: str = "/sys", dev: str = "/dev") -> tuple[list[Found], list[str]]:
    """Video capture nodes (a UVC camera makes two: index 0 captures, the other carries metadata),
    named by their /dev/v4l/by-id link where there is one: it keeps its name when replugged."""
    base = Path(sysfs) / "class/video4linux"
    if not base.is_dir():
        return [], []  # no V4L2 here at all: a kiosk without a document camera is the usual case
    by_id = {}
    links = Path(dev) / "v4l/by-id"
    if links.is_dir():
        for link in sorted(links.iterdir()):
            with contextlib.suppress(OSError):
                by_id[os.path.basename(os.path.realpath(link))] = str(link)
    out = []
    for node in sorted(base.iterdir()):
        if _read(node / "index") not in ("", "0"):
            continue  # the camera's metadata node, not its pictures
        path = by_id.get(node.name, str(Path(dev) / node.name))
        out.append(Found("camera", f"v4l2://{path}", _read(node / "name") or node.name,
                         "a document camera: [devices] camera = this URL, camera_materials = [...]"))
    return out, []
