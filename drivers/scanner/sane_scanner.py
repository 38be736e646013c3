"""A SANE scanner through python-sane: list devices, open by name, set mode / resolution / source,
scan one or several pages; SANE's errors become ScanError with our status codes."""
from __future__ import annotations

import multiprocessing
import threading
from typing import Literal

from PIL import Image

from drivers.scanner.constants import DEFAULT_DPI, MAX_PAGES, SCAN_TIMEOUT_PER_PAGE_S, SCAN_TIMEOUT_S
from drivers.scanner.status import ScanError, from_sane_message

_lock = threading.RLock()  # libsane is not thread-safe: one call at a time per process
_inited = False

Source = Literal["flatbed", "adf"]
# Backends name their sources differently; the first that the device offers wins.
_SOURCE_NAMES = {"flatbed": ("Flatbed", "FlatBed", "Normal"),
                 "adf": ("Automatic Document Feeder", "ADF", "ADF Front", "ADF Duplex")}


def _sane():
    global _inited
    import sane

    with _lock:
        if not _inited:
            sane.init()  # reads SANE_CONFIG_DIR now, once per process
            _inited = True
    return sane


def reset() -> None:
    """Forget libsane's state so the next call re-reads SANE_CONFIG_DIR (tests)."""
    global _inited
    import sane

    with _lock:
        if _inited:
            sane.exit()
            _inited = False


def list_devices(local_only: bool = False) -> list[tuple[str, str]]:
    """(name, 'vendor model type') of each scanner SANE sees (`local_only`: skip network
    backends, whose discovery can take seconds)."""
    sane = _sane()
    with _lock:
        try:
            return [(d[0], " ".join(d[1:])) for d in sane.get_devices(local_only)]
        except sane._sane.error as e:
            raise ScanError(from_sane_message(str(e)), "listing devices") from None


class SaneScanner:
    """One SANE device, opened per scan (a scanner switched off and on between residents is fine)."""

    def __init__(self, device: str, *, dpi: int = DEFAULT_DPI, source: Source = "flatbed",
                 options: dict | None = None):
        """`options`: backend-specific SANE options set before each scan, by python-sane name
        (dashes become underscores), e.g. {"read_return_value": "SANE_STATUS_JAMMED"} on `test`."""
        self.device, self.dpi, self.source = device, dpi, source
        self.options = dict(options or {})

    def check(self) -> None:
        """Raises ScanError(no_device) unless SANE lists the device."""
        remote = self.device.startswith(("net:", "airscan:", "escl:"))
        if self.device not in [name for name, _ in list_devices(local_only=not remote)]:
            raise ScanError("no_device", self.device)

    def scan(self, pages: int = 1, *, color: bool = False, dpi: int | None = None,
             source: Source | None = None, timeout: float | None = None) -> list[Image.Image]:
        """Scan `pages` pages (from the feeder, or flatbed scans one after another).
        Fewer pages than asked from the feeder ends with what there was (the caller checks).
        The scan runs in a child process (spawned, so no lock of this process's threads is
        inherited): a backend stuck in C is killed after `timeout` and reported as io_error."""
        if not 1 <= pages <= MAX_PAGES:
            raise ValueError(f"pages must be 1..{MAX_PAGES}")
        if timeout is None:
            timeout = SCAN_TIMEOUT_S + SCAN_TIMEOUT_PER_PAGE_S * (pages - 1)
        pool = multiprocessing.get_context("spawn").Pool(1)
        try:
            job = pool.apply_async(_scan_job, (self.device, self.options, pages, color, dpi or self.dpi,
                                               source or self.source))
            try:
                raw = job.get(timeout)
            except multiprocessing.TimeoutError:
                raise ScanError("io_error", f"{self.device}: no answer within {timeout:g} s") from None
        finally:
            pool.terminate()
            pool.join()
        return [Image.frombytes(mode, size, data) for mode, size, data in raw]

    def scan_here(self, pages: int, *, color: bool, dpi: int, source: Source) -> list[Image.Image]:
        """The scan itself, in this process (what the child process runs)."""
        sane = _sane()
        with _lock:
            try:
                dev = sane.open(self.device)
            except sane._sane.error as e:
                raise ScanError(from_sane_message(str(e), opening=True), self.device) from None
            try:
                self._set(dev, "mode", "Color" if color else "Gray")
                self._set(dev, "resolution", dpi)
                for name, value in self.options.items():
                    setattr(dev, name.replace("-", "_"), value)
                src = source
                names = [n for n in _SOURCE_NAMES[src] if n in self._choices(dev, "source")]
                if names:
                    self._set(dev, "source", names[0])
                elif src == "adf":
                    raise ScanError("no_documents", f"{self.device} has no document feeder")
                return self._read(dev, pages, src)
            except sane._sane.error as e:
                raise ScanError(from_sane_message(str(e)), self.device) from None
            finally:
                try:
                    dev.cancel()
                    dev.close()
                except Exception:  # the scan's own error is the one to report
                    pass

    def _read(self, dev, pages: int, src: str) -> list[Image.Image]:
        import sane

        images: list[Image.Image] = []
        if src == "adf":
            try:
                for img in dev.multi_scan():
                    images.append(img)
                    if len(images) >= pages:
                        break
            except sane._sane.error as e:
                if from_sane_message(str(e)) != "no_documents" or not images:
                    raise
            return images
        for _ in range(pages):
            images.append(dev.scan())
        return images

    @staticmethod
    def _choices(dev, option: str) -> list:
        for opt in dev.get_options():
            if opt[1] == option:
                return list(opt[8] or []) if len(opt) > 8 and isinstance(opt[8], list) else []
        return []

    @staticmethod
    def _set(dev, option: str, value) -> None:
        try:
            setattr(dev, option, value)
        except AttributeError:
            pass  # a backend without the option scans with its own default


def _scan_job(device: str, options: dict, pages: int, color: bool, dpi: int, source: Source):
    """Runs in the scan process: the pages as picklable (mode, size, bytes)."""
    images = SaneScanner(device, options=options).scan_here(pages, color=color, dpi=dpi, source=source)
    return [(im.mode, im.size, im.tobytes()) for im in images]
