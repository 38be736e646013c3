"""The identity-source ports (kiosk.ports.IdentitySource) over the ID-card SAM reader and the
social security card reader: maps the drivers' card records onto kiosk.identity.Identity and their
states onto DeviceState. `make_idreader(url)` / `make_sscard(url)` are the only places that pick a
real reader or a simulated twin.

Device state codes (DeviceState.code), the same closed set for both sources:
    ready         waiting for a card                          health ok
    reading       a card is being read                        health ok
    card_present  a card was read (or failed) and is still on health ok
    offline       port gone / pcscd not running; reconnecting health offline
    fault         the reader answers wrongly (SAM, baud)      health fault
    absent        cannot run here (sim sscard without pcscd and not root)   health absent
    stopped       not started / stopped                       health offline
"""
from __future__ import annotations

import logging
import threading

from drivers.cardevents import CardEvent, CardFailed, CardRead, CardRemoved, StateChanged
from kiosk.devices import DeviceURLError, parse_device_url
from kiosk.errors import KioskError, UsageError
from kiosk.identity import Identity
from kiosk.ports import CardListener, CardReaderCode, DeviceHealth, DeviceState
from kiosk.words import pair

log = logging.getLogger(__name__)

_HEALTH: dict[CardReaderCode, DeviceHealth] = {
    "ready": "ok", "reading": "ok", "card_present": "ok", "offline": "offline", "fault": "fault",
    "absent": "absent", "stopped": "offline",
}
STATE_WORDS: dict[CardReaderCode, tuple[DeviceHealth, str, str]] = {  # code → (health, 中文, English)
    code: (health, *pair(f"cardreader.state.{code}")) for code, health in _HEALTH.items()}

# CardFailed code → what the resident reads (中文, English): what went wrong and what to do next.
FAILURE_WORDS = {code: pair(f"card_failed.{code}")
                 for code in ("read_failed", "unknown_card", "pin_needed", "not_ss_card", "bad_data")}

_ID_CARD_TYPES = {"resident": "resident", "J": "hmt_permit", "I": "foreign_permanent", "Y": "foreign_permanent"}


# ---- mapping the drivers' records -----------------------------------------------------------------
def identity_from_idcard(rec) -> Identity:
    """drivers.idcard.record.IdCardRecord → Identity."""
    return Identity(
        card_type=_ID_CARD_TYPES[rec.layout], name=rec.name, id_number=rec.number, sex=rec.sex,
        birth_date=rec.birth_date, name_en=rec.name_en, ethnicity=rec.ethnicity if rec.layout == "resident" else None,
        address=rec.address, issuer=rec.issuer, valid_from=rec.valid_from, valid_to=rec.valid_to,
        long_term=rec.long_term, pass_number=rec.pass_number, nationality=rec.nationality, photo=rec.photo,
    )


def identity_from_sscard(rec) -> Identity:
    """drivers.sscard.apdu.SsCardRecord → Identity (valid_from/valid_to: issue and expiry)."""
    from drivers.idcard import tables

    return Identity(
        card_type="social_security", name=rec.name, id_number=rec.ss_number,
        sex=tables.sex_name(rec.sex_code) if rec.sex_code else "unknown", birth_date=rec.birth_date,
        ethnicity=tables.ethnicity_name(rec.ethnicity_code) if rec.ethnicity_code else None,
        valid_from=rec.issued, valid_to=rec.expires, card_number=rec.card_number,
        region_code=rec.region_code or None,
    )


def device_state(device: str, code: str, detail: str = "") -> DeviceState:
    """A reader's state as the technician sees it; a code outside the closed set is a fault."""
    if code not in STATE_WORDS:
        code, detail = "fault", f"unknown state {code!r}" + (f": {detail}" if detail else "")
    health, zh, en = STATE_WORDS[code]
    return DeviceState(device, health, code, zh, en, detail)


# ---- the adapters -------------------------------------------------------------------------------
class _Source:
    """Shared: forwards driver events to a CardListener, remembers the state and the last record."""

    name = ""

    def __init__(self, url: str):
        self.url = url
        self.twin = None
        self.last_record = None  # the driver's record of the last read (kiosk-admin prints from it)
        self._listener: CardListener | None = None
        self._state = device_state(self.name, "stopped", url)

    def state(self) -> DeviceState:
        return self._state

    def _to_identity(self, rec) -> Identity:
        raise NotImplementedError

    def _on_event(self, ev: CardEvent) -> None:
        listener = self._listener
        match ev:
            case StateChanged(code=code, detail=detail):
                self._state = device_state(self.name, code, detail)
                if listener:
                    listener.device_state(self._state)
            case CardRead(record=rec):
                self.last_record = rec
                if listener:
                    listener.card_read(self.name, self._to_identity(rec))
            case CardRemoved():
                if listener:
                    listener.card_removed(self.name)
            case CardFailed(code=code, detail=detail):
                log.info("%s: card failed: %s: %s", self.name, code, detail)
                zh, en = FAILURE_WORDS.get(code, FAILURE_WORDS["read_failed"])
                if listener:
                    listener.card_failed(self.name, code, zh, en)

    def _set_absent(self, detail: str) -> None:
        self._state = device_state(self.name, "absent", detail)
        if self._listener:
            self._listener.device_state(self._state)


class IdReaderSource(_Source):
    """IdentitySource over drivers.idcard.reader.IdCardReader. For sim:// URLs `twin` is the pty
    twin (place/remove cards, inject faults); it stops with the source."""

    name = "idreader"

    def __init__(self, url: str, port: str, baud: int, *, twin=None, **opts):
        super().__init__(url)
        from drivers.idcard.reader import IdCardReader

        self.twin = twin
        self.reader = IdCardReader(port, baud=baud, on_event=self._on_event, **opts)

    def _to_identity(self, rec) -> Identity:
        return identity_from_idcard(rec)

    def start(self, listener: CardListener) -> None:
        self._listener = listener
        self.reader.start()

    def stop(self) -> None:
        self.reader.stop()
        if self.twin is not None:
            self.twin.stop()


class SsCardSource(_Source):
    """IdentitySource over drivers.sscard.reader.SsCardReader. For sim:// URLs it starts a private
    pcscd when none runs (root only; otherwise the state is `absent`) and the virtual card `twin`."""

    name = "sscard"

    def __init__(self, url: str, reader: str | None, *, twin=None, pcscd=None, card: str | None = None, **opts):
        super().__init__(url)
        self.reader_name = reader
        self.twin, self.pcscd = twin, pcscd
        self._card = card
        self._opts = opts
        self.reader = None

    def _to_identity(self, rec) -> Identity:
        return identity_from_sscard(rec)

    def start(self, listener: CardListener) -> None:
        self._listener = listener
        if self.pcscd is not None:
            from drivers.sscard.pcscd import PcscdError

            try:
                self.pcscd.start()
            except PcscdError as e:
                self._set_absent(f"sscard: {e}")
                return
        try:
            from drivers.sscard.reader import SsCardReader
        except ImportError as e:  # pyscard missing or libpcsclite not installed
            self._set_absent(f"sscard: pyscard unavailable: {e}")
            return
        if self.twin is not None and self._card:
            self.twin.insert()
        self.reader = SsCardReader(self.reader_name, on_event=self._on_event, **self._opts)
        self.reader.start()

    def stop(self) -> None:
        if self.reader is not None:
            self.reader.stop()
        if self.twin is not None:
            self.twin.close()
        if self.pcscd is not None:
            self.pcscd.stop()  # only the pcscd it started


# ---- factories ------------------------------------------------------------------------------------
def make_idreader(url: str, **opts) -> IdReaderSource:
    """`serial:///dev/…?baud=N`, a plain path, or `sim://idreader?card=NAME[&baud=N]` (starts the
    pty twin and opens the real driver on it). opts go to IdCardReader (timings, monotonic,
    read_fingerprint). Raises UsageError for a URL it cannot use."""
    try:
        u = parse_device_url(url)
    except DeviceURLError as e:
        raise UsageError(str(e)) from None
    if u.scheme == "serial":
        return IdReaderSource(u.raw, u.path, u.int_param("baud", 115200), **opts)
    if u.scheme == "sim" and u.host == "idreader":
        from drivers.idcard.cards import CardFileError
        from drivers.idcard.twin import IdReaderTwin

        baud = u.int_param("baud", 115200)
        try:
            twin = IdReaderTwin(u.param("card") or None, baud=baud)
        except CardFileError as e:
            raise UsageError(f"idreader: {e}") from None
        twin.start()
        return IdReaderSource(u.raw, twin.path, baud, twin=twin, **opts)
    raise UsageError(f"{url}: an ID card reader is serial:///dev/… , a device path or sim://idreader")


def make_sscard(url: str, **opts) -> SsCardSource:
    """`pcsc://[reader name]` or `sim://sscard?card=NAME[&slot=0|1]` (a private pcscd if none runs,
    and the virtual card in vpcd's slot, default 0). opts go to SsCardReader (timings, monotonic)."""
    try:
        u = parse_device_url(url)
    except DeviceURLError as e:
        raise UsageError(str(e)) from None
    if u.scheme == "pcsc":
        return SsCardSource(u.raw, u.host or None, **opts)
    if u.scheme == "sim" and u.host == "sscard":
        from drivers.sscard.cards import CardFileError, load_card
        from drivers.sscard.pcscd import VPCD_SLOTS, PrivatePcscd, vpcd_reader

        from drivers.sscard.twin import VPCD_PORT, SsCardTwin

        card = u.param("card") or None
        slot = u.int_param("slot", 0)
        if not 0 <= slot < VPCD_SLOTS:
            raise UsageError(f"{url}: slot must be 0..{VPCD_SLOTS - 1}")
        try:
            # a wrong name is a config error now, not a silently empty reader later
            twin = SsCardTwin(load_card(card) if card else None, port=VPCD_PORT + slot)
        except CardFileError as e:
            raise UsageError(f"sscard: {e}") from None
        return SsCardSource(u.raw, vpcd_reader(slot), twin=twin, pcscd=PrivatePcscd(), card=card, **opts)
    raise UsageError(f"{url}: a social security card reader is pcsc://[reader] or sim://sscard")


# ---- waiting for one card (kiosk-admin, tests) -----------------------------------------------------
class _OneCard:
    """A CardListener that keeps the first card, failure or device problem."""

    def __init__(self, fail_on_offline: bool):
        self.done = threading.Event()
        self.identity: Identity | None = None
        self.error: str | None = None
        self._fail_on_offline = fail_on_offline

    def card_read(self, source: str, identity: Identity) -> None:
        self.identity = identity
        self.done.set()

    def card_failed(self, source: str, code: str, zh: str, en: str) -> None:
        self.error = f"{source}: card failed: {code}: {en}"
        self.done.set()

    def card_removed(self, source: str) -> None:
        pass

    def device_state(self, state: DeviceState) -> None:
        if state.health in ("fault", "absent") or (self._fail_on_offline and state.health == "offline"
                                                   and state.code != "stopped"):
            self.error = f"{state.device}: {state.code}: {state.detail or state.en}"
            self.done.set()


def wait_for_card(source, timeout: float, *, fail_on_offline: bool = True) -> Identity:
    """Start `source`, wait (real time: a person places a card) for one card, stop. Raises
    KioskError: no card within the timeout, a failed read, or a reader that is offline/faulty."""
    one = _OneCard(fail_on_offline)
    source.start(one)
    try:
        if not one.done.wait(timeout):
            raise KioskError(f"{source.name}: no card within {timeout:g} s")
        if one.identity is None:
            raise KioskError(one.error or f"{source.name}: no card")
        return one.identity
    finally:
        source.stop()
