"""The screens' way to the one word list (kiosk/words.py, Kivy-free, shared with the kiosk layer):
`tr(key, lang)` is `kiosk.words.say`. A missing key is a programming error (tests/unit/test_words.py
checks every key has both languages)."""
from __future__ import annotations

from kiosk.words import WORDS as STRINGS, say as tr  # noqa: F401  (the screens' names for them)
