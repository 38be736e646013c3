"""The Janus WebRTC gateway's JSON API, sans-I/O: requests out as dicts (each with its own
transaction id), messages in as small events. The shell (drivers/videocall/peer.py) moves them over
the WebSocket (subprotocol `janus-protocol`) and does the WebRTC.

Janus answers a request with `success` or `error` under its transaction; a plugin request answers
`ack` first and its `event` later under the same transaction (or with no transaction at all, when
another participant did something). `webrtcup`, `hangup`, `media` and `detached` concern a handle.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Any

VIDEOROOM = "janus.plugin.videoroom"
# VideoRoom error codes the shell acts on
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427


@dataclasses.dataclass(frozen=True)
class Success:
    tid: str
    data: dict  # `data` of create/attach (its id) or the plugin's synchronous answer


@dataclasses.dataclass(frozen=True)
class Ack:
    tid: str


@dataclasses.dataclass(frozen=True)
class Failure:
    tid: str
    code: int
    reason: str


@dataclasses.dataclass(frozen=True)
class PluginEvent:
    tid: str  # "" when nobody's request caused it here (another participant joined or left)
    handle: int
    data: dict
    jsep: dict | None = None


@dataclasses.dataclass(frozen=True)
class HandleEvent:
    """webrtcup | hangup | media | slowlink | detached, for one handle."""
    kind: str
    handle: int
    detail: dict


Event = Success | Ack | Failure | PluginEvent | HandleEvent


class JanusError(Exception):
    def __init__(self, code: int, reason: str):
        super().__init__(f"janus error {code}: {reason}")
        self.code, self.reason = code, reason


class Janus:
    """One Janus session's requests and the events its messages make."""

    def __init__(self, prefix: str = "k"):
        self.session: int | None = None
        self._ids = itertools.count(1)
        self._prefix = prefix

    def _req(self, kind: str, **fields: Any) -> dict:
        msg = {"janus": kind, "transaction": f"{self._prefix}{next(self._ids)}", **fields}
        if self.session is not None and kind != "create":
            msg["session_id"] = self.session
        return msg

    # ---- requests ----------------------------------------------------------------------------
    def create(self) -> dict:
        return self._req("create")

    def attach(self, plugin: str = VIDEOROOM) -> dict:
        return self._req("attach", plugin=plugin)

    def message(self, handle: int, body: dict, jsep: dict | None = None) -> dict:
        msg = self._req("message", handle_id=handle, body=body)
        if jsep is not None:
            msg["jsep"] = jsep
        return msg

    def keepalive(self) -> dict:
        return self._req("keepalive")

    def detach(self, handle: int) -> dict:
        return self._req("detach", handle_id=handle)

    def destroy(self) -> dict:
        return self._req("destroy")

    # ---- messages in ---------------------------------------------------------------------------
    def receive(self, msg: dict) -> Event | None:
        """One message from the gateway as an event (None: nothing the shell needs, a keepalive's ack
        is an Ack like any other)."""
        kind = msg.get("janus")
        tid = str(msg.get("transaction") or "")
        if kind == "success":
            if "plugindata" in msg:
                return PluginEvent(tid, int(msg.get("sender") or 0), msg["plugindata"].get("data", {}), msg.get("jsep"))
            return Success(tid, msg.get("data") or {})
        if kind == "ack":
            return Ack(tid)
        if kind == "error":
            err = msg.get("error") or {}
            return Failure(tid, int(err.get("code") or 0), str(err.get("reason") or ""))
        if kind == "event":
            data = (msg.get("plugindata") or {}).get("data") or {}
            if "error_code" in data:
                return Failure(tid, int(data["error_code"]), str(data.get("error") or ""))
            return PluginEvent(tid, int(msg.get("sender") or 0), data, msg.get("jsep"))
        if kind in ("webrtcup", "hangup", "media", "slowlink", "detached"):
            return HandleEvent(kind, int(msg.get("sender") or 0), msg)
        return None  # timeout, trickle and others the kiosk does not use


# ---- VideoRoom bodies --------------------------------------------------------------------------
def create_room(room: str) -> dict:
    """A desk's room, made on first use (not permanent: the gateway's config stays as shipped)."""
    return {"request": "create", "room": room, "publishers": 16, "videocodec": "vp8", "audiocodec": "opus",
            "permanent": False}


def join_publisher(room: str, display: str) -> dict:
    return {"request": "join", "ptype": "publisher", "room": room, "display": display}


def publish(audio: bool = True, video: bool = True) -> dict:
    return {"request": "publish", "audio": audio, "video": video}


def join_subscriber(room: str, feed: Any, private_id: int | None = None) -> dict:
    body = {"request": "join", "ptype": "subscriber", "room": room, "streams": [{"feed": feed}]}
    if private_id is not None:
        body["private_id"] = private_id
    return body


def start() -> dict:
    return {"request": "start"}


def leave() -> dict:
    return {"request": "leave"}


def publishers(data: dict) -> list[dict]:
    """Publishers a VideoRoom event names (the `joined` answer, or a later `event`)."""
    return [p for p in data.get("publishers") or () if isinstance(p, dict) and "id" in p]


def gone(data: dict) -> Any | None:
    """The feed a VideoRoom event says left or stopped publishing (None: nobody)."""
    for key in ("leaving", "unpublished"):
        v = data.get(key)
        if v not in (None, "ok"):
            return v
    return None
