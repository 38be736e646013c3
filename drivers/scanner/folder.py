"""The image-folder scanner twin: each scan returns the next images of a folder (cycling), as a
scanner would return pages. With no folder it serves the generated demo documents. A status set
at run time (jammed, cover_open, no_documents, busy, io_error, no_device) makes scans fail the way
the device does, for the demo panel and the UI tests."""
from __future__ import annotations

import os
import threading

from PIL import Image

from drivers.scanner.constants import DEFAULT_DPI, MAX_PAGES
from drivers.scanner.status import CODES, ScanError

EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


class FolderScanner:
    def __init__(self, folder: str | None = None, *, dpi: int = DEFAULT_DPI):
        if folder is None:
            from drivers.scanner.demo_pages import default_folder, generate

            folder = default_folder()
            generate(folder)
        self.folder, self.dpi = folder, dpi
        self._next = 0
        self._fault: str | None = None
        self._lock = threading.Lock()

    def set_fault(self, code: str | None) -> None:
        """Scans fail with `code` until cleared with None ('ready' also clears)."""
        if code in (None, "ready"):
            code = None
        elif code not in CODES:
            raise ValueError(f"not a scanner status: {code!r}")
        with self._lock:
            self._fault = code

    @property
    def fault(self) -> str | None:
        return self._fault

    def files(self) -> list[str]:
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        return [os.path.join(self.folder, n) for n in names if n.lower().endswith(EXTENSIONS) and ".part" not in n]

    def check(self) -> None:
        if self._fault:
            raise ScanError(self._fault, self.folder)
        if not self.files():
            raise ScanError("no_device", f"{self.folder}: no images")

    def scan(self, pages: int = 1, *, color: bool = False, dpi: int | None = None, source: str | None = None) -> list[Image.Image]:
        if not 1 <= pages <= MAX_PAGES:
            raise ValueError(f"pages must be 1..{MAX_PAGES}")
        self.check()
        files = self.files()
        out = []
        with self._lock:
            for _ in range(pages):
                path = files[self._next % len(files)]
                self._next += 1
                with Image.open(path) as im:
                    img = im.convert("RGB" if color else "L")
                want = dpi or self.dpi
                have = (im.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI))[0] or DEFAULT_DPI
                if abs(have - want) > 1:  # the twin answers at the resolution asked for, like a scanner
                    f = want / have
                    img = img.resize((max(1, round(img.width * f)), max(1, round(img.height * f))), Image.BILINEAR)
                out.append(img)
        return out
