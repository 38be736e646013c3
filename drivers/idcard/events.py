"""What the ID-card reader reports: the shared card events (drivers/cardevents.py)
and this reader's failure codes."""
from __future__ import annotations

from drivers.cardevents import STATES, CardEvent, CardFailed, CardRead, CardRemoved, StateChanged  # noqa: F401  (one vocabulary)

# Why a read failed (CardFailed.code):
#   read_failed   SW3 41 after the retries, the card left mid-read, or bytes that never made a frame
#   unknown_card  SW3 40 or a text block of no known layout
FAILURES = ("read_failed", "unknown_card")
