"""The VideoDesk port over drivers/videocall: a help call is a kiosk publishing in its desk's room
on the Janus gateway and receiving the clerk whose `for` names it (docs/videocall.md). The clerk's
console is told the kiosk, site, step and matter (CallContext: never the identity), and the
materials the resident taps. The driver reports on its own thread: the app hands in `on_main`
(the shell's hop) so the listener hears on the main thread; a unit or wire test may hand in a
direct call. Pictures are converted to rgb24 on the call's thread as frames arrive; `frame()` only
reads the latest."""
from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Literal

from drivers.videocall.desk import CallLoop, PeerCall
from drivers.videocall.media import open_track
from drivers.videocall.peer import RoomPeer
from drivers.videocall.speaker import Speaker
from kiosk.ports import CallContext, CallListener, SharedMaterial, VideoImage

log = logging.getLogger(__name__)


def turn_servers(turn: str | None, credentials: str | None) -> list[dict] | None:
    """aiortc's ICE servers for the site's TURN server ([video] turn, turn_credentials); None when
    there is none. A credentials file that cannot be read is logged (never its content) and the
    calls go without TURN: on the hall's LAN they still connect."""
    if not turn or not credentials:
        return None
    from kiosk import config_files
    from kiosk.errors import ConfigError

    try:
        user, password = config_files.read_turn_credentials(credentials)
    except ConfigError as e:
        log.warning("video: no TURN server: %s", e)
        return None
    return [{"urls": turn, "username": user, "credential": password}]


CLERK_NAME_MAX = 40  # characters of the clerk's name the kiosk shows
NOTE_MAX = 200  # characters of a note (the contract's limit; the driver drops longer ones)


def _plain(text, limit: int) -> str:
    """Text from the other side as the screen shows it: control characters as spaces, cut."""
    if not isinstance(text, str):
        return ""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:limit]


def _fields(context: CallContext) -> dict:
    return {k: v for k, v in dataclasses.asdict(context).items() if v}


class JanusCall(PeerCall):
    """One call as the port's `Call`: what the kiosk's main thread asks of it goes onto the call's
    loop; `frame()` reads the latest converted picture."""

    def __init__(self, loop: CallLoop, peer: RoomPeer):
        super().__init__(loop, peer)
        self._shown: dict[str, VideoImage] = {}

    def update(self, context: CallContext) -> None:
        self.loop.call_soon(self.peer.update, _fields(context))

    def show(self, material: SharedMaterial) -> None:
        self.loop.call_soon(self.peer.show, material.code, material.name, tuple(material.pages))

    def frame(self, which: Literal["remote", "self"]) -> VideoImage | None:
        got = self.peer.image(which)
        if got is None:
            return None
        last = self._shown.get(which)
        if last is None or last.number != got[3]:
            last = self._shown[which] = VideoImage(*got)
        return last


class JanusDesk:
    def __init__(self, gateway: str, *, camera: str = "test://pattern", microphone: str = "test://tone",
                 speaker: str = "test://null", on_main: Callable[[Callable[[], None]], None] = lambda fn: fn(), timeout: float = 10.0,
                 ice_servers: list[dict] | None = None, enter: Callable[[], None] | None = None):
        self.gateway, self.camera, self.microphone, self.speaker = gateway, camera, microphone, speaker
        self.on_main, self.timeout, self.ice_servers = on_main, timeout, ice_servers
        self._loop = CallLoop(enter=enter)  # enter: run first on the call thread (the demo's namespace)
        self.last: JanusCall | None = None  # the latest call (the wire tests read its counts)
        self.record = False  # keep every frame and data message sent (the privacy tests read them)

    def call(self, desk: str, context: CallContext, listener: CallListener) -> JanusCall:
        hop = self.on_main

        def report(kind: str, value) -> None:
            if kind == "queued":
                hop(lambda: listener.queued(int(value)))
            elif kind == "answered":
                name = value.get("clerk") if isinstance(value, dict) else ""
                hop(lambda: listener.answered(_plain(name, CLERK_NAME_MAX)))
            elif kind == "note":
                hop(lambda: listener.note(_plain(value, NOTE_MAX)))
            elif kind == "ended":
                hop(lambda: listener.ended(value))

        fields = _fields(context)
        peer = RoomPeer(self.gateway, desk, {"role": "kiosk", **fields}, tracks=self._tracks, on_event=report,
                        timeout=self.timeout, ice_servers=self.ice_servers, context=fields,
                        speaker=lambda: Speaker(self.speaker))
        peer.gw.record = self.record
        self.last = JanusCall(self._loop, peer)
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
