"""Handwriting recognition for the handwriting pad (手写): Zinnia through ctypes (Debian libzinnia0;
no Python binding exists) with Debian's tegaki-zinnia-simplified-chinese model. Knows nothing of
the kiosk: strokes in, ranked characters out."""
from drivers.handwriting.zinnia import (  # noqa: F401
    DEFAULT_MODEL, Candidate, HandwritingError, Recognizer, normalise,
)

__all__ = ["DEFAULT_MODEL", "Candidate", "HandwritingError", "Recognizer", "normalise"]
