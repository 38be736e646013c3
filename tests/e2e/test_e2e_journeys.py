"""The resident journeys on the real app: real drivers against their twins, simulated
jurisdictions on loopback, touches on the screen, screenshots of every step."""
import pytest

from tests.support.ui import journey, leaks

pytestmark = pytest.mark.e2e

ONLINE_REST = "SH-YB-001"  # 异地就医备案, Sanhe: REST
QUEUED_SOAP = "TZ-YB-001"  # 异地就医备案, Tongzhou: SOAP
PHONE = "13912345678"


def _submitted_txid(ui) -> str:
    return ui.services.session.data.submitted.outcome.txid


@journey
def test_online_rest_matter(ui):
    """Sent at once to a REST jurisdiction; the receipt prints; the jurisdiction has it."""
    ui.shot("home")
    ui.apply(ONLINE_REST, {"phone": PHONE})
    ui.shot("receipt")
    scr = ui.screen
    assert scr.forwarded and "三河市" in scr.headline
    assert scr.printing == "printed"
    txid = _submitted_txid(ui)
    assert txid in ui.twins["jurisdictions"]["sanhe"].delivered_ids()
    printer = ui.twins["printer"]
    assert printer.wait_for_jobs(1, timeout=10)
    assert any(scr.number in p for p in printer.last_job.qr_payloads)
    number = scr.number
    ui.tap_id("finish")
    # 好差评 opens by itself: a lower level, a reason ticked, a word typed, sent; home at once
    ui.wait_state("evaluate")
    assert ui.services.session.data.identity is None and number in " ".join(ui.texts())
    ui.tap_id("level2")
    ui.tap_id("reason_slow")
    ui.shot("evaluate-dissatisfied")
    ui.tap_id("comment")  # the short text: the keyboard opens
    ui.type_keys("man")
    ui.tap(ui.find("慢"))
    ui.shot("evaluate-writing")
    ui.tap_id("send")
    ui.wait_state("home")
    hcp = ui.twins["jurisdictions"]["haochaping"]
    ui.wait(lambda: hcp.app.evaluations(), what="the evaluation to reach the 好差评 platform")
    [ev] = hcp.app.evaluations()
    assert (ev["level"], ev["reasons"], ev["comment"], ev["projectNo"], ev["itemCode"]) == \
        ("2", "slow", "慢", number, ONLINE_REST)


@journey
def test_queued_while_offline_then_forwarded_soap(ui):
    """Network down: saved on the kiosk (a success for the resident); network back: forwarded."""
    sim = ui.twins["jurisdictions"]["tongzhou"]
    sim.set_reachable(False)
    ui.apply(QUEUED_SOAP, {"phone": PHONE})
    ui.shot("receipt-queued")
    scr = ui.screen
    assert not scr.forwarded and "自动发送" in scr.headline
    txid = _submitted_txid(ui)
    assert txid not in sim.delivered_ids()
    assert ui.services.outbox.counts().get("queued", 0) >= 1
    ui.tap_id("finish")
    ui.shot("evaluate")
    ui.skip_evaluation()  # skipped in one touch: nothing queued for the 好差评 platform
    assert ui.services.outbox.store.list(kind="evaluation") == []
    sim.set_reachable(True)
    ui.services.outbox.network_returned("tongzhou")
    ui.wait(lambda: txid in sim.delivered_ids(), what="the queued transaction to reach Tongzhou")
    ui.wait(lambda: ui.services.outbox.counts().get("queued", 0) == 0, what="the outbox to empty")


@journey
def test_printer_out_of_paper(ui):
    """No paper: the QR and tracking number stay on screen; the status bar and technician know."""
    ui.twins["printer"].set_status("paper_out")
    ui.apply(ONLINE_REST, {"phone": PHONE})
    ui.shot("receipt-no-paper")
    scr = ui.screen
    assert scr.printing == "failed"
    assert scr.qr and scr.number
    assert "paper_out" in ui.services.availability.get("printer", "")
    assert "回执打印" in ui.d.shell.status
    states = {s.device: s for s in ui.services.actions.device_states()}
    assert states["printer"].code == "paper_out"


def _identified_on_the_form(ui):
    """The ID card read, the online REST matter chosen, the phone typed on its form: the
    resident's identity, to look for after a wipe."""
    ui.identify()
    ident = ui.services.session.data.identity
    ui.choose(ONLINE_REST)
    ui.tap_id("next")
    ui.wait_state("form")
    ui.fill_form({"phone": PHONE})
    return ident


def _window_rect(w) -> tuple[int, int, int, int]:
    x, y = w.to_window(w.x, w.y)
    return int(x), int(y), int(w.width), int(w.height)


def _colours(png: str, rect, but) -> set[tuple[int, int, int]]:
    """The colours of the picture inside `rect` but outside `but` (window coordinates: y up)."""
    from PIL import Image

    img = Image.open(png).convert("RGB")
    bx, by, bw, bh = but
    out = set()
    x0, y0, w, h = rect
    for x in range(max(x0, 0), min(x0 + w, img.width)):
        for y in range(max(y0, 0), min(y0 + h, img.height)):
            if not (bx <= x < bx + bw and by <= y < by + bh):
                out.add(img.getpixel((x, img.height - 1 - y)))
    return out


def _bg() -> tuple[int, int, int]:
    from screens.sizes import COLORS

    return COLORS["bg"]


@journey
def test_idle_timeout_wipes(ui):
    """Idle: a countdown, then home, and no widget holds the resident's data."""
    ident = _identified_on_the_form(ui)
    ui.shot("form-before-idle")
    personal = [_window_rect(w) for w in ui.d.visible() if ident.name in str(getattr(w, "text", ""))]
    assert personal, "the form shows the name read from the card"
    countdown = ui.idle_out()
    # the countdown covers the resident's data at once: where the name was, only the cover's
    # colour (but for the warning's own panel)
    panel = _window_rect(ui.d.shell._overlay.children[0])
    for rect in personal:
        assert _colours(countdown, rect, panel) == {_bg()}, "the name shows through the idle warning"
    ui.shot("home-after-idle")
    assert ui.services.session.data.identity is None
    assert not leaks(ui.d.shell, [ident.name, ident.id_number, ident.masked_id, PHONE, ident.address or "-"])


@journey
def test_card_pulled_mid_journey(ui):
    """The card leaves the reader during the scan step: home, wiped, scans deleted."""
    import os

    ident = _identified_on_the_form(ui)
    ui.tap_id("next")
    ui.wait_state("scan")
    ui.scan_all()
    folder = ui.d.shell.ctx.journey.scan_folder
    assert folder and os.listdir(folder)
    ui.shot("scan-before-pull")
    ui.twins["idreader"].remove()
    ui.wait_state("home")
    ui.shot("home-after-pull")
    assert ui.services.session.data.attachments == {}
    assert not os.path.exists(folder)
    assert not leaks(ui.d.shell, [ident.name, ident.id_number, ident.masked_id, PHONE])


@journey
def test_progress_shows_needs_correction(ui):
    """The jurisdiction asks for a correction: the progress query by ID card says so, with why."""
    reason = "身份证复印件不清晰，请重新上传"
    ui.twins["jurisdictions"]["sanhe"].set_prereview("needs_correction", reason)
    ui.apply(ONLINE_REST, {"phone": PHONE})
    ui.tap_id("finish")
    ui.skip_evaluation()
    ui.tap_id("progress")
    ui.wait_state("progress")
    ui.show_card("resident-1")
    ui.wait(lambda: ui.screen.searched, what="the progress answer")
    ui.shot("progress-needs-correction")
    texts = " ".join(ui.texts())
    assert "需要补正" in texts and reason in texts


@journey
def test_technician_pin_lockout(ui):
    """Five wrong PINs lock the gate; even the right PIN waits; after the wait it opens."""
    from kiosk.technician import FIRST_LOCK

    for _ in range(5):
        ui.tap_id("emblem", frames=1)
    ui.wait_state("technician")
    for _ in range(5):
        ui.type_keys("000000")
        ui.tap_id("enter")
    ui.shot("technician-locked")
    assert "锁定" in ui.screen.message
    ui.type_keys("246810")
    ui.tap_id("enter")
    assert not ui.screen.unlocked and "锁定" in ui.screen.message
    ui.clock.advance(FIRST_LOCK)
    ui.type_keys("246810")
    ui.tap_id("enter")
    assert ui.screen.unlocked
    ui.shot("technician-open")
    ui.tap_id("leave")
    ui.wait_state("home")
