"""What the social security card reader reports: the shared card events (drivers/cardevents.py)
and this reader's failure codes."""
from __future__ import annotations

from drivers.cardevents import STATES, CardEvent, CardFailed, CardRead, CardRemoved, StateChanged  # noqa: F401  (one vocabulary)

# CardFailed codes:
#   read_failed   the card was pulled mid-read, or it could not be connected
#   pin_needed    the card wants its PIN before showing the holder's data (63Cx / 6982)
#   not_ss_card   no SSSE application: a bank or other card
#   bad_data      the card answered, but its records do not decode (bad TLV / BCD / GBK)
FAILURES = ("read_failed", "pin_needed", "not_ss_card", "bad_data")
