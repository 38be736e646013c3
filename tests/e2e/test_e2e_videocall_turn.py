"""视频帮办 through TURN: the clerk's console told by kiosk-desk's config to use only relayed media
(`ice_transport_policy = "relay"`, a coturn `turn:` server with long-term credentials), and the
call still carries media both ways — the proof that the console's TURN path works. coturn (Debian
`coturn`, `turnserver --lt-cred-mech`), Janus, the kiosk's aiortc client and headless Chromium all
run inside the test's own network namespace; nothing reaches outside it."""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time

import pytest

from kiosk.desk.clerks import Clerk, hash_password, render
from kiosk.desk.server import DeskServer
from tests.e2e.test_e2e_videocall_console import (CHROMIUM, FLAGS, PASSWORD, WAIT, Heard, InNamespace, context,
                                                  desk_config, open_console, stats, until, wait_flowing, wait_for,
                                                  why)
from tests.support import janus as gw
from tests.support import netns

TURN_IP, TURN_PORT, REALM = "10.77.0.1", 3478, "kiosk.test"
why_turn = why or ("" if shutil.which("turnserver") else "coturn is not installed (deploy/bootstrap.sh installs it)")
pytestmark = pytest.mark.skipif(bool(why_turn), reason=why_turn)


def _stun_answers() -> bool:
    """A STUN binding request to the TURN server answers (it needs no credentials): it is up."""
    req = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + secrets.token_bytes(12)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        try:
            s.sendto(req, (TURN_IP, TURN_PORT))
            return s.recv(512)[8:20] == req[8:20]
        except OSError:
            return False


def turnserver(ns: str, folder, user: str, password: str) -> subprocess.Popen:
    os.makedirs(folder, exist_ok=True)
    log = open(os.path.join(folder, "turn.log"), "w")
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, "turnserver", "-n", f"--listening-ip={TURN_IP}", f"--relay-ip={TURN_IP}",
         f"--listening-port={TURN_PORT}", "--lt-cred-mech", f"--user={user}:{password}", f"--realm={REALM}",
         "--no-tls", "--no-dtls", "--no-cli", "--log-file=stdout", "--simple-log", "--verbose",
         f"--userdb={os.path.join(folder, 'turndb')}", f"--pidfile={os.path.join(folder, 'turn.pid')}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 10  # waits for the server to answer, not for a timeout
    while not netns.in_namespace(ns, _stun_answers):
        if proc.poll() is not None or time.monotonic() > deadline:
            gw.stop(proc)
            raise RuntimeError("turnserver did not start: " + open(os.path.join(folder, "turn.log")).read()[-2000:])
        time.sleep(0.05)
    return proc


def test_the_console_on_relay_only_ice_still_has_media_both_ways(tmp_path):
    from playwright.sync_api import sync_playwright

    from kiosk.devices.videodesk import JanusDesk

    user, password = "desk", secrets.token_urlsafe(12)
    clerks = {"clerk-desk-turn": Clerk("clerk-desk-turn", "李老师", ("desk-turn",), hash_password(PASSWORD))}
    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, _proc):
        turn = turnserver(ns, str(tmp_path / "turn"), user, password)
        inside = InNamespace(ns)
        cfg = desk_config(tmp_path, url, clerks_text=render(clerks), extra=(
            'ice_transport_policy = "relay"\n[[ice_servers]]\n'
            f'urls = ["turn:{TURN_IP}:{TURN_PORT}?transport=udp"]\nusername = "{user}"\ncredential = "{password}"\n'))
        server = inside(lambda: DeskServer(cfg).start())
        desk = JanusDesk(url)
        netns.in_namespace(ns, desk._loop._ensure)
        heard = Heard()
        try:
            call = desk.call("desk-turn", context(), heard)
            heard.wait("queued")

            def clerk():
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                    try:
                        site = {"browser": browser, "server": server}
                        ctx, page = open_console(site, "desk-turn")
                        me = page.evaluate("fetch('/api/me').then((r) => r.json())")
                        until(page, "window.deskState.queue.length === 1")
                        page.click("#answer")
                        wait_flowing(page)
                        heard.wait("answered")
                        wait_for(lambda: call.peer.stats["video_in"] >= 10 and call.peer.stats["audio_in"] >= 20,
                                 f"the console's media at the kiosk: {call.peer.stats}")
                        got = stats(page)
                        page.click("#hangup")
                        heard.wait("ended")
                        return me, got
                    finally:
                        browser.close()

            me, got = inside(clerk, timeout=150)
        finally:
            desk.close()
            inside(server.close)
            inside.stop()
            gw.stop(turn)
        log = (tmp_path / "turn" / "turn.log").read_text(errors="replace")

    assert me["iceTransportPolicy"] == "relay" and me["iceServers"][0]["username"] == user
    assert got["relay"] is True, got  # the console's nominated pair is a relay candidate
    assert got["framesDecoded"] >= 10 and got["audioEnergy"] > 0, got
    assert call.peer.stats["audio_peak"] > 0.01, call.peer.stats
    assert "ALLOCATE processed, success" in log, log[-1500:]  # coturn relayed for the console
    assert password not in log
