"""The I/O shell of a video call: one participant in a desk's room on a Janus gateway (VideoRoom),
over its WebSocket API, with aiortc for the media. It publishes its own camera and microphone
tracks and subscribes to the first publisher `wants()` accepts (the kiosk wants a clerk, a clerk a
kiosk). Everything runs on one asyncio loop (drivers/videocall/desk.py owns it).

Reports through `on_event(kind, value)`:
  queued(position)    joined, nobody wanted here yet (position: 1 + those waiting before us)
  answered(display)   subscribed to the wanted publisher: its media is on the way
  ended("clerk")      the wanted publisher left or stopped publishing
  ended("lost")       the gateway went away (socket closed, session or keepalive failed)
Never `ended` after our own hang_up(). Frames received are counted in `stats` and handed to
`on_frame(kind, frame)` (nothing is written to disk)."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable

from drivers.videocall import janus as J

log = logging.getLogger(__name__)

KEEPALIVE = 25.0  # seconds: the gateway drops a session silent for 60 s


class RoomPeer:
    def __init__(self, url: str, room: str, display: dict, *, tracks: Callable[[], list],
                 wants: Callable[[dict], bool], on_event: Callable[[str, Any], None],
                 on_frame: Callable[[str, Any], None] | None = None, timeout: float = 10.0):
        self.url, self.room, self.display = url, room, display
        self.tracks, self.wants = tracks, wants
        self.on_event, self.on_frame = on_event, on_frame or (lambda _k, _f: None)
        self.timeout = timeout
        self.stats = {"video_in": 0, "audio_in": 0, "audio_peak": 0.0}
        self._j = J.Janus()
        self._ws = None
        self._pending: dict[str, asyncio.Future] = {}
        self._tasks: list[asyncio.Task] = []
        self._pub_pc = self._sub_pc = None
        self._pub_handle = self._sub_handle = 0
        self._audio_sender = None
        self._audio_track = None
        self._feed: Any = None  # the publisher we receive
        self._my_id: Any = None
        self._private_id: int | None = None
        self._ahead: set = set()
        self._closing = False
        self._over = False

    # ---- the call --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, join the room (made on first use), publish. Raises OSError / JanusError."""
        import websockets
        from aiortc import RTCPeerConnection, RTCSessionDescription

        self._ws = await asyncio.wait_for(
            websockets.connect(self.url, subprotocols=["janus-protocol"], max_size=2**22), self.timeout)
        self._tasks.append(asyncio.ensure_future(self._reader()))
        created = await self._ask(self._j.create())
        self._j.session = created.data["id"]
        self._tasks.append(asyncio.ensure_future(self._keepalive()))
        self._pub_handle = (await self._ask(self._j.attach())).data["id"]
        display = json.dumps(self.display, ensure_ascii=False)
        try:
            joined = await self._ask(self._j.message(self._pub_handle, J.join_publisher(self.room, display)))
        except J.JanusError as e:
            if e.code != J.NO_SUCH_ROOM:
                raise
            try:
                await self._ask(self._j.message(self._pub_handle, J.create_room(self.room)))
            except J.JanusError as e2:
                if e2.code != J.ROOM_EXISTS:  # another peer made it meanwhile
                    raise
            joined = await self._ask(self._j.message(self._pub_handle, J.join_publisher(self.room, display)))
        self._my_id, self._private_id = joined.data.get("id"), joined.data.get("private_id")

        pc = self._pub_pc = RTCPeerConnection()
        for track in self.tracks():
            sender = pc.addTrack(track)
            if track.kind == "audio":
                self._audio_sender, self._audio_track = sender, track
        await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers every candidate here
        answer = await self._ask(self._j.message(self._pub_handle, J.publish(),
                                                 {"type": "offer", "sdp": pc.localDescription.sdp}))
        if not answer.jsep:
            raise J.JanusError(0, "publish: no answer SDP")
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.jsep["sdp"], type=answer.jsep["type"]))
        others = J.publishers(joined.data)
        self._ahead = {p["id"] for p in others if self._is_peer_kind(p)}
        await self._seen(others)
        if self._feed is None:
            self.on_event("queued", len(self._ahead) + 1)

    def mute(self, on: bool) -> None:
        if self._audio_sender is not None:
            self._audio_sender.replaceTrack(None if on else self._audio_track)

    async def hang_up(self) -> None:
        """Leave and close; camera and microphone off. Reports nothing."""
        self._over = True
        await self._close(tell=True)

    # ---- what the gateway says ------------------------------------------------------------------
    async def _reader(self) -> None:
        try:
            async for raw in self._ws:
                event = self._j.receive(json.loads(raw))
                if event is None or isinstance(event, J.Ack):
                    continue
                fut = self._pending.pop(getattr(event, "tid", ""), None)
                if fut is not None and not fut.done():
                    if isinstance(event, J.Failure):
                        fut.set_exception(J.JanusError(event.code, event.reason))
                    else:
                        fut.set_result(event)
                    continue
                if isinstance(event, J.PluginEvent):  # its own task: it may ask the gateway (whose
                    self._tasks.append(asyncio.ensure_future(self._plugin_event(event)))  # answer this loop reads)
        except Exception as e:  # noqa: BLE001 — a socket that fails is a lost gateway
            log.info("videocall: gateway connection ended: %s: %s", type(e).__name__, e)
        finally:
            if not self._closing:
                asyncio.ensure_future(self._lost())

    async def _plugin_event(self, event: J.PluginEvent) -> None:
        data = event.data
        if event.handle == self._pub_handle:
            await self._seen(J.publishers(data))
            left = J.gone(data)
            if left is not None:
                self._ahead.discard(left)
                if left == self._feed:
                    await self._ended("clerk")
                elif self._feed is None and self._ahead is not None:
                    self.on_event("queued", len(self._ahead) + 1)

    async def _seen(self, pubs: list[dict]) -> None:
        if self._feed is not None:
            return
        for p in pubs:
            try:
                who = json.loads(p.get("display") or "{}")
            except ValueError:
                who = {}
            if isinstance(who, dict) and self.wants(who):
                await self._subscribe(p["id"], who)
                return

    def _is_peer_kind(self, p: dict) -> bool:
        try:
            who = json.loads(p.get("display") or "{}")
        except ValueError:
            return False
        return isinstance(who, dict) and who.get("role") == self.display.get("role")

    async def _subscribe(self, feed: Any, who: dict) -> None:
        from aiortc import RTCPeerConnection, RTCSessionDescription

        self._feed = feed
        self._sub_handle = (await self._ask(self._j.attach())).data["id"]
        offer = await self._ask(self._j.message(self._sub_handle, J.join_subscriber(self.room, feed, self._private_id)))
        pc = self._sub_pc = RTCPeerConnection()

        @pc.on("track")
        def _track(track):
            self._tasks.append(asyncio.ensure_future(self._consume(track)))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.jsep["sdp"], type=offer.jsep["type"]))
        await pc.setLocalDescription(await pc.createAnswer())
        await self._ask(self._j.message(self._sub_handle, J.start(),
                                        {"type": "answer", "sdp": pc.localDescription.sdp}))
        self.on_event("answered", who)

    async def _consume(self, track) -> None:
        from aiortc.mediastreams import MediaStreamError

        key = "video_in" if track.kind == "video" else "audio_in"
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.stats[key] += 1
            if track.kind == "audio":
                self.stats["audio_peak"] = max(self.stats["audio_peak"], _peak(frame))
            self.on_frame(track.kind, frame)

    # ---- the end ---------------------------------------------------------------------------------
    async def _ended(self, why: str) -> None:
        if self._over:
            return
        self._over = True
        await self._close(tell=why != "lost")
        self.on_event("ended", why)

    async def _lost(self) -> None:
        await self._ended("lost")

    async def _close(self, *, tell: bool) -> None:
        if self._closing:
            return
        self._closing = True
        if tell and self._ws is not None and self._j.session is not None:
            try:
                if self._pub_handle:
                    await self._ws.send(json.dumps(self._j.message(self._pub_handle, J.leave())))
                await self._ws.send(json.dumps(self._j.destroy()))
            except Exception:  # noqa: BLE001 — gone already
                pass
        for pc in (self._sub_pc, self._pub_pc):
            if pc is not None:
                await pc.close()
        for track in self.tracks_made():
            track.stop()
        if self._ws is not None:
            await self._ws.close()
        for t in self._tasks:
            if t is not asyncio.current_task():
                t.cancel()
        await asyncio.gather(*(t for t in self._tasks if t is not asyncio.current_task()), return_exceptions=True)
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(ConnectionError("call closed"))
        self._pending.clear()

    def tracks_made(self) -> list:
        out = []
        if self._pub_pc is not None:
            out = [s.track for s in self._pub_pc.getSenders() if s.track is not None]
        if self._audio_track is not None and self._audio_track not in out:
            out.append(self._audio_track)
        return out

    # ---- plumbing ----------------------------------------------------------------------------------
    async def _ask(self, msg: dict):
        fut = asyncio.get_running_loop().create_future()
        self._pending[msg["transaction"]] = fut
        await self._ws.send(json.dumps(msg))
        return await asyncio.wait_for(fut, self.timeout)

    async def _keepalive(self) -> None:
        try:
            while True:
                await asyncio.sleep(KEEPALIVE)
                await self._ws.send(json.dumps(self._j.keepalive()))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — the reader sees the socket end and reports it
            return


def _peak(frame) -> float:
    """The loudest sample of an audio frame, 0..1 (s16)."""
    try:
        a = frame.to_ndarray()
    except Exception:  # noqa: BLE001 — a format without ndarray support counts as silence
        return 0.0
    if a.size == 0:
        return 0.0
    return float(abs(a).max()) / 32768.0
