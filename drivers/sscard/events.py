"""What the social security card reader reports: a closed set of event types and state codes."""
from __future__ import annotations

import dataclasses

from drivers.sscard.apdu import SsCardRecord

# State codes:
#   ready         pcscd answers and the reader is there, no card in it
#   reading       a card is in and being read
#   card_present  a card was read (or failed) and is still in the reader
#   offline       pcscd is not running / restarting, or the named reader is not there; retrying
#   fault         pcscd answers but the reader misbehaves (an unexpected PC/SC error)
#   stopped       not started, or stopped
STATES = ("ready", "reading", "card_present", "offline", "fault", "stopped")

# CardFailed codes:
#   read_failed   the card was pulled mid-read, or it could not be connected
#   pin_needed    the card wants its PIN before showing the holder's data (63Cx / 6982)
#   not_ss_card   no SSSE application: a bank or other card
#   bad_data      the card answered, but its records do not decode (bad TLV / BCD / GBK)
FAILURES = ("read_failed", "pin_needed", "not_ss_card", "bad_data")


@dataclasses.dataclass(frozen=True)
class CardRead:
    record: SsCardRecord
    t_present: float = 0.0  # monotonic time the reader saw the card present
    t_done: float = 0.0


@dataclasses.dataclass(frozen=True)
class CardRemoved:
    pass


@dataclasses.dataclass(frozen=True)
class CardFailed:
    code: str
    detail: str


@dataclasses.dataclass(frozen=True)
class StateChanged:
    code: str
    detail: str = ""
