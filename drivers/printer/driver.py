"""The receipt printer driver: status before and after each job, the job itself, one result back.

A printer that is not ready refuses the job with its status. A job is failed when the status
after it is one a job cannot finish in (paper out, cover open, offline, error, no answer) — the
printer changed state during the job. Paper near end is reported and does not stop printing."""
from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Sequence

from drivers.printer.constants import TIMINGS, Timings
from drivers.printer.encoder import encode
from drivers.printer.layout import Receipt, layout, check_page
from drivers.printer.ops import Op
from drivers.printer.profiles import PrinterProfile
from drivers.printer.status import NO_ANSWER, PrinterStatus, StatusReader
from drivers.printer.transport import Transport, TransportError

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class JobResult:
    ok: bool
    status: PrinterStatus            # the printer's status now (after the job, or why it was refused)
    before: PrinterStatus
    outcome: str                     # printed | refused | interrupted | unreachable
    detail: str = ""                 # technician detail; never receipt content
    bytes_sent: int = 0


class EscposPrinter:
    def __init__(self, transport: Transport, profile: PrinterProfile, *, timings: Timings = TIMINGS,
                 monotonic: Callable[[], float] | None = None):
        self.transport, self.profile, self.timings = transport, profile, timings
        if monotonic is not None:
            transport.monotonic = monotonic
        transport.timings = timings

    # ---- status ------------------------------------------------------------------------------
    def status(self) -> PrinterStatus:
        """The printer's status now; no_answer when it cannot be reached or stays silent."""
        try:
            with self.transport:
                return self._read_status()
        except TransportError as e:
            log.info("%s", e)
            return NO_ANSWER

    def _read_status(self) -> PrinterStatus:
        reader = StatusReader()
        while (query := reader.next_query()) is not None:
            self.transport.write(query)
            while reader.waiting:
                b = self.transport.read_byte(self.timings.status_reply_s)
                if b is None:
                    reader.timed_out()
                    break
                reader.receive_data(bytes((b,)))
        return reader.status()

    # ---- jobs --------------------------------------------------------------------------------
    def print_receipt(self, receipt: Receipt) -> JobResult:
        return self.print_ops(layout(receipt, self.profile))

    def print_test(self, now=None, qr_payload: str = "https://example.invalid/q/TEST") -> JobResult:
        import datetime as _dt

        return self.print_ops(check_page(self.profile, now or _dt.datetime.now(), qr_payload))

    def print_ops(self, ops: Sequence[Op]) -> JobResult:
        return self.print_bytes(encode(ops, self.profile))

    def print_bytes(self, data: bytes) -> JobResult:
        before = NO_ANSWER
        try:
            with self.transport:
                before = self._read_status()
                if not before.printable:
                    return JobResult(False, before, before, "refused", f"{self.transport.name}: {before}")
                self.transport.write(data)
                after = self._read_status()
        except TransportError as e:
            return JobResult(False, NO_ANSWER, before, "unreachable", str(e))
        if not after.printable:
            return JobResult(False, after, before, "interrupted",
                             f"{self.transport.name}: {before} → {after} during the job", len(data))
        return JobResult(True, after, before, "printed", "", len(data))
