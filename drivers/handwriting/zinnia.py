"""Zinnia over ctypes: a recognizer opened once on a model file, classifying one character's
strokes (each a list of (x, y) points in pad coordinates, y down) into ranked candidates.

The model covers the 6,763 GB2312 characters (no digits, no Latin letters, some name characters
missing): the pad offers pinyin beside it. Stroke order matters; scale matters (a character drawn
large ranks 囗 before 口), so `normalise` maps the pad onto a fixed square first, keeping the
character's place and size within the pad as the writer drew it. 2–10 ms per character here."""
from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import os
import threading
from typing import Sequence

DEFAULT_MODEL = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"
LIBRARY = "libzinnia.so.0"
SIZE = 300  # the square every pad is mapped onto before classifying
MAX_STROKES = 40
MAX_POINTS = 2000  # per character: a finger resting on the pad sends many

Point = tuple[float, float]
Stroke = Sequence[Point]


class HandwritingError(Exception):
    """Zinnia or its model is missing or refused; str() says which file and why."""


@dataclasses.dataclass(frozen=True)
class Candidate:
    char: str
    score: float


def normalise(strokes: Sequence[Stroke], width: float, height: float, size: int = SIZE) -> list[list[tuple[int, int]]]:
    """Pad coordinates → the `size` square: the pad's longer side becomes `size`, centred, so a
    character keeps its proportions and its size relative to the pad."""
    if width <= 0 or height <= 0:
        raise ValueError("the pad has no size")
    scale = size / max(width, height)
    dx, dy = (size - width * scale) / 2, (size - height * scale) / 2
    out = []
    for stroke in strokes[:MAX_STROKES]:
        pts = [(int(round(x * scale + dx)), int(round(y * scale + dy))) for x, y in stroke]
        pts = [(min(max(x, 0), size - 1), min(max(y, 0), size - 1)) for x, y in pts]
        if pts:
            out.append(pts)
    return out


def _load():
    name = ctypes.util.find_library("zinnia") or LIBRARY
    try:
        lib = ctypes.CDLL(name)
    except OSError as e:
        raise HandwritingError(f"{LIBRARY}: not installed (Debian package libzinnia0): {e}") from None
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    lib.zinnia_recognizer_new.restype = vp
    lib.zinnia_recognizer_open.argtypes = [vp, ctypes.c_char_p]
    lib.zinnia_recognizer_open.restype = ctypes.c_int
    lib.zinnia_recognizer_strerror.argtypes = [vp]
    lib.zinnia_recognizer_strerror.restype = ctypes.c_char_p
    lib.zinnia_recognizer_classify.argtypes = [vp, vp, sz]
    lib.zinnia_recognizer_classify.restype = vp
    lib.zinnia_recognizer_destroy.argtypes = [vp]
    lib.zinnia_character_new.restype = vp
    lib.zinnia_character_set_width.argtypes = [vp, sz]
    lib.zinnia_character_set_height.argtypes = [vp, sz]
    lib.zinnia_character_add.argtypes = [vp, sz, ctypes.c_int, ctypes.c_int]
    lib.zinnia_character_add.restype = ctypes.c_int
    lib.zinnia_character_destroy.argtypes = [vp]
    lib.zinnia_result_value.argtypes = [vp, sz]
    lib.zinnia_result_value.restype = ctypes.c_char_p
    lib.zinnia_result_score.argtypes = [vp, sz]
    lib.zinnia_result_score.restype = ctypes.c_float
    lib.zinnia_result_size.argtypes = [vp]
    lib.zinnia_result_size.restype = sz
    lib.zinnia_result_destroy.argtypes = [vp]
    return lib


class Recognizer:
    """One model, opened once (4–7 ms, 27 MB); `classify` may be called from any one thread at a
    time (a lock keeps it so)."""

    def __init__(self, model: str = DEFAULT_MODEL):
        if not os.path.isfile(model):
            raise HandwritingError(f"{model}: no handwriting model (Debian package tegaki-zinnia-simplified-chinese)")
        self._lib = _load()
        self._r = self._lib.zinnia_recognizer_new()
        if self._lib.zinnia_recognizer_open(self._r, model.encode()) == 0:
            why = self._lib.zinnia_recognizer_strerror(self._r) or b"cannot open"
            self._lib.zinnia_recognizer_destroy(self._r)
            self._r = None
            raise HandwritingError(f"{model}: {why.decode('utf-8', 'replace')}")
        self._lock = threading.Lock()

    def classify(self, strokes: Sequence[Stroke], width: float, height: float, n: int = 8) -> list[Candidate]:
        """The `n` likeliest characters for the strokes drawn on a pad of `width` × `height`."""
        norm = normalise(strokes, width, height)
        if not norm or self._r is None:
            return []
        lib = self._lib
        with self._lock:
            ch = lib.zinnia_character_new()
            try:
                lib.zinnia_character_set_width(ch, SIZE)
                lib.zinnia_character_set_height(ch, SIZE)
                added = 0
                for i, stroke in enumerate(norm):
                    for x, y in stroke:
                        if added >= MAX_POINTS:
                            break
                        lib.zinnia_character_add(ch, i, x, y)
                        added += 1
                res = lib.zinnia_recognizer_classify(self._r, ch, n)
                if not res:
                    return []
                try:
                    return [Candidate(lib.zinnia_result_value(res, i).decode("utf-8"), float(lib.zinnia_result_score(res, i)))
                            for i in range(lib.zinnia_result_size(res))]
                finally:
                    lib.zinnia_result_destroy(res)
            finally:
                lib.zinnia_character_destroy(ch)

    def close(self) -> None:
        if getattr(self, "_r", None) is not None:
            self._lib.zinnia_recognizer_destroy(self._r)
            self._r = None

    def __del__(self):
        self.close()
