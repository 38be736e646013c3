"""The receipt printer port: maps kiosk ReceiptData onto the ESC/POS driver and its statuses onto
DeviceState. `make_printer(url)` is the only place that picks a real printer or the twin."""
from __future__ import annotations

import datetime as _dt
import logging

from kiosk.devices import DeviceURLError, parse_device_url
from kiosk.errors import UsageError
from kiosk.ports import DeviceHealth, DeviceState, Printed, PrinterCode, PrintResult, ReceiptData, Refused
from kiosk.words import pair

log = logging.getLogger(__name__)

# status code → (health, 中文, English). The closed set of the driver (drivers.printer.status.CODES).
_HEALTH: dict[PrinterCode, DeviceHealth] = {
    "ready": "ok", "paper_near_end": "warning", "paper_out": "fault", "cover_open": "fault", "offline": "offline",
    "error": "fault", "no_answer": "offline",
}
STATUS_WORDS: dict[PrinterCode, tuple[DeviceHealth, str, str]] = {
    code: (health, *pair(f"printer.state.{code}")) for code, health in _HEALTH.items()}
ERROR_KIND_WORDS = {kind: pair(f"printer.error_kind.{kind}")
                    for kind in ("recoverable", "autocutter", "unrecoverable", "auto_recoverable", "unknown")}


def device_state(status, detail: str = "") -> DeviceState:
    """A driver PrinterStatus as the technician sees it."""
    health, zh, en = STATUS_WORDS[status.code]
    if status.code == "error":
        kzh, ken = ERROR_KIND_WORDS.get(status.kind, ERROR_KIND_WORDS["unknown"])
        zh, en = f"{zh}（{kzh}）", f"{en} ({ken})"
    return DeviceState("printer", health, status.code, zh, en, detail)


def to_receipt(data: ReceiptData):
    """kiosk ReceiptData → the driver's Receipt (already masked: masked name and ID only)."""
    from drivers.printer import Receipt

    return Receipt(kiosk_id=data.kiosk_id, location=data.location, jurisdiction=data.jurisdiction_name,
                   matter=data.matter_name, tracking_number=data.tracking_number, qr_payload=data.qr_payload,
                   masked_id=data.masked_id, masked_name=data.masked_name, time=data.time,
                   materials=tuple(data.materials), forwarded=data.forwarded,
                   next_steps=tuple(data.next_steps), hotline=data.hotline,
                   **({"title": data.title} if data.title else {}))


class KioskReceiptPrinter:
    """kiosk.ports.ReceiptPrinter over drivers.printer.EscposPrinter. `twin` is the simulated
    printer when the URL was sim://printer (a demo panel sets its status; `twin.last_png` is the
    rendered last job), else None."""

    def __init__(self, driver, *, url: str, twin=None, now=None):
        self.driver, self.url, self.twin = driver, url, twin
        self._now = now or (lambda: _dt.datetime.now().astimezone())

    def state(self) -> DeviceState:
        return device_state(self.driver.status(), self.driver.transport.name)

    def print_receipt(self, receipt: ReceiptData) -> PrintResult:
        return self._outcome(self.driver.print_receipt(to_receipt(receipt)), "receipt")

    def print_test(self) -> PrintResult:
        return self._outcome(self.driver.print_test(self._now()), "test page")

    def _outcome(self, result, what: str) -> PrintResult:
        detail = result.detail or self.driver.transport.name
        if result.ok:
            log.info("printer: %s printed (%s)", what, result.status)
            if result.status.code == "paper_near_end":
                log.info("printer: paper near end: %s", self.driver.transport.name)
        else:
            log.info("printer: %s %s: %s", what, result.outcome, detail)
        return (Printed if result.ok else Refused)(device_state(result.status, detail))

    def close(self) -> None:
        if self.twin is not None:
            self.twin.stop()
            self.twin = None


def make_printer(url: str, *, paper: int = 80, out_dir: str | None = None, **opts) -> KioskReceiptPrinter:
    """A ReceiptPrinter for a device URL:
        tcp://HOST[:9100]             a network printer
        serial:///dev/ttyS1?baud=…    a serial printer
        usb://VENDOR:PRODUCT          a USB printer (python-escpos + pyusb)
        sim://printer[?status=paper_out&serial=1]   starts the twin (TCP, or a pty with serial=1)
    URL parameters `paper=58|80`, `chinese=0` (no Chinese font: text as images), `qr=image`
    override the profile; opts: status= (twin start state), timings=, monotonic=."""
    from drivers.printer import EscposPrinter, SerialTransport, TcpTransport, UsbTransport, profile_for
    from drivers.printer.constants import TIMINGS

    try:
        u = parse_device_url(url)
        paper = u.int_param("paper", paper)
    except DeviceURLError as e:
        raise UsageError(str(e)) from None
    if paper not in (58, 80):
        raise UsageError(f"{url}: paper must be 58 or 80 (mm), not {paper}")
    profile = profile_for(paper, has_chinese_font=u.param("chinese", "1") not in ("0", "no", "false"),
                          native_qr=u.param("qr", "native") != "image")
    kw = dict(timings=opts.get("timings", TIMINGS))
    if opts.get("monotonic") is not None:
        kw["monotonic"] = opts["monotonic"]
    twin = None
    if u.scheme == "sim":
        if u.host != "printer":
            raise UsageError(f"{url}: not a printer (sim://printer)")
        from drivers.printer.twin import SerialPrinterTwin, TcpPrinterTwin

        status = opts.get("status") or u.param("status", "ready")
        try:
            if u.param("serial", "0") not in ("0", "no", "false"):
                twin = SerialPrinterTwin(paper=paper, out_dir=out_dir, status=status)
                transport = SerialTransport(twin.path, **kw)
            else:
                twin = TcpPrinterTwin(paper=paper, out_dir=out_dir, status=status)
                transport = TcpTransport(twin.host, twin.port, **kw)
        except ValueError as e:
            raise UsageError(f"{url}: {e}") from None
    elif u.scheme == "tcp":
        transport = TcpTransport(u.host, u.port or 9100, **kw)
    elif u.scheme == "serial":
        transport = SerialTransport(u.path, u.int_param("baud", 115200),
                                    rtscts=u.param("rtscts", "0") not in ("0", "no", "false"), **kw)
    elif u.scheme == "usb":
        vendor, product = (int(x, 16) for x in u.host.split(":"))
        transport = UsbTransport(vendor, product, **kw)
    else:
        raise UsageError(f"{url}: a printer URL is tcp://, serial://, usb:// or sim://printer")
    return KioskReceiptPrinter(EscposPrinter(transport, profile, **kw), url=url, twin=twin)
