"""Logging, set up once by the entry points. A filter masks ID numbers and drops photo and scan
bytes in every record, whoever logs it (our code, a library, a driver)."""
from __future__ import annotations

import logging
import logging.handlers
import re
import sys

from kiosk.identity import mask_id_number

# 18-character resident numbers (and 15-character old ones), not inside a longer digit run nor
# the fraction of a decimal number (a timestamp's 1764290000.123456789012345).
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(?<!\d\.)([1-9]\d{5})(\d{8}|\d{6})(\d{3}[\dXx]|\d{1})(?![0-9A-Za-z])")
# A bytes repr or a base64 run long enough to be a photo, scan or card dump.
_BYTES_RE = re.compile(r"b'(?:[^'\\]|\\.){64,}'" "|" r'b"(?:[^"\\]|\\.){64,}"')
_B64_RE = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")
_HEX_RE = re.compile(r"\b(?:[0-9A-Fa-f]{2}[ :]?){96,}\b")


def _mask_match(m: re.Match) -> str:
    s = m.group(0)
    if len(s) not in (15, 18):
        return s
    if len(s) == 15 and not ("01" <= s[8:10] <= "12" and "01" <= s[10:12] <= "31"):
        return s  # an old number holds its owner's birth date (YYMMDD) here: this is some other count
    return mask_id_number(s)


def scrub(text: str) -> str:
    """The text with ID numbers masked and binary blobs replaced by their length."""
    text = _BYTES_RE.sub(lambda m: f"<{len(m.group(0))} chars of bytes dropped>", text)
    text = _B64_RE.sub(lambda m: f"<{len(m.group(0))} chars of base64 dropped>", text)
    text = _HEX_RE.sub(lambda m: f"<{len(m.group(0))} chars of hex dropped>", text)
    return _ID_RE.sub(_mask_match, text)


class PersonalDataFilter(logging.Filter):
    """Rewrites each record's message (args merged) and exception text through `scrub`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:
            msg = str(record.msg)
        record.msg, record.args = scrub(msg), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(*, console: bool = True, level: str | int = "INFO", logfile: str | None = None) -> None:
    """Install handlers on the root logger, each with the personal-data filter. Idempotent."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False):
            root.removeHandler(h)
    handlers: list[logging.Handler] = []
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    if logfile:
        handlers.append(logging.handlers.RotatingFileHandler(logfile, maxBytes=5_000_000, backupCount=5, encoding="utf-8"))
    for h in handlers:
        h._kiosk = True  # type: ignore[attr-defined]
        h.addFilter(PersonalDataFilter())
        h.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(h)
    root.setLevel(level if isinstance(level, int) else level.upper())
