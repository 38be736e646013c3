"""Submit: shown while the journey (kiosk/journey.py) hands the transaction to the outbox
(forwarded now, or saved to be sent automatically, both a success for the resident); a failure
returns to confirm with words."""
from __future__ import annotations

from screens.widgets import KioskScreen


class SubmitScreen(KioskScreen):
    pass
