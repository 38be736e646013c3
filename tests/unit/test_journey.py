"""The resident's journey without Kivy: the coordinator (kiosk/journey.py) runs each step's work
through a synchronous executor over fakes of the ports, and the session moves as it does in the
app. A whole application (card, pick, form, scan, delivery, confirm, submit, receipt printed) and
the ways it goes wrong."""
import dataclasses
import re
import os

import pytest

from kiosk.bootstrap import build
from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.errors import KioskError
from kiosk.journey import Journey, JourneySnapshot, run_now
from kiosk.ports import ScannedMaterial
from kiosk.transaction import Delivery
from tests.support.fakes import RESIDENT, FakeOutbox, FakePrinter, FakeScanner, fake_factories

APPLY = "TZ-YB-001"  # form, one material, pickup or mail
QUERY = "TZ-GJJ-001"  # a query matter
PHONE = "13912345678"


class BrokenOutbox(FakeOutbox):
    """An outbox that cannot queue or answer (its disk full, its database locked)."""

    def submit(self, tx):
        raise KioskError("outbox: database is locked", resident="暂时无法保存，请稍后再试。",
                         resident_en="Cannot save now. Please try later.")

    def query(self, jurisdiction, operation, params):
        raise OSError("network unreachable")

    def progress(self, **_):
        raise OSError("network unreachable")


class JammedScanner(FakeScanner):
    def scan(self, material, *, pages=1, color=False, out_dir):
        raise KioskError("scanner: jammed", resident="扫描仪卡纸，请联系工作人员。", resident_en="The scanner is jammed.")


def make(tmp_path, **ports):
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path))
    factories = fake_factories()
    for name, port in ports.items():
        factories[name] = (lambda c, k, cat, p=port: p) if name == "outbox" else (lambda c, k, p=port: p)
    services = build(cfg, clock=FakeClock(), factories=factories)
    journey = Journey(services.session, services.actions, executor=run_now)
    return services, journey


@pytest.fixture
def kiosk(tmp_path):
    services, journey = make(tmp_path)
    yield services, journey
    services.close()


def identified(services, journey, code=APPLY):
    journey.fire("start")
    services.idreader.start(_Listener(journey))
    services.idreader.place(RESIDENT)
    journey.fire("pick", matter=services.catalog.get(code))
    assert journey.snapshot().state == "guide"
    journey.fire("next")


class _Listener:
    """The card events as the app's shell passes them on (on the main thread)."""

    def __init__(self, journey):
        self.journey = journey

    def card_read(self, source, identity):
        self.journey.fire("card_read", identity=identity, source=source)

    def card_failed(self, source, code, zh, en):
        pass

    def card_removed(self, source):
        self.journey.fire("card_removed", source=source)

    def device_state(self, state):
        pass


def to_confirm(services, journey):
    identified(services, journey)
    values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE)
    assert list(journey.finish_form(dict(values, phone="123"))) == ["phone"]
    assert journey.snapshot().state == "form" and dict(journey.snapshot().form) == {}  # nothing moves
    assert journey.finish_form(values) == {}
    assert journey.snapshot().state == "scan" and journey.snapshot().form["phone"] == PHONE
    assert not journey.finish_scan() and journey.snapshot().missing == ("residence_proof",)
    journey.scan("residence_proof")
    snap = journey.snapshot()
    assert snap.state == "scan" and snap.scanning == "" and "residence_proof" in snap.attachments
    assert os.path.exists(snap.attachments["residence_proof"].pdf_path)
    assert journey.finish_scan()
    assert journey.snapshot().state == "delivery"
    assert journey.finish_delivery(Delivery("mail", "", PHONE)) == "address"  # no address: stays
    assert journey.finish_delivery(Delivery("pickup")) is None
    assert journey.snapshot().state == "confirm"


def test_a_whole_application_journey(kiosk):
    services, journey = kiosk
    to_confirm(services, journey)
    folder = journey.scan_folder
    journey.fire("submit")
    snap = journey.snapshot()
    assert isinstance(snap, JourneySnapshot)
    assert snap.state == "receipt" and snap.submitted is not None
    assert snap.printing == "printed" and os.path.exists(snap.qr_path)
    (tx, item), = services.outbox.items
    assert tx.form["phone"] == PHONE and tx.delivery == Delivery("pickup") and len(tx.attachments) == 1
    assert services.printer.printed[0].tracking_number == snap.submitted.receipt.tracking_number
    assert services.printer.printed[0].masked_id == "110105********002X"
    journey.fire("done")
    snap = journey.snapshot()
    assert snap.state == "evaluate" and snap.identity is None and snap.submitted is None and snap.qr_path == ""
    assert not os.path.exists(folder) and journey.scan_folder is None  # the scans went with the resident


def test_the_snapshot_is_read_only(kiosk):
    services, journey = kiosk
    identified(services, journey)
    snap = journey.snapshot()
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.state = "receipt"
    with pytest.raises(TypeError):
        snap.form["phone"] = PHONE
    assert "phone" not in services.session.data.form


def test_submit_fails_back_to_confirm_with_words(tmp_path):
    services, journey = make(tmp_path, outbox=BrokenOutbox())
    to_confirm(services, journey)
    journey.fire("submit")
    snap = journey.snapshot()
    assert snap.state == "confirm" and snap.submitted is None
    assert snap.error.code == "submit_failed" and snap.error.zh == "暂时无法保存，请稍后再试。"
    assert snap.identity is RESIDENT and "residence_proof" in snap.attachments  # nothing lost: try again
    services.close()


def test_printer_not_ready_leaves_the_qr_and_tells_the_status_bar(tmp_path):
    printer = FakePrinter()
    printer.status = "paper_out"
    services, journey = make(tmp_path, printer=printer)
    told = []
    services.availability.subscribe(lambda: told.append(services.availability.get("printer")))
    to_confirm(services, journey)
    journey.fire("submit")
    snap = journey.snapshot()
    assert snap.state == "receipt" and snap.printing == "failed"
    assert os.path.exists(snap.qr_path) and snap.submitted.receipt.tracking_number
    assert told == ["printer: paper_out"]
    printer.status = "ready"  # refilled: the check at the wipe clears it
    journey.fire("done")
    assert "printer" not in services.availability and told[-1] is None
    services.close()


def test_no_printer_at_all_leaves_the_qr(tmp_path):
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path))

    def refused(c, k):
        raise OSError("connection refused")

    services = build(cfg, clock=FakeClock(), factories=dict(fake_factories(), printer=refused))
    journey = Journey(services.session, services.actions, executor=run_now)
    to_confirm(services, journey)
    journey.fire("submit")
    assert journey.snapshot().printing == "failed" and os.path.exists(journey.snapshot().qr_path)
    services.close()


def test_a_query_matter_answers(kiosk):
    services, journey = kiosk
    identified(services, journey, QUERY)
    values = services.actions.prefill(journey.snapshot().matter, RESIDENT)
    assert journey.finish_form(values) == {}
    snap = journey.snapshot()
    assert snap.state == "answer" and snap.answer == {"balance": "1000.00"} and not snap.asking


def test_query_fails_with_words_and_stays(tmp_path):
    services, journey = make(tmp_path, outbox=BrokenOutbox())
    identified(services, journey, QUERY)
    journey.finish_form(services.actions.prefill(journey.snapshot().matter, RESIDENT))
    snap = journey.snapshot()
    assert snap.state == "answer" and snap.answer is None and not snap.asking
    assert snap.error.code == "query_failed" and "查询没有成功" in snap.error.zh
    services.close()


def test_progress_by_card_and_by_number(kiosk):
    services, journey = kiosk
    to_confirm(services, journey)
    journey.fire("submit")
    number = journey.snapshot().submitted.receipt.tracking_number
    journey.fire("done")
    journey.skip_evaluation()
    journey.fire("query")
    services.idreader.place(RESIDENT)
    snap = journey.snapshot()
    assert snap.state == "progress" and [i.tracking_number for i in snap.progress] == [number]
    journey.fire("back")
    journey.fire("query")
    journey.progress_by_number(number)
    assert [i.tracking_number for i in journey.snapshot().progress] == [number]


def test_progress_query_fails_with_words(tmp_path):
    services, journey = make(tmp_path, outbox=BrokenOutbox())
    journey.fire("query")
    journey.progress_by_number("TZ2026000001")
    snap = journey.snapshot()
    assert snap.state == "progress" and snap.progress is None and not snap.asking
    assert snap.error.code == "progress_failed"
    services.close()


def test_a_scan_that_fails_says_why_and_keeps_nothing(tmp_path):
    services, journey = make(tmp_path, scanner=JammedScanner())
    identified(services, journey)
    journey.finish_form(dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE))
    journey.scan("residence_proof")
    snap = journey.snapshot()
    assert snap.state == "scan" and snap.scanning == "" and snap.attachments == {}
    assert snap.scan_error.zh == "扫描仪卡纸，请联系工作人员。"
    assert not journey.finish_scan()
    services.close()


def test_card_removed_mid_journey_wipes_and_deletes_the_scans(kiosk):
    services, journey = kiosk
    identified(services, journey)
    journey.finish_form(dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE))
    journey.scan("residence_proof")
    folder = journey.scan_folder
    assert os.listdir(folder)
    services.idreader.remove()
    snap = journey.snapshot()
    assert snap.state == "home" and snap.identity is None and dict(snap.attachments) == {} and dict(snap.form) == {}
    assert not os.path.exists(folder)


def test_idle_timeout_wipes(kiosk):
    services, journey = kiosk
    identified(services, journey)
    journey.finish_form(dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE))
    journey.scan("residence_proof")
    folder = journey.scan_folder
    clock, s = services.clock, services.session
    clock.advance(s.idle_timeout + s.idle_warning)
    s.tick()
    snap = journey.snapshot()
    assert snap.state == "home" and snap.identity is None and not os.path.exists(folder)


def test_a_late_result_of_an_ended_journey_is_dropped(kiosk):
    """The worker finishes a submit after the resident left (a cancel can't happen in submit, but
    the idle timeout of an earlier step can still have a scan under way): its result is dropped."""
    services, journey = kiosk
    pending = []
    late = Journey(services.session, services.actions, executor=lambda fn, done, failed: pending.append((fn, done)))
    identified(services, journey)
    late.finish_form(dict(services.actions.prefill(late.snapshot().matter, RESIDENT), phone=PHONE))
    late.scan("residence_proof")
    assert late.snapshot().scanning == "residence_proof"
    journey.fire("cancel")
    scan_done = pending[0][1]
    scan_done(ScannedMaterial("residence_proof", "/gone.pdf", 1, (), "0" * 64, 1))
    assert services.session.state == "home" and dict(late.snapshot().attachments) == {}
    assert late.snapshot().scanning == ""


def test_the_journey_loads_no_kivy():
    """The same journey runs on a console: importing and driving it never loads Kivy."""
    import subprocess
    import sys

    code = ("import sys, kiosk.journey, kiosk.bootstrap, tests.unit.test_journey as t, pathlib, tempfile;"
            "s, j = t.make(pathlib.Path(tempfile.mkdtemp()));"
            "t.to_confirm(s, j); j.fire('submit'); assert j.snapshot().printing == 'printed'; s.close();"
            "print('kivy' in sys.modules)")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120)
    assert out.stdout.strip() == "False", out.stderr[-2000:]


def test_the_printed_receipt_masks_the_name_once(kiosk):
    """张三 prints as 张*: the kiosk masks, the printer prints what it is given (it added a second
    '*' to the masked name: 张**)."""
    from drivers.printer.layout import layout
    from drivers.printer.ops import Text
    from drivers.printer.profiles import profile_for
    from kiosk.devices.printer import to_receipt

    services, journey = kiosk
    to_confirm(services, journey)
    journey.fire("submit")
    ops = layout(to_receipt(services.printer.printed[0]), profile_for(80))
    line = next(op.text for op in ops if isinstance(op, Text) and op.text.startswith("申请人"))
    assert line.replace(" ", "").endswith("：张*"), line


def test_field_errors_in_the_residents_language_and_the_bank_card_rule(kiosk):
    """English mode reads English errors (from kiosk/words.py); the bank card's error says its
    12–19 digit rule (the catalog's pattern), not just 'wrong format'."""
    services, journey = kiosk
    identified(services, journey, "TZ-GJJ-003")
    m = journey.snapshot().matter
    values = dict(services.actions.prefill(m, RESIDENT), phone="123", bank_account="1234")
    zh = journey.finish_form(values)
    en = journey.finish_form(values, "en")
    assert zh["phone"] == "请输入11位手机号码" and en["phone"] == "Please enter an 11-digit mobile number"
    assert zh["bank_account"] == "本人银行卡号应为12至19位数字"
    assert en["bank_account"] == "Bank card number must be 12 to 19 digits"
    assert not any(re.search(r"[\u4e00-\u9fff]", e) for e in en.values()), en
    assert journey.snapshot().state == "form"


def test_materials_are_marked_to_hand_in_not_to_fill_in():
    from kiosk.words import say

    assert say("common.must_hand_in") == "必交" and say("common.required") == "必填"
    for screen in ("guide", "scan"):
        text = open(os.path.join(os.path.dirname(__file__), "..", "..", "screens", f"{screen}.py"), encoding="utf-8").read()
        assert "common.must_hand_in" in text and '"common.required"' not in text, screen


# ---- scanning as a person scans (issue 15 #2) ------------------------------------------------
GJJ_RENT = "TZ-GJJ-003"  # 住房公积金提取（租赁住房）: the ID card (front and back) and a 1–10 page lease
BANK = "6222020200112233445"


def at_scan(services, journey, code=GJJ_RENT):
    identified(services, journey, code)
    values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE, bank_account=BANK)
    assert journey.finish_form(values) == {}
    assert journey.snapshot().state == "scan"


def pdf_shades(path):
    import pikepdf

    with pikepdf.open(path) as pdf:
        return [FakeScanner.shade_of(pikepdf.PdfImage(next(iter(p.images.values()))).as_pil_image()) for p in pdf.pages]


def test_a_two_sided_material_is_taken_front_then_back_and_kept_only_whole(kiosk):
    services, journey = kiosk
    at_scan(services, journey)
    snap = journey.snapshot()
    assert "id_card" in snap.missing and "id_card" not in snap.pages
    journey.scan("id_card")
    v = journey.snapshot().pages["id_card"]
    assert v.count == 1 and v.next_side == "back" and not v.complete and v.id_card  # 请翻面
    assert "id_card" not in journey.snapshot().attachments and "id_card" in journey.snapshot().missing
    journey.scan("id_card")
    snap = journey.snapshot()
    v = snap.pages["id_card"]
    assert v.sides == ("front", "back") and v.complete and not v.can_add
    assert snap.attachments["id_card"].pages == 2 and "id_card" not in snap.missing
    journey.scan("id_card")  # pages_max reached: nothing more is scanned
    assert journey.snapshot().pages["id_card"].count == 2
    journey.delete_page("id_card", 1)  # the back: the whole card goes, so the sides stay paired
    snap = journey.snapshot()
    assert snap.pages["id_card"].count == 0 and "id_card" not in snap.attachments and "id_card" in snap.missing


def test_pages_are_added_retaken_and_deleted_and_the_pdf_keeps_the_order_shown(kiosk):
    services, journey = kiosk
    at_scan(services, journey)
    journey.scan("id_card")
    journey.scan("id_card")
    base = services.scanner.scans  # the lease's pages are the next scans
    for _ in range(3):
        journey.scan("lease")
    lease = journey.snapshot().attachments["lease"]
    assert lease.pages == 3 and pdf_shades(lease.pdf_path) == [base + 1, base + 2, base + 3]
    old_page = journey.snapshot().pages["lease"].previews[1]
    journey.retake("lease", 1)  # the second page again, in its place
    snap = journey.snapshot()
    assert pdf_shades(snap.attachments["lease"].pdf_path) == [base + 1, base + 4, base + 3]
    assert snap.attachments["lease"].preview_paths == snap.pages["lease"].previews
    assert not os.path.exists(old_page) and not os.path.exists(lease.pdf_path)  # replaced: deleted at once
    journey.delete_page("lease", 0)
    snap = journey.snapshot()
    assert pdf_shades(snap.attachments["lease"].pdf_path) == [base + 4, base + 3]
    big = journey.large_view("lease", 0)
    assert big and os.path.exists(big)
    assert journey.finish_scan() and journey.snapshot().state != "scan"
    journey.fire("back")  # back to scan: the pages are as they were left
    assert journey.snapshot().pages["lease"].count == 2


def test_a_material_takes_no_more_than_pages_max(kiosk):
    services, journey = kiosk
    at_scan(services, journey)
    for _ in range(12):
        journey.scan("lease")
    snap = journey.snapshot()
    assert snap.pages["lease"].count == 10 and not snap.pages["lease"].can_add
    assert snap.attachments["lease"].pages == 10
    journey.delete_page("lease", 9)
    for _ in range(9):
        journey.delete_page("lease", 0)
    snap = journey.snapshot()
    assert snap.pages["lease"].count == 0 and "lease" not in snap.attachments and "lease" in snap.missing


# ---- the ID card as a material (issue 15 #1) ---------------------------------------------------
def test_the_id_card_lifted_to_be_scanned_does_not_end_the_session_and_is_asked_back(kiosk):
    """TZ-GJJ-003 scans the ID card (catalog kind id_card): lifting it from the reader in the scan
    step keeps the journey; the receipt asks for the card (on the scanner) and the receipt."""
    services, journey = kiosk
    at_scan(services, journey)
    services.idreader.remove()
    assert journey.snapshot().state == "scan" and journey.snapshot().identity is not None
    journey.scan("id_card")
    journey.scan("id_card")
    journey.scan("lease")
    assert journey.finish_scan()
    while journey.snapshot().state != "confirm":
        st = journey.snapshot().state
        if st == "delivery":
            journey.finish_delivery(Delivery("pickup"))
        assert journey.snapshot().state != st
    journey.fire("submit")
    snap = journey.snapshot()
    assert snap.state == "receipt" and snap.take_card
    assert [a.pages for a in services.outbox.items[0][0].attachments] == [2, 1]


def test_the_card_lifted_outside_the_id_card_scan_still_ends_the_session(kiosk):
    services, journey = kiosk
    at_scan(services, journey)
    journey.scan("id_card")
    journey.scan("id_card")
    journey.scan("lease")
    assert journey.finish_scan()
    services.idreader.place(RESIDENT)  # back on the reader after the scan (shown again: ignored)
    services.idreader.remove()  # and lifted in the delivery step: gone
    assert journey.snapshot().state == "home" and journey.snapshot().identity is None


def test_the_card_lifted_in_the_scan_step_of_a_matter_without_the_id_card_ends_the_session(kiosk):
    services, journey = kiosk
    identified(services, journey)  # TZ-YB-001: no ID card material
    values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE)
    journey.finish_form(values)
    assert journey.snapshot().state == "scan" and journey.snapshot().take_card
    services.idreader.remove()
    assert journey.snapshot().state == "home"


# ---- 补正 at the kiosk (issue 15 #4) ------------------------------------------------------------
def test_a_correction_rescans_and_resubmits_naming_the_original(kiosk):
    """The jurisdiction asked for a correction: the resident, identified again by the same card
    in a progress query, rescans the matter's materials and resubmits; the new transaction names
    the original (corrects), has its own number and receipt (补正回执)."""
    services, journey = kiosk
    to_confirm(services, journey)
    journey.fire("submit")
    original = journey.snapshot().submitted
    journey.fire("done")
    journey.fire("skip")
    assert journey.snapshot().state == "home"
    tx, item = services.outbox.items[0]
    services.outbox.items[0] = (tx, dataclasses.replace(item, remote_state="needs_correction",
                                                        remote_reason="居住证明不清晰，请重新扫描"))
    journey.correct(tx.id)  # not in a progress query: nothing
    assert journey.snapshot().state == "home"
    journey.fire("query")
    journey.progress_by_number(original.receipt.tracking_number)  # by number: nobody identified
    journey.correct(tx.id)
    assert journey.snapshot().state == "progress"
    services.idreader.start(_Listener(journey))
    services.idreader.place(RESIDENT)
    journey.correct(tx.id)
    snap = journey.snapshot()
    assert snap.state == "scan" and snap.correcting.txid == tx.id and snap.missing == ("residence_proof",)
    assert not journey.finish_scan()
    journey.scan("residence_proof")
    journey.fire("back")  # changed their mind: back to the answer, the page scanned for it gone
    assert journey.snapshot().state == "progress" and journey.snapshot().correcting is None
    journey.correct(tx.id)
    assert journey.snapshot().pages == {} and journey.snapshot().attachments == {}
    journey.scan("residence_proof")
    assert journey.finish_scan() and journey.snapshot().state == "confirm"
    journey.fire("submit")
    snap = journey.snapshot()
    assert snap.state == "receipt"
    new_tx, _ = services.outbox.items[1]
    assert new_tx.corrects == tx.id and new_tx.id != tx.id
    r = snap.submitted.receipt
    assert r.corrects == original.receipt.tracking_number and r.tracking_number != r.corrects
    assert r.title == "补正回执" and any(original.receipt.tracking_number in s for s in r.next_steps)
    assert services.printer.printed[-1].title == "补正回执"


def test_only_an_item_that_needs_correction_can_be_corrected(kiosk):
    services, journey = kiosk
    to_confirm(services, journey)
    journey.fire("submit")
    journey.fire("done")
    journey.fire("skip")
    journey.fire("query")
    services.idreader.place(RESIDENT)
    journey.correct(services.outbox.items[0][0].id)  # delivered, no correction asked
    assert journey.snapshot().state == "progress"


def test_a_correction_request_carries_corrects_for_the_jurisdiction():
    """The request names the original (`corrects` among the fields; a profile maps the source
    `corrects`); a first submission carries none."""
    from kiosk.catalog import load_catalog
    from kiosk.outbox import build_request
    from kiosk.transaction import Transaction

    m = load_catalog(None).get(APPLY)
    tx = Transaction(id="t2", matter_code=APPLY, jurisdiction=m.jurisdiction, identity=RESIDENT, form={},
                     corrects="t1")
    req = build_request(tx, m)
    assert req.fields["corrects"] == "t1" and req.values["corrects"] == "t1"
    assert Transaction.loads(tx.dumps()).corrects == "t1"
    first = build_request(dataclasses.replace(tx, corrects=None), m)
    assert "corrects" not in first.fields and first.values["corrects"] == ""
    from offline_queue.profile import Context, source_problem

    assert source_problem("corrects", "tx") is None  # another agency's profile maps it by name
    assert Context(request=req).value("corrects") == "t1" and Context(request=first).value("corrects") == ""
