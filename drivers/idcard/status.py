"""SW3 status codes of a GA 467 SAM reader and the commands it takes."""
from __future__ import annotations

# (CMD, PARA) of the commands the reader sends.
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
READ_SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)
READ_NEW_ADDRESS = (0x30, 0x03)
READ_TEXT_PHOTO_FP = (0x30, 0x10)

OK = 0x90
NO_CONTENT = 0x91
CARD_FOUND = 0x9F
READ_FAILED = 0x41
FIND_FAILED = 0x80
SELECT_FAILED = 0x81

SW3 = {
    0x90: "ok",
    0x91: "no such content",
    0x9F: "card found",
    0x10: "checksum error",
    0x11: "length error",
    0x21: "bad command",
    0x23: "unauthorised",
    0x24: "unknown error",
    0x31: "card failed to authenticate SAM",
    0x32: "SAM failed to authenticate card",
    0x33: "verification failed",
    0x37: "fingerprint error",
    0x3F: "information length error",
    0x40: "unknown card type",
    0x41: "read failed (card moved away)",
    0x47: "random-number failure",
    0x60: "SAM self-test failed",
    0x66: "SAM not authorised",
    0x80: "find failed (no card)",
    0x81: "select failed",
}


def describe(sw3: int) -> str:
    """`SW3 41 read failed (card moved away)`: the technician's words for a status code."""
    return f"SW3 {sw3:02X} {SW3.get(sw3, 'unknown status')}"
