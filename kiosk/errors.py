"""The kiosk's own expected failures; each carries a resident sentence and a technician reason."""
from __future__ import annotations

from kiosk.words import pair


class KioskError(Exception):
    """An expected failure. `resident` is a plain Chinese sentence with what to do next;
    `resident_en` is its English; str(self) is the technician's reason."""

    resident, resident_en = pair("error.default")

    def __init__(self, reason: str, *, resident: str | None = None, resident_en: str | None = None):
        super().__init__(reason)
        if resident is not None:
            self.resident = resident
        if resident_en is not None:
            self.resident_en = resident_en


class ConfigError(KioskError):
    """A site config or data file is wrong. str() is `file:line: key: reason` where known."""

    def __init__(self, path: str, reason: str, *, key: str | None = None, line: int | None = None):
        self.path, self.key, self.line, self.reason = str(path), key, line, reason
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {key + ': ' if key else ''}{reason}")


class UsageError(KioskError):
    """The command line was used wrongly (exit 2)."""


class OfflineError(KioskError):
    """A jurisdiction cannot be reached now and the operation needs the network (a query matter)."""

    resident, resident_en = pair("error.offline")
