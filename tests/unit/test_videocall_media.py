"""The pure parts of the call's camera and microphone: device URLs, the frame-rate grid, raw audio
cut into frames, and a capture process's error text made readable."""
import pytest

from drivers.videocall.media import MediaError, SourceSpec, parse_source
from drivers.videocall.sources import Chunker, capture_argv, capture_fault, next_slot


@pytest.mark.parametrize("url, kind, spec", [
    ("v4l2:///dev/video0", "video", SourceSpec("v4l2", "/dev/video0", 640, 480, 15)),
    ("v4l2:///dev/v4l/by-id/usb-cam-video-index0?width=1280&height=720&fps=30&fourcc=MJPG", "video",
     SourceSpec("v4l2", "/dev/v4l/by-id/usb-cam-video-index0", 1280, 720, 30, "MJPG")),
    ("frames:///var/lib/kiosk/rec?fps=10", "video", SourceSpec("frames", "/var/lib/kiosk/rec", 640, 480, 10)),
    ("test://pattern", "video", SourceSpec("test", "pattern")),
    ("alsa://default", "audio", SourceSpec("alsa", "default")),
    ("alsa://hw:1,0", "audio", SourceSpec("alsa", "hw:1,0")),
    ("alsa://plughw:CARD=Mic,DEV=0", "audio", SourceSpec("alsa", "plughw:CARD=Mic,DEV=0")),
    ("pulse://default", "audio", SourceSpec("pulse", "default")),
    ("pulse://alsa_input.usb-Mic-00.mono-fallback", "audio", SourceSpec("pulse", "alsa_input.usb-Mic-00.mono-fallback")),
    ("test://tone", "audio", SourceSpec("test", "tone")),
])
def test_device_urls(url, kind, spec):
    assert parse_source(url, kind) == spec


@pytest.mark.parametrize("url, kind, says", [
    ("rtsp://cam", "video", "rtsp://cam: a video source must be v4l2:///dev/videoN, frames:///PATH or test://pattern"),
    ("alsa://default", "video", "a video source must be"),
    ("v4l2:///dev/video0", "audio", "an audio source must be alsa://PCM, pulse://SOURCE or test://tone"),
    ("test://tone", "video", "no such video twin"),
    ("v4l2://dev/video0", "video", "the path needs three slashes"),
    ("v4l2:///dev/video0?width=641", "video", "width and height must be even"),
    ("v4l2:///dev/video0?fps=0", "video", "fps must be a whole number 1–60, not '0'"),
    ("v4l2:///dev/video0?zoom=2", "video", "unknown option 'zoom' (width, height, fps, fourcc)"),
    ("frames:///rec?fourcc=MJPG", "video", "unknown option 'fourcc' (width, height, fps)"),
    ("v4l2:///dev/video0?fourcc=MJPEG", "video", "fourcc is four characters"),
    ("alsa://", "audio", "name the PCM"),
    ("pulse://default?rate=44100", "audio", "name the source"),
])
def test_bad_urls_say_what_is_wrong(url, kind, says):
    with pytest.raises(MediaError) as e:
        parse_source(url, kind)
    assert says in str(e.value)


def test_frames_from_a_device_take_the_nearest_slot_and_faster_ones_are_dropped():
    fps, start = 15, 100.0
    assert next_slot(-1, start, start, fps, paced=True) == (0, 0.0)
    assert next_slot(0, start + 1 / 15 + 0.01, start, fps, paced=True) == (1, 0.0)  # a little late: slot 1
    assert next_slot(1, start + 2 / 15 - 0.02, start, fps, paced=True) == (2, 0.0)  # a little early: slot 2
    assert next_slot(2, start + 2 / 15 + 0.01, start, fps, paced=True) == (None, 0.0)  # a 30 fps camera's extra frame
    assert next_slot(2, start + 6 / 15, start, fps, paced=True) == (6, 0.0)  # a stall: the gap shows in the pts


def test_frames_from_a_recording_wait_for_the_next_slot():
    fps, start = 10, 0.0
    slot, wait = next_slot(0, 0.001, start, fps, paced=False)
    assert slot == 1 and wait == pytest.approx(0.099)
    assert next_slot(4, 0.75, start, fps, paced=False) == (8, 0.0)  # late: no waiting, no catching up


def test_raw_audio_is_cut_into_whole_frames_wherever_the_pipe_splits_it():
    data = bytes(range(256)) * 30  # 7680 bytes: four 20 ms frames of s16 mono at 48 kHz
    for cut in range(0, len(data), 97):
        for cut2 in (cut, min(len(data), cut + 1919)):
            chunker = Chunker(1920)
            out = chunker.feed(data[:cut]) + chunker.feed(data[cut:cut2]) + chunker.feed(data[cut2:])
            assert out == [data[i:i + 1920] for i in range(0, 7680, 1920)]
    assert Chunker(1920).feed(b"x" * 1000) == []


ALSA_NO_CARD = b"""ALSA lib confmisc.c:855:(parse_card) cannot find card '0'
ALSA lib conf.c:5180:(_snd_config_evaluate) function snd_func_card_inum returned error: No such file or directory
ALSA lib confmisc.c:422:(snd_func_concat) error evaluating strings
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default
arecord: main:831: audio open error: No such file or directory
"""


def test_a_capture_process_fault_reads_as_its_cause():
    assert capture_fault(ALSA_NO_CARD, 1, "arecord") == (
        "cannot find card '0' (arecord: audio open error: No such file or directory)")
    assert capture_fault(b"ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM mic\n"
                         b"arecord: main:831: audio open error: No such file or directory\n", 1, "arecord") == (
        "Unknown PCM mic (arecord: audio open error: No such file or directory)")
    assert capture_fault(b"Connection failure: Connection refused\npa_context_connect() failed: Connection refused\n",
                         1, "parec") == "parec: pa_context_connect() failed: Connection refused"
    assert capture_fault(b"", -9, "arecord") == "arecord ended with status -9"
    assert capture_fault(b"", 0, "parec") == "parec ended"


def test_capture_commands():
    assert capture_argv("alsa", "hw:1,0") == ["arecord", "-q", "-D", "hw:1,0", "-f", "S16_LE", "-r", "48000",
                                              "-c", "1", "-t", "raw"]
    assert "--device=mic" in capture_argv("pulse", "mic")
    assert not [a for a in capture_argv("pulse", "default") if a.startswith("--device")]
