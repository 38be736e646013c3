"""The I/O shell of the kiosk's side of a help call (docs/videocall.md): one participant in a
desk's room on a Janus gateway (VideoRoom), over its WebSocket API, with aiortc for the media and
the data channel. Everything runs on one asyncio loop (drivers/videocall/desk.py owns it).

The kiosk publishes its camera (teed: the resident's own picture is taken from the same frames),
its microphone and a data channel, then receives the clerk whose `for` names its feed, and no
other. `Gateway` (one WebSocket, one session) and `subscribe()` are shared with the clerk stand-in
(clerk.py).

Reports through `on_event(kind, value)`:
  queued(position)    waiting; position 1 is next (reported again whenever it changes)
  answered(display)   receiving the clerk's feed (its display as a dict)
  note(text)          the clerk's note (checked: ≤ 200 characters)
  ended("clerk")      the clerk's feed left or stopped publishing
  ended("lost")       the gateway went away (socket closed, session or keepalive failed)
Never `ended` after our own hang_up(). Frames received are counted in `stats`; the latest picture
of each side is kept in memory as rgb24 (`image()`); nothing is written to disk."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any, Callable

from drivers.videocall import contract as C
from drivers.videocall import janus as J
from drivers.videocall.heap import give_back

log = logging.getLogger(__name__)

KEEPALIVE = 25.0  # seconds: the gateway drops a session silent for 60 s
IMAGE_WIDTH = 640  # pixels: pictures kept for the screen are at most this wide


class Gateway:
    """One WebSocket to Janus and one session on it. Every plugin event and handle event reaches
    `on_event` on the reader, in the order the gateway sent them (before the request that caused it
    resumes); `on_lost` once when the socket or the session fails."""

    def __init__(self, url: str, timeout: float, on_event: Callable[[Any], None], on_lost: Callable[[], None],
                 prefix: str = "k"):
        self.url, self.timeout = url, timeout
        self.on_event, self.on_lost = on_event, on_lost
        self.j = J.Janus(prefix)
        self.ws = None
        self.sent: list[str] = []  # every frame sent, when `record` is set (the privacy tests read it)
        self.record = False
        self._pending: dict[str, asyncio.Future] = {}
        self._tasks: list[asyncio.Task] = []
        self.closing = False

    async def open(self) -> None:
        import websockets

        self.ws = await asyncio.wait_for(
            websockets.connect(self.url, subprotocols=["janus-protocol"], max_size=2**22), self.timeout)
        self._tasks.append(asyncio.ensure_future(self._reader()))
        self.j.session = (await self.ask(self.j.create())).data["id"]
        self._tasks.append(asyncio.ensure_future(self._keepalive()))

    async def attach(self) -> int:
        return (await self.ask(self.j.attach())).data["id"]

    async def join(self, handle: int, room: str, display: str) -> dict:
        """Join as a publisher (the room made on first use); the `joined` data."""
        try:
            return (await self.ask(self.j.message(handle, J.join_publisher(room, display)))).data
        except J.JanusError as e:
            if e.code != J.NO_SUCH_ROOM:
                raise
        try:
            await self.ask(self.j.message(handle, J.create_room(room)))
        except J.JanusError as e2:
            if e2.code != J.ROOM_EXISTS:  # another peer made it meanwhile
                raise
        return (await self.ask(self.j.message(handle, J.join_publisher(room, display)))).data

    async def ask(self, msg: dict):
        fut = asyncio.get_running_loop().create_future()
        self._pending[msg["transaction"]] = fut
        await self.send(msg)
        return await asyncio.wait_for(fut, self.timeout)

    async def send(self, msg: dict) -> None:
        text = json.dumps(msg)
        if self.record:
            self.sent.append(text)
        await self.ws.send(text)

    async def _reader(self) -> None:
        try:
            async for raw in self.ws:
                event = self.j.receive(json.loads(raw))
                if event is None or isinstance(event, J.Ack):
                    continue
                if isinstance(event, (J.PluginEvent, J.HandleEvent)):
                    try:
                        self.on_event(event)
                    except Exception:  # noqa: BLE001 — a shell's bug must not stop the reader
                        log.exception("videocall: handling a gateway event failed")
                fut = self._pending.pop(getattr(event, "tid", ""), None)
                if fut is not None and not fut.done():
                    if isinstance(event, J.Failure):
                        fut.set_exception(J.JanusError(event.code, event.reason))
                    else:
                        fut.set_result(event)
        except Exception as e:  # noqa: BLE001 — a socket that fails is a lost gateway
            log.info("videocall: gateway connection ended: %s: %s", type(e).__name__, e)
        finally:
            if not self.closing:
                self.on_lost()

    async def _keepalive(self) -> None:
        try:
            while True:
                await asyncio.sleep(KEEPALIVE)
                await self.send(self.j.keepalive())
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — the reader sees the socket end and reports it
            return

    async def close(self, *, leave: tuple[int, ...] = (), tell: bool = True) -> None:
        if self.closing:
            return
        self.closing = True
        if tell and self.ws is not None and self.j.session is not None:
            try:
                for handle in leave:
                    if handle:
                        await self.send(self.j.message(handle, J.leave()))
                await self.send(self.j.destroy())
            except Exception:  # noqa: BLE001 — gone already
                pass
        if self.ws is not None:
            await self.ws.close()
        current = asyncio.current_task()
        for t in self._tasks:
            if t is not current:
                t.cancel()
        await asyncio.gather(*(t for t in self._tasks if t is not current), return_exceptions=True)
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(ConnectionError("call closed"))
        self._pending.clear()


def rtc_configuration(ice_servers: list[dict] | None):
    """aiortc's RTCConfiguration from [{"urls", "username", "credential"}] (TURN/STUN); None: host
    candidates only."""
    from aiortc import RTCConfiguration, RTCIceServer

    return RTCConfiguration(iceServers=[RTCIceServer(**s) for s in ice_servers or ()])


async def publish(gw: Gateway, handle: int, tracks: list, ice_servers: list[dict] | None, label: str):
    """Publish tracks and a data channel on a joined handle (Janus 1.x takes the media from the
    offer: the data channel is its m=application line). (pc, channel)."""
    from aiortc import RTCPeerConnection, RTCSessionDescription

    pc = RTCPeerConnection(rtc_configuration(ice_servers))
    for track in tracks:
        pc.addTrack(track)
    channel = pc.createDataChannel(label)
    await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers every candidate here
    answer = await gw.ask(gw.j.message(handle, J.publish(), {"type": "offer", "sdp": pc.localDescription.sdp}))
    if not answer.jsep:
        raise J.JanusError(0, "publish: no answer SDP")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.jsep["sdp"], type=answer.jsep["type"]))
    return pc, channel


async def subscribe(gw: Gateway, room: str, feed: Any, private_id: int | None, ice_servers: list[dict] | None,
                    *, on_track: Callable[[Any], None], on_message: Callable[[Any], None]):
    """Receive one publisher's media and data on a new handle. The subscriber opens a data channel
    of its own: Janus relays a publisher's data only to subscribers whose channel is up. (handle, pc)."""
    from aiortc import RTCPeerConnection, RTCSessionDescription

    handle = await gw.attach()
    offer = await gw.ask(gw.j.message(handle, J.join_subscriber(room, feed, private_id)))
    if not offer.jsep:
        raise J.JanusError(0, "subscribe: no offer SDP")
    pc = RTCPeerConnection(rtc_configuration(ice_servers))
    pc.on("track", on_track)

    @pc.on("datachannel")
    def _channel(channel):
        channel.on("message", on_message)

    await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.jsep["sdp"], type=offer.jsep["type"]))
    own = pc.createDataChannel("receiver")
    own.on("message", on_message)
    await pc.setLocalDescription(await pc.createAnswer())
    await gw.ask(gw.j.message(handle, J.start(), {"type": "answer", "sdp": pc.localDescription.sdp}))
    return handle, pc


def to_image(frame, width: int = IMAGE_WIDTH) -> tuple[int, int, bytes]:
    """A decoded video frame as (width, height, rgb24 bytes, top row first), at most `width` wide."""
    w, h = frame.width, frame.height
    if w > width:
        w, h = width, max(2, round(h * width / w / 2) * 2)
    rgb = frame.reformat(width=w, height=h, format="rgb24").to_ndarray()
    return w, h, rgb.tobytes()


def peak(frame) -> float:
    """The loudest sample of an audio frame, 0..1 (s16)."""
    try:
        a = frame.to_ndarray()
    except Exception:  # noqa: BLE001 — a format without ndarray support counts as silence
        return 0.0
    if a.size == 0:
        return 0.0
    return float(abs(a).max()) / 32768.0


async def consume(track, stats: dict, on_video: Callable[[Any], None] | None = None,
                  on_audio: Callable[[Any], None] | None = None) -> None:
    """Read a received track to its end: frames counted, audio energy measured, video and audio
    handed on (to the screen's picture, to the speaker)."""
    from aiortc.mediastreams import MediaStreamError

    key = "video_in" if track.kind == "video" else "audio_in"
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        stats[key] += 1
        if track.kind == "audio":
            stats["audio_peak"] = max(stats["audio_peak"], peak(frame))
            if on_audio is not None:
                on_audio(frame)
        elif on_video is not None:
            on_video(frame)


class RoomPeer:
    """The kiosk in a desk's room: publishes, waits in the queue, receives its clerk."""

    def __init__(self, url: str, room: str, display: dict, *, tracks: Callable[[], list],
                 on_event: Callable[[str, Any], None], timeout: float = 10.0,
                 ice_servers: list[dict] | None = None, context: dict | None = None,
                 speaker: Callable[[], Any] | None = None):
        self.url, self.room = url, room
        self.speaker = speaker  # makes the call's Speaker (drivers/videocall/speaker.py), or None: no sound out
        self.display = {**display, "since": round(time.time(), 3)}  # orders kiosks found already waiting
        self.tracks, self.on_event, self.timeout = tracks, on_event, timeout
        self.ice_servers = ice_servers
        self.stats = {"video_in": 0, "audio_in": 0, "audio_peak": 0.0, "self_frames": 0}
        self.gw = Gateway(url, timeout, self._gateway_event, self._lost_soon)
        self.roster = C.Roster()
        self._context = dict(context or {})
        self._images: dict[str, tuple[int, int, bytes, int]] = {}
        self._pub_pc = self._sub_pc = None
        self._pub_handle = self._sub_handle = 0
        self._channel = None
        self._ready = False  # the clerk's hello arrived: both directions carry data
        self._outbox: list[tuple[str, str]] = []  # (kind, message) waiting for the hello
        self._audio_sender = self._audio_track = None
        self._sources: list = []  # the camera and microphone as opened: stopped at the end
        self._speaker = None  # the clerk's voice out, made when the clerk's media arrives
        self._tasks: list[asyncio.Task] = []
        self._feed: Any = None  # the clerk we receive
        self._my_id: Any = None
        self._private_id: int | None = None
        self._listed = False  # the gateway lists us to the others (our media is up)
        self._place = 0
        self._over = False

    # ---- the call --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, join the room (made on first use), publish. Raises OSError / JanusError."""
        from aiortc.contrib.media import MediaRelay

        await self.gw.open()
        self._pub_handle = await self.gw.attach()
        joined = await self.gw.join(self._pub_handle, self.room, C.display(self.display))
        self._my_id, self._private_id = joined.get("id"), joined.get("private_id")
        self._sources = list(self.tracks())
        for track in self._sources:  # a camera or microphone that dies mid-call ends the call
            track.on("ended", lambda t=track: self._source_ended(t))
        relay, send = MediaRelay(), []
        for track in self._sources:
            if track.kind == "video":  # teed: the sender and the resident's own picture
                send.append(relay.subscribe(track, buffered=False))
                preview = relay.subscribe(track, buffered=False)
                self._tasks.append(asyncio.ensure_future(self._own_picture(preview)))
            else:
                send.append(track)
        self._pub_pc, self._channel = await publish(self.gw, self._pub_handle, send, self.ice_servers, "kiosk")
        self._channel.on("message", self._message)
        for sender in self._pub_pc.getSenders():
            if sender.track is not None and sender.track.kind == "audio":
                self._audio_sender, self._audio_track = sender, sender.track

    def mute(self, on: bool) -> None:
        if self._audio_sender is not None:
            self._audio_sender.replaceTrack(None if on else self._audio_track)

    async def hang_up(self) -> None:
        """Leave and close; camera and microphone off. Reports nothing."""
        self._over = True
        await self._close(tell=True)

    def update(self, context: dict) -> None:
        """The resident's step changed: the clerk is told (once the channel carries data)."""
        self._context = dict(context)
        if self._feed is not None:
            self._send(C.context(self._context), "context")

    def show(self, code: str, name: str, pages: tuple[bytes, ...]) -> str:
        """Send one material (cut into parts); its id."""
        mid = uuid.uuid4().hex[:12]
        for part in C.material_parts(mid, code, name, pages):
            self._send(part)
        return mid

    def image(self, which: str) -> tuple[int, int, bytes, int] | None:
        """The latest picture of "remote" (the clerk) or "self": (width, height, rgb24, number)."""
        return self._images.get(which)

    # ---- what the gateway says (on the reader, in order) ---------------------------------------------
    def _gateway_event(self, event) -> None:
        if self._over:
            return
        if isinstance(event, J.HandleEvent):
            if event.handle == self._pub_handle and event.kind == "webrtcup" and not self._listed:
                self._listed = True  # from now on the others see us: our place counts from here
                self.roster.add_self(self._my_id, self.display)
                self._review()
            return
        if event.handle != self._pub_handle:
            return
        self.roster.listed(J.publishers(event.data))
        left = J.gone(event.data)
        if left is not None:
            self.roster.left(left)
        self._review()

    def _review(self) -> None:
        """The roster changed: our clerk came or went, or our place moved."""
        if self._feed is not None:
            if not self.roster.present(self._feed):
                self._spawn(self._ended("clerk"))
            return
        if self._my_id is None:
            return
        clerks = self.roster.clerks_for(self._my_id)
        if clerks:
            self._feed = clerks[0]
            self._spawn(self._receive(clerks[0], self.roster.display_of(clerks[0])))
            return
        place = self.roster.place(self._my_id) if self._listed else 0
        if place and place != self._place:
            self._place = place
            self.on_event("queued", place)

    async def _receive(self, feed: Any, who: dict) -> None:
        try:
            self._sub_handle, self._sub_pc = await subscribe(
                self.gw, self.room, feed, self._private_id, self.ice_servers,
                on_track=lambda track: self._spawn(consume(track, self.stats, self._remote_picture, self._heard)),
                on_message=self._message)
        except Exception as e:  # noqa: BLE001 — the clerk's feed went before we got it, or the gateway
            log.warning("videocall: %s: the clerk's feed not received: %s: %s", self.room, type(e).__name__, e)
            await self._ended("clerk" if not self.roster.present(feed) else "lost")
            return
        if not self._over:
            self.on_event("answered", who)

    # ---- the data channel ----------------------------------------------------------------------------
    def _message(self, raw) -> None:
        try:
            self._take_message(raw)
        except Exception:  # noqa: BLE001 — one message never stops the channel
            log.exception("videocall: a data message could not be handled")

    def _take_message(self, raw) -> None:
        msg = C.parse(raw, ("hello", "note"))
        if msg is None or self._over:
            return
        if msg["type"] == "hello":  # the clerk hears us: (again) the context, then what waited
            first = not self._ready
            self._ready = True
            self._transmit(C.context(self._context))
            if first:
                waiting, self._outbox = self._outbox, []
                for kind, text in waiting:
                    if kind != "context":  # the current context just went
                        self._transmit(text)
        elif msg["type"] == "note":
            self.on_event("note", msg["text"])

    def _send(self, text: str, kind: str = "material") -> None:
        if self._over:
            return
        if self._ready:
            self._transmit(text)
        else:
            self._outbox.append((kind, text))

    def _transmit(self, text: str) -> None:
        if self.gw.record:
            self.gw.sent.append(text)
        if self._channel is not None and self._channel.readyState == "open":
            self._channel.send(text)

    # ---- pictures (on the loop, as frames arrive) ---------------------------------------------------
    def _remote_picture(self, frame) -> None:
        self._keep("remote", frame)

    async def _own_picture(self, track) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.stats["self_frames"] += 1
            self._keep("self", frame)

    def _keep(self, which: str, frame) -> None:
        try:
            w, h, rgb = to_image(frame)
        except Exception as e:  # noqa: BLE001 — a frame that does not convert is skipped
            log.debug("videocall: a %s frame not converted: %s", which, e)
            return
        old = self._images.get(which)
        self._images[which] = (w, h, rgb, (old[3] if old else 0) + 1)

    # ---- the end ---------------------------------------------------------------------------------
    async def _ended(self, why: str) -> None:
        if self._over:
            return
        self._over = True
        await self._close(tell=why != "lost")
        self.on_event("ended", why)

    def _source_ended(self, track) -> None:
        """A source track ended. Our own stop (hang-up) leaves no fault; a device that stopped
        delivering (drivers/videocall/sources.py: unplugged, busy, the capture tool gone) does, and
        the call ends as failed rather than freezing the clerk's picture or going silent."""
        fault = getattr(track, "fault", None)
        if fault is None or self._over:
            return
        log.warning("videocall: %s: the %s source failed: %s", self.room, track.kind, fault)
        self._spawn(self._ended("failed"))

    def _lost_soon(self) -> None:
        self._spawn(self._ended("lost"))

    def _spawn(self, coro) -> None:
        self._tasks.append(asyncio.ensure_future(coro))

    def _heard(self, frame) -> None:
        """The clerk's voice: out of the speaker (made at the first sound; its fault is logged
        once there, and the call goes on with the picture and the notes)."""
        if self._speaker is None:
            if self.speaker is None or self._over:
                return
            self._speaker = self.speaker()
        self._speaker.play(frame)
        self.stats["played"] = self._speaker.played

    async def _close(self, *, tell: bool) -> None:
        if self.gw.closing:
            return
        await self.gw.close(leave=(self._pub_handle,), tell=tell)
        for pc in (self._sub_pc, self._pub_pc):
            if pc is not None:
                await pc.close()
        for track in self._sources:
            track.stop()
        if self._speaker is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._speaker.close)
        current = asyncio.current_task()
        for t in self._tasks:
            if t is not current:
                t.cancel()
        await asyncio.gather(*(t for t in self._tasks if t is not current), return_exceptions=True)
        give_back()  # what the call freed, back to the system (drivers/videocall/heap.py)
