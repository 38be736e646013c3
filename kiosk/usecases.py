"""What the kiosk does for the journey and the screens (search, scan, submit, print, query,
progress, technician actions). Kivy-free and synchronous: the journey (kiosk/journey.py) runs
the slow ones through its executor, off the app's main thread."""
from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import uuid
from typing import Any, Mapping

from kiosk import intake, jurisdictions
from kiosk.availability import Availability
from kiosk.catalog import Catalog, Matter
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.errors import KioskError
from kiosk.identity import Identity
from kiosk.mapping import MappingInputs, resolve_fields
from kiosk.ports import (DeviceState, IdentitySource, Outbox, Printed, PrintResult, ProgressItem, ReceiptData,
                         ReceiptPrinter, Refused, ScannedMaterial, Scanner, SubmitOutcome)
from kiosk.transaction import Attachment, Delivery, Transaction
from kiosk.words import pair, say

log = logging.getLogger(__name__)

# Which service each device provides, in the words the resident and the technician see.
SERVICE_NAMES = {k: pair(f"service.{k}") for k in ("idreader", "sscard", "printer", "scanner", "outbox")}


@dataclasses.dataclass(frozen=True)
class Submitted:
    outcome: SubmitOutcome
    receipt: ReceiptData
    jurisdiction_name: str


class KioskActions:
    """The use cases. Every dependency is handed in; a device that is None is unavailable."""

    def __init__(self, *, config: Config, clock: Clock, catalog: Catalog, outbox: Outbox | None,
                 printer: ReceiptPrinter | None, scanner: Scanner | None,
                 sources: Mapping[str, IdentitySource | None], availability: Availability, work_dir: str):
        self.config, self.clock, self.catalog = config, clock, catalog
        self.outbox, self.printer, self.scanner = outbox, printer, scanner
        self.sources = dict(sources)
        self.availability = availability  # shared with Services: what the status bar and technician see
        self.work_dir = work_dir

    def devices_started(self, *, outbox: Outbox | None, printer: ReceiptPrinter | None, scanner: Scanner | None,
                        sources: Mapping[str, IdentitySource | None]) -> None:
        """The devices and the outbox `Services.start_devices()` made (after the first frame)."""
        self.outbox, self.printer, self.scanner = outbox, printer, scanner
        self.sources = dict(sources)

    # ---- choose ----------------------------------------------------------------------------
    def served(self) -> list[str]:
        """The jurisdictions this kiosk serves, the one it stands in first."""
        codes = list(self.config.serving)
        codes.sort(key=lambda c: c != self.config.site_jurisdiction)
        return codes

    def jurisdiction_name(self, code: str, lang: str = "zh") -> str:
        j = self.config.jurisdictions.get(code)
        if lang == "en":
            return jurisdictions.name_en(code, self.config)
        return j.name if j else jurisdictions.name_zh(code)

    def search(self, query: str, *, jurisdiction: str | None = None, category: str | None = None,
               limit: int = 24) -> list[Matter]:
        found = self.catalog.search(query, jurisdiction=jurisdiction, category=category, limit=limit * 2)
        return [m for m in found if m.jurisdiction in self.config.serving][:limit]

    def categories(self, jurisdiction: str | None = None) -> list[str]:
        return self.catalog.categories(jurisdiction)

    def popular(self, jurisdiction: str | None = None, n: int = 8) -> list[Matter]:
        return self.search("", jurisdiction=jurisdiction, limit=n)

    def online(self, jurisdiction: str) -> bool:
        if self.outbox is None:
            return False
        try:
            return bool(self.outbox.online(jurisdiction))
        except Exception:  # a broken outbox is "offline" to the resident; the technician sees why
            log.exception("outbox.online failed")
            return False

    def network_key(self) -> tuple:
        """Which jurisdictions are reachable now: lists that show "needs the network" depend on it."""
        return tuple(sorted(c for c in self.config.serving if self.online(c)))

    def can_start(self, matter: Matter) -> bool:
        """A query matter needs the network now; an application may be queued if offline_ok."""
        if self.outbox is None:
            return False
        if matter.kind == "query" or not matter.offline_ok:
            return self.online(matter.jurisdiction)
        return True

    # ---- form ----------------------------------------------------------------------------
    # The rules live in kiosk.intake, which `kiosk-admin submit` uses too: one validator.
    prefill = staticmethod(intake.prefill)
    form_errors = staticmethod(intake.form_errors)

    # ---- scan ----------------------------------------------------------------------------
    def new_scan_folder(self) -> str:
        path = os.path.join(self.work_dir, "scans", uuid.uuid4().hex)
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path

    def scan(self, matter: Matter, material_code: str, out_dir: str) -> ScannedMaterial:
        if self.scanner is None:
            zh, en = pair("scanner.unavailable")
            raise KioskError("scanner: unavailable", resident=zh, resident_en=en)
        m = matter.material(material_code)
        return self.scanner.scan(m.code, pages=m.pages_min, color=m.color, out_dir=out_dir)

    def scan_page(self, matter: Matter, material_code: str, out_dir: str) -> ScannedMaterial:
        """One page of a material (the resident adds, retakes and orders pages: kiosk/pages.py)."""
        if self.scanner is None:
            zh, en = pair("scanner.unavailable")
            raise KioskError("scanner: unavailable", resident=zh, resident_en=en)
        m = matter.material(material_code)
        return self.scanner.scan(m.code, pages=1, color=m.color, out_dir=out_dir)

    @staticmethod
    def discard_scans(folder: str | None) -> None:
        """Scans are personal data: gone when the session ends (the outbox keeps its sealed copy)."""
        if folder and os.path.isdir(folder):
            shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def missing_materials(matter: Matter, scanned: Mapping[str, ScannedMaterial]) -> list[str]:
        return intake.missing_materials(matter, scanned)

    # ---- submit and receipt ----------------------------------------------------------------
    def build_transaction(self, data: Mapping[str, Any]) -> Transaction:
        matter: Matter = data["matter"]
        scanned: Mapping[str, ScannedMaterial] = data.get("attachments") or {}
        atts = tuple(Attachment(material=s.material, path=s.pdf_path, pages=s.pages, sha256=s.sha256, size=s.size)
                     for s in scanned.values())
        return Transaction(id=Transaction.new_id(), matter_code=matter.code, jurisdiction=matter.jurisdiction,
                           identity=data["identity"], form=dict(data.get("form") or {}), attachments=atts,
                           delivery=data.get("delivery") or Delivery(), kiosk_id=self.config.kiosk_id,
                           created_at=self.clock.now(),
                           corrects=getattr(data.get("corrects"), "txid", None) or data.get("corrects") or None)

    def submit(self, data: Mapping[str, Any]) -> Submitted:
        """Outbox first (durable), then the receipt. Blocks on the network: not on the UI thread."""
        if self.outbox is None:
            raise KioskError("outbox: unavailable")
        tx = self.build_transaction(data)
        original = data.get("corrects")  # 补正: the ProgressItem corrected
        outcome = self.outbox.submit(tx)
        matter: Matter = data["matter"]
        jname = self.jurisdiction_name(matter.jurisdiction)
        j = self.config.jurisdictions.get(matter.jurisdiction)
        days = j.prereview_days if j else 3
        receipt = ReceiptData(
            kiosk_id=self.config.kiosk_id, location=self.config.site, jurisdiction_name=jname,
            matter_name=matter.name, tracking_number=outcome.tracking_number,
            qr_payload=f"QYTB:{outcome.tracking_number}", masked_id=tx.identity.masked_id,
            masked_name=tx.identity.masked_name, time=tx.created_at,
            materials=[matter.material(a.material).name for a in tx.attachments],
            forwarded=outcome.forwarded,
            next_steps=([say("receipt.next.corrects", number=original.tracking_number)] if original else [])
            + [say("receipt.next.prereview", days=days), say("receipt.next.query")],  # printed in Chinese
            hotline=(j.hotline if j and j.hotline else self.config.hotline),
            title=say("receipt.title_correction") if original else "",
            corrects=original.tracking_number if original else "")
        return Submitted(outcome, receipt, jname)

    def print_receipt(self, receipt: ReceiptData) -> PrintResult | None:
        """None when there is no printer; the screen then shows the QR and number."""
        if self.printer is None:
            return None
        try:
            out = self.printer.print_receipt(receipt)
        except Exception as e:  # the resident still gets the number on screen
            log.exception("printer: print_receipt failed")
            self.availability.set("printer", f"printer: {type(e).__name__}: {e}")
            return None
        self._note_printer(out)
        return out

    def check_printer(self) -> None:
        """Ask the printer how it is (I/O: off the main thread), so a refilled printer stops being
        reported unavailable before the next receipt."""
        if self.printer is None:
            return
        try:
            st = self.printer.state()
        except Exception as e:
            self.availability.set("printer", f"printer: {type(e).__name__}: {e}")
            return
        if st.health in ("ok", "warning"):
            self.availability.clear("printer")
        else:
            self.availability.set("printer", f"printer: {st.code}")

    def _note_printer(self, out: PrintResult | None) -> None:
        """The status bar and the technician learn the printer's state from every job."""
        match out:
            case Printed():
                self.availability.clear("printer")
            case Refused(state=st):
                self.availability.set("printer", f"printer: {st.code}")
                log.warning("printer: %s (%s)", st.code, st.detail)

    @staticmethod
    def qr_png(payload: str, path: str) -> str:
        import qrcode

        qrcode.make(payload, box_size=8, border=2).save(path)
        return path

    # ---- query matters and progress ------------------------------------------------------
    def query(self, matter: Matter, identity: Identity | None, form: Mapping[str, str]) -> dict:
        if self.outbox is None:
            raise KioskError("outbox: unavailable")
        params = resolve_fields(matter.mapping.fields,
                                MappingInputs(identity=identity, form=form, kiosk_id=self.config.kiosk_id))
        return self.outbox.query(matter.jurisdiction, matter.mapping.operation, params)

    def progress(self, *, id_number: str | None = None, tracking_number: str | None = None) -> list[ProgressItem]:
        if self.outbox is None:
            raise KioskError("outbox: unavailable")
        return self.outbox.progress(id_number=id_number, tracking_number=tracking_number)

    def evaluate(self, ev) -> str:
        """Queue a 好差评 evaluation (kiosk.evaluation.Evaluation) for the site's platform; its id."""
        if self.outbox is None:
            raise KioskError("outbox: unavailable")
        return self.outbox.evaluate(ev)

    def matter_name(self, code: str, lang: str = "zh") -> str:
        try:
            m = self.catalog.get(code)
        except KeyError:
            return code
        return (m.name_en or m.name) if lang == "en" else m.name

    # ---- technician --------------------------------------------------------------------------
    def device_states(self) -> list[DeviceState]:
        out = []
        for name in ("idreader", "sscard", "printer", "scanner"):
            dev = self.sources.get(name) if name in ("idreader", "sscard") else getattr(self, name)
            if dev is None:
                out.append(DeviceState(name, "absent", "unavailable", detail=self.availability.get(name, "not configured")))
                continue
            try:
                out.append(dev.state())
            except Exception as e:
                out.append(DeviceState(name, "fault", "error", detail=f"{type(e).__name__}: {e}"))
        return out

    def outbox_counts(self) -> dict[str, int]:
        return self.outbox.counts() if self.outbox else {}

    def outbox_failing(self) -> tuple[int, str | None]:
        return self.outbox.failing() if self.outbox else (0, None)

    def retry_dead(self) -> int:
        return self.outbox.retry_dead() if self.outbox else 0

    def test_print(self) -> PrintResult | None:
        if self.printer is None:
            return None
        out = self.printer.print_test()
        self._note_printer(out)
        return out

    def network(self) -> dict[str, bool]:
        return {code: self.online(code) for code in self.config.jurisdictions}

    def config_summary(self) -> str:
        return self.config.summary()
