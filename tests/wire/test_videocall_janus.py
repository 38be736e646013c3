"""视频帮办 on a real gateway: a Janus (Debian `janus`, VideoRoom over its WebSocket API) started by
the test inside a network namespace the test makes (WebRTC media refuses loopback; signalling stays
on the namespace's 127.0.0.1), the kiosk's adapter (kiosk/devices/videodesk.py over
drivers/videocall, aiortc) with a test-pattern camera and a tone, and clerks stood in for by the
project's own clerk (drivers/videocall/clerk.py) speaking docs/videocall.md. Frames decoded and
audio above silence on both sides; pairing by `for` and the queue; the data channel's messages
both ways; every end of the call reported once; nothing left running."""
import asyncio
import dataclasses
import importlib.util
import json
import logging
import os
import threading

import pytest

from drivers.videocall.clerk import DeskClerk
from drivers.videocall.desk import CallLoop
from drivers.videocall.media import open_track
from kiosk.devices.videodesk import JanusDesk
from kiosk.ports import CallContext, SharedMaterial
from tests.support import janus as gw
from tests.support import netns

why_not = netns.usable() or ("" if gw.janus_binary() else "janus is not installed (deploy/bootstrap.sh installs it)") \
    or ("" if importlib.util.find_spec("aiortc") else "aiortc is not installed")
pytestmark = pytest.mark.skipif(bool(why_not), reason=why_not)

DESK = "dachang-hall"
CONTEXT = CallContext(kiosk_id="demo-dachang-01", site="大厂", step="form", matter_code="TZ-YB-001",
                      jurisdiction="tongzhou")
WAIT = 20.0  # seconds for real network I/O to happen (never a timeout the test relies on)


class Heard:
    """The kiosk's CallListener: what it heard, in order, with an event per kind."""

    def __init__(self):
        self.log: list = []
        self.events = {k: threading.Event() for k in ("queued", "answered", "ended", "note")}

    def queued(self, position):
        self.log.append(("queued", position))
        self.events["queued"].set()

    def answered(self, clerk=""):
        self.log.append(("answered", clerk))
        self.events["answered"].set()

    def ended(self, why):
        self.log.append(("ended", why))
        self.events["ended"].set()

    def note(self, text):
        self.log.append(("note", text))
        self.events["note"].set()

    def wait(self, kind):
        assert self.events[kind].wait(WAIT), f"no {kind} within {WAIT} s: {self.log}"

    def places(self):
        return [v for k, *v in self.log if k == "queued" for v in v]


def Clerk(loop: CallLoop, url: str, **kw) -> DeskClerk:
    """A clerk at the desk who answers the first waiting kiosk (the faults tests use it too)."""
    return DeskClerk(loop, url, DESK, **{"name": "clerk-01", **kw})


def flowing(*stats, frames=10, audio=20):
    return all(s["video_in"] >= frames and s["audio_in"] >= audio for s in stats)


def wait_for(cond, what):
    ev = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        if cond():
            return
        ev.wait(0.05)
    raise AssertionError(f"not within {WAIT} s: {what}")


@pytest.fixture
def call_site(tmp_path):
    """(namespace, gateway URL, gateway process, the kiosk's desk, the clerk's loop)."""
    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, proc):
        desk = JanusDesk(url)
        clerk_loop = CallLoop()
        # the call threads start inside the namespace (threads inherit the thread's namespace)
        netns.in_namespace(ns, lambda: (desk._loop._ensure(), clerk_loop._ensure()))
        try:
            yield ns, url, proc, desk, clerk_loop
        finally:
            desk.close()
            clerk_loop.close()
    assert ns not in netns_list()


def netns_list():
    import subprocess
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def test_a_call_connects_media_flows_both_ways_and_the_kiosk_hangs_up(call_site):
    _ns, url, _proc, desk, clerk_loop = call_site
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    assert heard.log[0] == ("queued", 1)
    clerk = Clerk(clerk_loop, url, name="王老师")
    heard.wait("answered")
    assert clerk.answered.wait(WAIT), clerk.log
    assert ("answered", "王老师") in heard.log  # the clerk's display name reaches the kiosk
    kiosk_stats, clerk_stats = call.peer.stats, clerk.stats
    wait_for(lambda: flowing(kiosk_stats, clerk_stats), f"frames both ways: kiosk {kiosk_stats} clerk {clerk_stats}")
    assert kiosk_stats["audio_peak"] > 0.01 and clerk_stats["audio_peak"] > 0.01  # a tone, not silence
    assert kiosk_stats["played"] > 0  # the clerk's voice handed to the kiosk's speaker (its twin here)
    who = clerk.kiosk
    assert who["role"] == "kiosk" and who["kiosk_id"] == "demo-dachang-01" and who["step"] == "form" \
        and who["matter_code"] == "TZ-YB-001"
    call.mute(True)
    call.hang_up(wait=WAIT)
    assert clerk.ended.wait(WAIT), clerk.log  # the clerk sees the kiosk leave
    assert ("ended", "kiosk") in clerk.log
    assert not heard.events["ended"].is_set()  # the kiosk's own hang-up is not reported back
    assert call.peer._pub_pc.connectionState == "closed"
    clerk.close(wait=WAIT)


def test_the_clerk_hangs_up(call_site):
    _ns, url, _proc, desk, clerk_loop = call_site
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    clerk = Clerk(clerk_loop, url, answer=True)
    heard.wait("answered")
    wait_for(lambda: call.peer.stats["video_in"] >= 3, "a first frames at the kiosk")
    clerk.auto = False  # back to watching, not answering again
    clerk.hang_up(wait=WAIT)
    heard.wait("ended")
    assert heard.log[-1] == ("ended", "clerk") and heard.log.count(("ended", "clerk")) == 1
    clerk.close(wait=WAIT)


def test_a_camera_that_dies_mid_call_ends_the_call_as_failed(call_site, tmp_path, caplog):
    """A camera unplugged in the call: the kiosk hears ended("failed") (the resident back at the
    step, told to ask the hall's staff) and the clerk sees the kiosk leave, rather than a frozen
    picture on both sides."""
    import numpy as np

    from drivers.scanner.camera_twin import write_frames

    _ns, url, _proc, _desk, clerk_loop = call_site
    folder = tmp_path / "rec"
    write_frames(str(folder), [np.full((240, 320, 3), 40 + 30 * i, np.uint8) for i in range(6)])
    desk = JanusDesk(url, camera=f"frames://{folder}?fps=15")
    desk._loop = clerk_loop  # the call thread that is already inside the namespace
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    clerk = Clerk(clerk_loop, url)
    heard.wait("answered")
    wait_for(lambda: clerk.stats["video_in"] >= 3, f"first frames at the clerk: {clerk.stats}")
    camera = next(t for t in call.peer._sources if t.kind == "video")
    with caplog.at_level(logging.WARNING, logger="drivers.videocall.peer"):
        camera.source.set_fault("io_error")  # as a camera unplugged mid-call
        heard.wait("ended")
    assert ("ended", "failed") in heard.log
    assert clerk.ended.wait(WAIT), clerk.log  # told: the kiosk left
    assert any("the video source failed" in r.getMessage() for r in caplog.records)
    clerk.close(wait=WAIT)


_WRITING: list = []  # files opened for writing while a test's call ran (an audit hook can't be removed)
_AUDIT = {"on": False}


def _audit(event, args):
    if not _AUDIT["on"] or event != "open":
        return
    path, mode, flags = (tuple(args) + (None, None, None))[:3]
    writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
        (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if writes and str(path) != os.devnull:  # a child's stdin/stdout on /dev/null is not the disk
        _WRITING.append(str(path))


def test_no_frame_or_sound_of_a_call_is_written_to_disk(call_site, tmp_path):
    """Privacy: through a whole call with pictures and sound both ways, the kiosk's process opens no
    file for writing (every open() and os.open, seen by a Python audit hook), and nothing appears
    in its working folder."""
    import sys

    _ns, url, _proc, desk, clerk_loop = call_site
    if _audit not in getattr(sys, "_kiosk_audit_hooks", ()):
        sys.addaudithook(_audit)
        sys._kiosk_audit_hooks = (*getattr(sys, "_kiosk_audit_hooks", ()), _audit)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    old = os.getcwd()
    os.chdir(cwd)
    _AUDIT["on"] = True
    try:
        with open(tmp_path / "probe", "w"):  # the hook sees a file opened for writing
            pass
        assert _WRITING == [str(tmp_path / "probe")], _WRITING
        _WRITING.clear()
        heard = Heard()
        call = desk.call(DESK, CONTEXT, heard)
        clerk = Clerk(clerk_loop, url)
        heard.wait("answered")
        wait_for(lambda: flowing(call.peer.stats, clerk.stats, frames=30, audio=50),
                 f"pictures and sound both ways: kiosk {call.peer.stats} clerk {clerk.stats}")
        assert call.frame("remote") is not None and call.frame("self") is not None
        call.hang_up(wait=WAIT)
        assert clerk.ended.wait(WAIT), clerk.log
    finally:
        _AUDIT["on"] = False
        os.chdir(old)
    assert _WRITING == [], f"files opened for writing during the call: {_WRITING}"
    assert list(cwd.iterdir()) == []
    clerk.close(wait=WAIT)


def test_two_kiosks_two_clerks_each_kiosk_gets_its_own_and_the_queue_moves_up(call_site):
    """Kiosk A then kiosk B wait (places 1 and 2); a watcher in the room is nobody's peer and
    changes nobody's place; clerk 1 answers A: B's place goes to 1; clerk 2 answers B."""
    ns, url, _proc, desk_a, clerk_loop = call_site
    desk_b = JanusDesk(url)
    netns.in_namespace(ns, desk_b._loop._ensure)
    try:
        watcher = DeskClerk(clerk_loop, url, DESK, name="watching", answer=False)
        assert watcher.watching.wait(WAIT)
        a, b = Heard(), Heard()
        call_a = desk_a.call(DESK, CONTEXT, a)
        a.wait("queued")
        call_b = desk_b.call(DESK, dataclasses.replace(CONTEXT, kiosk_id="demo-dachang-02"), b)
        b.wait("queued")
        assert a.places() == [1] and b.places() == [2]
        wait_for(lambda: len(watcher.queue()) == 2, f"both kiosks in the watcher's queue: {watcher.queue()}")
        assert [k["kiosk_id"] for k in watcher.queue()] == ["demo-dachang-01", "demo-dachang-02"]

        first = DeskClerk(clerk_loop, url, DESK, name="clerk-1", answer=False)
        assert first.watching.wait(WAIT)
        first.take(wait=WAIT)  # the first waiting: kiosk A
        assert first.answered.wait(WAIT), (first.log, first.queue())
        a.wait("answered")
        wait_for(lambda: b.places() == [2, 1], f"B moves up: {b.log}")
        assert ("answered", "clerk-1") in a.log and not b.events["answered"].is_set()
        assert first.kiosk["kiosk_id"] == "demo-dachang-01"
        # the watcher hears of clerk-1's answer on its own socket, maybe after B did
        wait_for(lambda: [k["kiosk_id"] for k in watcher.queue()] == ["demo-dachang-02"],
                 f"A taken in the watcher's queue: {watcher.queue()}")

        second = DeskClerk(clerk_loop, url, DESK, name="clerk-2")  # answers the first waiting: B
        b.wait("answered")
        assert ("answered", "clerk-2") in b.log and second.kiosk["kiosk_id"] == "demo-dachang-02"
        wait_for(lambda: flowing(call_a.peer.stats, call_b.peer.stats, first.stats, second.stats, frames=3, audio=5),
                 "media on both calls")
        assert a.log.count(("answered", "clerk-1")) == 1 and not any(e[0] == "answered" and e[1] != "clerk-1"
                                                                       for e in a.log)
        wait_for(lambda: watcher.queue() == [], f"both taken in the watcher's queue: {watcher.queue()}")
        assert not watcher.answered.is_set()
        for c in (first, second, watcher):
            c.close(wait=WAIT)
        a.wait("ended")
        b.wait("ended")
        call_a.hang_up(wait=WAIT)
        call_b.hang_up(wait=WAIT)
    finally:
        desk_b.close()


def test_a_second_clerk_never_answers_a_kiosk_already_taken(call_site):
    _ns, url, _proc, desk, clerk_loop = call_site
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    first = Clerk(clerk_loop, url, name="clerk-1")
    heard.wait("answered")
    late = Clerk(clerk_loop, url, name="clerk-2")
    assert late.watching.wait(WAIT)
    late.take(call.peer._my_id, wait=WAIT)  # asked to answer the taken kiosk: it does not
    assert not late.answered.is_set() and late.roster.queue() == []
    assert heard.log.count(("answered", "clerk-1")) == 1 and len([e for e in heard.log if e[0] == "answered"]) == 1
    for c in (first, late):
        c.close(wait=WAIT)
    call.hang_up(wait=WAIT)


def test_two_clerks_answering_at_once_one_keeps_the_kiosk(call_site):
    _ns, url, _proc, desk, clerk_loop = call_site
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    clerks = [Clerk(clerk_loop, url, name=f"clerk-{i}", answer=False) for i in (1, 2)]
    for c in clerks:
        assert c.watching.wait(WAIT)
    for c in clerks:  # both press answer on the same kiosk
        c.take(call.peer._my_id)
    heard.wait("answered")
    wait_for(lambda: sum(c.feed is not None for c in clerks) == 1, f"one clerk keeps it: {[c.log for c in clerks]}")
    (keeper,) = [c for c in clerks if c.feed is not None]
    wait_for(lambda: keeper.stats["video_in"] >= 3, "media at the clerk who kept it")
    assert [e for e in heard.log if e[0] == "answered"] == [("answered", keeper.name)]
    assert not heard.events["ended"].is_set()
    for c in clerks:
        c.close(wait=WAIT)
    call.hang_up(wait=WAIT)


def test_notes_context_materials_and_pictures_on_the_data_channel(call_site, caplog):
    _ns, url, _proc, desk, clerk_loop = call_site
    caplog.set_level(logging.INFO, logger="drivers.videocall")  # its own level: a CLI test may have quieted "drivers"
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    clerk = Clerk(clerk_loop, url)
    heard.wait("answered")
    assert clerk.context.wait(WAIT), clerk.log  # on answering: the step the resident called from
    assert clerk.contexts[0] == {"step": "form", "matter_code": "TZ-YB-001", "matter_name": "",
                                 "jurisdiction": "tongzhou"}

    call.update(dataclasses.replace(CONTEXT, step="scan"))  # the resident moves on during the call
    wait_for(lambda: clerk.contexts[-1]["step"] == "scan", f"the new step at the clerk: {clerk.contexts}")

    pages = (bytes(range(256)) * 200, b"\xff\xd8 second page \xff\xd9")  # 51 KB: cut into parts
    call.show(SharedMaterial(code="hukou", name="户口簿", pages=pages))
    assert clerk.material.wait(WAIT), clerk.log
    (got,) = clerk.materials()
    assert (got["code"], got["name"], got["pages"]) == ("hukou", "户口簿", pages)

    secret = "不该出现的内容"
    clerk.send_raw("x" * 70)  # not JSON
    clerk.send_raw(json.dumps({"type": "note", "text": secret * 40}, ensure_ascii=False))  # 280 characters
    clerk.send_raw(json.dumps({"type": "shout", "text": secret}, ensure_ascii=False))
    clerk.send_raw(json.dumps({"type": "note", "text": "x" * 20_000}))  # beyond any message
    clerk.note("请补扫户口本首页")
    heard.wait("note")
    assert [e for e in heard.log if e[0] == "note"] == [("note", "请补扫户口本首页")]  # the malformed ones ignored
    ignored = [r.getMessage() for r in caplog.records if "data message ignored" in r.getMessage()]
    assert len(ignored) == 4, ignored
    assert not any(secret in r.getMessage() or "xxxx" in r.getMessage() for r in caplog.records)

    numbers = {w: [] for w in ("remote", "self")}
    for _ in range(3):
        for which in numbers:
            wait_for(lambda: call.frame(which) is not None and call.frame(which).number not in numbers[which],
                     f"a new {which} frame")
            numbers[which].append(call.frame(which).number)
    for which, seen in numbers.items():
        assert seen == sorted(seen) and len(set(seen)) == 3, (which, seen)
        img = call.frame(which)
        assert img.width <= 640 and len(img.rgb) == img.width * img.height * 3
    assert call.frame("self") is call.frame("self") or call.frame("self").number > numbers["self"][-1]
    call.hang_up(wait=WAIT)
    clerk.close(wait=WAIT)


@pytest.mark.skipif(not gw.turnserver_binary(), reason="coturn is not installed (deploy/bootstrap.sh installs it)")
def test_the_sites_turn_server_and_credentials_file_reach_the_kiosks_calls(tmp_path):
    """[video] turn and turn_credentials, through the composition root: the kiosk's offers carry a
    relay candidate coturn allocated with the file's credentials, and the call connects."""
    import os
    import secrets

    from kiosk.bootstrap import build
    from kiosk.clock import FakeClock
    from kiosk.config import VideoConfig, load_config
    from tests.support.fakes import fake_factories

    password = secrets.token_urlsafe(12)
    creds = tmp_path / "turn.cred"
    creds.write_text(f"kiosk01:{password}\n")
    os.chmod(creds, 0o600)
    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, _proc), \
            gw.turnserver(ns, str(tmp_path / "turn"), "kiosk01", password) as turn_log:
        cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path / "data"), video=VideoConfig(
            gateway=url, desk=DESK, camera="test://pattern", microphone="test://tone",
            turn="turn:10.77.0.1:3478?transport=udp", turn_credentials=str(creds)))
        factories = {k: v for k, v in fake_factories().items() if k != "video"}  # the real desk, as a kiosk builds it
        services = build(cfg, clock=FakeClock(), factories=factories)
        desk, clerk_loop, clerk = services.video, CallLoop(), None
        desk.record = True
        netns.in_namespace(ns, lambda: (desk._loop._ensure(), clerk_loop._ensure()))
        try:
            heard = Heard()
            call = desk.call(DESK, CONTEXT, heard)
            heard.wait("queued")
            clerk = Clerk(clerk_loop, url)
            heard.wait("answered")
            wait_for(lambda: flowing(call.peer.stats, clerk.stats, frames=3, audio=5), "media both ways")
            offers = [json.loads(m)["jsep"]["sdp"] for m in call.peer.gw.sent if '"jsep"' in m]
            assert len(offers) == 2  # the publisher's offer and the subscriber's answer
            assert all("typ relay" in sdp and " 10.77.0.1 " in sdp for sdp in offers), offers
            assert "kiosk01" in open(turn_log).read() and password not in "".join(call.peer.gw.sent)
            call.hang_up(wait=WAIT)
        finally:
            if clerk is not None:
                clerk.close(wait=WAIT)
            services.close()
            clerk_loop.close()


def test_the_tone_and_pattern_twins_open_and_a_bad_url_is_named():
    from drivers.videocall.media import MediaError

    async def first_frames():
        v, a = open_track("test://pattern", "video"), open_track("test://tone", "audio")
        try:
            return await v.recv(), await a.recv()
        finally:  # stopped inside the loop: the players' threads end before it closes
            v.stop()
            a.stop()

    frame, sound = asyncio.run(first_frames())
    assert (frame.width, frame.height) == (320, 240) and sound.sample_rate == 48000
    with pytest.raises(MediaError, match="rtsp://cam: a video source must be"):
        open_track("rtsp://cam", "video")


def test_nothing_the_kiosk_sends_holds_the_residents_id_number_or_name(tmp_path):
    """The whole slice with an identified resident: the journey at the scan step, help, consent,
    a clerk answers, the resident goes back a step and on again, shows a material, the clerk's note
    arrives, the resident hangs up. Every WebSocket frame and data message the kiosk sent is kept
    and searched for the ID number and the name. The app's hop onto its main thread is a queue this
    thread drains."""
    from tests.support.calljourney import CallJourney
    from tests.support.fakes import RESIDENT

    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, _proc):
        site = CallJourney(ns, url, DESK, str(tmp_path / "data"))
        services, journey, pump_until = site.services, site.journey, site.until
        services.video.record = True
        clerk_loop = CallLoop()
        netns.in_namespace(ns, clerk_loop._ensure)

        clerk = None
        try:
            journey.fire("start")
            journey.fire("card_read", identity=RESIDENT, source="idreader")
            journey.fire("pick", matter=services.catalog.get("TZ-YB-001"))
            journey.fire("next")
            values = dict(services.actions.prefill(journey.snapshot().matter, RESIDENT), phone="13912345678")
            assert journey.finish_form(values) == {} and journey.snapshot().state == "scan"
            journey.scan("residence_proof")
            journey.help()
            journey.call.agree()
            pump_until(lambda: journey.snapshot().call.position == 1, "queued")
            clerk = Clerk(clerk_loop, url, name="王老师")
            pump_until(lambda: journey.snapshot().call.state == "in_call", "answered")
            assert journey.snapshot().call.clerk == "王老师"
            assert clerk.context.wait(WAIT), clerk.log
            journey.fire("back")  # to the form and on again: both steps told
            journey.fire("next", form=values)
            wait_for(lambda: [c["step"] for c in clerk.contexts][-2:] == ["form", "scan"], f"steps: {clerk.contexts}")
            journey.show_material("residence_proof")
            assert clerk.material.wait(WAIT), clerk.log
            assert clerk.materials()[0]["code"] == "residence_proof"
            pump_until(lambda: journey.snapshot().call.shown == ("residence_proof",), "shown")
            clerk.note("请补扫户口本首页")
            pump_until(lambda: journey.snapshot().call.note == "请补扫户口本首页", "the note")
            pump_until(lambda: journey.call_frame("remote") is not None and journey.call_frame("self") is not None,
                       "pictures")
            journey.call.hang_up()
            assert clerk.ended.wait(WAIT), clerk.log
            sent = services.video.last.peer.gw.sent
            assert any('"type": "context"' in m for m in sent) and any('"type": "material"' in m for m in sent)
            assert any('"request": "publish"' in m for m in sent)  # the SDP offers are in there too
            for m in sent:  # as sent, and decoded (the JSON API escapes non-ASCII: a name would hide)
                plain = json.dumps(json.loads(m), ensure_ascii=False)
                for text in (m, plain):
                    assert RESIDENT.id_number not in text and RESIDENT.name not in text
            assert any(services.config.site in json.dumps(json.loads(m), ensure_ascii=False) for m in sent)
            told = json.dumps([clerk.kiosk, clerk.contexts, clerk.log[:1]], ensure_ascii=False)
            assert "TZ-YB-001" in told and RESIDENT.id_number not in told and RESIDENT.name not in told
        finally:
            if clerk is not None:
                clerk.close(wait=WAIT)
            services.close()
            clerk_loop.close()
