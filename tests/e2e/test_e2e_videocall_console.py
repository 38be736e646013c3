"""视频帮办 end to end: the kiosk's aiortc client and the clerk's console (kiosk/desk, the browser's
own WebRTC through janus.js) in headless Chromium (Debian, driven by Playwright, fake camera and
microphone), through a real Janus — all inside the test's own network namespace (WebRTC media
refuses loopback). Frames decoded and audio energy above silence on both sides; the clerk hangs up
and the kiosk hears it."""
import importlib.util
import shutil
import threading

import pytest

from kiosk.desk.server import DeskServer, missing
from kiosk.devices.videodesk import JanusDesk
from tests.support import janus as gw
from tests.support import netns
from tests.wire.test_videocall_janus import CONTEXT, DESK, WAIT, Heard, wait_for, why_not

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
why = why_not or ("" if shutil.which("chromium") else "Debian chromium is not installed") \
    or ("" if importlib.util.find_spec("playwright") else "playwright is not installed") \
    or ("; ".join(missing()) + " not installed" if missing() else "")
pytestmark = pytest.mark.skipif(bool(why), reason=why)

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream",
         "--use-fake-ui-for-media-stream", "--disable-features=WebRtcHideLocalIpsWithMdns",
         "--autoplay-policy=no-user-gesture-required"]  # the kiosk's voice plays: its energy is measured


def test_kiosk_and_the_clerks_console_in_chromium_exchange_media_both_ways(tmp_path):
    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, _proc):
        desk = JanusDesk(url)
        server = netns.in_namespace(ns, lambda: DeskServer().start())  # its thread listens inside
        netns.in_namespace(ns, desk._loop._ensure)
        heard = Heard()
        try:
            call = desk.call(DESK, CONTEXT, heard)
            heard.wait("queued")

            def clerk_answers():
                from playwright.sync_api import sync_playwright
                with sync_playwright() as p:  # its driver and the browser are started from this thread: inside
                    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                    try:
                        page = browser.new_page()
                        page.goto(f"{server.url}?gateway={url}&desk={DESK}")
                        page.wait_for_function("window.deskReady === true", timeout=WAIT * 1000)
                        page.click("#answer")
                        page.wait_for_function("window.deskState.state === 'in_call'", timeout=WAIT * 1000)
                        page.wait_for_function("(async () => { const s = await window.deskStats();"
                                               " return s.framesDecoded >= 10 && s.audioEnergy > 0; })()",
                                               timeout=WAIT * 1000, polling=100)
                        heard.wait("answered")
                        wait_for(lambda: call.peer.stats["video_in"] >= 10 and call.peer.stats["audio_in"] >= 20,
                                 f"the console's media at the kiosk: {call.peer.stats}")
                        stats = page.evaluate("window.deskStats()")
                        kiosk_seen = page.evaluate("window.deskState.kiosk")
                        page.click("#hangup")
                        heard.wait("ended")
                        return stats, kiosk_seen
                    finally:
                        browser.close()

            stats, kiosk_seen = netns.in_namespace(ns, clerk_answers, timeout=90)
            assert stats["framesDecoded"] >= 10 and stats["audioEnergy"] > 0, stats  # the kiosk's pattern and tone
            assert call.peer.stats["audio_peak"] > 0.01, call.peer.stats  # Chromium's fake microphone beeps
            assert kiosk_seen["kiosk_id"] == CONTEXT.kiosk_id and kiosk_seen["step"] == "form"
            assert heard.log[-1] == ("ended", "clerk")
        finally:
            desk.close()
            server.close()


def test_the_console_page_and_its_scripts_are_served_on_loopback():
    import urllib.request
    server = DeskServer().start()
    try:
        page = urllib.request.urlopen(server.url, timeout=5).read().decode()
        assert "janus.plugin.videoroom" in page and "视频帮办" in page
        for path in ("js/janus.js", "js/adapter.min.js"):
            assert urllib.request.urlopen(server.url + path, timeout=5).status == 200
    finally:
        server.close()
    assert threading.active_count() >= 1
