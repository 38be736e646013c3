"""The call's camera and microphone by device URL, each with a twin for the demo and the tests:
  test://pattern     a moving test pattern (ffmpeg's testsrc), 320x240 at 15 fps
  test://tone        a 440 Hz tone
  v4l2:///dev/video0 a camera (needs an av build with v4l2 input: the PyPI wheel has none)
  alsa://default     a microphone (needs an av build with alsa input)
Frames stay in memory: nothing is written to disk."""
from __future__ import annotations

from urllib.parse import urlparse


class MediaError(Exception):
    """A camera or microphone URL that cannot be opened (the device and why)."""


def open_track(url: str, kind: str):
    """The aiortc track for one device URL; `kind` is "video" or "audio"."""
    from aiortc.contrib.media import MediaPlayer

    u = urlparse(url)
    if u.scheme == "test":
        spec = {("pattern", "video"): "testsrc=size=320x240:rate=15",
                ("tone", "audio"): "sine=frequency=440:sample_rate=48000"}.get((u.netloc, kind))
        if spec is None:
            raise MediaError(f"{url}: no such {kind} twin (test://pattern for video, test://tone for audio)")
        player = MediaPlayer(spec, format="lavfi")
    elif (u.scheme, kind) in (("v4l2", "video"), ("alsa", "audio")):
        try:
            player = MediaPlayer(u.path if u.scheme == "v4l2" else (u.netloc or "default"), format=u.scheme)
        except Exception as e:  # noqa: BLE001 — av's errors name the format and the device
            raise MediaError(f"{url}: cannot open: {e}") from e
    else:
        raise MediaError(f"{url}: a {kind} source must be " + ("v4l2:// or test://pattern" if kind == "video"
                                                               else "alsa:// or test://tone"))
    track = player.video if kind == "video" else player.audio
    if track is None:
        raise MediaError(f"{url}: has no {kind}")
    return track
