"""A clerk at a desk, standing in for the clerk's console (kiosk/desk): the project's own aiortc
client speaking the call's contract (docs/videocall.md). The demo uses it as its scripted clerk;
the wire tests use it as the other side of the kiosk's call.

    loop = CallLoop()                       # drivers/videocall/desk.py: the calls' own thread
    clerk = DeskClerk(loop, "ws://127.0.0.1:8188", "dachang-hall", name="王老师")
    clerk.answered.wait(20)                 # watching the desk; answers the first waiting kiosk
    clerk.kiosk                             # the kiosk's display: kiosk_id, site, step, matter …
    clerk.context.wait(20); clerk.contexts  # the kiosk's context messages, in order
    clerk.note("请补扫户口本首页")             # a note, shown large and spoken at the kiosk
    clerk.materials()                       # the materials shown, whole: [{"code", "name", "pages"}]
    clerk.stats                             # frames and audio energy received from the kiosk
    clerk.hang_up(wait=20)                  # leaves the call, back to watching (answer=False: idle)
    clerk.close(wait=20)                    # leaves the desk

It watches the desk as `{"role": "watch"}` (joined, never publishing: nobody's peer); it answers
by joining again as `{"role": "clerk", "for": FEED}`, receiving the kiosk's feed, then publishing
its own camera, microphone and data channel. If another clerk's answer to the same kiosk was
listed before its own, it leaves that kiosk and takes the next. `answer=False`: it only watches
until `take()` is called. Reports are threading.Events and lists readable from any thread."""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Callable

from drivers.videocall import contract as C
from drivers.videocall import janus as J
from drivers.videocall.desk import CallLoop
from drivers.videocall.media import open_track
from drivers.videocall.peer import Gateway, consume, publish, subscribe, to_image

log = logging.getLogger(__name__)

HELLO_EVERY = 0.25  # seconds between hellos until the kiosk's first context


class _Dropped(Exception):
    """An answer released while it was being made."""


def twins() -> list:
    return [open_track("test://pattern", "video"), open_track("test://tone", "audio")]


class DeskClerk:
    def __init__(self, loop: CallLoop, url: str, desk: str, *, name: str = "clerk", answer: bool = True,
                 tracks: Callable[[], list] = twins, ice_servers: list[dict] | None = None,
                 timeout: float = 10.0):
        self.loop, self.url, self.desk, self.name = loop, url, desk, name
        self.auto, self.tracks, self.ice_servers, self.timeout = answer, tracks, ice_servers, timeout
        self.stats = {"video_in": 0, "audio_in": 0, "audio_peak": 0.0}
        self.log: list = []  # ("answered", kiosk display) ("context", …) ("yielded", feed) ("ended", why) …
        self.contexts: list[dict] = []
        self.answered, self.ended, self.context = threading.Event(), threading.Event(), threading.Event()
        self.material = threading.Event()  # a material arrived whole
        self.watching = threading.Event()  # joined the desk
        self.kiosk: dict = {}  # the display of the kiosk in the call
        self.feed: Any = None  # its feed id
        self.roster = C.Roster()
        self.gw = Gateway(url, timeout, self._gateway_event, self._lost, prefix="c")
        self._materials = C.Materials()
        self._watch = 0
        self._answer = self._sub = 0
        self._answer_id: Any = None
        self._pub_pc = self._sub_pc = self._channel = None
        self._sources: list = []
        self._tasks: list[asyncio.Task] = []
        self._busy = False
        self._attempt = 0  # moves on at each answer and each release
        self._got_context = False
        self._closed = False
        self.image: tuple[int, int, bytes, int] | None = None  # the latest picture of the kiosk
        self.started = loop.submit(self._start())

    # ---- from any thread ---------------------------------------------------------------------------
    def take(self, feed: Any = None, wait: float | None = None) -> None:
        """Answer this kiosk (None: the first waiting)."""
        fut = self.loop.submit(self._take(feed))
        if wait:
            fut.result(wait)

    def note(self, text: str) -> None:
        self.loop.call_soon(self._send, C.note(text))

    def send_raw(self, text: Any) -> None:
        """Anything on the data channel (the tests' malformed and oversized messages)."""
        self.loop.call_soon(self._send, text)

    def hang_up(self, wait: float | None = None) -> None:
        fut = self.loop.submit(self._release("hung_up", report=False))
        if wait:
            fut.result(wait)

    def close(self, wait: float | None = None) -> None:
        fut = self.loop.submit(self._close())
        if wait:
            fut.result(wait)

    def materials(self) -> list[dict]:
        return self._materials.complete()

    def queue(self) -> list[dict]:
        """The kiosks waiting at the desk, first first (their displays)."""
        return [self.roster.display_of(f) for f in self.roster.queue()]

    # ---- on the loop ---------------------------------------------------------------------------------
    async def _start(self) -> None:
        await self.gw.open()
        self._watch = await self.gw.attach()
        await self.gw.join(self._watch, self.desk, C.display({"role": C.WATCH, "clerk": self.name}))
        self.watching.set()
        self._review()

    def _gateway_event(self, event) -> None:
        if self._closed:
            return
        if isinstance(event, J.HandleEvent) or event.handle != self._watch:
            return  # the watching handle sees every publisher, our own answer too
        self.roster.listed(J.publishers(event.data))
        left = J.gone(event.data)
        if left is not None:
            self.roster.left(left)
        self._review()

    def _review(self) -> None:
        if self._closed:
            return
        if self._busy and self.feed is not None:
            if not self.roster.present(self.feed):
                self._spawn(self._release("kiosk"))
                return
            if self._answer_id is not None and self.roster.present(self._answer_id):
                first = self.roster.clerks_for(self.feed)[0]
                if not C.same(first, self._answer_id):  # another clerk was listed first: theirs
                    self.log.append(("yielded", self.feed))
                    self._spawn(self._release("yielded", report=False))
            return
        if self.auto and not self._busy and self.roster.queue():
            self._spawn(self._take(None))

    async def _take(self, feed: Any) -> None:
        if self._busy or self._closed:
            return
        queue = self.roster.queue()
        feed = feed if feed is not None else (queue[0] if queue else None)
        if feed is None or self.roster.taken(feed):
            return
        self._busy, self.feed, self.kiosk = True, feed, self.roster.display_of(feed)
        self._got_context = False
        self._attempt += 1
        attempt = self._attempt
        answer = sub = 0
        sub_pc = pub_pc = None
        sources: list = []
        try:
            answer = self._answer = await self.gw.attach()
            joined = await self.gw.join(answer, self.desk,
                                        C.display({"role": C.CLERK, "for": feed, "clerk": self.name}))
            if attempt != self._attempt:
                raise _Dropped()
            self._answer_id = joined.get("id")
            if self.roster.taken(feed) or not self.roster.present(feed):
                await self._release("yielded", report=False)
                return
            sub, sub_pc = await subscribe(
                self.gw, self.desk, feed, joined.get("private_id"), self.ice_servers,
                on_track=lambda track: self._spawn(consume(track, self.stats, self._picture)),
                on_message=self._message)
            if attempt != self._attempt:
                raise _Dropped()
            self._sub, self._sub_pc = sub, sub_pc
            sources = list(self.tracks())
            pub_pc, channel = await publish(self.gw, answer, sources, self.ice_servers, "clerk")
            if attempt != self._attempt:
                raise _Dropped()
            self._sources, self._pub_pc, self._channel = sources, pub_pc, channel
            self._spawn(self._hello())
            self.log.append(("answered", dict(self.kiosk)))
            self.answered.set()
        except _Dropped:  # released meanwhile (the kiosk left, we yielded, closed): what was made goes
            await self._drop((sub_pc, pub_pc), (), sources)
        except Exception as e:  # noqa: BLE001 — the kiosk left meanwhile, or the gateway went
            log.warning("clerk: answering %s failed: %s: %s", feed, type(e).__name__, e)
            if attempt == self._attempt:
                self._sub_pc, self._pub_pc, self._sources = sub_pc, pub_pc, sources
                await self._release("failed")
            else:
                await self._drop((sub_pc, pub_pc), (), sources)

    async def _hello(self) -> None:
        """Hello until the kiosk's first context: it proves the kiosk hears us and we hear it."""
        while self._busy and not self._got_context:
            if self._channel is not None and self._channel.readyState == "open" \
                    and self._sub_pc is not None and self._sub_pc.sctp is not None \
                    and self._sub_pc.sctp.state == "connected":
                self._channel.send(C.hello())
            await asyncio.sleep(HELLO_EVERY)

    def _message(self, raw) -> None:
        try:
            self._take_message(raw)
        except Exception:  # noqa: BLE001 — one message never stops the channel
            log.exception("clerk: a data message could not be handled")

    def _take_message(self, raw) -> None:
        msg = C.parse(raw, ("context", "material"))
        if msg is None:
            return
        if msg["type"] == "context":
            self._got_context = True
            self.contexts.append({k: msg.get(k, "") for k in C.CONTEXT_FIELDS})
            self.log.append(("context", self.contexts[-1]))
            self.context.set()
        elif self._materials.add(msg) and any(m["id"] == msg["id"] for m in self._materials.complete()):
            self.log.append(("material", msg["code"]))
            self.material.set()

    def _send(self, text: Any) -> None:
        if self._channel is not None and self._channel.readyState == "open":
            self._channel.send(text)

    def _picture(self, frame) -> None:
        w, h, rgb = to_image(frame)
        self.image = (w, h, rgb, (self.image[3] if self.image else 0) + 1)

    async def _release(self, why: str, report: bool = True) -> None:
        """The call (or the attempt) is over: its handles left, its connections closed; back to
        watching."""
        if not self._busy:
            return
        pcs, handles = (self._sub_pc, self._pub_pc), (self._sub, self._answer)
        self._sub_pc = self._pub_pc = self._channel = None
        self._sub = self._answer = 0
        self._answer_id = None
        sources, self._sources = self._sources, []
        self._busy, self.feed = False, None
        self._attempt += 1  # an answer still being made is dropped
        await self._drop(pcs, handles, sources)
        if report:
            self.log.append(("ended", why))
            self.ended.set()
        self._review()

    async def _drop(self, pcs, handles, sources) -> None:
        if not self.gw.closing:
            for handle in handles:
                if handle:
                    try:
                        await self.gw.send(self.gw.j.message(handle, J.leave()))
                        await self.gw.send(self.gw.j.detach(handle))
                    except Exception:  # noqa: BLE001 — the gateway went: nothing to leave
                        pass
        for pc in pcs:
            if pc is not None:
                await pc.close()
        for track in sources:
            track.stop()

    def _lost(self) -> None:
        if not self._closed:
            self._spawn(self._gone())

    async def _gone(self) -> None:
        self._closed = True
        await self._release("lost")

    async def _close(self) -> None:
        if self.gw.closing:
            return
        self._closed = True
        await self._release("closed", report=False)
        await self.gw.close(leave=(self._watch,))
        current = asyncio.current_task()
        for t in self._tasks:
            if t is not current:
                t.cancel()
        await asyncio.gather(*(t for t in self._tasks if t is not current), return_exceptions=True)

    def _spawn(self, coro) -> None:
        self._tasks.append(asyncio.ensure_future(coro))
