"""The one composition root: config → catalog, session, card readers, printer, scanner, outbox
and the use cases, real or simulated as the device URLs say. A device or the outbox that cannot
start does not stop the kiosk: it is reported unavailable and the rest runs."""
from __future__ import annotations

import dataclasses
import logging
import os
import threading
from typing import Any, Callable, Mapping

from kiosk.availability import Availability
from kiosk.catalog import Catalog, open_catalog
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.ports import IdentitySource, Outbox, ReceiptPrinter, Scanner
from kiosk.session import Session
from kiosk.technician import STATE_FILE as PIN_STATE_FILE, PinGate
from kiosk.usecases import KioskActions

log = logging.getLogger(__name__)

DEVICE_NAMES = ("idreader", "sscard", "printer", "scanner")
CLOSE_WAIT = 30.0  # seconds close() waits for a device start still under way (twins, pcscd)


@dataclasses.dataclass
class Services:
    """Everything the app needs, built once by `build()`. `availability` says which service is
    unavailable and the technician's reason (`printer: connection refused`); the devices and the
    outbox are None until `start_devices()` made them (or when they could not start)."""

    config: Config
    clock: Clock
    catalog: Catalog
    session: Session
    actions: KioskActions
    pin_gate: PinGate
    availability: Availability
    factories: Mapping[str, Callable[..., Any]] = dataclasses.field(repr=False)  # how each device is made
    idreader: IdentitySource | None = None
    sscard: IdentitySource | None = None
    printer: ReceiptPrinter | None = None
    scanner: Scanner | None = None
    outbox: Outbox | None = None
    speech: Any = None  # drivers.speech.SpeechCache for the voice guidance (kiosk/voice.py); None: silent
    handwriting: Any = None  # kiosk.devices.handwriting.Handwriting: the 手写 pad's recognizer (opened on first use)
    video: Any = None  # kiosk.ports.VideoDesk for 视频帮办 ([video] gateway; nothing connects before a call); None: none
    work_dir: str = ""
    demo: bool = False
    ready: threading.Event = dataclasses.field(default_factory=threading.Event)  # devices and outbox built
    _starting: bool = False

    def start_devices(self) -> None:
        """Build the devices and the outbox (slow: imports, twins, transports; any thread). A
        device or the outbox that cannot start is reported in `availability`; the rest runs."""
        if self._starting or self.ready.is_set():
            return
        self._starting = True
        config, clock, made = self.config, self.clock, self.factories
        try:
            for name in DEVICE_NAMES:
                url = getattr(config.devices, name) or (config.devices.camera if name == "scanner" else None)
                if not url:
                    self.availability.set(name, f"{name}: not configured")
                    continue
                try:
                    setattr(self, name, made[name](config, clock))
                except Exception as e:  # one device never stops the kiosk
                    log.warning("%s: unavailable: %s", name, e)
                    self.availability.set(name, f"{name}: {e}")
            try:
                self.outbox = made["outbox"](config, clock, self.catalog)
            except Exception as e:
                log.warning("outbox: unavailable: %s", e)
                self.availability.set("outbox", f"outbox: {e}")
            self.actions.devices_started(outbox=self.outbox, printer=self.printer, scanner=self.scanner,
                                         sources={"idreader": self.idreader, "sscard": self.sscard})
        finally:
            self.ready.set()

    @property
    def sources(self) -> list:
        """The identity sources that started (ID card reader, social security card)."""
        return [s for s in (self.idreader, self.sscard) if s is not None]

    def twins(self) -> dict[str, Any]:
        """The simulated twins behind sim:// devices, for the demo device panel."""
        out = {}
        for name in DEVICE_NAMES:
            twin = getattr(getattr(self, name), "twin", None)
            if twin is not None:
                out[name] = twin
        sims = getattr(self.outbox, "simulators", None)
        if sims:
            out["jurisdictions"] = sims
        return out

    def close(self) -> None:
        """Stop what was started, in reverse order; one failure does not stop the rest."""
        if self._starting:
            self.ready.wait(CLOSE_WAIT)  # a start still under way finishes first
        for name in ("idreader", "sscard"):
            src = getattr(self, name)
            if src is not None:
                _quietly(src.stop, name)
        for name in ("printer", "scanner", "outbox", "video"):
            obj = getattr(self, name)
            if obj is not None and hasattr(obj, "close"):
                _quietly(obj.close, name)


def _quietly(fn: Callable[[], Any], what: str) -> None:
    try:
        fn()
    except Exception:
        log.exception("%s: close failed", what)


def default_factories() -> dict[str, Callable[..., Any]]:
    """The real adapters (they start their twins themselves for sim:// URLs). Imported here, not
    at module import, so nothing is built by importing the kiosk."""

    def idreader(config: Config, clock: Clock):
        from kiosk.devices.idcard import make_idreader
        return make_idreader(config.devices.idreader)

    def sscard(config: Config, clock: Clock):
        from kiosk.devices.idcard import make_sscard
        return make_sscard(config.devices.sscard)

    def printer(config: Config, clock: Clock):
        from kiosk.devices.printer import make_printer
        return make_printer(config.devices.printer, paper=config.devices.printer_paper,
                            out_dir=os.path.join(config.data_folder, "printer") if config.demo else None)

    def scanner(config: Config, clock: Clock):
        from kiosk.devices.scanner import make_scanners  # the scanner, and a document camera beside it
        d = config.devices
        return make_scanners(d.scanner, d.camera, d.camera_materials)

    def outbox(config: Config, clock: Clock, catalog: Catalog):
        from kiosk.outbox import open_outbox
        return open_outbox(config, catalog, clock=clock, start_forwarder=True)

    def speech(config: Config):
        from kiosk.devices.speech import open_speech
        return open_speech(config)

    def video(config: Config):
        from kiosk.devices.videodesk import JanusDesk, turn_servers
        v = config.video
        return JanusDesk(v.gateway, camera=v.camera or "test://pattern", microphone=v.microphone or "test://tone",
                         speaker=v.speaker or "alsa://default", ice_servers=turn_servers(v.turn, v.turn_credentials))

    return {"idreader": idreader, "sscard": sscard, "printer": printer, "scanner": scanner, "outbox": outbox,
            "speech": speech, "video": video}


def _speech(made: Mapping[str, Callable[..., Any]], config: Config):
    """The voice guidance's engine (cheap: a folder; sentences render later, off the main thread)."""
    try:
        return made["speech"](config) if "speech" in made else None
    except Exception as e:  # the kiosk runs silent rather than not at all
        log.warning("voice guidance off: %s", e)
        return None


def _handwriting():
    from kiosk.devices.handwriting import Handwriting
    return Handwriting()


def build(config: Config, *, clock: Clock | None = None, demo: bool = False,
          factories: Mapping[str, Callable[..., Any]] | None = None,
          catalog: Catalog | None = None, start_devices: bool = True) -> Services:
    """Wire the kiosk. `factories` replaces some adapters (tests hand in fakes of the ports).
    `start_devices=False`: the devices and the outbox are built later by
    `Services.start_devices()` (the app calls it off the main thread once its first frame is up,
    so the home screen does not wait for drivers, twins and transports)."""
    clock = clock or SystemClock()
    demo = demo or config.demo
    made = dict(default_factories())
    made.update(factories or {})
    os.makedirs(config.data_folder, mode=0o700, exist_ok=True)
    work_dir = os.path.join(config.data_folder, "work")
    os.makedirs(work_dir, mode=0o700, exist_ok=True)
    catalog = catalog or open_catalog(config.active_catalog(), data_folder=config.data_folder)  # compiled index
    availability = Availability()
    session = Session(clock, idle_timeout=config.ui.idle_timeout, idle_warning=config.ui.idle_warning,
                      evaluation_timeout=config.evaluation.timeout)
    actions = KioskActions(config=config, clock=clock, catalog=catalog, outbox=None, printer=None, scanner=None,
                           sources={}, availability=availability, work_dir=work_dir)
    services = Services(config=config, clock=clock, catalog=catalog, session=session, actions=actions,
                        pin_gate=PinGate(config.technician_pin_hash, clock,  # its lockout survives a restart
                                         state_path=os.path.join(config.data_folder, PIN_STATE_FILE)),
                        availability=availability, factories=made, work_dir=work_dir, demo=demo,
                        speech=_speech(made, config), handwriting=_handwriting(),
                        video=made["video"](config) if config.video.gateway and "video" in made else None)
    if start_devices:
        services.start_devices()
    return services
