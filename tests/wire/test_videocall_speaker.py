"""The clerk's voice out of the kiosk's speaker: a real aplay fed through ALSA's own `file` PCM
plugin (what it would play lands in a raw file the test made, so the sound can be checked), the
twin that only counts, and a speaker that cannot play (no such device, no tool) named once while
the call goes on. In a whole call through Janus, the clerk's tone reaches the speaker."""
import math
import os
import struct
import time

import av
import numpy as np
import pytest

from drivers.videocall.media import MediaError
from drivers.videocall.speaker import MAX_QUEUED, Speaker, parse_speaker, player_argv

needs_aplay = pytest.mark.skipif(not os.path.exists("/usr/bin/aplay"),
                                 reason="alsa-utils not installed (deploy/bootstrap.sh installs it)")


def tone_frames(n, hz=440, rate=48000, samples=960, layout="stereo"):
    """n frames of a tone as aiortc's opus decoder hands them on (s16, stereo, 48 kHz, 20 ms)."""
    frames = []
    for k in range(n):
        t = (np.arange(samples) + k * samples) / rate
        mono = (8000 * np.sin(2 * math.pi * hz * t)).astype(np.int16)
        data = np.repeat(mono, 2) if layout == "stereo" else mono
        f = av.AudioFrame.from_ndarray(data.reshape(1, -1), format="s16", layout=layout)
        f.sample_rate, f.pts = rate, k * samples
        frames.append(f)
    return frames


@pytest.fixture
def tap(tmp_path, monkeypatch):
    """An ALSA PCM named `tap` whose playback is written to a raw file (slave null: not paced)."""
    out = tmp_path / "played.raw"
    conf = tmp_path / "asoundrc"
    conf.write_text(f'pcm.tap {{\n  type file\n  slave.pcm "null"\n  file "{out}"\n  format "raw"\n}}\n')
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"/usr/share/alsa/alsa.conf:{conf}")
    return out


def _dominant_hz(pcm: bytes, rate=48000) -> float:
    a = np.frombuffer(pcm, "<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(a))
    return float(np.fft.rfftfreq(a.size, 1 / rate)[spectrum.argmax()])


@needs_aplay
def test_the_clerks_voice_is_played_through_alsa(tap):
    faults = []
    sp = Speaker("alsa://tap", on_fault=faults.append)
    for f in tone_frames(50):  # 1 s
        sp.play(f)
        time.sleep(0.002)  # the call's pace is 20 ms; a little here keeps the queue from dropping
    sp.close()
    data = tap.read_bytes()
    assert faults == [] and sp.fault is None
    assert len(data) >= 2 * 960 * (50 - MAX_QUEUED), len(data)  # mono s16: what was not dropped
    assert abs(_dominant_hz(data) - 440) < 5
    assert np.sqrt(np.mean(np.frombuffer(data, "<i2").astype(float) ** 2)) > 1000  # a tone, not silence
    assert sp._proc.poll() is not None and not sp._thread.is_alive()  # nothing left running


@needs_aplay
def test_a_player_that_falls_behind_drops_the_oldest_sound_and_never_blocks_the_call(tap):
    sp = Speaker("alsa://tap")
    with sp._ready:  # the writer held up: the call's loop still returns at once
        t0 = time.monotonic()
        for f in tone_frames(40):
            sp.play(f)
        took = time.monotonic() - t0
        assert len(sp._queue) == MAX_QUEUED and sp.dropped == 40 - MAX_QUEUED
    sp.close()
    assert sp.played == 40 and took < 5  # a bound on nothing but a hang


@needs_aplay
def test_a_speaker_that_cannot_play_is_named_once_and_the_call_goes_on(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf")
    faults = []
    sp = Speaker("alsa://nosuchpcm", on_fault=faults.append)
    frames = tone_frames(200)
    for f in frames:  # the player exits on its own; a write then finds it gone
        sp.play(f)
        if faults:
            break
        time.sleep(0.01)
    sp._thread.join(10)
    assert len(faults) == 1 and faults[0].startswith("alsa://nosuchpcm: no sound: ") and "nosuchpcm" in faults[0][20:]
    sp.play(frames[0])  # after its fault the speaker takes frames and does nothing
    sp.close()
    assert any("speaker alsa://nosuchpcm: no sound" in r.getMessage() for r in caplog.records)


def test_a_missing_tool_is_named(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    faults = []
    sp = Speaker("pulse://default", on_fault=faults.append)
    assert faults == ["pulse://default: no sound: pacat is not installed (Debian package pulseaudio-utils)"]
    sp.play(tone_frames(1)[0])
    sp.close()


def test_the_twin_counts_and_plays_nothing():
    sp = Speaker("test://null")
    for f in tone_frames(5):
        sp.play(f)
    sp.close()
    assert sp.played == 5 and sp._proc is None


def test_speaker_urls():
    assert parse_speaker("alsa://default") == ("alsa", "default")
    assert parse_speaker("alsa://hw:0,0") == ("alsa", "hw:0,0")
    assert parse_speaker("pulse://alsa_output.usb") == ("pulse", "alsa_output.usb")
    assert parse_speaker("test://null") == ("test", "null")
    for bad in ("oss://dsp", "test://tone", "default"):
        with pytest.raises(MediaError, match="a speaker must be"):
            parse_speaker(bad)
    assert player_argv("alsa", "hw:0,0")[:4] == ["aplay", "-q", "-D", "hw:0,0"]
    assert "--device=sink1" in player_argv("pulse", "sink1") and not any(
        a.startswith("--device") for a in player_argv("pulse", "default"))
