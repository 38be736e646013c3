"""What a card reader reports, the same for both readers (the ID-card SAM reader and the social
security card reader): four event types and one closed set of state codes. Each reader's own
module adds only its failure codes and its record type.

    match event:
        case CardRead(record=rec): ...
        case CardRemoved(): ...
        case CardFailed(code=code, detail=detail): ...
        case StateChanged(code=code, detail=detail): ...
"""
from __future__ import annotations

import dataclasses
from typing import Any, Literal, Union

# The reader's state (the kiosk shows it to a technician):
#   ready         the reader answers, no card on or in it
#   reading       a card was found and is being read
#   card_present  a card was read (or failed) and is still there
#   offline       the port or pcscd is gone (unplugged, restarting); reconnecting with backoff
#   fault         the reader is there but answers wrongly (SAM fault, wrong baud, PC/SC error)
#   stopped       not started, or stopped
ReaderState = Literal["ready", "reading", "card_present", "offline", "fault", "stopped"]
STATES: tuple[ReaderState, ...] = ("ready", "reading", "card_present", "offline", "fault", "stopped")


@dataclasses.dataclass(frozen=True)
class CardRead:
    """A card was read. `record` is the reader's own type (IdCardRecord, SsCardRecord). The times
    are the reader's clock (monotonic): when the card was first seen, and when the read's last bytes
    arrived; `wire_bytes` counts what crossed a serial line for it (0 where there is none)."""

    record: Any
    t_found: float = 0.0
    t_done: float = 0.0
    wire_bytes: int = 0


@dataclasses.dataclass(frozen=True)
class CardRemoved:
    pass


@dataclasses.dataclass(frozen=True)
class CardFailed:
    code: str  # one of the reader's FAILURES
    detail: str  # technician words (status words, what was wrong); never card content


@dataclasses.dataclass(frozen=True)
class StateChanged:
    code: ReaderState
    detail: str = ""


CardEvent = Union[CardRead, CardRemoved, CardFailed, StateChanged]
