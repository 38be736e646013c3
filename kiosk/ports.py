"""The small interfaces kiosk/ uses to reach devices and the outbox. Adapters in
kiosk/devices/ and kiosk/outbox.py implement them over drivers/ and offline_queue/; tests above a
port may use in-process fakes. All callbacks may arrive on any thread: the app hops them onto
its main thread."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, Callable, ClassVar, Literal, Protocol, Sequence, get_args

from kiosk.identity import Identity
from kiosk.transaction import Transaction

# ---- device state, shared by every device -------------------------------------------------
DeviceHealth = Literal["ok", "warning", "fault", "offline", "absent"]
# The closed set of state codes of each kind of device (the adapters' word tables hold exactly
# these: tests/unit/test_device_codes.py), and what the use cases say of a device that is not
# there or does not answer.
CardReaderCode = Literal["ready", "reading", "card_present", "offline", "fault", "absent", "stopped"]
PrinterCode = Literal["ready", "paper_near_end", "paper_out", "cover_open", "offline", "error", "no_answer"]
ScannerCode = Literal["ready", "no_device", "jammed", "cover_open", "no_documents", "busy", "io_error", "page_count"]
ServiceCode = Literal["unavailable", "error"]
DeviceCode = CardReaderCode | PrinterCode | ScannerCode | ServiceCode
DEVICE_CODES: frozenset[str] = frozenset(c for t in (CardReaderCode, PrinterCode, ScannerCode, ServiceCode)
                                         for c in get_args(t))


@dataclasses.dataclass(frozen=True)
class DeviceState:
    """What a technician sees for one device: health, a short code, and words for each audience.
    `code` is one of the closed set of its kind of device (`PrinterCode`, `ScannerCode`,
    `CardReaderCode`) or a `ServiceCode`."""

    device: str  # idreader | sscard | printer | scanner
    health: DeviceHealth
    code: DeviceCode
    zh: str = ""
    en: str = ""
    detail: str = ""  # technician detail (port, errno, SW3 code ...); never personal data


# ---- identity sources (ID card reader, social security card) ------------------------------
class CardListener(Protocol):
    def card_read(self, source: str, identity: Identity) -> None: ...
    def card_failed(self, source: str, code: str, zh: str, en: str) -> None:
        """A read went wrong: code read_failed | pin_needed | not_ss_card | unknown_card | ..."""
    def card_removed(self, source: str) -> None: ...
    def device_state(self, state: DeviceState) -> None: ...


class IdentitySource(Protocol):
    name: str  # "idreader" | "sscard"

    def start(self, listener: CardListener) -> None: ...
    def stop(self) -> None: ...
    def state(self) -> DeviceState: ...


# ---- the receipt printer ----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ReceiptData:
    """What a resident's receipt says (受理回执). Only masked personal data."""

    kiosk_id: str
    location: str
    jurisdiction_name: str
    matter_name: str
    tracking_number: str
    qr_payload: str
    masked_id: str
    masked_name: str  # kiosk.identity.mask_name: 张*, masked once, printed as it is
    time: _dt.datetime
    materials: Sequence[str]
    forwarded: bool  # False: saved on this kiosk, forwarded automatically
    next_steps: Sequence[str]
    hotline: str
    title: str = ""  # printed at the top; "" for the printer's own (受理回执); a correction's says 补正
    corrects: str = ""  # 补正: the tracking number of the transaction this one corrects


@dataclasses.dataclass(frozen=True)
class Printed:
    """The job is on paper; `state` is the printer's after it (paper_near_end is still Printed)."""

    state: DeviceState
    ok: ClassVar[bool] = True


@dataclasses.dataclass(frozen=True)
class Refused:
    """Not printed (or not all of it): `state` says why (paper_out, cover_open, offline ...)."""

    state: DeviceState
    ok: ClassVar[bool] = False


PrintResult = Printed | Refused  # match on the class; `ok` says the same for a quick test


class ReceiptPrinter(Protocol):
    def state(self) -> DeviceState: ...
    def print_receipt(self, receipt: ReceiptData) -> PrintResult: ...
    def print_test(self) -> PrintResult: ...


# ---- the scanner ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ScannedMaterial:
    material: str
    pdf_path: str
    pages: int
    preview_paths: tuple[str, ...]  # small PNGs of each page for the screen
    sha256: str
    size: int


class Scanner(Protocol):
    def state(self) -> DeviceState: ...
    def scan(self, material: str, *, pages: int = 1, color: bool = False, out_dir: str) -> ScannedMaterial:
        """Scan one material into one PDF; raises kiosk.errors.KioskError subclasses on faults."""


# ---- the outbox and the jurisdictions ---------------------------------------------------------
LocalState = Literal["queued", "sending", "delivered", "dead"]
RemoteState = Literal["received", "prereview_passed", "needs_correction", "completed", "rejected", "unknown"]


@dataclasses.dataclass(frozen=True)
class SubmitOutcome:
    txid: str
    tracking_number: str
    forwarded: bool  # delivered already (True) or queued for automatic forwarding (False)
    remote_reference: str | None = None


@dataclasses.dataclass(frozen=True)
class ProgressItem:
    txid: str
    tracking_number: str
    matter_code: str
    jurisdiction: str
    created_at: _dt.datetime
    local_state: LocalState
    remote_state: RemoteState | None = None
    remote_reason: str | None = None  # e.g. what needs correction


class Outbox(Protocol):
    def submit(self, tx: Transaction) -> SubmitOutcome:
        """Durably queue (and try to forward promptly). Raises KioskError when it cannot queue."""
    def progress(self, *, id_number: str | None = None, tracking_number: str | None = None) -> list[ProgressItem]: ...
    def evaluate(self, ev: Any) -> str:
        """Queue a 好差评 evaluation (kiosk.evaluation.Evaluation); its id. Raises KioskError."""
    def counts(self) -> dict[str, int]: ...
    def failing(self) -> tuple[int, str | None]:
        """Items retried after an error of the kiosk's own software (not the remote's answer): how
        many, and the last one's error line."""
    def retry_dead(self) -> int: ...
    def query(self, jurisdiction: str, operation: str, params: dict) -> dict:
        """A query matter (needs the network now); raises OfflineError when unreachable."""
    def online(self, jurisdiction: str) -> bool: ...
    def subscribe(self, callback: Callable[[], None]) -> None:
        """Called (any thread) when counts or reachability change."""


# ---- 视频帮办: the help call to a clerk -------------------------------------------------------
# the clerk hung up | the network or the gateway went away | the gateway never took the call
CallEnd = Literal["clerk", "lost", "failed"]


@dataclasses.dataclass(frozen=True)
class CallContext:
    """What the clerk's console is told of the resident's visit: the matter and the step, the
    kiosk. Never the identity (the clerk never sees an ID number unmasked: it is not sent)."""

    kiosk_id: str
    site: str
    step: str  # the session state the resident called from (home, form, scan ...)
    matter_code: str = ""
    matter_name: str = ""
    jurisdiction: str = ""


@dataclasses.dataclass(frozen=True)
class VideoImage:
    """One picture of the call, ready for a texture: rgb24, top row first, at most 640 px wide.
    `number` grows with each new frame (the screen redraws only when it moved on)."""

    width: int
    height: int
    rgb: bytes
    number: int


@dataclasses.dataclass(frozen=True)
class SharedMaterial:
    """One scanned material the resident chose to show the clerk (one tap): its pages as JPEGs."""

    code: str
    name: str
    pages: tuple[bytes, ...]


class CallListener(Protocol):
    """What a call reports (any thread: the app hops it onto its main thread)."""
    def queued(self, position: int) -> None:
        """Waiting at the desk; `position` 1 is next. Reported again whenever it changes."""
    def answered(self, clerk: str = "") -> None:
        """A clerk took the call; `clerk` their display name ("" unknown)."""
    def ended(self, why: CallEnd) -> None:
        """The call is over from the other side (never after the kiosk's own hang_up)."""
    def note(self, text: str) -> None:
        """The clerk's short note (≤ 200 characters), to show large and speak."""


class Call(Protocol):
    def mute(self, on: bool) -> None: ...
    def hang_up(self) -> None:
        """End the call from the kiosk (cancel while waiting); camera and microphone off."""
    def update(self, context: CallContext) -> None:
        """The resident moved to another step during the call: the clerk is told."""
    def show(self, material: SharedMaterial) -> None:
        """Send one material to the clerk (the resident tapped it); returns at once."""
    def frame(self, which: Literal["remote", "self"]) -> VideoImage | None:
        """The latest picture of the clerk ("remote") or of the resident's own camera ("self");
        None before the first. Cheap: called on the main thread at the call's frame rate."""


class VideoDesk(Protocol):
    def call(self, desk: str, context: CallContext, listener: CallListener) -> Call:
        """Start a call to a desk (camera and microphone on); returns at once. A gateway that
        cannot be reached reports ended("failed") (or raises, before anything started)."""
