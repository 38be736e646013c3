"""The call's camera and microphone by device URL, each with a twin for the demo and the tests:
  v4l2:///dev/video0[?width=640&height=480&fps=15&fourcc=MJPG]
                     a camera (V4L2/UVC, or a /dev/v4l/by-id/… link to one), read through
                     OpenCV's VideoCapture on a thread of its own; frames scaled to the size asked
  frames:///PATH[?width=…&height=…&fps=…]
                     the camera's twin: recorded frames (a folder of frame-000.jpg … or an MJPG
                     video) through the same track, played again at the end
  test://pattern     a moving test pattern (ffmpeg's testsrc), 320x240 at 15 fps
  alsa://default     a microphone through ALSA (alsa://hw:1,0, alsa://plughw:1,0, any PCM name),
                     recorded by `arecord` (Debian alsa-utils) at 48 kHz mono
  pulse://default    a microphone through PulseAudio or PipeWire's pulse server (pulse://SOURCE
                     names one), recorded by `parec` (Debian pulseaudio-utils)
  test://tone        a 440 Hz tone
A missing, busy or silent device, or a missing tool, is a MediaError naming the device and the
fault; a device that stops during the call ends its track with one (drivers/videocall/sources.py).
Frames stay in memory: nothing is written to disk."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

VIDEO_SCHEMES = ("v4l2", "frames", "test")
AUDIO_SCHEMES = ("alsa", "pulse", "test")
CAMERA_DEFAULT = (640, 480, 15)   # width, height, fps: the call's picture (issue 17's 640×480 at 15 fps)
CAMERA_LIMITS = {"width": (16, 4096), "height": (16, 4096), "fps": (1, 60)}


class MediaError(Exception):
    """A camera or microphone URL that cannot be opened (the device and why)."""


@dataclass(frozen=True)
class SourceSpec:
    """What a device URL asks for: the scheme, the device (a path or a PCM/source name), and for
    a camera its picture."""
    scheme: str
    device: str
    width: int = CAMERA_DEFAULT[0]
    height: int = CAMERA_DEFAULT[1]
    fps: int = CAMERA_DEFAULT[2]
    fourcc: str | None = None


def parse_source(url: str, kind: str) -> SourceSpec:
    """The source a URL names for `kind` ("video" or "audio"), or MediaError saying what is wrong."""
    schemes = VIDEO_SCHEMES if kind == "video" else AUDIO_SCHEMES
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in schemes:
        raise MediaError(f"{url}: {'a video' if kind == 'video' else 'an audio'} source must be "
                         + ("v4l2:///dev/videoN, frames:///PATH or test://pattern" if kind == "video"
                            else "alsa://PCM, pulse://SOURCE or test://tone"))
    if scheme == "test":
        name = rest.strip("/")
        if (name, kind) not in (("pattern", "video"), ("tone", "audio")):
            raise MediaError(f"{url}: no such {kind} twin (test://pattern for video, test://tone for audio)")
        return SourceSpec("test", name)
    if kind == "audio":
        device, _, query = rest.partition("?")
        if not device or query:
            raise MediaError(f"{url}: name the {'PCM' if scheme == 'alsa' else 'source'} "
                             f"({scheme}://default{', alsa://hw:1,0' if scheme == 'alsa' else ''}), nothing more")
        return SourceSpec(scheme, device)
    u = urlsplit(url)
    if u.netloc or not u.path.startswith("/"):
        raise MediaError(f"{url}: the path needs three slashes ({scheme}:///dev/video0)")
    values = {"width": CAMERA_DEFAULT[0], "height": CAMERA_DEFAULT[1], "fps": CAMERA_DEFAULT[2]}
    fourcc = None
    for key, value in parse_qsl(u.query, keep_blank_values=True):
        if key == "fourcc" and scheme == "v4l2":
            if len(value) != 4:
                raise MediaError(f"{url}: fourcc is four characters (MJPG, YUYV), not {value!r}")
            fourcc = value
            continue
        if key not in values:
            raise MediaError(f"{url}: unknown option {key!r} (width, height, fps"
                             + (", fourcc)" if scheme == "v4l2" else ")"))
        low, high = CAMERA_LIMITS[key]
        if not value.isdigit() or not low <= int(value) <= high:
            raise MediaError(f"{url}: {key} must be a whole number {low}–{high}, not {value!r}")
        values[key] = int(value)
    if values["width"] % 2 or values["height"] % 2:
        raise MediaError(f"{url}: width and height must be even (the picture is sent as 4:2:0)")
    return SourceSpec(scheme, u.path, values["width"], values["height"], values["fps"], fourcc)


def open_track(url: str, kind: str):
    """The aiortc track for one device URL; `kind` is "video" or "audio". Opening a camera or a
    microphone waits for it (a few tens of milliseconds; a microphone at most
    sources.AUDIO_START_WAIT for its first sound), so a fault is reported here."""
    spec = parse_source(url, kind)
    if spec.scheme == "test":
        from aiortc.contrib.media import MediaPlayer

        lavfi = {"pattern": "testsrc=size=320x240:rate=15", "tone": "sine=frequency=440:sample_rate=48000"}
        player = MediaPlayer(lavfi[spec.device], format="lavfi")
        return player.video if kind == "video" else player.audio

    from drivers.videocall import sources as S

    if kind == "audio":
        tool, package = S.AUDIO_TOOLS[spec.scheme]
        return S.CaptureTrack(S.capture_argv(spec.scheme, spec.device), name=url, package=package)
    size = (spec.width, spec.height)
    if spec.scheme == "v4l2":
        source = S.V4L2Stream(spec.device, size=size, fps=spec.fps, fourcc=spec.fourcc)
    else:
        source = S.RecordingStream(spec.device)
    return S.CameraTrack(source, name=url, size=size, fps=spec.fps)
