"""What the ID-card reader reports: a closed set of event types and state codes."""
from __future__ import annotations

import dataclasses

from drivers.idcard.record import IdCardRecord

# The reader's state is one of these codes (the kiosk shows them to a technician):
#   ready         port open, SAM answered, no card on the reader
#   reading       a card was found and is being read
#   card_present  a card was read (or failed) and still lies on the reader
#   offline       the port cannot be opened or vanished (USB unplugged); reconnecting with backoff
#   fault         the port is open but the reader does not answer properly (SAM fault, wrong baud)
#   stopped       not started, or stopped
STATES = ("ready", "reading", "card_present", "offline", "fault", "stopped")

# Why a read failed (CardFailed.code):
#   read_failed   SW3 41 after the retries, the card left mid-read, or bytes that never made a frame
#   unknown_card  SW3 40 or a text block of no known layout
FAILURES = ("read_failed", "unknown_card")


@dataclasses.dataclass(frozen=True)
class CardRead:
    record: IdCardRecord
    t_found: float = 0.0  # the caller's clock (the shell: monotonic) when the find that saw the card was sent
    t_done: float = 0.0  # the caller's clock when the read's last bytes were handed to the machine
    wire_bytes: int = 0  # bytes on the line, both ways, from that find to the read's last byte


@dataclasses.dataclass(frozen=True)
class CardRemoved:
    pass


@dataclasses.dataclass(frozen=True)
class CardFailed:
    code: str
    detail: str  # technician words (SW3 code, what was wrong); never card content


@dataclasses.dataclass(frozen=True)
class StateChanged:
    code: str
    detail: str = ""
