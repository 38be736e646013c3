"""The scanner port: one material → one PDF through a SANE scanner, a document camera (高拍仪,
V4L2) or their twins (an image folder; recorded camera frames). `make_scanner(url)` is the only
place that picks which; `make_scanners(...)` adds a camera beside the scanner for the materials
the site lists (`ScannerPair`). Faults raise ScannerError (a KioskError) with a resident sentence."""
from __future__ import annotations

import dataclasses
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
# The document camera's own words where they differ (it has no feeder or cover).
CAMERA_WORDS: dict[ScannerCode, tuple[DeviceHealth, str, str, str, str]] = {
    **WORDS, **{code: (_HEALTH[code], *pair(f"camera.state.{code}"), *pair(f"camera.resident.{code}"))
                for code in ("no_device", "no_documents", "busy", "io_error")}}
_HEALTH_RANK = {"ok": 0, "warning": 1, "fault": 2, "absent": 3}


class ScannerError(KioskError):
    """A scan failed: `code` is the driver's status (jammed, cover_open, no_documents, busy,
    io_error, no_device, page_count); `resident` says what to do next."""

    def __init__(self, code: str, reason: str, *, resident: str | None = None, resident_en: str | None = None,
                 words: dict = WORDS):
        _, _, _, zh, en = words.get(code, words["io_error"])
        super().__init__(reason, resident=resident or zh, resident_en=resident_en or en)
        self.code = code


class KioskScanner:
    """kiosk.ports.Scanner over a drivers.scanner source (SaneScanner, FolderScanner, or
    CameraScanner: then `kind` is "camera" and its sentences are the camera's)."""

    def __init__(self, source, *, url: str, dpi: int, kind: str = "scanner"):
        self.source, self.url, self.dpi, self.kind = source, url, dpi, kind
        self.words = CAMERA_WORDS if kind == "camera" else WORDS

    @property
    def twin(self):
        """The twin (set_fault for a demo panel): the image folder, or the camera's recorded
        frames; None for a real device."""
        from drivers.scanner import FolderScanner
        from drivers.scanner.camera import CameraScanner, FileSource

        if isinstance(self.source, FolderScanner):
            return self.source
        if isinstance(self.source, CameraScanner) and isinstance(self.source.source, FileSource):
            return self.source.source
        return None

    def device_for(self, material: str) -> str:
        """Which device takes `material`: "scanner" or "camera" (for the scan screen's wording)."""
        return self.kind

    def _reason(self, e) -> str:
        """The technician's reason for a driver's ScanError, naming this kind of device."""
        return str(e) if self.kind == "scanner" else f"{self.kind}: {e.code}" + (f": {e.detail}" if e.detail else "")

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close is not None:
            close()

    def state(self) -> DeviceState:
        from drivers.scanner import ScanError

        try:
            self.source.check()
            code, detail = "ready", self.url
        except ScanError as e:
            code, detail = e.code, self._reason(e)
        health, zh, en, _, _ = self.words[code]
        return DeviceState(self.kind, health, code, zh, en, detail)

    def scan(self, material: str, *, pages: int = 1, color: bool = False, out_dir: str) -> ScannedMaterial:
        from drivers.scanner import ScanError, build_material

        colour = color  # the catalog's `color` flag: `material` is a code, not a name to guess from
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
            log.info("%s", self._reason(e))
            raise ScannerError(e.code, self._reason(e), words=self.words) from None
        log.info("%s: %d page(s), %d bytes", self.kind, pdf.pages, pdf.size)  # never the content
        return ScannedMaterial(material, pdf.path, pdf.pages, pdf.previews, pdf.sha256, pdf.size)


def _safe(name: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name)[:40] or "material"


class ScannerPair:
    """kiosk.ports.Scanner over a scanner and a document camera: the materials the site lists
    (`camera_materials`: material codes, or "*" for all) go to the camera, the rest to the
    scanner. Either may be None (not configured, or could not start): its materials fail as
    that device unavailable, and the other still works."""

    def __init__(self, scanner: KioskScanner | None, camera: KioskScanner | None, camera_materials):
        self.scanner, self.camera = scanner, camera
        self.camera_materials = frozenset(camera_materials)

    def device_for(self, material: str) -> str:
        return "camera" if "*" in self.camera_materials or material in self.camera_materials else "scanner"

    @property
    def twin(self):
        return self.scanner.twin if self.scanner is not None else None

    @property
    def camera_twin(self):
        """The camera's twin (its recorded frames: set_fault), or None for a real camera."""
        return self.camera.twin if self.camera is not None else None

    def scan(self, material: str, *, pages: int = 1, color: bool = False, out_dir: str) -> ScannedMaterial:
        kind = self.device_for(material)
        dev = self.camera if kind == "camera" else self.scanner
        if dev is None:
            raise ScannerError("no_device", f"{kind}: not configured or could not start",
                               words=CAMERA_WORDS if kind == "camera" else WORDS)
        return dev.scan(material, pages=pages, color=color, out_dir=out_dir)

    def states(self) -> list[DeviceState]:
        """Each device's own state (the technician's list)."""
        out = []
        for kind, dev in (("scanner", self.scanner), ("camera", self.camera)):
            if dev is not None:
                out.append(dev.state())
            elif kind == "camera" or "*" not in self.camera_materials:  # a scanner nothing needs is no fault
                health, zh, en, _, _ = (CAMERA_WORDS if kind == "camera" else WORDS)["no_device"]
                out.append(DeviceState(kind, health, "no_device", zh, en, f"{kind}: not configured or could not start"))
        return out

    def state(self) -> DeviceState:
        """The worse of the two (the port has one scanner), naming both in its detail."""
        states = self.states()
        worst = max(states, key=lambda s: _HEALTH_RANK.get(s.health, 2))
        detail = "; ".join(f"{s.device}: {s.detail or s.code}" for s in states)
        return dataclasses.replace(worst, device="scanner", detail=detail)

    def close(self) -> None:
        for dev in (self.scanner, self.camera):
            if dev is not None:
                dev.close()


def make_scanners(scanner: str | None, camera: str | None = None, camera_materials=(), **opts):
    """The Scanner for a site's [devices]: `scanner` alone, or a ScannerPair when a `camera` is
    configured (for the materials in `camera_materials`; all of them when empty). A device that
    cannot be made is left out and logged; its materials then fail as unavailable."""
    if not camera:
        return make_scanner(scanner, **opts)
    made = {}
    for kind, url in (("scanner", scanner), ("camera", camera)):
        if url:
            try:
                made[kind] = make_scanner(url, **opts)
            except Exception as e:  # one device never stops the other
                log.warning("%s: unavailable: %s", kind, e)
    if not made:
        raise UsageError(f"neither the scanner nor the camera could start ({scanner}, {camera})")
    return ScannerPair(made.get("scanner"), made.get("camera"), camera_materials or ("*",))


def make_scanner(url: str, *, dpi: int | None = None, **opts) -> KioskScanner:
    """A Scanner for a device URL:
        sane://DEVICE[?source=adf&opt.NAME=VALUE]   a SANE scanner (e.g. sane://test:0 with SANE's
                                     test backend; opt.* sets a backend option before each scan)
        sim://scanner[?fault=jammed] the image-folder twin serving generated demo documents
        folder:///PATH               the twin serving the images in PATH (in name order)
        v4l2:///dev/video0[?width=2592&height=1944&fourcc=MJPG&warmup=4&dpi=150]
                                     a document camera (高拍仪); dpi: its pixels per inch on the desk,
                                     a property of its mount (so the `dpi` argument does not change it)
        sim://camera[?fault=no_device] the camera's twin: recorded frames of the demo pages on a desk
        frames:///PATH[?warmup=0&dpi=150] recorded frames: a folder of frame-000.jpg … or an MJPG video"""
    from drivers.scanner import FolderScanner, SaneScanner

    try:
        u = parse_device_url(url)
    except DeviceURLError as e:
        raise UsageError(str(e)) from None
    if u.scheme in ("v4l2", "frames") or (u.scheme == "sim" and u.host == "camera"):
        return _make_camera(u, **opts)
    try:
        dpi = u.int_param("dpi", dpi or 200)
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
        raise UsageError(f"{url}: a scanner URL is sane://DEVICE, sim://scanner, folder:///PATH, "
                         "v4l2:///dev/videoN, sim://camera or frames:///PATH")
    _set_fault(twin, url, opts.get("fault") or u.param("fault"))
    return KioskScanner(twin, url=url, dpi=dpi)


def _set_fault(twin, url: str, fault: str | None) -> None:
    if fault:
        try:
            twin.set_fault(fault)
        except ValueError as e:
            raise UsageError(f"{url}: {e}") from None


def _make_camera(u, **opts) -> KioskScanner:
    """A document camera, or its twin, as a Scanner (`opts`: frames= a recording for sim://camera
    instead of the demo's; fault= a status set at start)."""
    from drivers.scanner import constants as K
    from drivers.scanner.camera import CameraScanner, FileSource, V4L2Source
    from drivers.scanner.camera_twin import DEMO_WARMUP, TWIN_DPI, demo_recording

    url = u.raw
    try:
        dpi = u.int_param("dpi", TWIN_DPI if u.scheme == "sim" else K.CAMERA_DPI)
        warmup = u.int_param("warmup", K.CAMERA_WARMUP if u.scheme == "v4l2" else 0)
        size = (u.int_param("width", K.CAMERA_SIZE[0]), u.int_param("height", K.CAMERA_SIZE[1]))
    except DeviceURLError as e:
        raise UsageError(str(e)) from None
    if not 50 <= dpi <= 1200:
        raise UsageError(f"{url}: dpi (the camera's pixels per inch on the desk) must be 50..1200, not {dpi}")
    if not 0 <= warmup <= 100:
        raise UsageError(f"{url}: warmup must be 0..100 frames, not {warmup}")
    if not (320 <= size[0] <= 10000 and 240 <= size[1] <= 10000):
        raise UsageError(f"{url}: width and height must be a camera's frame size, not {size[0]}x{size[1]}")
    if u.scheme == "v4l2":
        fourcc = u.param("fourcc", K.CAMERA_FOURCC)
        if len(fourcc) != 4:
            raise UsageError(f"{url}: fourcc is four letters (MJPG, YUYV), not {fourcc!r}")
        source = V4L2Source(u.path, size=size, fourcc=fourcc, warmup=warmup)
    else:
        if u.scheme == "sim":
            path, warmup = opts.get("frames") or demo_recording, DEMO_WARMUP  # made at the first capture
        elif os.path.exists(u.path):
            path = u.path
        else:
            raise UsageError(f"{url}: no such folder or video file")
        source = FileSource(path, warmup=warmup)
        _set_fault(source, url, opts.get("fault") or u.param("fault"))
    return KioskScanner(CameraScanner(source, dpi=dpi), url=url, dpi=dpi, kind="camera")
