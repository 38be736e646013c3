"""The handwriting pad's recognizer over drivers/handwriting (Zinnia and Debian's zh_CN model),
opened on first use. When the library or the model is missing the pad offers nothing (the pinyin
keyboard is still there) and `problem` says why, for the technician."""
from __future__ import annotations

import logging
import threading
from typing import Sequence

log = logging.getLogger(__name__)


class Handwriting:
    def __init__(self, model: str | None = None):
        self.model = model
        self.problem: str | None = None
        self._r = None
        self._lock = threading.Lock()

    def _recognizer(self):
        with self._lock:
            if self._r is None and self.problem is None:
                from drivers.handwriting import DEFAULT_MODEL, HandwritingError, Recognizer
                try:
                    self._r = Recognizer(self.model or DEFAULT_MODEL)
                except HandwritingError as e:
                    self.problem = str(e)
                    log.warning("handwriting off: %s", e)
            return self._r

    def warm(self) -> bool:
        """Open the model now (start-up, off the main thread); False when it cannot be."""
        return self._recognizer() is not None

    def classify(self, strokes: Sequence[Sequence[tuple[float, float]]], width: float, height: float,
                 n: int = 8) -> list[str]:
        """The likeliest characters, best first ([] when nothing is drawn or the pad is off)."""
        r = self._recognizer()
        return [c.char for c in r.classify(strokes, width, height, n)] if r is not None else []
