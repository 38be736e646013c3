"""The clerk's voice out of the kiosk's speaker, by device URL:
  alsa://default, alsa://hw:0,0   aplay (Debian alsa-utils)
  pulse://default, pulse://SINK   pacat --playback (Debian pulseaudio-utils)
  test://null                     nowhere: the frames are only counted (the demo's and tests' twin)

The call's loop hands each received audio frame to `play()`, which never waits: the frame is
resampled to raw s16le mono at 48 kHz and queued for a writer thread that feeds the player
process's standard input. A call's voice is live, not a recording: when the player falls behind,
the oldest sound is dropped (at most MAX_QUEUED frames wait). Nothing is written to disk.

A player that cannot start or stops (no sound card, the device busy, the tool missing) leaves its
fault in `fault`, said once through `on_fault`; the call goes on without sound (the picture and the
clerk's notes still reach the resident) and the technician finds the device and the fault in the log."""
from __future__ import annotations

import collections
import logging
import subprocess
import threading
from typing import Callable
from urllib.parse import urlparse

from drivers.videocall.media import MediaError
from drivers.videocall.sources import capture_fault  # the tool's and ALSA's own words, for a player too

log = logging.getLogger(__name__)

RATE = 48000
MAX_QUEUED = 10  # 20 ms frames: 200 ms of sound at most waits for the player
TOOLS = {"alsa": ("aplay", "alsa-utils"), "pulse": ("pacat", "pulseaudio-utils")}


def player_argv(scheme: str, device: str) -> list[str]:
    """The player process for a speaker: raw signed 16-bit little-endian mono at RATE on stdin."""
    if scheme == "alsa":
        return ["aplay", "-q", "-D", device, "-f", "S16_LE", "-r", str(RATE), "-c", "1", "-t", "raw"]
    argv = ["pacat", "--playback", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1",
            "--latency-msec=60", "--client-name=kiosk"]
    return argv + ([f"--device={device}"] if device != "default" else [])


def parse_speaker(url: str) -> tuple[str, str]:
    """(scheme, device) of a speaker URL; MediaError naming what is wrong."""
    u = urlparse(url)
    if u.scheme == "test" and u.netloc == "null":
        return "test", "null"
    if u.scheme in TOOLS:
        return u.scheme, (u.netloc + u.path) or "default"
    raise MediaError(f"{url}: a speaker must be alsa://DEVICE, pulse://SINK or test://null")


class Speaker:
    """One call's speaker. `played` counts the frames handed on (the twin's only output)."""

    def __init__(self, url: str, *, on_fault: Callable[[str], None] = lambda _why: None):
        self.url = url
        self.scheme, self.device = parse_speaker(url)
        self.on_fault = on_fault
        self.played = 0
        self.dropped = 0
        self.fault: str | None = None
        self._queue: collections.deque[bytes] = collections.deque()
        self._ready = threading.Condition()
        self._closed = False
        self._resampler = None
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        if self.scheme != "test":
            tool, package = TOOLS[self.scheme]
            try:
                self._proc = subprocess.Popen(player_argv(self.scheme, self.device), stdin=subprocess.PIPE,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            except FileNotFoundError:
                self._failed(f"{tool} is not installed (Debian package {package})")
                return
            self._thread = threading.Thread(target=self._write, name=f"speaker {url}", daemon=True)
            self._thread.start()

    # ---- the call's side (its loop's thread) ----------------------------------------------------------
    def play(self, frame) -> None:
        """One received audio frame (any layout and rate aiortc decodes to); returns at once."""
        if self._closed or self.fault is not None:
            return
        self.played += 1
        if self._proc is None:
            return  # the twin: counted, heard by nobody
        data = self._pcm(frame)
        with self._ready:
            self._queue.append(data)
            while len(self._queue) > MAX_QUEUED:
                self._queue.popleft()
                self.dropped += 1
            self._ready.notify()

    def _pcm(self, frame) -> bytes:
        import av

        if self._resampler is None:
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        out = bytearray()
        for f in self._resampler.resample(frame):
            out += bytes(f.planes[0])[:f.samples * 2]
        return bytes(out)

    def close(self) -> None:
        """The call is over: the player gets what is queued, then its end of input, and stops."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        if self._thread is not None:
            self._thread.join(5)
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc.stderr.close()

    # ---- the writer thread --------------------------------------------------------------------------
    def _write(self) -> None:
        proc = self._proc
        try:
            while True:
                with self._ready:
                    while not self._queue and not self._closed:
                        self._ready.wait()
                    if not self._queue and self._closed:
                        break
                    data = self._queue.popleft()
                proc.stdin.write(data)
                proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
        finally:
            try:
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        if not self._closed:  # the player ended by itself: the device went (or never opened)
            rc = proc.wait()
            self._failed(capture_fault(proc.stderr.read() or b"", rc, TOOLS[self.scheme][0]))

    def _failed(self, why: str) -> None:
        self.fault = f"{self.url}: no sound: {why}"
        log.warning("videocall: speaker %s", self.fault)
        self.on_fault(self.fault)
