"""视频帮办 as a journey step, without Kivy (kiosk/call.py through kiosk/journey.py): the help button
on every step and at home, consent first, the owning jurisdiction's desk (or the site's own), the
wait with its place in the queue, the call, and every way it ends — the resident back at the same
step with everything kept. The port is a fake desk that records what the kiosk asked and reports
as a gateway would; time is a FakeClock."""
import dataclasses

import pytest

from kiosk.bootstrap import build
from kiosk.call import NOTICE_WORDS, CallView
from kiosk.clock import FakeClock
from kiosk.config import DEMO_SITE, ConfigProblems, VideoConfig, load_config, parse_config
from kiosk.journey import Journey, run_now
from tests.support.fakes import RESIDENT, fake_factories

APPLY = "TZ-YB-001"  # a Tongzhou matter with a form and one material
PHONE = "13912345678"


class FakeCall:
    def __init__(self, desk, context, listener):
        self.desk, self.context, self.listener = desk, context, listener
        self.muted, self.hung_up = False, 0
        self.updates: list = []  # the contexts told during the call
        self.materials: list = []  # SharedMaterial shown
        self.pictures: dict = {}  # which → VideoImage

    def mute(self, on):
        self.muted = on

    def hang_up(self):
        self.hung_up += 1

    def update(self, context):
        self.updates.append(context)

    def show(self, material):
        self.materials.append(material)

    def frame(self, which):
        return self.pictures.get(which)


class FakeDesk:
    """The VideoDesk port as a gateway answers it; `down` when it cannot be reached."""

    def __init__(self, down=False):
        self.calls: list[FakeCall] = []
        self.down = down

    def call(self, desk, context, listener):
        if self.down:
            raise ConnectionRefusedError("gateway: connection refused")
        c = FakeCall(desk, context, listener)
        self.calls.append(c)
        listener.queued(3)
        return c


def make(tmp_path, *, video=True, port=None, desks=None):
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path))
    if video:
        jurs = {c: dataclasses.replace(j, video_desk=(desks or {}).get(c)) for c, j in cfg.jurisdictions.items()}
        cfg = dataclasses.replace(cfg, jurisdictions=jurs,
                                  video=VideoConfig(gateway="ws://127.0.0.1:8188", desk="dachang-hall", answer_timeout=60))
    clock = FakeClock()
    services = build(cfg, clock=clock, factories=fake_factories())
    desk = port if port is not None else FakeDesk()
    journey = Journey(services.session, services.actions, executor=run_now, video=desk if video else None)
    return services, journey, desk, clock


@pytest.fixture
def kiosk(tmp_path):
    services, journey, desk, clock = make(tmp_path, desks={"tongzhou": "tongzhou-social"})
    yield services, journey, desk, clock
    services.close()


class _Cards:
    def __init__(self, journey):
        self.journey = journey

    def card_read(self, source, identity):
        self.journey.fire("card_read", identity=identity, source=source)

    def card_failed(self, source, code, zh, en):
        pass

    def card_removed(self, source):
        self.journey.fire("card_removed", source=source)


def at_form(services, journey):
    journey.fire("start")
    services.idreader.start(_Cards(journey))
    services.idreader.place(RESIDENT)
    journey.fire("pick", matter=services.catalog.get(APPLY))
    journey.fire("next")
    assert journey.snapshot().state == "form"
    return journey.snapshot()


def test_help_at_home_asks_consent_then_calls_the_sites_own_desk(kiosk):
    services, journey, desk, _ = kiosk
    journey.help()
    assert journey.snapshot().call == CallView(state="consent", desk="dachang-hall")
    assert not desk.calls and not journey.snapshot().call.camera_on  # nothing on before consent
    journey.call.agree()
    (call,) = desk.calls
    assert call.desk == "dachang-hall" and call.context.step == "home" and call.context.matter_code == ""
    v = journey.snapshot().call
    assert (v.state, v.position, v.camera_on) == ("waiting", 3, True)
    call.listener.queued(1)
    assert journey.snapshot().call.position == 1
    call.listener.answered()
    v = journey.snapshot().call
    assert (v.state, v.camera_on, v.muted) == ("in_call", True, False)
    journey.call.mute(True)
    assert call.muted and journey.snapshot().call.muted
    journey.call.hang_up()
    assert call.hung_up == 1
    assert journey.snapshot().call == CallView(state="idle", desk="dachang-hall", notice="ended")
    assert journey.snapshot().state == "home"
    journey.call.dismiss()
    assert journey.snapshot().call.notice == ""


def test_a_matter_chosen_calls_its_jurisdictions_desk_and_the_clerk_never_gets_the_id(kiosk):
    services, journey, desk, _ = kiosk
    at_form(services, journey)
    journey.help()
    journey.call.agree()
    (call,) = desk.calls
    assert call.desk == "tongzhou-social"
    ctx = call.context
    assert (ctx.step, ctx.matter_code, ctx.jurisdiction) == ("form", APPLY, "tongzhou")
    assert ctx.kiosk_id == services.config.kiosk_id
    assert RESIDENT.id_number not in repr(ctx) and RESIDENT.name not in repr(ctx)


def test_a_jurisdiction_without_a_desk_of_its_own_calls_the_sites(tmp_path):
    services, journey, desk, _ = make(tmp_path)  # no video_desk anywhere
    at_form(services, journey)
    journey.help()
    journey.call.agree()
    assert desk.calls[0].desk == "dachang-hall"
    services.close()


@pytest.mark.parametrize("end, notice", [
    (lambda j, c: j.call.hang_up(), "ended"),
    (lambda j, c: c.listener.ended("clerk"), "clerk"),
    (lambda j, c: c.listener.ended("lost"), "lost"),
])
def test_every_end_of_a_call_returns_to_the_same_step_with_everything_kept(kiosk, end, notice):
    services, journey, desk, clock = kiosk
    at_form(services, journey)
    data = services.session.data
    data.form["phone"] = PHONE  # typed before the call
    before = journey.snapshot()
    journey.help()
    journey.call.agree()
    call = desk.calls[0]
    call.listener.answered()
    clock.advance(services.config.ui.idle_timeout + services.config.ui.idle_warning + 5)  # a long call
    journey.tick()
    assert journey.snapshot().state == "form"  # the call holds the idle countdown off
    end(journey, call)
    after = journey.snapshot()
    assert after.call.state == "idle" and after.call.notice == notice and not after.call.camera_on
    assert (after.state, after.matter, after.identity, dict(after.form)) == \
        (before.state, before.matter, before.identity, {**before.form, "phone": PHONE})
    assert services.session.data is data  # nothing wiped


def test_a_clerk_who_never_answers_ends_the_wait(kiosk):
    services, journey, desk, clock = kiosk
    at_form(services, journey)
    journey.help()
    journey.call.agree()
    clock.advance(59)
    journey.tick()
    assert journey.snapshot().call.state == "waiting"
    clock.advance(1)
    journey.tick()
    assert journey.snapshot().call.notice == "no_answer" and desk.calls[0].hung_up == 1
    assert journey.snapshot().state == "form"


def test_cancel_while_waiting_and_a_late_answer_is_dropped(kiosk):
    _, journey, desk, _ = kiosk
    journey.help()
    journey.call.agree()
    journey.call.cancel()
    call = desk.calls[0]
    assert call.hung_up == 1 and journey.snapshot().call.state == "idle"
    call.listener.answered()  # the gateway's answer arrives after the cancel
    call.listener.ended("lost")
    assert journey.snapshot().call.state == "idle" and journey.snapshot().call.notice == "ended"


def test_no_consent_no_call(kiosk):
    _, journey, desk, _ = kiosk
    journey.help()
    journey.call.decline()
    assert journey.snapshot().call == CallView() and not desk.calls
    journey.call.mute(True)  # touches of another state are ignored
    journey.call.hang_up()
    assert journey.snapshot().call == CallView()


def test_without_video_the_help_button_says_ask_the_staff(tmp_path):
    services, journey, _, _ = make(tmp_path, video=False)
    journey.help()
    assert journey.snapshot().call.state == "unavailable" and not journey.snapshot().call.camera_on
    journey.call.agree()  # nothing to agree to
    assert journey.snapshot().call.state == "unavailable"
    journey.call.decline()
    assert journey.snapshot().call == CallView() and journey.snapshot().state == "home"
    services.close()


def test_a_gateway_that_never_takes_the_call_says_so(kiosk):
    _, journey, desk, _ = kiosk
    journey.help()
    journey.call.agree()
    desk.calls[0].listener.ended("failed")  # reported from the call's own thread, after call() returned
    v = journey.snapshot().call
    assert (v.state, v.notice, v.camera_on) == ("idle", "failed", False)


def test_a_gateway_that_cannot_be_reached_says_so(tmp_path):
    services, journey, _, _ = make(tmp_path, port=FakeDesk(down=True))
    journey.help()
    journey.call.agree()
    v = journey.snapshot().call
    assert (v.state, v.notice, v.camera_on) == ("idle", "failed", False)
    services.close()


def test_the_end_of_the_visit_hangs_up(kiosk):
    services, journey, desk, _ = kiosk
    at_form(services, journey)
    journey.help()
    journey.call.agree()
    desk.calls[0].listener.answered()
    services.idreader.remove()  # the card taken: the visit ends, the session is wiped
    assert journey.snapshot().state == "home"
    assert desk.calls[0].hung_up == 1 and journey.snapshot().call == CallView()


def test_no_help_while_submitting(kiosk):
    services, journey, _, _ = kiosk
    services.session.state = "submit"  # the moment between 提交 and the answer
    journey.help()
    assert journey.snapshot().call == CallView()


def test_every_notice_has_words():
    for notice in ("ended", "clerk", "lost", "no_answer", "failed"):
        zh, en = NOTICE_WORDS[notice]
        assert zh and en


# ---- the site config: the gateway and the desks are configuration ------------------------------------
def test_the_speaker_is_a_device_url_or_the_twin_and_a_real_sites_default_is_alsa():
    gw = '[video]\ngateway = "ws://127.0.0.1:8188"\ndesk = "dachang-hall"\ncamera = "v4l2:///dev/video0"\n' \
         'microphone = "alsa://default"\n'
    real = (DEMO_SITE.parents[2] / "deploy/sites/dachang-hall-01.toml").read_text(encoding="utf-8") + "\n"
    assert parse_config(real + gw, "site.toml").video.speaker == "alsa://default"
    assert parse_config(real + gw + 'speaker = "pulse://default"\n', "site.toml").video.speaker == "pulse://default"
    with pytest.raises(ConfigProblems) as e:
        parse_config(real + gw + 'speaker = "hdmi"\n', "site.toml")
    assert "video.speaker: must be an alsa:// or pulse:// URL (or test://null), not 'hdmi'" in str(e.value)


def _site(extra: str, jur_line: str = "") -> str:
    text = DEMO_SITE.read_text(encoding="utf-8")
    if jur_line:
        text = text.replace("[jurisdictions.tongzhou]\n", "[jurisdictions.tongzhou]\n" + jur_line + "\n", 1)
    return text + "\n" + extra


def test_config_names_the_gateway_the_sites_desk_and_a_jurisdictions_desk():
    cfg = parse_config(_site('[video]\ngateway = "ws://127.0.0.1:8188"\ndesk = "dachang-hall"\n',
                             'video_desk = "tongzhou-social"'), "site.toml", demo=True)
    assert cfg.video == VideoConfig(gateway="ws://127.0.0.1:8188", desk="dachang-hall",
                                    camera="test://pattern", microphone="test://tone",
                                    speaker="test://null")  # a demo site's twins
    assert cfg.video_desk("tongzhou") == "tongzhou-social"
    assert cfg.video_desk("dachang") == "dachang-hall" and cfg.video_desk(None) == "dachang-hall"
    assert load_config(None, demo=True).video_desk(None) is None  # no [video]: no video help


@pytest.mark.parametrize("extra, key, reason", [
    ('[video]\ngateway = "http://x"\ndesk = "d"\n', "video.gateway", "ws://"),
    ('[video]\ngateway = "ws://x:8188"\ndesk = "Hall 1"\n', "video.desk", "desk name"),
    ('[video]\ngateway = "ws://x:8188"\n', "video", "missing key 'desk'"),
    ('[video]\ndesk = "d"\n', "video", "missing key 'gateway'"),
    ('[video]\ngateway = "ws://x:8188"\ndesk = "d"\nanswer_timeout = 1\n', "video.answer_timeout", "10–1800"),
    ('[video]\ngateway = "ws://x:8188"\ndesk = "d"\nroom = 3\n', "video.room", "unknown key"),
    ('[video]\ngateway = "ws://x:8188"\ndesk = "d"\ncamera = "/dev/video0"\n', "video.camera", "v4l2://"),
    ('[video]\ngateway = "ws://x:8188"\ndesk = "d"\nmicrophone = "oss://x"\n', "video.microphone", "alsa://"),
])
def test_config_mistakes_are_named_with_key_and_line(extra, key, reason):
    with pytest.raises(ConfigProblems) as e:
        parse_config(_site(extra), "site.toml", demo=True)
    msg = str(e.value)
    assert "site.toml:" in msg and f"{key}:" in msg and reason in msg, msg


def test_the_ports_reports_reach_the_call_through_post(tmp_path):
    """The gateway reports on its own thread: the journey hands every report to `post` (the app's
    hop onto the main thread) and the call moves only when the posted function runs."""
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path),
                              video=VideoConfig(gateway="ws://127.0.0.1:8188", desk="dachang-hall"))
    services = build(cfg, clock=FakeClock(), factories=fake_factories())
    posted, desk = [], FakeDesk()
    journey = Journey(services.session, services.actions, executor=run_now, video=desk, post=posted.append)
    journey.help()
    journey.call.agree()
    desk.calls[0].listener.answered()
    assert journey.snapshot().call.state == "waiting" and len(posted) == 2  # queued(3), answered
    for fn in posted:
        fn()
    assert journey.snapshot().call.state == "in_call"
    services.close()


def test_a_real_site_names_its_camera_and_microphone():
    from tests.unit.test_config import GOOD
    with pytest.raises(ConfigProblems) as e:
        parse_config(GOOD + '[video]\ngateway = "wss://gw.example.invalid"\ndesk = "dachang-hall"\n', "k.toml")
    found = "\n".join(str(p) for p in e.value.problems)
    assert "video: missing key 'camera'" in found and "video: missing key 'microphone'" in found
    cfg = parse_config(GOOD + '[video]\ngateway = "wss://gw.example.invalid"\ndesk = "dachang-hall"\n'
                              'camera = "v4l2:///dev/video0"\nmicrophone = "alsa://default"\n', "k.toml")
    assert (cfg.video.camera, cfg.video.microphone) == ("v4l2:///dev/video0", "alsa://default")


# ---- in the call: the clerk's note, the steps told, the materials shown, the pictures -------------------
def in_call(services, journey, desk, *, to_scan=True):
    """The resident at the scan step with the residence proof scanned, in a call answered by 王老师."""
    at_form(services, journey)
    if to_scan:
        values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE)
        assert journey.finish_form(values) == {}
        journey.scan("residence_proof")
        assert "residence_proof" in journey.snapshot().attachments
    journey.help()
    journey.call.agree()
    call = desk.calls[-1]
    call.listener.answered("王老师")
    assert journey.snapshot().call.state == "in_call"
    return call


def test_the_clerks_note_is_shown_and_kept_at_the_step_until_read(kiosk):
    services, journey, desk, _ = kiosk
    call = in_call(services, journey, desk, to_scan=False)
    assert journey.snapshot().call.clerk == "王老师" and journey.snapshot().call.note == ""
    call.listener.note("请补扫户口本首页")
    assert journey.snapshot().call.note == "请补扫户口本首页"
    call.listener.note("请出示居住证明")  # the latest note replaces the one before
    assert journey.snapshot().call.note == "请出示居住证明"
    call.listener.ended("clerk")
    v = journey.snapshot().call
    assert (v.state, v.notice, v.note, v.clerk) == ("idle", "clerk", "请出示居住证明", "王老师")
    assert journey.snapshot().state == "form"  # back at the step, the note still there
    call.listener.note("too late")  # a late report of the call that ended
    assert journey.snapshot().call.note == "请出示居住证明"
    journey.call.dismiss()
    v = journey.snapshot().call
    assert (v.notice, v.note) == ("", "")


def test_a_note_while_waiting_is_dropped_and_a_new_call_starts_clean(kiosk):
    services, journey, desk, _ = kiosk
    journey.help()
    journey.call.agree()
    desk.calls[0].listener.note("not answered yet")
    assert journey.snapshot().call.note == ""
    desk.calls[0].listener.answered()
    desk.calls[0].listener.note("一")
    journey.call.hang_up()
    journey.help()  # a new call: nothing of the old one
    v = journey.snapshot().call
    assert (v.note, v.shown, v.clerk) == ("", (), "")


def test_each_step_the_resident_moves_to_is_told_to_the_clerk(kiosk):
    services, journey, desk, _ = kiosk
    call = in_call(services, journey, desk, to_scan=False)
    assert call.updates == []
    values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE)
    assert journey.finish_form(values) == {}
    assert [c.step for c in call.updates] == ["scan"]
    assert call.updates[0].matter_code == APPLY and RESIDENT.id_number not in repr(call.updates)
    journey.fire("back")
    assert [c.step for c in call.updates] == ["scan", "form"]
    journey.call.hang_up()
    journey.fire("next", form=values)  # no call: nobody is told
    assert len(call.updates) == 2
    journey.help()
    journey.call.agree()
    journey.fire("back")  # while waiting: the port keeps it for the clerk who answers
    assert [c.step for c in desk.calls[-1].updates] == ["form"]


def test_one_tap_shows_one_scanned_material_its_pages_as_jpegs_made_through_the_executor(tmp_path):
    services, journey, desk, _ = make(tmp_path, desks={"tongzhou": "tongzhou-social"})
    ran = []

    def executor(fn, done, failed):  # the app's worker thread, here at once, counted
        ran.append(fn)
        run_now(fn, done, failed)

    journey.executor = executor
    call = in_call(services, journey, desk)
    before = len(ran)
    journey.show_material("residence_proof")
    assert len(ran) == before + 1  # the pages were made through the executor
    (shown,) = call.materials
    assert shown.code == "residence_proof" and shown.name == "异地长期居住证明或个人承诺书"
    assert len(shown.pages) == 1 and shown.pages[0][:2] == b"\xff\xd8"  # a JPEG
    from PIL import Image
    import io
    with Image.open(io.BytesIO(shown.pages[0])) as im:
        assert max(im.size) <= 1600 and im.size == (40, 56)  # the scan's own image, out of its PDF
    assert journey.snapshot().call.shown == ("residence_proof",)
    journey.show_material("residence_proof")  # a second tap shows it again; listed once
    assert len(call.materials) == 2 and journey.snapshot().call.shown == ("residence_proof",)
    journey.show_material("hukou")  # not a material of this matter
    journey.show_material("")
    assert len(call.materials) == 2
    services.close()


def test_nothing_is_shown_outside_a_call_nor_what_was_not_scanned_nor_the_id_card(kiosk):
    services, journey, desk, _ = kiosk
    at_form(services, journey)
    values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone=PHONE)
    journey.finish_form(values)
    journey.scan("residence_proof")
    journey.show_material("residence_proof")  # no call
    journey.help()
    journey.call.agree()
    journey.show_material("residence_proof")  # waiting: not yet
    assert desk.calls[0].materials == [] and journey.snapshot().call.shown == ()
    journey.call.hang_up()

    services.session.data.attachments.clear()  # a matter whose materials are not scanned yet
    journey.help()
    journey.call.agree()
    desk.calls[-1].listener.answered()
    journey._pages.clear()
    journey.show_material("residence_proof")
    assert desk.calls[-1].materials == []


def test_the_id_card_is_never_shown_to_the_clerk(tmp_path):
    services, journey, desk, _ = make(tmp_path)
    journey.fire("start")
    services.idreader.start(_Cards(journey))
    services.idreader.place(RESIDENT)
    matter = services.catalog.get("TZ-SB-001")
    journey.fire("pick", matter=matter)
    assert journey._shareable("id_card") is None
    services.close()


def test_a_material_made_after_the_call_ended_is_not_sent(tmp_path):
    services, journey, desk, _ = make(tmp_path)
    call = in_call(services, journey, desk)
    later = []
    journey.executor = lambda fn, done, failed: later.append((fn, done))  # the worker has not run yet
    journey.show_material("residence_proof")
    journey.call.hang_up()
    fn, done = later[0]
    done(fn())
    assert call.materials == [] and journey.snapshot().call.shown == ()
    services.close()


def test_the_calls_pictures_pass_through_and_none_without_a_call(kiosk):
    from kiosk.ports import VideoImage
    services, journey, desk, _ = kiosk
    assert journey.call_frame("remote") is None and journey.call_frame("self") is None
    journey.help()
    journey.call.agree()
    call = desk.calls[0]
    assert journey.call_frame("self") is None  # none yet
    me = VideoImage(2, 1, b"\x00" * 6, 1)
    call.pictures["self"] = me
    assert journey.call_frame("self") is me  # the resident's own picture while waiting
    call.listener.answered()
    call.pictures["remote"] = VideoImage(2, 1, b"\xff" * 6, 7)
    assert journey.call_frame("remote").number == 7
    journey.call.hang_up()
    assert journey.call_frame("remote") is None and journey.call_frame("self") is None


# ---- TURN: the server and its credentials file -----------------------------------------------------
TURN = '[video]\ngateway = "ws://127.0.0.1:8188"\ndesk = "dachang-hall"\nturn = "turn:turn.example.invalid:3478?transport=udp"\n'


def _creds(tmp_path, text, mode=0o600):
    import os
    path = tmp_path / "turn.cred"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return str(path)


def test_turn_and_its_credentials_reach_aiortc(tmp_path):
    from drivers.videocall.peer import rtc_configuration
    from kiosk.devices.videodesk import turn_servers
    path = _creds(tmp_path, "# the hall's TURN account\nkiosk01:s3cret:with:colons\n")
    cfg = parse_config(_site(TURN + f'turn_credentials = "{path}"\n'), "site.toml", demo=True, check_files=True)
    assert (cfg.video.turn, cfg.video.turn_credentials) == ("turn:turn.example.invalid:3478?transport=udp", path)
    servers = turn_servers(cfg.video.turn, cfg.video.turn_credentials)
    assert servers == [{"urls": "turn:turn.example.invalid:3478?transport=udp", "username": "kiosk01",
                        "credential": "s3cret:with:colons"}]
    (ice,) = rtc_configuration(servers).iceServers
    assert (ice.urls, ice.username, ice.credential) == (servers[0]["urls"], "kiosk01", "s3cret:with:colons")
    assert rtc_configuration(None).iceServers == [] and turn_servers(None, None) is None


def test_a_relative_credentials_path_is_beside_the_site_config(tmp_path):
    cfg = parse_config(_site(TURN + 'turn_credentials = "turn.cred"\n'), str(tmp_path / "site.toml"), demo=True)
    assert cfg.video.turn_credentials == str(tmp_path / "turn.cred")


@pytest.mark.parametrize("text, mode, reason", [
    ("kiosk01:pw\n", 0o644, "readable by everyone"),
    ("kiosk01\n", 0o600, ":2: not username:password"),
    ("\n\n# none\n", 0o600, "empty"),
    ("a:b\nc:d\n", 0o600, ":2: one line username:password expected"),
    ("kiosk 01:pw\n", 0o600, ":1: the username has a space"),
    (":pw\n", 0o600, ":1: not username:password"),
])
def test_check_config_names_a_bad_credentials_file_with_its_line_never_the_password(tmp_path, text, mode, reason):
    path = _creds(tmp_path, "\n" + text if "kiosk01\n" == text else text, mode)
    with pytest.raises(ConfigProblems) as e:
        parse_config(_site(TURN + f'turn_credentials = "{path}"\n'), "site.toml", demo=True, check_files=True)
    msg = str(e.value)
    assert "site.toml:" in msg and "video.turn_credentials:" in msg and reason in msg, msg
    assert "pw" not in msg.replace(path, "")


def test_an_unreadable_credentials_file_at_start_means_no_turn_and_a_warning(tmp_path, caplog):
    from kiosk.devices.videodesk import turn_servers
    path = _creds(tmp_path, "kiosk01:hunter2\n", 0o604)
    assert turn_servers("turn:t.example.invalid", path) is None
    assert "readable by everyone" in caplog.text and "hunter2" not in caplog.text
    assert turn_servers("turn:t.example.invalid", str(tmp_path / "missing")) is None


@pytest.mark.parametrize("extra, key, reason", [
    ('turn = "stun:x:3478"\nturn_credentials = "/c"\n', "video.turn", "turn:host:3478?transport=udp"),
    ('turn = "turn:x:3478?transport=sctp"\nturn_credentials = "/c"\n', "video.turn", "TURN URL"),
    ('turn = "turn:x:3478"\n', "video", "turn and turn_credentials go together"),
    ('turn_credentials = "/c"\n', "video", "turn and turn_credentials go together"),
])
def test_bad_turn_settings_are_named(extra, key, reason):
    with pytest.raises(ConfigProblems) as e:
        parse_config(_site('[video]\ngateway = "ws://x:8188"\ndesk = "d"\n' + extra), "site.toml", demo=True)
    msg = str(e.value)
    assert f"{key}:" in msg and reason in msg, msg


def test_what_the_other_side_sends_is_shown_as_plain_text():
    from kiosk.devices.videodesk import _plain
    assert _plain("请补扫\n户口本\x00首页\t ", 200) == "请补扫 户口本 首页"
    assert _plain("王" * 60, 40) == "王" * 40 and _plain(None, 40) == "" and _plain(7, 40) == ""
