"""视频帮办 from the resident's side on the real app (issue 17 #1, #2): the 视频帮办 button in the top
bar, the consent, the wait with the place in the queue, the call — the clerk's video large and the
resident's own picture small, drawn as textures —, the clerk's note shown and spoken, one material
shown on a tap, every way back to the step with everything kept. The gateway and the clerk are an
in-process fake of the VideoDesk port (tests/support/fakes.py), driven by the test; the real
gateway is tests/wire's and tests/e2e/test_e2e_videocall_console.py's. Screenshots of each pane,
in standard, elder and English mode, checked for the size floors and overlaps."""
import dataclasses
import gc
import weakref

import pytest

from tests.e2e.test_e2e_elder_keyboards import size_problems
from tests.support.ui import journey

pytestmark = pytest.mark.e2e

ONLINE_REST = "SH-YB-001"  # 异地就医备案, Sanhe: a phone field and materials
PHONE = "13912345678"
SITE_DESK, SANHE_DESK = "dachang-hall", "sanhe-desk"


def with_video(config):
    """The test site with video help: a gateway named (never dialled: the port is the fake), the
    site's desk, Sanhe's own desk."""
    from kiosk.config import VideoConfig
    from tests.support.fakes import FakeVideoDesk

    jurs = {c: dataclasses.replace(j, video_desk=SANHE_DESK if c == "sanhe" else None)
            for c, j in config.jurisdictions.items()}
    config = dataclasses.replace(config, jurisdictions=jurs,
                                 video=VideoConfig(gateway="ws://127.0.0.1:9", desk=SITE_DESK, answer_timeout=60))
    return config, {"video": lambda _config: FakeVideoDesk()}


def video(fn):
    """A journey on the site with video help (the fake desk)."""
    fn.site = with_video
    return journey(fn)


# ---- helpers ------------------------------------------------------------------------------------
def cover(ui):
    return ui.d.shell.call_cover


def view(ui):
    return ui.d.shell.ctx.journey.call.view


def desk(ui):
    return ui.services.video


def check(ui, mode: str, name: str) -> str:
    """A picture named `mode-name`; the size floors of the mode shown (elder or normal) kept."""
    from screens.look import look

    png = ui.shot(f"{mode}-{name}")
    problems = size_problems_of_cover(ui, "elder" if look.elder else "normal")
    assert not problems, f"{mode} {name}:\n" + "\n".join(problems)
    return png


def size_problems_of_cover(ui, mode: str) -> list[str]:
    """size_problems for the widgets on the call's cover (the step under it is out of reach of a
    finger while it shows, and its own tests check it); without the cover, for the whole frame."""
    d, c = ui.d, cover(ui)
    if c.parent is None:
        return size_problems(ui, mode)

    def walk(w):
        if w.opacity <= 0 or getattr(w, "disabled", False):
            return
        yield w
        for child in reversed(w.children):
            yield from walk(child)
    d.visible = lambda: walk(c)
    try:
        return size_problems(ui, mode)
    finally:
        del d.visible


def to_the_form(ui) -> None:
    ui.identify()
    ui.choose(ONLINE_REST)
    ui.tap_id("next")
    ui.wait_state("form")
    ui.fill_form({"phone": PHONE})


def wait_pane(ui, pane: str) -> None:
    ui.wait(lambda: cover(ui).pane == pane and (pane == "") == (cover(ui).parent is None), what=f"the call's {pane!r} pane")


def form_values(ui) -> dict:
    return dict(ui.d.shell.screens["form"].values)


def call_and_wait(ui, mode: str = "normal", shots: bool = True) -> None:
    """The 视频帮办 button, the consent agreed, the wait with its place in the queue."""
    ui.tap_id("help")
    wait_pane(ui, "consent")
    if shots:
        check(ui, mode, "consent")
    ui.tap_id("call_agree")
    wait_pane(ui, "waiting")
    assert desk(ui).last is not None and view(ui).camera_on
    desk(ui).last.queued(3)
    ui.wait(lambda: cover(ui).place == 3, what="the place in the queue")
    if shots:
        check(ui, mode, "waiting")
    desk(ui).last.queued(1)
    ui.wait(lambda: cover(ui).place == 1, what="the place to move")


def step_drawn(ui) -> bool:
    """The shell's step (the top bar and the screen) is in the drawing."""
    c = cover(ui)
    main = c.parent
    step = main.children[-1]
    return main.canvas.indexof(step.canvas) >= 0


def answered(ui, mode: str = "normal", clerk: str = "王工作人员") -> None:
    """The clerk answers: both pictures drawn as textures, and drawn again as new frames come."""
    desk(ui).last.answer(clerk)
    wait_pane(ui, "in_call")
    c = cover(ui)
    ui.wait(lambda: c.drawn["remote"] > 0 and c.drawn["self"] > 0, what="both pictures drawn")
    assert not step_drawn(ui), "the step under a call that fills the frame is not drawn"
    remote, own = c.ids.remote.texture, c.ids.selfview.texture
    assert tuple(remote.size) == (320, 240) and tuple(own.size) == (160, 120)
    before, number, gone = bytes(remote.pixels), c.drawn["remote"], weakref.ref(remote)
    del remote
    ui.wait(lambda: c.drawn["remote"] > number + 1, what="newer frames of the clerk")
    now = c.ids.remote.texture
    assert tuple(now.size) == (320, 240) and bytes(now.pixels) != before, "the clerk's picture did not change"
    gc.collect()
    assert gone() is None, "a picture replaced is freed: no frame is kept"


# ---- the journeys --------------------------------------------------------------------------------
@journey
def test_no_video_help_on_this_kiosk(ui):
    """The demo site names no gateway: the button says video help is not here and to ask the hall's
    staff; OK goes back to the step as it was."""
    assert ui.services.video is None
    ui.tap_id("help")
    wait_pane(ui, "unavailable")
    check(ui, "normal", "unavailable")
    assert "大厅工作人员" in " ".join(ui.texts())
    ui.tap_id("call_unavailable_ok")
    wait_pane(ui, "")
    ui.tap_id("elder")  # 大字版 in English, on the form
    ui.tap_id("language")
    to_the_form(ui)
    typed = form_values(ui)
    bar = [w for w in ui.d.visible() if w.parent is ui.d.widget("help").parent]
    problems = [p for p in size_problems(ui, "elder") if any(f"({str(getattr(w, 'text', ''))[:12]!r})" in p for w in bar)]
    assert not problems, "the top bar in 大字版 English:\n" + "\n".join(problems)
    ui.tap_id("help")
    wait_pane(ui, "unavailable")
    check(ui, "elder-english", "unavailable")
    assert "hall's staff" in " ".join(ui.texts())
    ui.tap_id("call_unavailable_ok")
    wait_pane(ui, "")
    assert ui.state == "form" and form_values(ui) == typed


@video
def test_help_at_home_consent_and_decline(ui):
    """At home (no matter yet) the site's own desk is named; declined, nothing is called."""
    ui.shot("home-with-help")
    ui.tap_id("help")
    wait_pane(ui, "consent")
    check(ui, "normal", "consent-home")
    texts = " ".join(ui.texts())
    assert "摄像头和麦克风" in texts and "大厂回族自治县" in texts and "证件号码" in texts
    ui.tap_id("call_decline")
    wait_pane(ui, "")
    assert desk(ui).calls == [] and ui.state == "home"
    # called, then the wait cancelled: the call hung up, the notice, OK
    ui.tap_id("help")
    wait_pane(ui, "consent")
    ui.tap_id("call_agree")
    wait_pane(ui, "waiting")
    assert desk(ui).last.context.step == "home" and desk(ui).last.desk == SITE_DESK
    ui.tap_id("call_cancel")
    wait_pane(ui, "notice")
    assert desk(ui).last.hung_up == 1 and view(ui).notice == "ended"
    ui.tap_id("call_notice_ok")
    wait_pane(ui, "")
    # the gateway cannot be reached: ask the hall's staff
    desk(ui).down = True
    ui.tap_id("help")
    wait_pane(ui, "consent")
    ui.tap_id("call_agree")
    wait_pane(ui, "notice")
    assert view(ui).notice == "failed" and "大厅工作人员" in " ".join(ui.texts())
    check(ui, "normal", "failed")
    ui.tap_id("call_notice_ok")
    wait_pane(ui, "")
    # no 视频帮办 on the technician's screen
    for _ in range(5):
        ui.tap_id("emblem", frames=1)
    ui.wait_state("technician")
    assert ui.d.widget("help").disabled and ui.d.widget("help").width == 0


@video
def test_call_from_the_scan_step(ui):
    """From the scan step: consent (Sanhe's own desk named), the wait and its place, the call with
    both pictures, mute, the clerk's note shown large and spoken once, one material shown on a
    tap (never before), hang-up: back at the scan step with every page kept, the note kept
    until OK."""
    to_the_form(ui)
    ui.tap_id("next")
    ui.wait_state("scan")
    ui.scan_all()
    pages = {code: ui.pages_of(code).count for code in ui.services.session.data.attachments}
    assert pages
    call_and_wait(ui)
    assert desk(ui).last.desk == SANHE_DESK and "三河市" in " ".join(ui.texts())
    context = desk(ui).last.context
    assert context.step == "scan" and context.matter_code == ONLINE_REST
    assert "11010" not in repr(context), "the clerk is told the matter and step, never the identity"
    answered(ui)
    assert "摄像头已打开" in " ".join(ui.texts())
    [code] = pages
    assert desk(ui).last.shown == [], "a material goes to the clerk only when tapped"
    check(ui, "normal", "in-call")
    ui.tap_id("call_mute")
    ui.wait(lambda: cover(ui).muted, what="muted")
    assert desk(ui).last.muted and ui.d.widget("call_mute").text == "取消静音"
    ui.tap_id("call_mute")
    ui.wait(lambda: not cover(ui).muted, what="unmuted")
    note = "请补扫户口本首页"
    desk(ui).last.note(note)
    ui.wait(lambda: cover(ui).note == note, what="the note shown")
    from kiosk.voice import note_speech

    voice, speech = ui.d.shell.voice, ui.services.speech
    assert speech is not None, "espeak-ng is not installed"
    ui.wait(lambda: any(k == "call.note" for _s, k, _p in voice.said), what="the note spoken")
    [said] = [p for _s, k, p in voice.said if k == "call.note"]
    assert said == speech.path_for(*note_speech(note)), "the note, through the same pinyin voice"
    check(ui, "normal", "in-call-note")
    ui.tap_id(f"call_show_{code}")
    ui.wait(lambda: len(desk(ui).last.shown) == 1, what="the material sent")
    [shared] = desk(ui).last.shown
    assert shared.code == code and shared.pages
    ui.wait(lambda: "已给工作人员看" in ui.d.widget(f"call_show_{code}").text, what="the button to say shown")
    ui.d.frames(5)
    assert [k for _s, k, _p in voice.said].count("call.note") <= 1, "a note is said once"
    ui.tap_id("call_hangup")
    wait_pane(ui, "notice")
    call = desk(ui).calls[-1]
    assert call.hung_up == 1
    c = cover(ui)
    assert c.ids.remote.texture is None and c._pump is None, "the pictures go with the call"
    assert step_drawn(ui), "the step is drawn again once the call no longer fills the frame"
    texts = " ".join(ui.texts())
    assert "通话已结束" in texts and note in texts
    check(ui, "normal", "back-with-note")
    ui.tap_id("call_notice_ok")
    wait_pane(ui, "")
    assert ui.state == "scan"
    assert {code: ui.pages_of(code).count for code in ui.services.session.data.attachments} == pages


@video
def test_clerk_hangs_up_elder(ui):
    """大字版: the form's typed phone number (not yet saved) kept through a call the clerk ends."""
    ui.tap_id("elder")
    to_the_form(ui)
    typed = form_values(ui)
    assert typed.get("phone") == PHONE
    call_and_wait(ui, "elder")
    answered(ui, "elder")
    check(ui, "elder", "in-call")
    desk(ui).last.note("请补扫户口本首页，并核对联系电话是否正确。")
    ui.wait(lambda: cover(ui).note, what="the note shown")
    check(ui, "elder", "in-call-note")
    desk(ui).last.end("clerk")
    wait_pane(ui, "notice")
    assert "工作人员已结束通话" in " ".join(ui.texts())
    check(ui, "elder", "back-with-note")
    ui.tap_id("call_notice_ok")
    wait_pane(ui, "")
    assert ui.state == "form" and form_values(ui) == typed


@video
def test_network_lost_english(ui):
    """English: the words fit; the network lost mid-call, back at the form with the field kept."""
    ui.tap_id("language")
    to_the_form(ui)
    typed = form_values(ui)
    call_and_wait(ui, "english")
    answered(ui, "english", clerk="Clerk Wang")
    check(ui, "english", "in-call")
    desk(ui).last.note("Please scan the first page of your household register again.")
    ui.wait(lambda: cover(ui).note, what="the note shown")
    check(ui, "english", "in-call-note")
    desk(ui).last.end("lost")
    wait_pane(ui, "notice")
    assert "network was lost" in " ".join(ui.texts())
    check(ui, "english", "back-lost")
    ui.tap_id("call_notice_ok")
    wait_pane(ui, "")
    assert ui.state == "form" and form_values(ui) == typed


@video
def test_a_call_holds_the_idle_countdown_off(ui):
    """No touch for longer than the idle timeout while waiting and in the call: no countdown, no
    wipe. A clerk who never answers: the wait ends after the answer timeout, back at the form.
    Once the call is over the countdown runs again; the card pulled mid-call ends the call."""
    from tests.support.site import IDLE_TIMEOUT, IDLE_WARNING

    to_the_form(ui)
    typed = form_values(ui)
    call_and_wait(ui, shots=False)
    ui.clock.advance(IDLE_TIMEOUT + IDLE_WARNING - 1)  # under the answer timeout (60 s)
    ui.d.shell.tick()
    ui.d.frames(2)
    assert ui.d.shell.idle_left == -1 and ui.state == "form" and view(ui).state == "waiting"
    ui.clock.advance(60 - (IDLE_TIMEOUT + IDLE_WARNING - 1))  # the answer timeout reached
    ui.d.shell.tick()
    wait_pane(ui, "notice")
    assert view(ui).notice == "no_answer" and desk(ui).last.hung_up == 1
    ui.tap_id("call_notice_ok")
    wait_pane(ui, "")
    assert form_values(ui) == typed
    ui.clock.advance(IDLE_TIMEOUT + 1)  # no call: the countdown runs again
    ui.d.shell.tick()
    ui.d.frames(2)
    assert ui.d.shell.idle_left > 0
    ui.tap_id("stay")
    assert ui.d.shell.idle_left == -1
    call_and_wait(ui, shots=False)
    answered(ui)
    ui.clock.advance(IDLE_TIMEOUT + IDLE_WARNING + 5)
    ui.d.shell.tick()
    ui.d.frames(2)
    assert ui.d.shell.idle_left == -1 and ui.state == "form" and view(ui).state == "in_call"
    ui.twins["idreader"].remove()  # the visit ends: the call with it, nothing of it shown
    ui.wait_state("home")
    wait_pane(ui, "")
    assert desk(ui).last.hung_up == 1 and view(ui).state == "idle" and not view(ui).notice


@video
def test_the_note_is_not_kept_past_the_visit(ui):
    """The clerk's note, rendered to be said, is deleted when the visit ends (the card pulled)."""
    import os

    from kiosk.voice import note_speech

    to_the_form(ui)
    call_and_wait(ui, shots=False)
    desk(ui).last.answer()
    wait_pane(ui, "in_call")
    note = "请带户口本原件到三号窗口"
    desk(ui).last.note(note)
    voice, speech = ui.d.shell.voice, ui.services.speech
    ui.wait(lambda: any(k == "call.note" for _s, k, _p in voice.said), what="the note spoken")
    path = speech.path_for(*note_speech(note))
    assert os.path.exists(path)
    ui.twins["idreader"].remove()
    ui.wait_state("home")
    wait_pane(ui, "")
    assert not os.path.exists(path)
