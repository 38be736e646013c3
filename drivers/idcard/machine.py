"""The ID-card reader's rules as a sans-I/O state machine (h11's `Connection` is the model).

The machine never touches a port, a thread or a clock. Its caller (the pyserial shell in
reader.py, or a unit test) feeds it inputs, each with the time `now` read from the caller's clock:

    start(now)                  begin: the machine asks for the port to be opened
    port_opened(now)            the port is open
    port_failed(detail, now)    the port could not be opened, or failed while open (USB unplugged)
    receive_data(data, now)     bytes arrived from the reader, split anywhere
    time_passed(now)            the caller's clock moved; call it when `now >= wait.until`
    internal_error(detail, now) the caller caught a bug (start over with backoff, never die)

and every input returns a list of outputs, in order: commands for the caller to perform

    OpenPort()                  open the port, then call port_opened / port_failed
    ClosePort()                 close it
    Send(frame)                 discard unread input (a late answer is not ours), then write frame

and events for the application: CardRead, CardRemoved, CardFailed, StateChanged (events.py).
Between inputs, `wait` says what to do until the next one: `Wait(until, listen)`, listen meaning
"a command is outstanding: read the line and pass what comes to receive_data".

The rules (drivers/idcard/README.md, proven in tests/unit/test_idcard_machine.py):
- open → SAM status (must be OK) → SAM id (optional) → `ready`, then poll with find;
- a found card is selected and read; SW3 41, a bad frame or a timeout is retried `read_retries`
  times (find, select, read again), then reported once as CardFailed; SW3 40 or an unknown
  layout is CardFailed("unknown_card") at once;
- a card read (or failed) is not read again until lifted: `removed_after_misses` "no card"
  answers in a row are CardRemoved;
- `fault_after_failures` finds in a row unanswered or bad make the state `fault`; any answer
  clears it;
- the port failing makes the state `offline` (a present card: CardRemoved); it is reopened with
  doubling backoff, and the SAM checked again before `ready`.
"""
from __future__ import annotations

import dataclasses
import logging

from drivers.idcard import status
from drivers.idcard.events import CardFailed, CardRead, CardRemoved, StateChanged
from drivers.idcard.frame import NEED_DATA, FrameDecoder, ProtocolError, Response, encode_command, parse_response
from drivers.idcard.layouts import LayoutError
from drivers.idcard.messages import fits, parse_read
from drivers.idcard.timings import DEFAULT, Timings, backoff

log = logging.getLogger("drivers.idcard")


# ---- commands for the caller ----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class OpenPort:
    """Open the port; answer with port_opened(now) or port_failed(detail, now)."""


@dataclasses.dataclass(frozen=True)
class ClosePort:
    """Close the port (nothing is outstanding any more)."""


@dataclasses.dataclass(frozen=True)
class Send:
    """Discard the unread input, then write `frame` (one command)."""

    frame: bytes


@dataclasses.dataclass(frozen=True)
class Wait:
    """Until the next input: call time_passed at `until` (None: nothing to time; wait for the
    answer to OpenPort). `listen`: a command is outstanding, read the line meanwhile."""

    until: float | None
    listen: bool


# What the machine is doing (its phase) and, while a command is outstanding, which step it is.
_CLOSED, _OPENING, _IDLE, _WAITING = "closed", "opening", "idle", "waiting"
# steps: sam_status, sam_id (opening); find (polling); refind, select, read (reading a card)


class _Failed(Exception):
    """A command got no usable answer (timed out, bad frame): `str()` is the technician's why."""


class IdCardMachine:
    """The rules of one GA 467 reader on one port. `port` only names it in state details."""

    def __init__(self, timings: Timings = DEFAULT, *, port: str = "", read_fingerprint: bool = False):
        self.timings = timings
        self.port = port
        self._fp = read_fingerprint
        self._read_cmd = status.READ_TEXT_PHOTO_FP if read_fingerprint else status.READ_TEXT_PHOTO
        self._dec = FrameDecoder()
        self._phase = _CLOSED
        self._until: float | None = None
        self._step = ""
        self._cmd: tuple[int, int] = (0, 0)
        self._timeout = 0.0
        self._out: list = []
        self.state = StateChanged("stopped")
        self.sam_id: bytes | None = None
        self.card_present = False
        self.misses = 0  # "no card" answers in a row while a card is present
        self.failures = 0  # finds in a row with no usable answer
        self._attempt = 0  # reconnect attempt (backoff)
        self._try = 0  # read attempt of the card being read
        self._why = ""
        self._t_found = 0.0
        self.wire_bytes = 0  # bytes on the line both ways since the last poll's find was sent

    # ---- what the caller waits for ------------------------------------------------------------------
    @property
    def wait(self) -> Wait:
        return Wait(self._until, self._phase == _WAITING)

    @property
    def phase(self) -> str:
        return self._phase

    # ---- inputs ---------------------------------------------------------------------------------------
    def start(self, now: float) -> list:
        self._phase, self._until = _OPENING, None
        return [OpenPort()]

    def port_opened(self, now: float) -> list:
        if self._phase != _OPENING:
            return []
        self._send(status.SAM_STATUS, "sam_status", self.timings.command_timeout, now)
        return self._flush()

    def port_failed(self, detail: str, now: float) -> list:
        """The port did not open, or an I/O error on it (unplugged). `detail` names the port."""
        if self._phase == _CLOSED:
            return []
        polling = self._phase in (_IDLE, _WAITING) and self._step not in ("sam_status", "sam_id")
        self._out.append(ClosePort())
        if polling:  # it was working: try again soon, then back off from the second attempt
            self._lost_card()
            self._set_state("offline", detail)
            self._close_for(backoff(0, self.timings), now)
            self._attempt = 1
        else:
            self._set_state("offline", detail)
            self._close_for(backoff(self._attempt, self.timings), now)
            self._attempt += 1
        return self._flush()

    def internal_error(self, detail: str, now: float) -> list:
        """The caller caught a bug in itself or here: close, say so, start over with backoff."""
        self._out.append(ClosePort())
        self._lost_card()
        self._set_state("fault", f"{self.port}: {detail}")
        self._close_for(backoff(self._attempt, self.timings), now)
        self._attempt += 1
        return self._flush()

    def receive_data(self, data: bytes, now: float) -> list:
        if self._phase != _WAITING:
            return []  # nothing asked: the next Send discards it anyway
        self._dec.receive_data(data)
        while self._phase == _WAITING:
            try:
                ev = self._dec.next_event()
                if ev is NEED_DATA:
                    break
                resp = parse_response(ev)
            except ProtocolError as e:
                self._failed(str(e), now)
                break
            self.wire_bytes += len(ev.body) + 8
            if not fits(self._cmd, resp):
                log.info("idreader: dropped a %r that does not answer %02X %02X", resp, *self._cmd)
                continue
            self._answered(resp, now)
        return self._flush()

    def time_passed(self, now: float) -> list:
        if self._until is None or now < self._until:
            return []
        if self._phase == _CLOSED:
            self._phase, self._until = _OPENING, None
            return [OpenPort()]
        if self._phase == _IDLE:
            self._poll(now)
        elif self._phase == _WAITING:
            c = self._cmd
            self._failed(f"no answer to {c[0]:02X} {c[1]:02X} within {self._timeout:g} s", now)
        return self._flush()

    # ---- plumbing -------------------------------------------------------------------------------------
    def _flush(self) -> list:
        out, self._out = self._out, []
        return out

    def _set_state(self, code: str, detail: str = "") -> None:
        if (code, detail) != (self.state.code, self.state.detail):
            self.state = StateChanged(code, detail)
            self._out.append(self.state)

    def _send(self, cmd: tuple[int, int], step: str, timeout: float, now: float) -> None:
        frame = encode_command(*cmd)
        self._dec.reset()
        self._phase, self._step, self._cmd, self._timeout = _WAITING, step, cmd, timeout
        self._until = now + timeout
        self.wire_bytes += len(frame)
        self._out.append(Send(frame))

    def _idle_until(self, t: float) -> None:
        self._phase, self._step, self._until = _IDLE, "", t

    def _close_for(self, delay: float, now: float) -> None:
        self._phase, self._step, self._until = _CLOSED, "", now + delay
        self._dec.reset()

    def _lost_card(self) -> None:
        if self.card_present:
            self.card_present = False
            self._out.append(CardRemoved())

    def _answered(self, r: Response, now: float) -> None:
        getattr(self, "_on_" + self._step)(r, now)

    def _failed(self, why: str, now: float) -> None:
        getattr(self, "_on_" + self._step)(_Failed(why), now)

    # ---- opening: the SAM must answer before the reader is ready ---------------------------------------
    def _sam_fault(self, why: str, now: float) -> None:
        self._out.append(ClosePort())
        self._set_state("fault", f"{self.port}: {why}")
        self._close_for(backoff(self._attempt, self.timings), now)
        self._attempt += 1

    def _on_sam_status(self, r, now: float) -> None:
        if isinstance(r, _Failed):
            return self._sam_fault(str(r), now)
        if r.sw3 != status.OK:
            return self._sam_fault(f"SAM status: {status.describe(r.sw3)}", now)
        self._send(status.READ_SAM_ID, "sam_id", self.timings.command_timeout, now)

    def _on_sam_id(self, r, now: float) -> None:
        # optional: some readers do not answer it
        self.sam_id = r.data if not isinstance(r, _Failed) and r.sw3 == status.OK else None
        self._attempt = 0
        self.failures = 0
        self._set_state("ready", self.port)
        self._poll(now)

    # ---- polling: is a card on? -------------------------------------------------------------------------
    def _poll(self, now: float) -> None:
        self.wire_bytes = 0
        self._t_found = now
        self._send(status.FIND_CARD, "find", self.timings.command_timeout, now)

    def _on_find(self, r, now: float) -> None:
        t = self.timings
        if isinstance(r, _Failed):
            self.failures += 1
            if self.failures >= t.fault_after_failures:
                self._set_state("fault", f"{self.port}: {r}")
            return self._idle_until(now + t.retry_interval)
        self.failures = 0
        if self.state.code == "fault":  # any good answer clears it
            self._set_state("card_present" if self.card_present else "ready", self.port)
        if r.sw3 == status.CARD_FOUND:
            self.misses = 0
            if not self.card_present:
                return self._start_read(now)
        elif self.card_present:
            self.misses += 1
            if self.misses >= t.removed_after_misses:
                self._lost_card()
                self._set_state("ready", self.port)
                return self._poll(now)
        self._idle_until(now + (t.present_poll_interval if self.card_present else t.poll_interval))

    # ---- reading a card: find (again), select, read; retried ---------------------------------------------
    def _start_read(self, now: float) -> None:
        self._set_state("reading", self.port)
        self._try, self._why = 0, ""
        self._send(status.SELECT_CARD, "select", self.timings.command_timeout, now)

    def _retry(self, why: str, now: float) -> None:
        self._why = why
        self._try += 1
        if self._try > self.timings.read_retries:
            return self._fail("read_failed", f"{why} (after {self.timings.read_retries + 1} tries)", now)
        self._send(status.FIND_CARD, "refind", self.timings.command_timeout, now)

    def _on_refind(self, r, now: float) -> None:
        if isinstance(r, _Failed):
            return self._retry(str(r), now)
        if r.sw3 != status.CARD_FOUND:
            why = f"card left during the read ({status.describe(r.sw3)})"
            return self._fail("read_failed", f"{why} (after {self.timings.read_retries + 1} tries)", now)
        self._send(status.SELECT_CARD, "select", self.timings.command_timeout, now)

    def _on_select(self, r, now: float) -> None:
        if isinstance(r, _Failed):
            return self._retry(str(r), now)
        if r.sw3 != status.OK:
            return self._retry(f"select: {status.describe(r.sw3)}", now)
        self._send(self._read_cmd, "read", self.timings.read_timeout, now)

    def _on_read(self, r, now: float) -> None:
        if isinstance(r, _Failed):
            return self._retry(str(r), now)
        if r.sw3 != status.OK:
            why = f"read: {status.describe(r.sw3)}"
            if r.sw3 == 0x40:
                return self._fail("unknown_card", why, now)
            return self._retry(why, now)
        try:
            rec = parse_read(r, with_fingerprint=self._fp)
        except LayoutError as e:
            return self._fail("unknown_card", f"text block: {e}", now)
        except ProtocolError as e:
            return self._retry(str(e), now)
        self.card_present = True
        self._set_state("card_present", self.port)
        self._out.append(CardRead(rec, self._t_found, now, self.wire_bytes))
        self._poll(now)

    def _fail(self, code: str, detail: str, now: float) -> None:
        # Not read again until it is lifted and placed again: no failure storm while it lies there.
        self.card_present = True
        self.misses = 0
        self._set_state("card_present", self.port)
        self._out.append(CardFailed(code, detail))
        self._poll(now)
