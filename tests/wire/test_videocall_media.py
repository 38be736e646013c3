"""The call's real camera and microphone paths, on a machine with no /dev/video* and no sound card:
the camera track reads recorded frames through OpenCV's VideoCapture (frames://, the same track
class and thread as v4l2://), and arecord records a tone through ALSA's own `file` PCM plugin (an
asoundrc the test writes, given by ALSA_CONFIG_PATH: `type file`, `infile` the tone, slave null)."""
import asyncio
import math
import os
import pathlib
import struct
import threading

import cv2
import numpy as np
import pytest

from drivers.scanner.camera_twin import write_frames, write_video
from drivers.videocall.media import MediaError, open_track
from drivers.videocall.sources import DeviceStopped

ROOT = pathlib.Path(__file__).resolve().parents[2]
needs_arecord = pytest.mark.skipif(not os.path.exists("/usr/bin/arecord"), reason="alsa-utils not installed "
                                   "(deploy/bootstrap.sh installs it)")


def _recording(folder, n=6, size=(320, 240)):
    frames = []
    for i in range(n):
        f = np.full((size[1], size[0], 3), 40, np.uint8)
        cv2.rectangle(f, (20 + 30 * i, 60), (60 + 30 * i, 100), (0, 0, 230), -1)
        frames.append(f)
    return frames


@pytest.fixture
def tone_pcm(tmp_path, monkeypatch):
    """An ALSA PCM named `tone` that captures a 440 Hz tone (0.5 s, read again at its end)."""
    if not os.path.exists("/usr/bin/arecord"):
        pytest.skip("alsa-utils not installed (deploy/bootstrap.sh installs it)")
    raw = tmp_path / "tone.raw"
    raw.write_bytes(b"".join(struct.pack("<h", round(8000 * math.sin(2 * math.pi * 440 * i / 48000)))
                             for i in range(24000)))
    conf = tmp_path / "asoundrc"
    conf.write_text(f'pcm.tone {{\n  type file\n  slave.pcm "null"\n  file "/dev/null"\n'
                    f'  infile "{raw}"\n  format "raw"\n}}\n')
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"/usr/share/alsa/alsa.conf:{conf}")
    return "alsa://tone"


def _ours():
    return [t for t in threading.enumerate() if t.name.startswith(("video ", "audio "))]


def test_camera_frames_have_the_asked_size_and_rising_pts(tmp_path):
    folder = tmp_path / "rec"
    write_frames(str(folder), _recording(folder))

    async def run():
        track = open_track(f"frames://{folder}?width=640&height=480&fps=30", "video")
        try:
            return [await track.recv() for _ in range(15)], track
        finally:
            track.stop()

    frames, track = asyncio.run(run())
    assert {(f.width, f.height, f.format.name) for f in frames} == {(640, 480, "yuv420p")}
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts)) and pts[0] == 0
    assert {f.time_base.denominator for f in frames} == {90000}
    assert all(p % 3000 == 0 for p in pts)  # on the 30 fps grid (90000 / 30)
    picture = frames[2].to_ndarray(format="bgr24")
    assert picture[:, :, 2].max() > 180  # the red square came through the conversion
    assert not track.running and not _ours()


def test_a_video_file_at_its_own_size(tmp_path):
    path = write_video(str(tmp_path / "rec.avi"), _recording(tmp_path, 4, (320, 240)), fps=15)

    async def run():
        track = open_track(f"frames://{path}?width=320&height=240&fps=15", "video")
        try:
            return [await track.recv() for _ in range(6)]  # past the end: the recording plays again
        finally:
            track.stop()

    frames = asyncio.run(run())
    assert {(f.width, f.height) for f in frames} == {(320, 240)} and frames[-1].pts == 5 * 6000


def test_a_camera_that_stops_delivering_ends_its_track_with_the_fault(tmp_path):
    folder = tmp_path / "rec"
    write_frames(str(folder), _recording(folder))

    async def run():
        track = open_track(f"frames://{folder}?fps=30", "video")
        ended = []
        track.on("ended", lambda: ended.append(True))
        await track.recv()
        track.source.set_fault("io_error")  # as a camera unplugged mid-call
        with pytest.raises(DeviceStopped) as caught:
            for _ in range(5):  # the newest frame may already be waiting
                await track.recv()
        return track, ended, caught.value

    track, ended, fault = asyncio.run(run())
    assert "stopped delivering frames" in str(fault) and str(fault).startswith(str(tmp_path))
    assert track.fault is fault and ended == [True] and track.readyState == "ended"
    assert isinstance(fault, MediaError)
    track._thread.join(5)  # the thread ends by itself once the source failed
    assert not track.running


def test_missing_cameras_and_recordings_are_named():
    with pytest.raises(MediaError, match=r"^/dev/video9: no such camera \(unplugged\?\)"):
        open_track("v4l2:///dev/video9", "video")
    with pytest.raises(MediaError, match=r"^/dev/null: not a video device"):
        open_track("v4l2:///dev/null", "video")
    with pytest.raises(MediaError, match=r"^/nowhere/rec: no recorded frames"):
        open_track("frames:///nowhere/rec", "video")
    with pytest.raises(MediaError, match=r"width must be a whole number"):
        open_track("v4l2:///dev/video0?width=wide", "video")


def _rms(frame) -> float:
    samples = frame.to_ndarray().astype(np.float64)
    return float(np.sqrt(np.mean(samples ** 2)))


def test_the_alsa_microphone_carries_the_tone(tone_pcm):
    async def run():
        track = open_track(tone_pcm, "audio")
        try:
            return [await track.recv() for _ in range(25)], track
        finally:
            track.stop()

    frames, track = asyncio.run(run())
    assert {(f.samples, f.sample_rate, f.format.name, f.layout.name) for f in frames} == {(960, 48000, "s16", "mono")}
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts)) and all(p % 960 == 0 for p in pts)
    assert min(_rms(f) for f in frames) > 1000  # a 8000-peak tone has an RMS of ~5657; silence 0
    spectrum = np.abs(np.fft.rfft(np.concatenate([f.to_ndarray()[0] for f in frames[-10:]])))
    assert abs(np.argmax(spectrum) * 48000 / 9600 - 440) <= 5  # the tone, not noise
    assert track._proc.returncode is not None and not os.path.exists(f"/proc/{track.pid}")
    assert not _ours()


def test_stop_ends_the_capture_process_and_thread(tone_pcm):
    async def run():
        track = open_track(tone_pcm, "audio")
        await track.recv()
        pid, alive = track.pid, os.path.exists(f"/proc/{track.pid}")
        pending = asyncio.ensure_future(track.recv())  # a recv waiting while the track stops
        await asyncio.sleep(0)
        track.stop()
        with pytest.raises(Exception) as caught:
            for _ in range(100):
                await pending
                pending = asyncio.ensure_future(track.recv())
        return pid, alive, caught.value, track

    pid, alive, error, track = asyncio.run(run())
    assert alive and not os.path.exists(f"/proc/{pid}")  # ended and reaped
    assert not isinstance(error, DeviceStopped) and track.fault is None  # a stop is no fault
    assert not track.running and not _ours()


@needs_arecord
def test_missing_microphones_and_tools_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf")
    with pytest.raises(MediaError, match=r"^alsa://hw:7,0: cannot record: .*card.*7 \(arecord: audio open error"):
        open_track("alsa://hw:7,0", "audio")
    with pytest.raises(MediaError, match=r"^alsa://mic: cannot record: Unknown PCM mic"):
        open_track("alsa://mic", "audio")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/no-pulse")  # no server there, whatever runs here
    with pytest.raises(MediaError, match=r"^pulse://default: cannot record: parec: .*(refused|No such file)"):
        open_track("pulse://default", "audio")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MediaError, match=r"^alsa://default: arecord is not installed \(Debian package alsa-utils\)"):
        open_track("alsa://default", "audio")
    with pytest.raises(MediaError, match=r"^pulse://default: parec is not installed \(Debian package pulseaudio-utils\)"):
        open_track("pulse://default", "audio")
    assert not _ours()


@pytest.fixture
def pulse_server(tmp_path, monkeypatch):
    """A PulseAudio server of the test's own (no default.pa: a unix socket and a 440 Hz sine source
    named `mic`), on PULSE_SERVER for this test; stopped at the end."""
    import selectors
    import subprocess
    import time

    if not os.path.exists("/usr/bin/pulseaudio"):
        pytest.skip("pulseaudio not installed (deploy/bootstrap.sh installs it)")
    run, sock = tmp_path / "run", tmp_path / "pulse.sock"
    run.mkdir()
    env = dict(os.environ, HOME=str(tmp_path), XDG_RUNTIME_DIR=str(run))
    proc = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--system=false",
         "--disable-shm=yes", "--high-priority=no", "--realtime=no", "--log-target=stderr", "--log-level=info",
         "-L", f"module-native-protocol-unix socket={sock} auth-anonymous=1",
         "-L", "module-sine-source source_name=mic rate=48000 frequency=440"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    said, sel = b"", selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + 30  # a safety net only: it says so in ~50 ms
    while b"Daemon startup complete" not in said:
        assert sel.select(max(0.0, deadline - time.monotonic())) and proc.poll() is None, said.decode()[-2000:]
        said += os.read(proc.stderr.fileno(), 65536)
    sel.close()
    threading.Thread(target=lambda: [None for _ in iter(lambda: os.read(proc.stderr.fileno(), 65536), b"")],
                     daemon=True).start()  # keep its log from filling the pipe
    monkeypatch.setenv("PULSE_SERVER", f"unix:{sock}")
    yield "pulse://mic"
    proc.terminate()
    proc.wait(10)


def test_the_pulse_microphone_carries_the_tone(pulse_server):
    async def run():
        found = []
        for url in (pulse_server, "pulse://default"):
            track = open_track(url, "audio")
            try:
                found.append([await track.recv() for _ in range(15)])
            finally:
                track.stop()
        return found

    for frames in asyncio.run(run()):
        assert {(f.samples, f.sample_rate, f.format.name) for f in frames} == {(960, 48000, "s16")}
        assert min(_rms(f) for f in frames) > 1000
        spectrum = np.abs(np.fft.rfft(np.concatenate([f.to_ndarray()[0] for f in frames[-10:]])))
        assert abs(np.argmax(spectrum) * 48000 / 9600 - 440) <= 5
    with pytest.raises(MediaError, match=r"^pulse://nosuch: cannot record: parec: Stream error: No such entity"):
        open_track("pulse://nosuch", "audio")
    assert not _ours()


def test_the_frames_are_what_aiortc_s_senders_encode(tmp_path, tone_pcm):
    """What RTCRtpSender does with a track's frames: VP8 and Opus take them, RTP timestamps rising."""
    from aiortc.codecs.opus import OpusEncoder
    from aiortc.codecs.vpx import Vp8Encoder

    folder = tmp_path / "rec"
    write_frames(str(folder), _recording(folder))

    async def run():
        camera, mic = open_track(f"frames://{folder}?fps=30", "video"), open_track(tone_pcm, "audio")
        try:
            return [await camera.recv() for _ in range(5)], [await mic.recv() for _ in range(5)]
        finally:
            camera.stop()
            mic.stop()

    pictures, sounds = asyncio.run(run())
    for encoder, frames in ((Vp8Encoder(), pictures), (OpusEncoder(), sounds)):
        stamps = []
        for frame in frames:
            payloads, stamp = encoder.encode(frame)
            assert payloads and all(payloads)
            stamps.append(stamp)
        assert stamps == sorted(set(stamps))


def test_video_nodes_that_are_not_cameras_are_named(tmp_path):
    """In a mount namespace of the test's own, a /dev holding /dev/video5 with no driver behind it
    (a camera gone) and /dev/video6 that opens but speaks no V4L2 (as a UVC camera's metadata node)."""
    import subprocess
    import sys

    script = ("from drivers.videocall.media import MediaError, open_track\n"
              "for n in (5, 6):\n"
              "    try:\n"
              "        open_track(f'v4l2:///dev/video{n}', 'video')\n"
              "    except MediaError as e:\n"
              "        print(e)\n")
    shell = ("mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 && mknod /dev/video5 c 81 5"
             f" && mknod /dev/video6 c 1 3 && exec {sys.executable} -c \"$0\"")
    out = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", shell, script],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    if out.returncode and "Traceback" not in out.stderr:  # unshare or mount refused: not this code's fault
        pytest.skip(f"no mount namespace of our own here: {out.stderr.strip()}")
    assert out.stdout.splitlines() == [
        "/dev/video5: the camera cannot be opened: No such device or address",
        "/dev/video6: the camera cannot be opened (in use by another program, or not a capture node: "
        "a UVC camera's second /dev/video node carries only metadata)"], out.stderr
