"""视频帮办 in the demo (kiosk/demo/video.py): its own Janus in a network namespace it makes, the
site's [video] section only while that gateway runs, the scripted clerk in the namespace; and
nothing outlives the demo — not on close(), not on SIGTERM, not when it is killed outright (Janus
dies with it; the next demo removes the namespace left). Without the gateway the headless demo
pictures the words that video help is not available, and the journey goes on to the end."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from drivers.videocall import gateway as G
from kiosk.config import load_config
from kiosk.ports import CallContext
from tests.e2e.test_e2e_first_run import DEMO_TIMEOUT, ROOT, fresh_env

why_not = G.why_not(netns=True)
needs_gateway = pytest.mark.skipif(bool(why_not), reason=why_not or "")
WAIT = 20.0  # seconds for real processes and network I/O (never a timeout the test relies on)


def _janus_of(pid: int) -> list[int]:
    """Janus processes whose parent is `pid` (the demo's gateway)."""
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
                comm = stat[stat.index("(") + 1:stat.rindex(")")]
                ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
            if comm == "janus" and ppid == pid:
                out.append(int(p.name))
    return out


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"  # a zombie: dead, its parent not yet told


def _until(cond, what: str) -> None:
    end = time.monotonic() + WAIT
    while not cond():
        assert time.monotonic() < end, f"not within {WAIT} s: {what}"
        time.sleep(0.05)


CONTEXT = CallContext(kiosk_id="demo-dachang-01", site="大厂", step="scan", matter_code="DC-WJ-002",
                      jurisdiction="dachang")


class Heard(list):
    """The kiosk's CallListener: what it heard, in order."""

    def __init__(self):
        super().__init__()
        self.answered_, self.ended_ = threading.Event(), threading.Event()

    def queued(self, position): self.append(("queued", position))
    def answered(self, clerk=""): self.append(("answered", clerk)); self.answered_.set()
    def note(self, text): self.append(("note", text))
    def ended(self, why): self.append(("ended", why)); self.ended_.set()


@pytest.fixture
def demo_config(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return load_config(None, demo=True)


@needs_gateway
def test_the_demo_gateway_gives_the_site_video_help_and_a_call_is_answered(demo_config):
    from kiosk.demo.video import DemoVideo, SITE_DESK

    assert demo_config.video.gateway is None  # site.toml itself has no [video]
    video = DemoVideo.start(demo_config)
    try:
        assert video.available and not video.why
        cfg = video.config
        assert cfg.video.gateway == "ws://127.0.0.1:8188"
        assert cfg.video_desk("dachang") == "dachang-desk" and cfg.video_desk("tongzhou") == "tongzhou-desk"
        assert cfg.video_desk("sanhe") == SITE_DESK and cfg.video_desk(None) == SITE_DESK
        ns = video.namespace.name
        assert os.path.exists(f"/run/netns/{ns}") and video.gateway.running()
        assert G.in_namespace(ns, G._port_open, 8188)  # it listens in the namespace (on its 127.0.0.1)

        clerk = video.clerk("dachang-desk", answer=True)  # the clerk's thread in the namespace
        desk = video.factories()["video"](cfg)  # the kiosk's call thread in the namespace
        heard = Heard()
        try:
            call = desk.call("dachang-desk", CONTEXT, heard)
            assert heard.answered_.wait(WAIT), heard
            _until(lambda: call.frame("remote") is not None, "the clerk's picture at the kiosk")
            _until(lambda: clerk.stats["video_in"] >= 3, "the kiosk's picture at the clerk")
            clerk.note("请补扫户口本首页")
            _until(lambda: ("note", "请补扫户口本首页") in heard, "the note at the kiosk")
            clerk.hang_up(wait=WAIT)
            assert heard.ended_.wait(WAIT), heard
            assert heard[-1] == ("ended", "clerk")
        finally:
            desk.close()
    finally:
        video.close()
    assert not os.path.exists(f"/run/netns/{ns}")
    assert not video.gateway.running() and not os.path.exists(video.gateway.folder)


@needs_gateway
def test_the_interactive_demos_clerk_answers_every_desk_and_sends_a_note(demo_config):
    from kiosk.demo.video import DemoVideo

    video = DemoVideo.start(demo_config)
    try:
        video.serve(after=0.1)
        desk = video.factories()["video"](video.config)
        try:
            for name in ("tongzhou-desk", "dachang-hall"):  # a jurisdiction's desk, the hall's own
                heard = Heard()
                call = desk.call(name, CONTEXT, heard)
                assert heard.answered_.wait(WAIT), (name, heard)
                assert ("answered", "王老师") in heard
                _until(lambda: any(h[0] == "note" for h in heard), f"the note at {name}")
                assert ("note", "您好，我是王老师。请补扫户口本首页。") in heard
                call.hang_up(wait=WAIT)
        finally:
            desk.close()
    finally:
        video.close()


def test_without_a_gateway_the_site_has_no_video_help(demo_config, monkeypatch):
    from kiosk.demo.video import DemoVideo

    monkeypatch.setenv("KIOSK_DEMO_VIDEO", "0")
    video = DemoVideo.start(demo_config)
    assert not video.available and "KIOSK_DEMO_VIDEO" in video.why
    assert video.config.video_desk("dachang") is None and video.factories() == {}
    video.close()

    monkeypatch.delenv("KIOSK_DEMO_VIDEO")
    monkeypatch.setattr(G, "janus_binary", lambda: None)  # a machine without the `janus` package
    video = DemoVideo.start(demo_config)
    assert not video.available and "janus is not installed" in video.why
    video.close()


DEMO_PROCESS = textwrap.dedent("""
    import sys, time
    from kiosk.config import load_config
    from kiosk.demo.video import DemoVideo
    video = DemoVideo.start(load_config(None, demo=True))
    try:
        print(video.namespace.name, video.gateway.proc.pid, video.gateway.folder, flush=True)
        time.sleep(120)
    finally:
        video.close()
""")


@needs_gateway
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_nothing_outlives_a_demo_stopped_or_killed(tmp_path, how):
    env = fresh_env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", DEMO_PROCESS], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        assert len(line) == 3, proc.stderr.read() if proc.poll() is not None else line
        ns, janus, folder = line[0], int(line[1]), line[2]
        assert os.path.exists(f"/run/netns/{ns}") and not _gone(janus)
        proc.send_signal(getattr(signal, how))
        proc.wait(WAIT)
        _until(lambda: _gone(janus), "janus gone with the demo")
        if how == "SIGTERM":  # the demo's own way out: everything removed
            assert proc.returncode == 128 + signal.SIGTERM
            assert not os.path.exists(f"/run/netns/{ns}") and not os.path.exists(folder)
        else:  # killed outright: Janus died with it; the next demo removes the namespace left behind
            assert os.path.exists(f"/run/netns/{ns}")
            assert ns in G.remove_stale("kdemo")
            assert not os.path.exists(f"/run/netns/{ns}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT)
        proc.stdout.close()
        proc.stderr.close()


def test_the_headless_demo_without_video_help_says_so_and_goes_on(tmp_path):
    """KIOSK_DEMO_VIDEO=0 plays the demo as on a machine without Janus: at the scan step the help
    button's words (ask the hall's staff) are pictured, and the journey goes on to the end."""
    env = fresh_env(tmp_path)
    env["KIOSK_DEMO_VIDEO"] = "0"
    out = tmp_path / "demo-output"
    proc = subprocess.run([sys.executable, "-m", "screens.main", "--demo", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=DEMO_TIMEOUT)
    assert proc.returncode == 0, f"demo exit {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    pictures = sorted(p.name for p in out.glob("*.png"))
    assert any(p.endswith("-call-unavailable.png") for p in pictures), pictures
    assert not any("call-" in p and not p.endswith("-call-unavailable.png") for p in pictures), pictures
    assert any(p.endswith("-technician.png") for p in pictures), pictures  # the journey went on to its end
    assert "视频帮办 not available" in proc.stderr
