"""The scanner port: one material → one PDF through a SANE scanner or the image-folder twin.
`make_scanner(url)` is the only place that picks which. Faults raise ScannerError (a KioskError)
with a resident sentence."""
from __future__ import annotations

import logging
import os
import re
import uuid

from kiosk.devices import DeviceURLError, parse_device_url
from kiosk.errors import KioskError, UsageError
from kiosk.ports import DeviceHealth, DeviceState, ScannedMaterial, ScannerCode
from kiosk.words import WORDS as ALL_WORDS, pair

log = logging.getLogger(__name__)

# code → (health, 中文 state, English state, resident sentence, resident English)
_HEALTH: dict[ScannerCode, DeviceHealth] = {
    "ready": "ok", "no_device": "absent", "jammed": "fault", "cover_open": "fault", "no_documents": "warning",
    "busy": "warning", "io_error": "fault", "page_count": "ok",
}
WORDS: dict[ScannerCode, tuple[DeviceHealth, str, str, str, str]] = {
    code: (health, *pair(f"scanner.state.{code}"),
           *(pair(f"scanner.resident.{code}") if f"scanner.resident.{code}" in ALL_WORDS else ("", "")))
    for code, health in _HEALTH.items()}


class ScannerError(KioskError):
    """A scan failed: `code` is the driver's status (jammed, cover_open, no_documents, busy,
    io_error, no_device, page_count); `resident` says what to do next."""

    def __init__(self, code: str, reason: str, *, resident: str | None = None, resident_en: str | None = None):
        _, _, _, zh, en = WORDS.get(code, WORDS["io_error"])
        super().__init__(reason, resident=resident or zh, resident_en=resident_en or en)
        self.code = code


class KioskScanner:
    """kiosk.ports.Scanner over a drivers.scanner source (SaneScanner or FolderScanner)."""

    def __init__(self, source, *, url: str, dpi: int):
        self.source, self.url, self.dpi = source, url, dpi

    @property
    def twin(self):
        """The folder twin (set_fault for a demo panel), or None for a real scanner."""
        from drivers.scanner import FolderScanner

        return self.source if isinstance(self.source, FolderScanner) else None

    def state(self) -> DeviceState:
        from drivers.scanner import ScanError

        try:
            self.source.check()
            code, detail = "ready", self.url
        except ScanError as e:
            code, detail = e.code, str(e)
        health, zh, en, _, _ = WORDS[code]
        return DeviceState("scanner", health, code, zh, en, detail)

    def scan(self, material: str, *, pages: int = 1, color: bool = False, out_dir: str) -> ScannedMaterial:
        from drivers.scanner import ScanError, build_material, needs_colour

        colour = color or needs_colour(material)
        try:
            images = self.source.scan(pages, color=colour, dpi=self.dpi)
            if len(images) != pages:
                raise ScannerError("page_count", f"scanner: {material}: {len(images)} page(s) scanned, {pages} wanted",
                                   resident=f"材料页数不对：需要{pages}页，扫描到{len(images)}页。请检查后重新扫描。",
                                   resident_en=f"{pages} page(s) are needed and {len(images)} were scanned. "
                                               "Please check and scan again.")
            name = f"{_safe(material)}-{uuid.uuid4().hex[:8]}.pdf"
            pdf = build_material(images, os.path.join(out_dir, name), dpi=self.dpi, colour=colour,
                                 expected_pages=pages, material=material)
        except ScanError as e:
            log.info("%s", e)
            raise ScannerError(e.code, str(e)) from None
        log.info("scanner: %d page(s), %d bytes", pdf.pages, pdf.size)  # never the content
        return ScannedMaterial(material, pdf.path, pdf.pages, pdf.previews, pdf.sha256, pdf.size)


def _safe(name: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name)[:40] or "material"


def make_scanner(url: str, *, dpi: int = 200, **opts) -> KioskScanner:
    """A Scanner for a device URL:
        sane://DEVICE[?source=adf&opt.NAME=VALUE]   a SANE scanner (e.g. sane://test:0 with SANE's
                                     test backend; opt.* sets a backend option before each scan)
        sim://scanner[?fault=jammed] the image-folder twin serving generated demo documents
        folder:///PATH               the twin serving the images in PATH (in name order)"""
    from drivers.scanner import FolderScanner, SaneScanner

    try:
        u = parse_device_url(url)
        dpi = u.int_param("dpi", dpi)
    except DeviceURLError as e:
        raise UsageError(str(e)) from None
    if not 50 <= dpi <= 1200:
        raise UsageError(f"{url}: dpi must be 50..1200, not {dpi}")
    if u.scheme == "sane":
        source = u.param("source", "flatbed")
        if source not in ("flatbed", "adf"):
            raise UsageError(f"{url}: source must be flatbed or adf, not {source}")
        options = dict(opts.get("sane_options") or {})
        options.update({k[4:]: v for k, v in u.params if k.startswith("opt.")})  # sane://test:0?opt.depth=8
        return KioskScanner(SaneScanner(u.host, dpi=dpi, source=source, options=options), url=url, dpi=dpi)
    if u.scheme == "sim" and u.host == "scanner":
        twin = FolderScanner(opts.get("folder"), dpi=dpi)
    elif u.scheme == "folder":
        if not os.path.isdir(u.path):
            raise UsageError(f"{url}: no such folder")
        twin = FolderScanner(u.path, dpi=dpi)
    else:
        raise UsageError(f"{url}: a scanner URL is sane://DEVICE, sim://scanner or folder:///PATH")
    fault = opts.get("fault") or u.param("fault")
    if fault:
        try:
            twin.set_fault(fault)
        except ValueError as e:
            raise UsageError(f"{url}: {e}") from None
    return KioskScanner(twin, url=url, dpi=dpi)
