"""The social security card reader's I/O shell over pyscard's PC/SC bindings: one thread waits
for status changes (the initial state is polled, so a card already in at start is read), reads
the card through session.read_card, and survives pcscd restarting (a new context each time)."""
from __future__ import annotations

import logging
import time
from typing import Callable

from smartcard import scard as sc

from drivers.sscard.apdu import CardDataError
from drivers.sscard.events import CardFailed, CardRead, CardRemoved, StateChanged
from drivers.sscard.session import NotSsCard, PinNeeded, read_card
from drivers.sscard.timings import DEFAULT, Timings, backoff
from drivers.readerloop import ReaderLoop

log = logging.getLogger("drivers.sscard")

# PC/SC answers that mean "the service is gone: build a new context".
_SERVICE_GONE = {sc.SCARD_E_NO_SERVICE, sc.SCARD_E_SERVICE_STOPPED, sc.SCARD_E_INVALID_HANDLE,
                 sc.SCARD_F_COMM_ERROR,  # "RPC transport error": pcscd died under us
                 getattr(sc, "SCARD_E_NO_READERS_AVAILABLE", 0x8010002E)}


class CardGone(Exception):
    """A transmit failed: the card left (or pcscd went) in the middle of an exchange."""


def _err(hr: int) -> str:
    try:
        return f"{sc.SCardGetErrorMessage(hr).strip().rstrip('.')} (0x{hr & 0xFFFFFFFF:08X})"
    except Exception:
        return f"0x{hr & 0xFFFFFFFF:08X}"


class SsCardReader(ReaderLoop):
    """Watches PC/SC reader `reader` (a name or its prefix; None: the first reader) and reports
    CardRead / CardRemoved / CardFailed / StateChanged through `on_event` (its own thread)."""

    def __init__(self, reader: str | None = None, *, on_event: Callable[[object], None] | None = None,
                 timings: Timings = DEFAULT, monotonic: Callable[[], float] = time.monotonic):
        super().__init__("sscard", "sscard reader", log, StateChanged, on_event)
        self.reader = reader or None
        self.timings = timings
        self._mono = monotonic
        self._ctx = None
        self._present = False
        self.reader_name: str | None = None

    def _interrupt(self) -> None:
        ctx = self._ctx
        if ctx is not None:
            try:
                sc.SCardCancel(ctx)  # out of SCardGetStatusChange at once
            except Exception:
                pass

    def _close(self) -> None:
        self._release()

    def _release(self) -> None:
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            try:
                sc.SCardReleaseContext(ctx)
            except Exception:
                pass

    def _lost(self, detail: str) -> None:
        self._release()
        if self._present:
            self._present = False
            self._emit(CardRemoved())
        self._set_state("offline", detail)

    # ---- the loop ----------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._loop()
            except Exception as e:  # a bug must not silently end the reader: say so, start over
                log.exception("sscard: unexpected error")
                self._lost(f"internal error: {type(e).__name__}")
                self._set_state("fault", f"internal error: {type(e).__name__}")
                self._stop.wait(self.timings.reconnect_max)

    def _loop(self) -> None:
        attempt = 0
        known_state = sc.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            if self._ctx is None:
                hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
                if hr != sc.SCARD_S_SUCCESS:
                    self._lost(f"pcscd not running: {_err(hr)}")
                    self._stop.wait(backoff(attempt, self.timings))
                    attempt += 1
                    continue
                self._ctx = ctx
                self.reader_name = None
            if self.reader_name is None:
                name = self._find_reader()
                if name is None:
                    self._stop.wait(backoff(attempt, self.timings))
                    attempt += 1
                    continue
                self.reader_name = name
                known_state = sc.SCARD_STATE_UNAWARE  # poll the initial state: no event for a card already in
            hr, states = sc.SCardGetStatusChange(self._ctx, int(self.timings.status_wait * 1000),
                                                 [(self.reader_name, known_state)])
            if hr == sc.SCARD_E_TIMEOUT or hr == sc.SCARD_E_CANCELLED:
                continue
            if hr != sc.SCARD_S_SUCCESS:
                if hr in _SERVICE_GONE or hr == sc.SCARD_E_UNKNOWN_READER:
                    self._lost(f"pcscd: {_err(hr)}")
                    attempt = 0
                    self._stop.wait(backoff(attempt, self.timings))
                else:
                    self._set_state("fault", f"{self.reader_name}: {_err(hr)}")
                    self._stop.wait(backoff(attempt, self.timings))
                    attempt += 1
                continue
            attempt = 0
            _, event_state, _atr = states[0]
            known_state = event_state & ~sc.SCARD_STATE_CHANGED
            present = bool(event_state & sc.SCARD_STATE_PRESENT) and not (event_state & sc.SCARD_STATE_MUTE)
            if present and not self._present:
                self._present = True
                self._read(self._mono())
            elif not present:
                if self._present:
                    self._present = False
                    self._emit(CardRemoved())
                self._set_state("ready", self.reader_name)
            elif self._state.code not in ("card_present", "reading"):
                self._set_state("card_present", self.reader_name)

    def _find_reader(self) -> str | None:
        hr, readers = sc.SCardListReaders(self._ctx, [])
        if hr in _SERVICE_GONE and hr != getattr(sc, "SCARD_E_NO_READERS_AVAILABLE", None):
            self._lost(f"pcscd: {_err(hr)}")
            return None
        readers = list(readers) if hr == sc.SCARD_S_SUCCESS else []
        for r in readers:
            if self.reader is None or r == self.reader or r.startswith(self.reader):
                return r
        want = repr(self.reader) if self.reader else "any reader"
        self._set_state("offline", f"PC/SC: {want} not found (readers: {', '.join(readers) or 'none'})")
        return None

    # ---- one card -------------------------------------------------------------------------------
    def _read(self, t_present: float) -> None:
        self._set_state("reading", self.reader_name)
        hr, hcard, proto = sc.SCardConnect(self._ctx, self.reader_name, sc.SCARD_SHARE_SHARED,
                                           sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1)
        if hr != sc.SCARD_S_SUCCESS:
            self._fail("read_failed", f"connect: {_err(hr)}")
            return
        pci = sc.SCARD_PCI_T1 if proto == sc.SCARD_PROTOCOL_T1 else sc.SCARD_PCI_T0

        def transmit(command: bytes) -> bytes:
            hr, resp = sc.SCardTransmit(hcard, pci, list(command))
            if hr != sc.SCARD_S_SUCCESS:
                raise CardGone(_err(hr))
            if len(resp) < 2:  # vpcd (and some drivers) pass an empty answer when the card left
                raise CardGone("empty answer")
            return bytes(resp)

        try:
            rec = None
            for attempt in range(self.timings.read_attempts):
                try:
                    rec = read_card(transmit)
                    break
                except CardDataError as e:
                    # The card lost its selection under us (6985/6986 after a reset or power
                    # cycle pcscd did on its own): read it again from the start, once.
                    if attempt + 1 >= self.timings.read_attempts:
                        raise
                    log.info("sscard: read again after: %s", e)
        except CardGone as e:
            self._fail("read_failed", f"card left during the read: {e}")
        except PinNeeded as e:
            self._fail("pin_needed", str(e))
        except NotSsCard as e:
            self._fail("not_ss_card", str(e))
        except CardDataError as e:
            self._fail("bad_data", str(e))
        else:
            self._set_state("card_present", self.reader_name)
            self._emit(CardRead(rec, t_present, self._mono()))  # t_found: when the card was seen
        finally:
            try:
                sc.SCardDisconnect(hcard, sc.SCARD_LEAVE_CARD)
            except Exception:
                pass

    def _fail(self, code: str, detail: str) -> None:
        self._set_state("card_present", self.reader_name)
        self._emit(CardFailed(code, detail))
