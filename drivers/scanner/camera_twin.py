"""The document camera's twin: the frames a 高拍仪 delivers when a page lies under it, written as
files that OpenCV's VideoCapture reads back (an image sequence, CAP_IMAGES, or an MJPG video) —
there is no /dev/video here and no v4l2loopback. A page is laid on a textured desk mat, turned a
few degrees, seen with a little perspective (the camera arm is not quite overhead), lit unevenly,
slightly soft and grainy, beside a small pale note that is not the page. Everything is seeded:
the same arguments give the same pixels, so tests can rely on the true corners `place` returns.

The demo recording (`demo_recording`) shows the three demo pages (户口簿, 结婚证, 劳动合同) in
turn; each page's first frames are darker (the camera's exposure settling), so a driver that takes
the first frame instead of the settled one gets a visibly worse page."""
from __future__ import annotations

import functools
import os

import cv2
import numpy as np
from PIL import Image

from drivers.cachedir import user_cache_dir

FRAME = (2592, 1944)         # width, height: a 5-megapixel 高拍仪
TWIN_DPI = 140               # the twin's desk resolution (pixels per inch on the mat)
PAGE_DPI = 200               # the demo pages are drawn at this resolution
FRAME_PATTERN = "frame-%03d.jpg"
DEMO_ANGLES = (-7.0, 5.0, 11.0)  # how the resident laid each demo page down (degrees)
DEMO_WARMUP = 2              # settling frames before each page's steady frame (the sim:// driver drops them)
JPEG_QUALITY = 90            # as a UVC camera's MJPG stream


@functools.lru_cache(maxsize=4)
def desk(size: tuple[int, int] = FRAME, seed: int = 0) -> np.ndarray:
    """A dark desk mat (BGR): blotchy low-frequency shading and a small pale note (read-only)."""
    w, h = size
    rng = np.random.default_rng(seed)
    blotch = cv2.resize(rng.random((9, 12)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    base = 58 + 22 * blotch
    mat = np.dstack([base * 0.95, base, base * 1.04])
    note = np.zeros((h, w), np.float32)  # a sticky note, far smaller than a page
    nx, ny = int(w * 0.04), int(h * 0.72)
    cv2.fillConvexPoly(note, np.array([[nx, ny], [nx + w // 14, ny - 8], [nx + w // 14 + 10, ny + h // 9],
                                       [nx + 6, ny + h // 9 + 6]], np.int32), 1.0)
    mat = mat * (1 - note[..., None]) + np.array([150, 225, 235], np.float32) * note[..., None]
    out = np.clip(mat, 0, 255).astype(np.uint8)
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=4)
def _lamp(size: tuple[int, int]) -> np.ndarray:
    """The lamp's falloff: 1 at the centre, 0.82 in the corners (3 channels, read-only)."""
    w, h = size
    light = cv2.getGaussianKernel(h, h * 0.9) @ cv2.getGaussianKernel(w, w * 0.9).T
    light = cv2.merge([(0.82 + 0.18 * light / light.max()).astype(np.float32)] * 3)
    light.flags.writeable = False
    return light


def true_corners(page_px: tuple[int, int], *, size: tuple[int, int] = FRAME, scale: float, angle: float,
                 shift: tuple[float, float] = (0, 0), tilt: float = 0.04) -> np.ndarray:
    """Where the page's corners land in the frame (tl, tr, br, bl): scaled to the desk, turned by
    `angle` degrees about the frame's centre (+ `shift`), and the far (top) side narrowed by `tilt`."""
    w, h = size
    pw, ph = page_px[0] * scale, page_px[1] * scale
    cx, cy = w / 2 + shift[0], h / 2 + shift[1]
    rect = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]], np.float32)
    rot = cv2.getRotationMatrix2D((0, 0), -angle, 1.0)[:, :2]
    pts = rect @ rot.T
    far = (pts[:, 1] - pts[:, 1].min()) / max(1e-6, np.ptp(pts[:, 1]))  # 0 at the far edge, 1 near
    pts[:, 0] *= 1 - tilt * (1 - far)
    return (pts + np.array([cx, cy], np.float32)).astype(np.float32)


def place(page: Image.Image | np.ndarray | None, *, size: tuple[int, int] = FRAME, dpi: float = TWIN_DPI,
          page_dpi: float = PAGE_DPI, angle: float = 0.0, shift: tuple[float, float] = (0, 0),
          tilt: float = 0.04, exposure: float = 1.0, seed: int = 0,
          background: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """One camera frame (BGR uint8) of `page` lying on the desk (or on `background`, a BGR image
    of the frame's size: a pale table, say), and the page's true corners (None for `page=None`)."""
    base = desk(size, seed) if background is None else background
    frame = base.astype(np.float32)
    corners = None
    if page is not None:
        src = np.asarray(page.convert("RGB"))[..., ::-1] if isinstance(page, Image.Image) else page
        ph, pw = src.shape[:2]
        corners = true_corners((pw, ph), size=size, scale=dpi / page_dpi, angle=angle, shift=shift, tilt=tilt)
        m = cv2.getPerspectiveTransform(np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32), corners)
        warped = cv2.warpPerspective(np.ascontiguousarray(src), m, size, flags=cv2.INTER_LINEAR)
        cover = cv2.warpPerspective(np.ones((ph, pw), np.float32), m, size, flags=cv2.INTER_LINEAR)
        frame = cv2.blendLinear(warped.astype(np.float32), frame, cover, 1 - cover)
    frame = cv2.multiply(frame, _lamp(size), scale=exposure)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.7)  # the lens is not a scanner's
    frame += np.random.default_rng(seed + 1).standard_normal(frame.shape[:2], np.float32)[..., None] * 3.0
    return np.clip(frame, 0, 255).astype(np.uint8), corners


def write_frames(folder: str, frames, start: int = 0) -> str:
    """Frames as an image sequence (frame-000.jpg, …) that VideoCapture(CAP_IMAGES) reads; the pattern."""
    os.makedirs(folder, exist_ok=True)
    pattern = os.path.join(folder, FRAME_PATTERN)
    for i, f in enumerate(frames, start):
        path = pattern % i
        tmp = path + ".part.jpg"
        cv2.imwrite(tmp, f, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        os.replace(tmp, path)
    return pattern


def write_video(path: str, frames, fps: float = 5.0) -> str:
    """Frames as an MJPG video (what a UVC camera streams), written by OpenCV's VideoWriter."""
    frames = list(frames)
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    if not out.isOpened():
        raise OSError(f"{path}: OpenCV cannot write an MJPG video here")
    try:
        for f in frames:
            out.write(f)
    finally:
        out.release()
    return path


def demo_frames(warmup: int = DEMO_WARMUP, size: tuple[int, int] = FRAME):
    """The demo recording's frames in order: per demo page, `warmup` settling frames then the steady one."""
    from drivers.scanner.demo_pages import NAMES, draw_page

    for i in range(len(NAMES)):
        steady, _ = place(draw_page(i), size=size, angle=DEMO_ANGLES[i], shift=(40 * (i - 1), -20 + 15 * i),
                          seed=100 + i)
        for k in range(warmup + 1):
            settle = (warmup - k) / max(1, warmup)  # 1 → 0 while exposure settles
            yield steady if settle == 0 else cv2.convertScaleAbs(steady, alpha=1.0 - 0.45 * settle)


def demo_recording(folder: str | None = None) -> str:
    """The demo recording as an image sequence in `folder` (default: the user's cache), written once;
    the folder. A half-written recording never looks complete (the last frame is written last)."""
    from drivers.scanner.demo_pages import NAMES

    folder = folder or user_cache_dir("camera-frames-v2")
    count = len(NAMES) * (DEMO_WARMUP + 1)
    if not os.path.exists(os.path.join(folder, FRAME_PATTERN % (count - 1))):
        write_frames(folder, demo_frames())
    return folder
