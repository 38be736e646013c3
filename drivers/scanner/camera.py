"""A document camera (高拍仪, V4L2/UVC) as a scanner: frames through OpenCV's VideoCapture, the
page found, cropped and deskewed (pagefind), returned as PIL pages like SaneScanner's, so they go
through the same material → PDF path. Errors are ScanError with the scanner's closed set of codes:
a camera that is not there is no_device, a frame without a whole page is no_documents.

Frame sources share one shape — `check()`, `frame() -> BGR ndarray`, `close()`:
- `V4L2Source("/dev/video0")`: the real camera, opened for each capture (a camera unplugged and
  plugged back between residents works again; many 高拍仪 light their lamp only while open), its
  first frames dropped while exposure settles.
- `FileSource(path)`: the twin's reading side — an image sequence (a folder of frame-000.jpg …,
  CAP_IMAGES) or a video file (MJPG), read as a stream: each capture takes the next frames, and
  the recording starts again at its end."""
from __future__ import annotations

import os
import re
import threading
from typing import Callable

import cv2
from PIL import Image

from drivers.scanner import constants as K
from drivers.scanner.camera_twin import FRAME_PATTERN
from drivers.scanner.pagefind import deskew
from drivers.scanner.status import CODES, ScanError

cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # we report failures ourselves


def _video_index(device: str) -> int | None:
    """/dev/video2 (or a /dev/v4l/by-id/… link to it) → 2; OpenCV's V4L2 backend opens by index."""
    m = re.fullmatch(r"/dev/video(\d+)", os.path.realpath(device))
    return int(m.group(1)) if m else None


class V4L2Source:
    def __init__(self, device: str, *, size: tuple[int, int] = K.CAMERA_SIZE, fourcc: str = K.CAMERA_FOURCC,
                 warmup: int = K.CAMERA_WARMUP):
        self.device, self.size, self.fourcc, self.warmup = device, size, fourcc, warmup
        self._lock = threading.Lock()

    def check(self) -> None:
        if not os.path.exists(self.device):
            raise ScanError("no_device", f"{self.device}: no such camera (unplugged?)")
        if _video_index(self.device) is None:
            raise ScanError("no_device", f"{self.device}: not a video device")

    def frame(self):
        with self._lock:
            self.check()
            cap = cv2.VideoCapture(_video_index(self.device), cv2.CAP_V4L2)
            try:
                if not cap.isOpened():
                    self.check()  # gone between the check and the open: unplugged
                    raise ScanError("io_error", f"{self.device}: cannot be opened (in use by another program, "
                                                "or no permission: the kiosk user must be in group video)")
                cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self.fourcc))
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
                cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
                last = None
                for _ in range(self.warmup + 1):
                    ok, f = cap.read()
                    if ok:
                        last = f
                if last is None:
                    self.check()
                    raise ScanError("io_error", f"{self.device}: the camera opened but gave no frame")
                return last
            finally:
                cap.release()

    def close(self) -> None:
        pass


class FileSource:
    """Frames from files, as a stream: `path` is a folder holding frame-000.jpg, frame-001.jpg, …
    (read with CAP_IMAGES) or a video file (MJPG AVI, read with OpenCV's own MJPG reader or FFmpeg).
    Each capture reads `warmup` frames and keeps the next; at the end the recording starts again.
    A status set at run time (set_fault) makes captures fail as the device would, for the demo panel.
    `path` may be a function that makes the recording and returns its path: it runs at the first
    capture, not at start (the demo's recording takes seconds to write the first time)."""

    def __init__(self, path: str | Callable[[], str], *, warmup: int = 0):
        self._make = path if callable(path) else None
        self.path = "" if callable(path) else path
        self.warmup = warmup
        self._cap = None
        self._fault: str | None = None
        self._lock = threading.Lock()

    def _target(self) -> tuple[str, int]:
        if os.path.isdir(self.path):
            return os.path.join(self.path, FRAME_PATTERN), cv2.CAP_IMAGES
        if "%" in os.path.basename(self.path):
            return self.path, cv2.CAP_IMAGES
        return self.path, cv2.CAP_ANY

    def set_fault(self, code: str | None) -> None:
        """Captures fail with `code` until cleared with None ('ready' also clears)."""
        if code in (None, "ready"):
            code = None
        elif code not in CODES:
            raise ValueError(f"not a scanner status: {code!r}")
        self._fault = code

    @property
    def fault(self) -> str | None:
        return self._fault

    def check(self) -> None:
        if self._fault:
            raise ScanError(self._fault, self.path or "the camera twin")
        if self._make is not None:
            return  # the recording is made at the first capture
        target, api = self._target()
        present = os.path.exists(target % 0) if api == cv2.CAP_IMAGES else os.path.isfile(target)
        if not present:
            raise ScanError("no_device", f"{self.path}: no frames (unplugged?)")

    def frame(self):
        with self._lock:
            self.check()
            if self._make is not None:
                self.path, self._make = self._make(), None
                self.check()
            for _ in range(2):  # the rest of the recording, then once more from its start
                if self._cap is None:
                    target, api = self._target()
                    cap = cv2.VideoCapture(target, api)
                    if not cap.isOpened():
                        cap.release()
                        raise ScanError("no_device", f"{self.path}: cannot be read as frames")
                    self._cap = cap
                last = None
                for _ in range(self.warmup + 1):
                    ok, f = self._cap.read()
                    if not ok:
                        last = None
                        break
                    last = f
                if last is not None:
                    return last
                self._cap.release()
                self._cap = None
            raise ScanError("io_error", f"{self.path}: no frame")

    def close(self) -> None:
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None


class CameraScanner:
    """A scanner over a frame source: `scan(pages, color=)` → flattened pages (PIL), `check()`.
    `dpi` is the camera's resolution on the desk: the pages' PDF size follows from it."""

    def __init__(self, source, *, dpi: int = K.CAMERA_DPI):
        self.source, self.dpi = source, dpi

    def check(self) -> None:
        self.source.check()

    def scan(self, pages: int = 1, *, color: bool = False, dpi: int | None = None,
             source: str | None = None) -> list[Image.Image]:
        """`pages` captures, one page each (a camera does not turn pages: a screen that asks for
        several pages asks for them one at a time). `dpi` is ignored: the camera has its own."""
        if not 1 <= pages <= K.MAX_PAGES:
            raise ValueError(f"pages must be 1..{K.MAX_PAGES}")
        out = []
        for _ in range(pages):
            flat = deskew(self.source.frame())
            if color:
                out.append(Image.fromarray(cv2.cvtColor(flat, cv2.COLOR_BGR2RGB)))
            else:
                out.append(Image.fromarray(cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY)))
        return out

    def close(self) -> None:
        self.source.close()
