"""The VideoDesk port over drivers/videocall: a help call is a kiosk publishing in its desk's room
on the Janus gateway and receiving the first clerk there. The clerk's console is told the kiosk,
site, step and matter (CallContext: never the identity). The driver reports on its own thread:
the app hands in `on_main` (the shell's hop) so the listener hears on the main thread; a unit or
wire test may hand in a direct call."""
from __future__ import annotations

import dataclasses
from typing import Callable

from drivers.videocall.desk import CallLoop, PeerCall
from drivers.videocall.media import open_track
from drivers.videocall.peer import RoomPeer
from kiosk.ports import CallContext, CallListener


class JanusDesk:
    def __init__(self, gateway: str, *, camera: str = "test://pattern", microphone: str = "test://tone",
                 on_main: Callable[[Callable[[], None]], None] = lambda fn: fn(), timeout: float = 10.0):
        self.gateway, self.camera, self.microphone = gateway, camera, microphone
        self.on_main, self.timeout = on_main, timeout
        self._loop = CallLoop()
        self.last: PeerCall | None = None  # the latest call (the wire tests read its counts)

    def call(self, desk: str, context: CallContext, listener: CallListener) -> PeerCall:
        hop = self.on_main

        def report(kind: str, value) -> None:
            if kind == "queued":
                hop(lambda: listener.queued(int(value)))
            elif kind == "answered":
                hop(listener.answered)
            elif kind == "ended":
                hop(lambda: listener.ended(value))

        display = {"role": "kiosk", **{k: v for k, v in dataclasses.asdict(context).items() if v}}
        peer = RoomPeer(self.gateway, desk, display, tracks=self._tracks,
                        wants=lambda who: who.get("role") == "clerk", on_event=report, timeout=self.timeout)
        self.last = PeerCall(self._loop, peer)
        return self.last

    def _tracks(self) -> list:
        return [open_track(self.camera, "video"), open_track(self.microphone, "audio")]

    def close(self) -> None:
        """Hang up whatever still runs and stop the call thread."""
        if self.last is not None and not self.last.peer._over:
            try:
                self.last.hang_up(wait=self.timeout)
            except Exception:  # noqa: BLE001 — closing anyway
                pass
        self._loop.close()
