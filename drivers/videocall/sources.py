"""The call's real camera and microphone as aiortc tracks: a camera read through OpenCV's
VideoCapture (V4L2) on a thread of its own, a microphone fed by a capture process (arecord for
ALSA, parec for PulseAudio). The PyPI av wheel has no v4l2, alsa or pulse input, so frames are
taken another way and handed to the event loop; nothing here blocks the loop after the open.

A source that stops (unplugged, taken by another program, the process gone) ends its track:
recv() raises `DeviceStopped` — a MediaError naming the device and the fault, and aiortc's
MediaStreamError so a sender stops cleanly —, the track's "ended" event fires and `track.fault`
keeps the error for whoever reports the call. stop() ends the thread and the capture process.

Frames stay in memory: nothing is written to disk."""
from __future__ import annotations

import asyncio
import collections
import errno
import fractions
import os
import re
import selectors
import subprocess
import threading
import time

import av
import cv2
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from drivers.videocall.media import MediaError

# Timings and sizes, one table (seconds unless named otherwise).
VIDEO_CLOCK = 90000          # RTP video clock: pts in 1/90000 s, as aiortc's own tracks
AUDIO_RATE = 48000           # what the capture process is asked for (Opus's own rate: no resampling)
AUDIO_PTIME = 0.020          # one audio frame: 20 ms, 960 samples, as aiortc packetizes
AUDIO_LEAD = 0.5             # a capture may run this far ahead of the wall clock before it is paced
                             # (a device paces itself; a file-fed PCM would otherwise race; 0.5 s
                             # is an hour of a sound card's clock running 140 ppm fast)
AUDIO_BACKLOG = 10           # frames waiting past this (200 ms) are dropped, oldest first: the call
                             # stays live rather than falling behind when the sender lags
AUDIO_START_WAIT = 3.0       # open_track waits this long for the first sound or the process's error
STOP_WAIT = 2.0              # stop() waits this long for the thread and the process to end
AUDIO_TOOLS = {"alsa": ("arecord", "alsa-utils"), "pulse": ("parec", "pulseaudio-utils")}

_END = object()


class DeviceStopped(MediaError, MediaStreamError):
    """A camera or microphone that stopped while its track ran (the device and why)."""


class _Mailbox:
    """Items from a capture thread to recv() on the event loop: the newest `keep` in order, then
    the end (a fault, or None for a plain stop). The loop is learnt at the first get()."""

    def __init__(self, keep: int):
        self._items: collections.deque = collections.deque(maxlen=keep)
        self._lock = threading.Lock()
        self._end: object = _END  # _END: still open
        self._waiter: asyncio.Future | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def put(self, item) -> None:
        with self._lock:
            self._items.append(item)
            self._wake()

    def close(self, fault: BaseException | None) -> None:
        with self._lock:
            if self._end is _END:
                self._end = fault
            self._wake()

    def trim(self, keep: int) -> None:
        """Drop the oldest items until `keep` are left."""
        with self._lock:
            while len(self._items) > keep:
                self._items.popleft()

    def __len__(self) -> int:
        return len(self._items)

    def _wake(self) -> None:
        w, self._waiter = self._waiter, None
        if w is not None and self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(_settle, w)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

    async def get(self):
        """The next item; `_END` once closed and empty (then `self.fault` says why, or None)."""
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if self._items:
                    return self._items.popleft()
                if self._end is not _END:
                    return _END
                self._loop, self._waiter = loop, loop.create_future()
                waiter = self._waiter
            await waiter

    @property
    def fault(self) -> BaseException | None:
        return None if self._end is _END else self._end


def _settle(fut: asyncio.Future) -> None:
    if not fut.done():
        fut.set_result(None)


class _ThreadTrack(MediaStreamTrack):
    """A track whose frames a capture thread puts in a mailbox; the end of the thread ends it."""

    def __init__(self, name: str, keep: int):
        super().__init__()
        self.name = name
        self.fault: MediaError | None = None
        self._box = _Mailbox(keep)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._guarded, name=f"{self.kind} {name}", daemon=True)

    def _guarded(self) -> None:
        fault = None
        try:
            self._run()
        except MediaError as e:
            fault = e if isinstance(e, DeviceStopped) else DeviceStopped(str(e))
        except Exception as e:  # noqa: BLE001 — whatever the source raised, the track ends with it named
            fault = DeviceStopped(f"{self.name}: {e}")
        finally:
            self._box.close(None if self._stopping.is_set() else fault)
            self._release()

    def _run(self) -> None:
        raise NotImplementedError

    def _release(self) -> None:
        pass

    async def _next(self):
        if self.readyState != "live":
            raise MediaStreamError
        item = await self._box.get()
        if item is _END:
            fault = self._box.fault
            if fault is None and not self._stopping.is_set():
                fault = DeviceStopped(f"{self.name}: the {self.kind} source ended")
            self.fault = fault
            self.stop()
            raise fault if fault is not None else MediaStreamError
        return item

    def stop(self) -> None:
        super().stop()
        self._stopping.set()
        self._halt()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(STOP_WAIT)

    def _halt(self) -> None:
        """Make the thread's blocking read return (stop() then joins it)."""

    @property
    def running(self) -> bool:
        """The capture thread (and process) still runs."""
        return self._thread.is_alive()


# ---- camera -----------------------------------------------------------------------------------------

def next_slot(last: int, now: float, start: float, fps: float, paced: bool) -> tuple[int | None, float]:
    """The frame-rate slot a frame read at `now` takes, and how long to wait before handing it on.
    A device paces itself: a frame that lands in a slot already taken (the camera runs faster than
    asked) is dropped (None). A recording does not: its frame waits for the next free slot."""
    slot = round((now - start) * fps)
    if slot > last:
        return slot, 0.0
    if paced:
        return None, 0.0
    slot = last + 1
    return slot, max(0.0, start + slot / fps - now)


class CameraTrack(_ThreadTrack):
    """Video from a frame source of the document camera's shape (`frame() -> BGR ndarray`,
    `close()`; `paced` True when frame() waits for the device): each frame scaled to `size` if the
    source gives another, converted to I420 on the thread, stamped on the `fps` grid."""

    kind = "video"

    def __init__(self, source, *, name: str, size: tuple[int, int], fps: float):
        super().__init__(name, keep=1)  # only the newest frame: a late consumer gets the present
        self.source, self.size, self.fps = source, size, fps
        self._thread.start()

    def _run(self) -> None:
        paced = getattr(self.source, "paced", False)
        start, last = None, -1
        w, h = self.size
        while not self._stopping.is_set():
            img = self.source.frame()
            now = time.monotonic()
            if start is None:
                start = now
            slot, wait = next_slot(last, now, start, self.fps, paced)
            if slot is None:
                continue
            if img.shape[1] != w or img.shape[0] != h:
                img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
            frame = av.VideoFrame.from_ndarray(cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420), format="yuv420p")
            frame.pts = round(slot * VIDEO_CLOCK / self.fps)
            frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
            if wait and self._stopping.wait(wait):
                return
            last = slot
            self._box.put(frame)

    def _release(self) -> None:
        self.source.close()

    async def recv(self):
        return await self._next()


def _video_index(device: str) -> int | None:
    from drivers.scanner.camera import _video_index as index  # one rule for /dev/videoN and its links

    return index(device)


class V4L2Stream:
    """A camera (V4L2/UVC) opened once and read frame after frame for a call (the document
    camera's V4L2Source opens for each capture and waits out exposure: right for a page, not for
    15 frames a second). OpenCV's V4L2 backend gives up on a silent camera after its select
    timeout (10 s), which ends the track."""

    paced = True

    def __init__(self, device: str, *, size: tuple[int, int], fps: float, fourcc: str | None = None):
        self.device = device
        self.check()
        try:  # the kernel's own reason first (OpenCV only says it failed)
            os.close(os.open(device, os.O_RDWR | os.O_NONBLOCK))
        except OSError as e:
            hint = " (the kiosk user must be in group video)" if e.errno in (errno.EACCES, errno.EPERM) else ""
            raise MediaError(f"{device}: the camera cannot be opened: {e.strerror}{hint}") from None
        cap = cv2.VideoCapture(_video_index(device), cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            self.check()  # gone between the check and the open: unplugged
            raise MediaError(f"{device}: the camera cannot be opened (in use by another program, or not a "
                             "capture node: a UVC camera's second /dev/video node carries only metadata)")
        if fourcc:
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*fourcc))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        cap.set(cv2.CAP_PROP_FPS, fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap

    def check(self) -> None:
        if not os.path.exists(self.device):
            raise MediaError(f"{self.device}: no such camera (unplugged?)")
        if _video_index(self.device) is None:
            raise MediaError(f"{self.device}: not a video device")

    def frame(self):
        ok, img = self._cap.read()
        if not ok:
            self.check()
            raise MediaError(f"{self.device}: the camera stopped delivering frames")
        return img

    def close(self) -> None:
        self._cap.release()


class RecordingStream:
    """The camera's twin for the call: recorded frames (a folder of frame-000.jpg … or an MJPG
    video) read through OpenCV's VideoCapture, as the document camera's twin is, played again from
    the start at the end; its `set_fault` makes it stop as a camera does."""

    paced = False

    def __init__(self, path: str):
        from drivers.scanner.camera import FileSource
        from drivers.scanner.status import ScanError

        self._source, self._error = FileSource(path), ScanError
        self.path = path
        try:
            self._source.check()
        except ScanError as e:
            raise MediaError(f"{path}: no recorded frames ({e.code})") from None

    def set_fault(self, code: str | None) -> None:
        self._source.set_fault(code)

    def frame(self):
        try:
            return self._source.frame()
        except self._error as e:
            raise MediaError(f"{self.path}: the camera stopped delivering frames ({e.code})") from None

    def close(self) -> None:
        self._source.close()


# ---- microphone ------------------------------------------------------------------------------------

def capture_argv(scheme: str, device: str) -> list[str]:
    """The capture process for a microphone: raw signed 16-bit little-endian mono at AUDIO_RATE."""
    if scheme == "alsa":
        return ["arecord", "-q", "-D", device, "-f", "S16_LE", "-r", str(AUDIO_RATE), "-c", "1", "-t", "raw"]
    argv = ["parec", "--raw", "--format=s16le", f"--rate={AUDIO_RATE}", "--channels=1",
            f"--latency-msec={round(AUDIO_PTIME * 1000)}", "--client-name=kiosk"]
    return argv + ([f"--device={device}"] if device != "default" else [])


def capture_fault(stderr: bytes, returncode: int | None, tool: str) -> str:
    """The fault a capture process gave, from what it wrote on stderr: the tool's own last line,
    and ALSA's first complaint (the cause: "Unknown PCM mic", "cannot find card '0'"), without
    source positions. "arecord: main:831: audio open error: …" → "arecord: audio open error: …"."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    alsa = [re.sub(r"^ALSA lib \S+:\d+:\(\w+\) ", "", ln) for ln in lines if ln.startswith("ALSA lib ")]
    own = [re.sub(r"^(\S+: )\w+:\d+: ", r"\1", ln) for ln in lines if not ln.startswith("ALSA lib ")]
    said = own[-1] if own else f"{tool} ended" + (f" with status {returncode}" if returncode else "")
    if own and not said.startswith(tool):
        said = f"{tool}: {said}"
    return f"{alsa[0]} ({said})" if alsa else said


class Chunker:
    """Raw bytes in, whole frames of `size` bytes out, in order (a pipe gives what it has)."""

    def __init__(self, size: int):
        self.size, self._buf = size, bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        n = len(self._buf) // self.size * self.size
        out = [bytes(self._buf[i:i + self.size]) for i in range(0, n, self.size)]
        del self._buf[:n]
        return out


class CaptureTrack(_ThreadTrack):
    """Audio from a capture process's standard output (raw s16le mono at AUDIO_RATE), 20 ms frames
    with pts in samples. The constructor waits for the first sound or the process's error."""

    kind = "audio"

    def __init__(self, argv: list[str], *, name: str, package: str):
        super().__init__(name, keep=4 * AUDIO_BACKLOG)
        self.argv = argv
        self._started = threading.Event()
        self._first = True
        try:
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise MediaError(f"{name}: {argv[0]} is not installed (Debian package {package})") from None
        self._thread.start()
        self._started.wait(AUDIO_START_WAIT)
        if self._box.fault is not None or not self._started.is_set():
            fault = self._box.fault
            self.stop()
            raise MediaError(str(fault) if fault else
                             f"{name}: no sound from the microphone within {AUDIO_START_WAIT:g} s")

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _run(self) -> None:
        samples = round(AUDIO_RATE * AUDIO_PTIME)
        chunker = Chunker(2 * samples)
        err = bytearray()
        sel = selectors.DefaultSelector()
        sel.register(self._proc.stdout, selectors.EVENT_READ)
        sel.register(self._proc.stderr, selectors.EVENT_READ)
        start, n = time.monotonic(), 0
        try:
            while sel.get_map():
                for key, _ in sel.select():
                    data = os.read(key.fd, 65536)
                    if not data:
                        sel.unregister(key.fileobj)
                        continue
                    if key.fileobj is self._proc.stderr:
                        err = (err + data)[-4096:]
                        continue
                    for chunk in chunker.feed(data):
                        ahead = start + n * AUDIO_PTIME - AUDIO_LEAD - time.monotonic()
                        if ahead > 0 and self._stopping.wait(ahead):
                            return
                        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
                        frame.planes[0].update(chunk)
                        frame.sample_rate = AUDIO_RATE
                        frame.pts = n * samples
                        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
                        n += 1
                        self._box.put(frame)
                        self._started.set()
            rc = self._proc.wait()
            if not self._stopping.is_set():
                what = "the microphone stopped" if n else "cannot record"
                raise DeviceStopped(f"{self.name}: {what}: " + capture_fault(bytes(err), rc, self.argv[0]))
        finally:
            sel.close()
            self._started.set()

    def _halt(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()

    def _release(self) -> None:
        self._proc.stdout.close()
        self._proc.stderr.close()

    def stop(self) -> None:
        super().stop()
        try:
            self._proc.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    async def recv(self):
        if self._first:  # what was captured before the call asked for sound is not sent late
            self._first = False
            self._box.trim(1)
        elif len(self._box) > AUDIO_BACKLOG:
            self._box.trim(1)
        return await self._next()
