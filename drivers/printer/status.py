"""Printer status, sans-I/O: DLE EOT queries out, status bytes in, one value of a closed set back.

A status byte has the fixed pattern 0xx1xx10b. What the set bits mean (n = the DLE EOT query):
  n=1 printer:        bit 3 offline
  n=2 offline cause:  bit 2 cover open, bit 5 stopped by paper end, bit 6 error
  n=3 error cause:    bit 2 recoverable, bit 3 autocutter, bit 5 unrecoverable, bit 6 auto-recoverable
  n=4 roll paper:     bits 2-3 near end (0x0C), bits 5-6 paper out (0x60)
"""
from __future__ import annotations

import dataclasses

from drivers.printer.constants import status_query

CODES = ("ready", "paper_near_end", "paper_out", "cover_open", "offline", "error", "no_answer")
ERROR_KINDS = ("recoverable", "autocutter", "unrecoverable", "auto_recoverable", "unknown")
QUERIES = (1, 2, 4)  # and 3, only when n=2 says there is an error


@dataclasses.dataclass(frozen=True)
class PrinterStatus:
    """One of: ready, paper_near_end, paper_out, cover_open, offline, error(kind), no_answer."""

    code: str
    kind: str | None = None  # error only

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"not a printer status: {self.code!r}")
        if (self.kind is not None) != (self.code == "error") or (self.kind and self.kind not in ERROR_KINDS):
            raise ValueError(f"bad error kind {self.kind!r} for {self.code}")

    @property
    def printable(self) -> bool:
        """A job may start (paper near end is reported, it does not stop printing)."""
        return self.code in ("ready", "paper_near_end")

    def __str__(self) -> str:
        return f"error({self.kind})" if self.code == "error" else self.code

    @classmethod
    def parse(cls, text: str) -> "PrinterStatus":
        """'paper_out', 'error(autocutter)' or 'error:autocutter' → a status; ValueError otherwise."""
        text = text.strip()
        for sep_open, sep_close in (("(", ")"), (":", "")):
            if text.startswith("error" + sep_open) and text.endswith(sep_close):
                return cls("error", text[len("error") + 1:len(text) - len(sep_close)] or "unknown")
        return cls("error", "unknown") if text == "error" else cls(text)


READY = PrinterStatus("ready")
NO_ANSWER = PrinterStatus("no_answer")


def is_status_byte(b: int) -> bool:
    return (b & 0b10010011) == 0b00010010


def decode(answers: dict[int, int]) -> PrinterStatus:
    """The status from the answers to DLE EOT 1, 2, 4 (and 3). A missing answer is no_answer."""
    if any(n not in answers for n in QUERIES):
        return NO_ANSWER
    printer, cause, paper = answers[1], answers[2], answers[4]
    if cause & 0x04:
        return PrinterStatus("cover_open")
    if paper & 0x60 or cause & 0x20:
        return PrinterStatus("paper_out")
    if cause & 0x40:
        err = answers.get(3, 0x12)
        kind = ("autocutter" if err & 0x08 else "unrecoverable" if err & 0x20 else
                "auto_recoverable" if err & 0x40 else "recoverable" if err & 0x04 else "unknown")
        return PrinterStatus("error", kind)
    if printer & 0x08:
        return PrinterStatus("offline")
    if paper & 0x0C:
        return PrinterStatus("paper_near_end")
    return READY


class StatusReader:
    """One status reading. The shell asks `next_query()` for bytes to send, feeds what comes back
    to `receive_data()`, and stops when `next_query()` is None (or a query times out: then
    `timed_out()`). `status()` is the result. Bytes that are not status bytes (automatic status
    back, noise) are skipped; each status byte answers the oldest unanswered query."""

    def __init__(self):
        self._todo = list(QUERIES)
        self._sent: list[int] = []
        self.answers: dict[int, int] = {}
        self.skipped = 0
        self._gave_up = False

    def next_query(self) -> bytes | None:
        """The query to send now, or None when the reading is complete (or has given up)."""
        if self._gave_up or self.waiting:
            return None
        if 2 in self.answers and self.answers[2] & 0x40 and 3 not in self._sent and 3 not in self._todo:
            self._todo.append(3)
        if not self._todo:
            return None
        n = self._todo.pop(0)
        self._sent.append(n)
        return status_query(n)

    def all_queries(self) -> bytes:
        """DLE EOT 1, 2 and 4 at once, for a shell that pipelines (answers come in order)."""
        out = b""
        while self._todo:
            n = self._todo.pop(0)
            self._sent.append(n)
            out += status_query(n)
        return out

    @property
    def waiting(self) -> bool:
        """A query is sent and not yet answered."""
        return any(n not in self.answers for n in self._sent)

    def receive_data(self, data: bytes) -> None:
        for b in data:
            pending = [n for n in self._sent if n not in self.answers]
            if pending and is_status_byte(b):
                self.answers[pending[0]] = b
            else:
                self.skipped += 1

    def timed_out(self) -> None:
        self._gave_up = True

    def status(self) -> PrinterStatus:
        if self._gave_up or self.waiting:
            return NO_ANSWER
        return decode(self.answers)
