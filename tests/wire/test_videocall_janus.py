"""视频帮办 on a real gateway: a Janus (Debian `janus`, VideoRoom over its WebSocket API) started by
the test inside a network namespace the test makes (WebRTC media refuses loopback; signalling stays
on the namespace's 127.0.0.1), the kiosk's adapter (kiosk/devices/videodesk.py over
drivers/videocall, aiortc) with a test-pattern camera and a tone, and a clerk stood in for by the
project's own aiortc peer. Frames decoded and audio above silence on both sides; every end of the
call reported once; nothing left running."""
import asyncio
import importlib.util
import threading

import pytest

from drivers.videocall.desk import CallLoop, PeerCall
from drivers.videocall.media import open_track
from drivers.videocall.peer import RoomPeer
from kiosk.devices.videodesk import JanusDesk
from kiosk.ports import CallContext
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
        self.events = {k: threading.Event() for k in ("queued", "answered", "ended")}

    def queued(self, position):
        self.log.append(("queued", position))
        self.events["queued"].set()

    def answered(self):
        self.log.append(("answered",))
        self.events["answered"].set()

    def ended(self, why):
        self.log.append(("ended", why))
        self.events["ended"].set()

    def wait(self, kind):
        assert self.events[kind].wait(WAIT), f"no {kind} within {WAIT} s: {self.log}"


class Clerk:
    """A clerk at the desk: the project's own peer, publishing a pattern and a tone."""

    def __init__(self, loop: CallLoop, url: str):
        self.log: list = []
        self.answered = threading.Event()
        self.ended = threading.Event()

        def on_event(kind, value):
            self.log.append((kind, value))
            if kind == "answered":
                self.answered.set()
            elif kind == "ended":
                self.ended.set()

        self.peer = RoomPeer(url, DESK, {"role": "clerk", "name": "clerk-01"},
                             tracks=lambda: [open_track("test://pattern", "video"), open_track("test://tone", "audio")],
                             wants=lambda who: who.get("role") == "kiosk", on_event=on_event)
        self.call = PeerCall(loop, self.peer)


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
    clerk = Clerk(clerk_loop, url)
    heard.wait("answered")
    assert clerk.answered.wait(WAIT), clerk.log
    kiosk_stats, clerk_stats = call.peer.stats, clerk.peer.stats
    wait_for(lambda: flowing(kiosk_stats, clerk_stats), f"frames both ways: kiosk {kiosk_stats} clerk {clerk_stats}")
    assert kiosk_stats["audio_peak"] > 0.01 and clerk_stats["audio_peak"] > 0.01  # a tone, not silence
    who = dict(clerk.log)["answered"]
    assert who["kiosk_id"] == "demo-dachang-01" and who["step"] == "form" and who["matter_code"] == "TZ-YB-001"
    call.mute(True)
    call.hang_up(wait=WAIT)
    assert clerk.ended.wait(WAIT), clerk.log  # the clerk sees the kiosk leave
    assert ("ended", "clerk") in clerk.log
    assert not heard.events["ended"].is_set()  # the kiosk's own hang-up is not reported back
    assert call.peer._pub_pc.connectionState == "closed"


def test_the_clerk_hangs_up(call_site):
    _ns, url, _proc, desk, clerk_loop = call_site
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    clerk = Clerk(clerk_loop, url)
    heard.wait("answered")
    wait_for(lambda: call.peer.stats["video_in"] >= 3, "a first frames at the kiosk")
    clerk.call.hang_up(wait=WAIT)
    heard.wait("ended")
    assert heard.log[-1] == ("ended", "clerk") and heard.log.count(("ended", "clerk")) == 1




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
