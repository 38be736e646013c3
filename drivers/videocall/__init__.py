"""The 视频帮办 call's media and signalling: a participant in a desk's room on a Janus gateway
(VideoRoom over its WebSocket API; janus.py is the sans-I/O JSON API, contract.py the call's
roster and messages, peer.py the kiosk's asyncio shell with aiortc), the calls' own thread
(desk.py), a clerk stand-in keeping the same contract (clerk.py) and the camera and microphone by
URL with their twins (media.py). Knows nothing of the kiosk: it is handed the gateway URL, the
room, what to show the other side, and whom to receive."""
from drivers.videocall.clerk import DeskClerk
from drivers.videocall.desk import CallLoop, PeerCall
from drivers.videocall.media import MediaError, open_track
from drivers.videocall.peer import RoomPeer

__all__ = ["CallLoop", "DeskClerk", "MediaError", "PeerCall", "RoomPeer", "open_track"]
