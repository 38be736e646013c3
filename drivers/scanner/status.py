"""Scanner statuses, a closed set, and the one error the scanner driver raises."""
from __future__ import annotations

from drivers.scanner.constants import SANE_MESSAGES

CODES = ("ready", "no_device", "jammed", "cover_open", "no_documents", "busy", "io_error", "page_count")


class ScanError(Exception):
    """A scan went wrong. `code` is one of CODES; str() is the technician's reason."""

    def __init__(self, code: str, detail: str = ""):
        if code not in CODES:
            raise ValueError(f"not a scanner status: {code!r}")
        self.code, self.detail = code, detail
        super().__init__(f"scanner: {code}" + (f": {detail}" if detail else ""))

    def __reduce__(self):  # crosses from the scan process to the caller intact
        return (ScanError, (self.code, self.detail))


def from_sane_message(message: str, *, opening: bool = False) -> str:
    """The status for a SANE error message (python-sane raises _sane.error(strstatus)).
    Opening a device that is not there fails with 'Invalid argument': no_device."""
    if opening and message in ("Invalid argument", "Operation not supported"):
        return "no_device"
    return SANE_MESSAGES.get(message, "io_error")
