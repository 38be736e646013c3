"""The resident's journey: runs the side effects of the session's steps, Kivy-free.

The session (kiosk/session.py) decides which step comes next and holds the resident's data; this
coordinator does what a step needs done — submit to the outbox, print the receipt, ask a query
matter or a progress query, scan a material, forget the scans and check the printer at the wipe —
and fires the results back into the session as events. Screens read `snapshot()` (a frozen
`JourneySnapshot`) and turn touches into calls here; they never run a use case nor write the
session's data.

Slow work (network, printer, scanner) runs through the injected `executor(fn, done, failed)`:
`run_now` in unit tests (synchronous, no Kivy), the app's worker thread in the kiosk (its results
hop back onto the main thread). A result that arrives after the journey ended (a wipe) is
dropped. Every call here is made on one thread (the app's main thread)."""
from __future__ import annotations

import dataclasses
import logging
import os
import types
from typing import Any, Callable, Literal, Mapping

from kiosk import intake, pages as page_work
from kiosk.call import CallView, HelpCall, material_pages
from kiosk.catalog import Matter
from kiosk.evaluation import Evaluation, Subject
from kiosk.identity import Identity
from kiosk.ports import (CallContext, PrintResult, ProgressItem, ScannedMaterial, SharedMaterial, VideoDesk,
                         VideoImage)
from kiosk.session import Problem, Session
from kiosk.transaction import Delivery
from kiosk.usecases import KioskActions, Submitted
from kiosk.words import pair

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
Executor = Callable[[Callable[[], Any], Done, Failed], None]
Listener = Callable[[], None]

Printing = Literal["", "printing", "printed", "failed"]
NO_HELP = ("submit",)  # steps without the help button: a submission is being made

# What a resident reads when a step fails without words of its own: (code, 中文, English).
SUBMIT_FAILED = ("submit_failed", *pair("journey.submit_failed"))
QUERY_FAILED = ("query_failed", *pair("journey.query_failed"))
PROGRESS_FAILED = ("progress_failed", *pair("journey.progress_failed"))


def run_now(fn: Callable[[], Any], done: Done, failed: Failed) -> None:
    """The synchronous executor: the unit tests' (and a console's) way to run a step."""
    try:
        value = fn()
    except Exception as e:
        failed(e)
    else:
        done(value)


def problem(error: BaseException, default: tuple[str, str, str]) -> Problem:
    """An error in the resident's words: its own (KioskError.resident / resident_en) or the step's."""
    code, zh, en = default
    return Problem(code, getattr(error, "resident", None) or zh, getattr(error, "resident_en", None) or en)


@dataclasses.dataclass(frozen=True)
class JourneySnapshot:
    """What the screens show: the session's state and data, and the steps' progress."""

    state: str
    identity: Identity | None
    identity_source: str | None
    matter: Matter | None
    form: Mapping[str, str]
    attachments: Mapping[str, ScannedMaterial]
    delivery: Delivery | None
    submitted: Submitted | None  # the outbox's outcome and the receipt
    answer: Mapping[str, Any] | None  # a query matter's answer
    progress: tuple[ProgressItem, ...] | None  # a progress query's transactions
    error: Problem | None  # why the resident cannot go on here
    asking: bool  # a query or a progress query is under way
    scanning: str  # the material being scanned, "" when none
    scan_error: Problem | None  # the last scan failed, why
    printing: Printing
    qr_path: str  # the receipt's QR code as a PNG ("" before the receipt)
    missing: tuple[str, ...]  # required materials not scanned yet
    evaluating: Subject | None = None  # the service to rate (好差评) in evaluate: nothing personal
    # each material's pages as the resident arranged them (kiosk/pages.py), by material code
    pages: Mapping[str, page_work.PagesView] = dataclasses.field(default_factory=dict)
    # a card is still on a reader, or the ID card was scanned (it may lie on the scanner): the last
    # screen says 请取走身份证/社保卡和回执
    take_card: bool = False
    correcting: ProgressItem | None = None  # 补正: the item being corrected (its matter is `matter`)
    call: CallView = CallView()  # 视频帮办: the help call lying over this step (idle: none)


class Journey:
    """The coordinator. Built on the session (it listens to it: first, so a step's work has
    started when the screens are told) and the use cases."""

    def __init__(self, session: Session, actions: KioskActions, *, executor: Executor = run_now,
                 video: VideoDesk | None = None, post: Callable[[Callable[[], None]], None] = lambda fn: fn()):
        self.session, self.actions, self.executor = session, actions, executor
        # 视频帮办: a help call over the current step; `video` None: no video help on this kiosk.
        # Its port reports on its own thread; `post` hops them onto the main thread (the shell's
        # on_main; a unit test: at once).
        self.call = HelpCall(video, actions.clock, desk_for=self._desk, context=self._call_context,
                             answer_timeout=actions.config.video.answer_timeout, changed=self._changed, post=post,
                             material=self._shareable, run=self._run)
        self.scan_folder: str | None = None  # this journey's scans and QR code; deleted at the wipe
        self._generation = 0  # moves on at every wipe: a late result of an older journey is dropped
        self._asking = False
        self._scanning = ""
        self._scan_error: Problem | None = None
        self._printing: Printing = ""
        self._qr_path = ""
        self._pages: dict[str, page_work.Pages] = {}  # material code → its pages (this matter's)
        self._listeners: list[Listener] = []
        session.add_listener(self._on_session)

    # ---- what the screens read ----------------------------------------------------------------
    def snapshot(self) -> JourneySnapshot:
        d = self.session.data
        return JourneySnapshot(
            state=self.session.state, identity=d.identity, identity_source=d.identity_source, matter=d.matter,
            form=types.MappingProxyType(dict(d.form)), attachments=types.MappingProxyType(dict(d.attachments)),
            delivery=d.delivery, submitted=d.submitted, answer=d.answer,
            progress=tuple(d.progress) if d.progress is not None else None, error=d.error,
            asking=self._asking, scanning=self._scanning, scan_error=self._scan_error,
            printing=self._printing, qr_path=self._qr_path,
            missing=self._missing(),
            evaluating=self.session.evaluating,
            pages=types.MappingProxyType({c: p.view() for c, p in self._pages.items()}),
            correcting=d.correcting, call=self.call.view,
            take_card=bool(d.card_on_reader) or any(
                p.material.kind == "id_card" and p.count for p in self._pages.values()))

    def subscribe(self, callback: Listener) -> None:
        """`callback()` when the journey changed without a session transition (a print finished,
        a scan started, failed or ended)."""
        self._listeners.append(callback)

    # ---- what the screens ask (touches turned into events) --------------------------------------
    def fire(self, event: str, **payload: Any) -> str:
        """A plain session event (start, pick, next, back, submit, done, cancel ...)."""
        return self.session.fire(event, **payload)

    def touch(self) -> None:
        self.session.touch()

    def tick(self) -> None:
        """Called regularly by the app (tests: after moving the clock): the call's answer timeout,
        then the session's idle countdown — which a call holds off (the resident is talking)."""
        self.call.tick()
        if self.call.view.state in ("waiting", "in_call"):
            self.session.touch()
        self.session.tick()

    # ---- 视频帮办: the help call (the help button on every step and at home) -----------------------
    def help(self) -> None:
        """The help button: consent first (camera and microphone on, what the clerk sees), or the
        words that video help is not available here. Not while a submission is being made."""
        if self.session.state not in NO_HELP:
            self.call.help()

    def _desk(self) -> str | None:
        m = self.session.data.matter
        return self.actions.config.video_desk(m.jurisdiction if m is not None else None)

    def _call_context(self) -> CallContext:
        """What the clerk is told: the kiosk, the step, the matter — never the identity."""
        cfg, m = self.actions.config, self.session.data.matter
        return CallContext(kiosk_id=cfg.kiosk_id, site=cfg.site, step=self.session.state,
                           matter_code=m.code if m else "", matter_name=m.name if m else "",
                           jurisdiction=m.jurisdiction if m else "")

    def show_material(self, code: str) -> None:
        """In a call, one tap: this material (scanned in this visit) shown to the clerk."""
        self.call.show(code)

    def call_frame(self, which: Literal["remote", "self"]) -> VideoImage | None:
        """The call's latest picture of the clerk ("remote") or of the resident ("self"); None
        when there is no call."""
        return self.call.frame(which)

    def _shareable(self, code: str) -> Callable[[], SharedMaterial] | None:
        """How to make a material of this visit for the clerk: its assembled PDF, else the pages
        scanned so far. Never the ID card (the clerk never sees the ID number unmasked)."""
        d, matter = self.session.data, self.session.data.matter
        if matter is None or code not in {m.code for m in matter.materials}:
            return None
        material = matter.material(code)
        if material.kind == "id_card":
            return None
        whole = d.attachments.get(code)
        pages = self._pages.get(code)
        if whole is not None:
            pdfs, previews = [whole.pdf_path], list(whole.preview_paths)
        elif pages is not None and pages.count:
            pdfs = [p.pdf_path for p in pages.pages]
            previews = [path for p in pages.pages for path in p.preview_paths[:1]]
        else:
            return None
        return lambda: SharedMaterial(code, material.name, material_pages(pdfs, previews))

    def finish_form(self, values: Mapping[str, str], lang: str = "zh") -> dict[str, str]:
        """The form's values: their errors by field in `lang` (nothing moves), or on to the next step
        with every field kept (the card's too: the mapping reads form.<key>, sealed like the identity)."""
        m = self.session.data.matter
        errors = self.actions.form_errors(m, dict(values), lang)
        if not errors:
            keys = {f.key for f in m.fields}
            self.fire("next", form={k: v for k, v in values.items() if k in keys})
        return errors

    def finish_delivery(self, delivery: Delivery) -> Literal["address", "phone"] | None:
        """The delivery chosen: what is wrong with it ("address" | "phone"; kiosk.intake's rules,
        which `kiosk-admin submit` applies too), or on to the next step."""
        why = intake.delivery_problem(self.session.data.matter, delivery)
        if why in ("address", "phone"):  # the resident's to fix; a method is only ever one offered
            return why
        self.fire("next", delivery=delivery)
        return None

    def _missing(self) -> tuple[str, ...]:
        """Required materials not scanned yet; for a correction (补正), every material until one
        is rescanned (the resident rescans those the reason names)."""
        d = self.session.data
        if d.matter is None:
            return ()
        if d.correcting is not None:
            return () if d.attachments else tuple(m.code for m in d.matter.materials)
        return tuple(self.actions.missing_materials(d.matter, d.attachments))

    def finish_scan(self) -> bool:
        """On to the next step when every required material is scanned; False (nothing moves) else."""
        if self._missing():
            return False
        if any(p.count and not p.complete() for p in self._pages.values()):  # half a card, too few pages
            return False
        self.fire("next")
        return True

    def scan(self, material: str) -> None:
        """Add a page to a material (scanned off the main thread): the next page, or the next side
        of a two-sided one (front, then back: 请翻面). Within pages_max; once the material has
        pages_min..pages_max pages (whole sheets) its PDF, in the order shown, is kept by the session."""
        pages = self._material_pages(material)
        if pages is None or not pages.can_add():
            return
        self._scan_page(material, None)

    def retake(self, material: str, index: int) -> None:
        """Scan page `index` of a material again, in its place (the same side)."""
        pages = self._material_pages(material)
        if pages is None or not 0 <= index < pages.count:
            return
        self._scan_page(material, index)

    def delete_page(self, material: str, index: int) -> None:
        """Remove page `index` (of a two-sided material, its sheet: front and back)."""
        pages = self._material_pages(material)
        if pages is None or not 0 <= index < pages.count:
            return
        page_work.discard(pages.delete(index))
        self._scan_error = None
        self._kept(material)

    def large_view(self, material: str, index: int) -> str:
        """A picture of page `index` big enough to check ("" when there is no such page)."""
        pages = self._pages.get(material)
        if pages is None or not 0 <= index < pages.count:
            return ""
        return page_work.large_view(pages.pages[index])

    def _material_pages(self, material: str) -> page_work.Pages | None:
        if self._scanning or self.session.state != "scan":
            return None
        matter = self.session.data.matter
        if matter is None or material not in {m.code for m in matter.materials}:
            return None
        if material not in self._pages:
            self._pages[material] = page_work.Pages(matter.material(material))
        return self._pages[material]

    def _scan_page(self, material: str, index: int | None) -> None:
        matter, folder = self.session.data.matter, self._folder()
        self._scanning, self._scan_error = material, None
        self._changed()
        self._run(lambda: self.actions.scan_page(matter, material, folder),
                  lambda page: self._page_scanned(material, index, page), self._scan_failed)

    def _page_scanned(self, material: str, index: int | None, page: ScannedMaterial) -> None:
        self._scanning = ""
        pages = self._pages.get(material)
        if pages is None or self.session.state != "scan":  # left the step meanwhile: not kept
            page_work.discard([page])
            self._changed()
            return
        if index is None:
            pages.add(page)
        else:
            page_work.discard([pages.retake(index, page)])
        self._kept(material)

    def _kept(self, material: str) -> None:
        """The material's pages changed: its PDF assembled in the order shown when complete (the
        session keeps it), or taken back from the session while it is not."""
        pages = self._pages[material]
        old = self.session.data.attachments.get(material)
        if pages.complete():
            self.fire("scanned", material=page_work.assemble(pages, self._folder()))
        else:
            self.fire("scanned", removed=material)
        if old is not None:
            page_work.discard_pdf(old)
        self._changed()

    def rate(self, level: int, reasons: tuple[str, ...] = (), comment: str = "") -> None:
        """The resident's 好差评 of the service just given: home at once (never blocking), the
        evaluation queued in the outbox off the main thread (a failure is logged, nothing shown)."""
        subject = self.session.evaluating
        if self.session.state != "evaluate" or subject is None:
            return
        ev = Evaluation(subject, level, tuple(reasons), comment.strip())
        self.fire("rated")
        self.executor(lambda: self.actions.evaluate(ev), lambda _id: None,
                      lambda e: log.warning("journey: evaluation not queued: %s: %s", type(e).__name__, e))

    def skip_evaluation(self) -> None:
        """One touch: no evaluation, home."""
        self.fire("skip")

    def correct(self, txid: str) -> None:
        """补正: the resident (identified by card in this progress query) corrects one of their
        items that needs correction: rescan its materials and resubmit, naming the original."""
        d = self.session.data
        item = next((it for it in d.progress or () if it.txid == txid), None)
        if item is None or d.identity is None:
            return
        try:
            matter = self.actions.catalog.get(item.matter_code)
        except KeyError:
            return
        self.fire("correct", item=item, matter=matter)

    def progress_by_number(self, tracking_number: str) -> None:
        """A progress query by tracking number (the resident typed it)."""
        self._ask_progress(tracking_number=tracking_number)

    # ---- the session's transitions start the steps' work ----------------------------------------
    def _on_session(self, old: str, new: str, event: str) -> None:
        if new == "scan" and old != "scan":
            self._scan_error = None  # a failed scan's words are for the visit they happened in
        leaving_correction = old == "scan" and new == "progress"  # a correction not made: its pages go
        if (event in ("pick", "correct") and not self.session.data.attachments) or leaving_correction:
            for p in self._pages.values():  # another matter (or correction): its own pages
                page_work.discard(p.pages)
            self._pages = {}
        if new in ("home", "evaluate") and old not in ("home", "evaluate"):
            self._wipe()
        elif new == "submit" and event == "submit":
            self._submit()
        elif new == "receipt" and event == "submitted":
            self._print()
        elif new == "answer" and event == "next":
            self._query()
        elif new == "progress" and event == "card_read" and self.session.data.identity is not None:
            self._ask_progress(id_number=self.session.data.identity.id_number)
        elif new == "progress" and event == "query":
            self._asking = False
        if new != old:
            self.call.moved()  # in a call: the clerk is told the step the resident is on

    def _submit(self) -> None:
        d = self.session.data
        data = {"identity": d.identity, "matter": d.matter, "form": dict(d.form or {}),
                "attachments": dict(d.attachments or {}), "delivery": d.delivery,
                "corrects": d.correcting}
        self._run(lambda: self.actions.submit(data), lambda sub: self.fire("submitted", submitted=sub),
                  lambda e: self.fire("failed", error=problem(e, SUBMIT_FAILED)))

    def _print(self) -> None:
        sub: Submitted | None = self.session.data.submitted
        if sub is None:
            return
        self._qr_path = self.actions.qr_png(sub.receipt.qr_payload, os.path.join(self._folder(), "receipt-qr.png"))
        self._printing = "printing"
        self._run(lambda: self.actions.print_receipt(sub.receipt), self._printed, lambda _e: self._printed(None))

    def _printed(self, result: PrintResult | None) -> None:
        # None: no printer, or it failed (the use case told the status bar); the QR stays on screen
        self._printing = "printed" if result is not None and result.ok else "failed"
        self._changed()

    def _query(self) -> None:
        d = self.session.data
        matter, ident, form = d.matter, d.identity, dict(d.form or {})
        self._asking = True
        self._run(lambda: self.actions.query(matter, ident, form), self._answered,
                  lambda e: self._asked("failed", error=problem(e, QUERY_FAILED)))

    def _answered(self, answer) -> None:
        self._asked("answered", answer=answer)

    def _ask_progress(self, **by: str) -> None:
        self._asking = True
        self._changed()
        self._run(lambda: self.actions.progress(**by), lambda items: self._asked("found", items=items),
                  lambda e: self._asked("failed", error=problem(e, PROGRESS_FAILED)))

    def _asked(self, event: str, **payload: Any) -> None:
        self._asking = False
        self.fire(event, **payload)

    def _scan_failed(self, error: BaseException) -> None:
        self._scanning = ""
        self._scan_error = Problem("scan_failed", getattr(error, "resident", None) or str(error),
                                   getattr(error, "resident_en", None) or str(error))
        self._changed()

    def _wipe(self) -> None:
        """Forget the resident's journey (the session has wiped its data): late results dropped,
        scans deleted; then ask the printer how it is, so a refilled one is reported at once."""
        self._generation += 1
        self.call.end_visit()  # a call of the visit that ended is hung up
        self.actions.discard_scans(self.scan_folder)
        self.scan_folder = None
        self._asking, self._scanning, self._scan_error = False, "", None
        self._pages = {}  # their files went with the scan folder
        self._printing, self._qr_path = "", ""
        self._run(self.actions.check_printer, lambda _r: None, lambda _e: None)

    # ---- plumbing ---------------------------------------------------------------------------------
    def _folder(self) -> str:
        if self.scan_folder is None:
            self.scan_folder = self.actions.new_scan_folder()
        return self.scan_folder

    def _run(self, fn: Callable[[], Any], done: Done, failed: Failed) -> None:
        generation = self._generation

        def now_done(value):
            if generation == self._generation:
                done(value)

        def now_failed(error):
            log.warning("journey: %s failed: %s: %s", getattr(fn, "__name__", "step"), type(error).__name__, error)
            if generation == self._generation:
                failed(error)

        self.executor(fn, now_done, now_failed)

    def _changed(self) -> None:
        for cb in list(self._listeners):
            cb()
