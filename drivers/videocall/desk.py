"""Calls on their own thread: one asyncio loop (started at the first call, stopped by close())
runs every RoomPeer; the methods here may be called from any thread. Reports reach `on_event` on
the loop's thread (the kiosk's adapter hops them onto the app's main thread)."""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Callable

from drivers.videocall.peer import RoomPeer

log = logging.getLogger(__name__)


class CallLoop:
    """`enter`: run first on the loop's thread, before the loop (the demo moves that thread into
    its gateway's network namespace: drivers/videocall/gateway.py's Namespace.enter)."""

    def __init__(self, enter: Callable[[], None] | None = None):
        self._enter = enter
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._run, args=(loop,), name="videocall", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._enter is not None:
            try:
                self._enter()
            except Exception:  # noqa: BLE001 — the loop runs anyway: its calls fail and say so
                log.exception("videocall: the call thread's enter hook failed")
        loop.run_forever()

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._ensure())

    def call_soon(self, fn: Callable, *args: Any) -> None:
        self._ensure().call_soon_threadsafe(fn, *args)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the loop (after hanging up what the caller hung up); joins the thread."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None:
            return

        async def drain():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(drain(), loop).result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
            loop.close()


class PeerCall:
    """One call as the caller's thread sees it: started on the loop, hung up or muted from anywhere.
    A call that cannot start reports ended("failed")."""

    def __init__(self, loop: CallLoop, peer: RoomPeer):
        self.loop, self.peer = loop, peer
        self.started = loop.submit(self._run())

    async def _run(self) -> None:
        try:
            await self.peer.start()
        except Exception as e:  # noqa: BLE001 — unreachable gateway, refused join, no answer SDP
            log.warning("videocall: %s: call not started: %s: %s", self.peer.room, type(e).__name__, e)
            if not self.peer._over:
                self.peer._over = True
                await self.peer._close(tell=True)  # a gateway that answered is told we left
                self.peer.on_event("ended", "failed")

    def mute(self, on: bool) -> None:
        self.loop.call_soon(self.peer.mute, on)

    def hang_up(self, wait: float | None = None) -> None:
        fut = self.loop.submit(self.peer.hang_up())
        if wait:
            fut.result(wait)
