"""视频帮办's words on screen without a window (screens/call_words.py), the clerk's note made
speakable (kiosk/voice.note_speech), and the fake VideoDesk the e2e screens' tests drive
(tests/support/fakes.py) reporting to a real journey."""
import dataclasses

import pytest

from kiosk.bootstrap import build
from kiosk.clock import FakeClock
from kiosk.config import VideoConfig, load_config
from kiosk.journey import Journey, run_now
from kiosk.ports import VideoImage
from kiosk.voice import EN_VOICE, NOTE_MAX, ZH_VOICE, note_speech
from screens import call_words
from tests.support.fakes import RESIDENT, FakeVideoDesk, fake_factories, synthetic_picture

SANHE = "SH-YB-001"  # Sanhe: one material (residence_proof)


@pytest.fixture
def kiosk(tmp_path):
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path))
    jurs = {c: dataclasses.replace(j, video_desk="sanhe-desk" if c == "sanhe" else None)
            for c, j in cfg.jurisdictions.items()}
    cfg = dataclasses.replace(cfg, jurisdictions=jurs, video=VideoConfig(gateway="ws://127.0.0.1:9", desk="dachang-hall"))
    services = build(cfg, clock=FakeClock(), factories=fake_factories())
    desk = FakeVideoDesk()
    journey = Journey(services.session, services.actions, executor=run_now, video=desk)
    yield cfg, services, journey, desk
    services.close()


def _to_scan(services, journey):
    journey.fire("start")
    journey.fire("card_read", identity=RESIDENT, source="idreader")
    journey.fire("pick", matter=services.catalog.get(SANHE))
    journey.fire("next")
    values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone="13912345678")
    assert journey.finish_form(values) == {}
    assert journey.session.state == "scan"


def test_the_desk_is_named_as_the_resident_knows_it(kiosk):
    cfg, services, _journey, _desk = kiosk
    sanhe = services.catalog.get(SANHE)
    tongzhou = next(m for m in services.catalog.matters if m.jurisdiction == "tongzhou")
    assert call_words.desk_name(cfg, sanhe, "sanhe-desk") == "三河市"
    assert call_words.desk_name(cfg, sanhe, "sanhe-desk", "en") == "Sanhe"
    # a jurisdiction without a desk of its own: the site's desk answers, named as the site's jurisdiction
    assert call_words.desk_name(cfg, tongzhou, "dachang-hall") == "大厂回族自治县"
    assert call_words.desk_name(cfg, None, "dachang-hall", "en") == "Dachang Hui Autonomous County"


def test_the_place_in_the_queue():
    assert call_words.place_lines(0) == ("正在排队，请稍候", "")
    assert call_words.place_lines(1) == ("您排在第 1 位", "下一位就是您")
    assert call_words.place_lines(3) == ("您排在第 3 位", "您前面还有 2 位")
    assert call_words.place_lines(3, "en") == ("You are number 3 in the queue", "2 ahead of you")


def test_the_notice_in_the_resident_language():
    assert call_words.notice_text("") == ""
    assert call_words.notice_text("lost").startswith("网络中断")
    assert call_words.notice_text("clerk", "en").startswith("The clerk ended the call")


def test_only_scanned_materials_are_offered_and_never_the_id_card(kiosk):
    _cfg, services, journey, _desk = kiosk
    _to_scan(services, journey)
    assert call_words.materials(journey.snapshot(), ()) == []  # nothing scanned yet: nothing to show
    journey.scan("residence_proof")
    [(code, text, done)] = call_words.materials(journey.snapshot(), ())
    assert (code, done) == ("residence_proof", False) and text.startswith("给工作人员看：")
    [(_c, text, done)] = call_words.materials(journey.snapshot(), ("residence_proof",), "en")
    assert done and text.startswith("Shown to the clerk: ")
    snap = journey.snapshot()
    id_card = dataclasses.replace(snap.matter.materials[0], code="id_card", kind="id_card")
    matter = dataclasses.replace(snap.matter, materials=(*snap.matter.materials, id_card))
    pages = dict(snap.pages, id_card=snap.pages["residence_proof"])
    with_card = dataclasses.replace(snap, matter=matter, pages=pages)
    assert [c for c, _t, _d in call_words.materials(with_card, ())] == ["residence_proof"]


def test_the_note_is_said_in_the_voice_of_its_words():
    spoken, voice = note_speech("请补扫户口本首页")
    assert voice == ZH_VOICE and spoken.split() == ["qing3", "bu3", "sao3", "hu4", "kou3", "ben3", "shou3", "ye4"]
    assert note_speech("Please scan page 1 again.") == ("Please scan page 1 again.", EN_VOICE)
    assert note_speech("  ……  ") is None and note_speech("") is None
    long = note_speech("请" * 500)[0]
    assert long.count("qing3") == NOTE_MAX


def test_the_fake_desk_reports_to_a_journey_and_gives_moving_pictures(kiosk):
    _cfg, services, journey, desk = kiosk
    _to_scan(services, journey)
    journey.scan("residence_proof")
    journey.help()
    journey.call.agree()
    call = desk.last
    assert call.desk == "sanhe-desk" and journey.call_frame("remote") is None  # nobody answered yet
    call.queued(2)
    assert journey.call.view.position == 2
    call.answer("王工作人员")
    assert journey.call.view.state == "in_call" and journey.call.view.clerk == "王工作人员"
    a, b = journey.call_frame("remote"), journey.call_frame("remote")
    assert isinstance(a, VideoImage) and (a.width, a.height) == (320, 240) and len(a.rgb) == 320 * 240 * 3
    assert b.number == a.number + 1 and b.rgb != a.rgb
    call.note("请补扫户口本首页")
    assert journey.call.view.note == "请补扫户口本首页"
    journey.show_material("residence_proof")
    assert [m.code for m in call.shown] == ["residence_proof"] and journey.call.view.shown == ("residence_proof",)
    call.end("lost")
    assert journey.call.view.notice == "lost" and journey.call_frame("self") is None
    assert journey.call.view.note == "请补扫户口本首页"  # kept at the step until dismissed
    journey.call.dismiss()
    assert journey.call.view.note == "" and journey.call.view.notice == ""


def test_synthetic_pictures_are_rgb24_top_row_first():
    pic = synthetic_picture(4, 16, 0, remote=True)
    assert len(pic) == 4 * 16 * 3
    assert pic[:3] == bytes((240, 240, 240))  # the band starts at the top row
