"""The page in a document camera's frame, found, cropped and deskewed with OpenCV: the largest
convex quadrilateral (looked for on a small copy, in a brightness mask and in an edge map), its
corners refined at full size, then one perspective warp of the full frame. Nothing here is
hand-written image math: every step is a library call.

`find_page(frame) -> corners | None` (None: no whole page in the frame), `warp_page(frame, corners,
size)`, `page_size(corners)`; `deskew(frame)` does all three or raises ScanError(no_documents)."""
from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner import constants as K
from drivers.scanner.status import ScanError

NO_PAGE = "no page in the camera's frame (none, or not wholly inside the shooting area)"


def _gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (a page turned up to ±45°)."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


def _quads(mask: np.ndarray, min_area: float, shape: tuple[int, int]) -> list[tuple[float, np.ndarray]]:
    h, w = shape
    edge_x, edge_y = w * K.DETECT_BORDER, h * K.DETECT_BORDER
    found = []
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        area = cv2.contourArea(c)
        if area < min_area:
            break
        approx = cv2.approxPolyDP(c, K.DETECT_EPSILON * cv2.arcLength(c, True), True)
        if len(approx) != 4 or not cv2.isContourConvex(approx):
            continue
        pts = approx.reshape(4, 2)
        on_edge = ((pts[:, 0] <= edge_x) | (pts[:, 0] >= w - 1 - edge_x) |
                   (pts[:, 1] <= edge_y) | (pts[:, 1] >= h - 1 - edge_y))
        if on_edge.any():  # cut by the edge of the shooting area: not a whole page
            continue
        found.append((cv2.contourArea(approx), pts.astype(np.float32)))
    return found


def find_page(frame: np.ndarray) -> np.ndarray | None:
    """The page's corners in full-size pixels (tl, tr, br, bl; float32 4x2), or None."""
    gray = _gray(frame)
    h, w = gray.shape
    scale = min(1.0, K.DETECT_WIDTH / w)
    small = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    sh, sw = small.shape
    min_area = K.DETECT_MIN_AREA * sw * sh
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    # paper is brighter than the camera's mat or the desk: Otsu splits them
    level, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, kernel)  # a speck of glare joins nothing
    # Otsu splits even a bare, evenly lit desk in two: a page is clearly brighter than the rest
    contrast = cv2.mean(small, mask=bright)[0] - cv2.mean(small, mask=cv2.bitwise_not(bright))[0]
    found = _quads(bright, min_area, (sh, sw)) if contrast >= K.DETECT_MIN_CONTRAST else []
    if found:
        _, best = max(found, key=lambda c: c[0])
        return order_corners(_refine_bright(gray, best / scale, level))
    # a pale page on a pale desk has edges even when brightness does not separate it
    found = _quads(cv2.dilate(cv2.Canny(small, 40, 120), kernel), min_area, (sh, sw))
    if not found:
        return None
    _, best = max(found, key=lambda c: c[0])
    return order_corners(_refine_corners(gray, best / scale))


def _refine_bright(gray: np.ndarray, coarse: np.ndarray, level: float) -> np.ndarray:
    """The corners again at full size: the same brightness split, only around the coarse page."""
    h, w = gray.shape
    margin = int(2 / K.DETECT_WIDTH * w) + 4
    x, y, bw, bh = cv2.boundingRect(coarse.astype(np.int32))
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(w, x + bw + margin), min(h, y + bh + margin)
    _, mask = cv2.threshold(cv2.GaussianBlur(gray[y0:y1, x0:x1], (5, 5), 0), level, 255, cv2.THRESH_BINARY)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if contours:
        c = max(contours, key=cv2.contourArea)
        approx = cv2.approxPolyDP(c, K.DETECT_EPSILON * cv2.arcLength(c, True), True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32) + np.array([x0, y0], np.float32)
    return coarse


def _refine_corners(gray: np.ndarray, coarse: np.ndarray) -> np.ndarray:
    corners = coarse.reshape(-1, 1, 2).astype(np.float32)
    win = K.CORNER_REFINE_PX // 2
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.05)
    refined = cv2.cornerSubPix(gray, corners.copy(), (win, win), (-1, -1), criteria)
    # a refinement that wandered off (a text corner nearby) keeps the coarse corner
    moved = np.linalg.norm(refined - corners, axis=2).ravel()
    corners[moved <= win] = refined[moved <= win]
    return corners.reshape(4, 2)


def page_size(corners: np.ndarray) -> tuple[int, int]:
    """(width, height) of the flattened page: its longer opposite sides, A4 made exact when close."""
    tl, tr, br, bl = np.asarray(corners, np.float32)
    width = max(cv2.norm(tr - tl), cv2.norm(br - bl))
    height = max(cv2.norm(bl - tl), cv2.norm(br - tr))
    ratio = max(width, height) / min(width, height)
    if abs(ratio / np.sqrt(2) - 1) <= K.A4_SNAP:
        if height >= width:
            width = height / np.sqrt(2)
        else:
            height = width / np.sqrt(2)
    return max(1, round(width)), max(1, round(height))


def warp_page(frame: np.ndarray, corners: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """The page cut out of `frame` and made rectangular (one perspective warp at full size)."""
    w, h = size or page_size(corners)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(np.asarray(corners, np.float32), dst)
    return cv2.warpPerspective(frame, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def deskew(frame: np.ndarray) -> np.ndarray:
    """The flattened page of a camera frame; ScanError(no_documents) when there is none."""
    corners = find_page(frame)
    if corners is None:
        raise ScanError("no_documents", NO_PAGE)
    return warp_page(frame, corners)
