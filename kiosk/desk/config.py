"""kiosk-desk's own config (`kiosk-desk --config /etc/kiosk-desk/desk.toml`): where it listens, the
gateway the clerks' browsers reach, the ICE servers (STUN/TURN with credentials) they use, and the
clerks file. Errors read `file:line: key: reason` (kiosk.errors.ConfigError); nothing half-read is
used. Example:

    listen = "0.0.0.0:8443"                      # HOST:PORT
    gateway = "wss://gw.tongzhou.example/janus"  # Janus's WebSocket API, as the browser reaches it
    clerks = "clerks.toml"                       # relative to this file's folder
    tls_cert = "/etc/kiosk-desk/desk.crt"        # both or neither: a browser grants the camera
    tls_key = "/etc/kiosk-desk/desk.key"         # only to https:// (or http://127.0.0.1)
    ice_transport_policy = "all"                 # "relay": media only through TURN
    [[ice_servers]]
    urls = ["turn:turn.tongzhou.example:3478?transport=udp"]
    username = "desk"
    credential = "…"                             # this file holds a secret: mode 0600

`secure_cookie` (default: true with TLS) marks the session cookie Secure; set it when a TLS proxy
sits in front of a plain-HTTP kiosk-desk. A commented example: deploy/desk/desk.toml.example; the
service: deploy/systemd/kiosk-desk.service."""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.config import _Lines, load_toml
from kiosk.errors import ConfigError

DEFAULT_PATH = "/etc/kiosk-desk/desk.toml"
FILE_MAX = 64 * 1024


@dataclasses.dataclass(frozen=True)
class DeskConfig:
    path: str
    host: str
    port: int
    gateway: str
    clerks: str
    ice_servers: tuple[dict, ...] = dataclasses.field(default=(), repr=False)  # TURN credentials: never printed
    ice_transport_policy: str = "all"
    tls_cert: str | None = None
    tls_key: str | None = None
    secure_cookie: bool = False

    def for_browser(self) -> dict:
        """What the console page is given (after login): the gateway and the ICE servers."""
        return {"gateway": self.gateway, "iceServers": [dict(s) for s in self.ice_servers],
                "iceTransportPolicy": self.ice_transport_policy}


_KEYS = {"listen", "gateway", "clerks", "ice_servers", "ice_transport_policy", "tls_cert", "tls_key", "secure_cookie"}
_ICE_KEYS = {"urls", "username", "credential"}


def load_desk_config(path: str | os.PathLike) -> DeskConfig:
    p = Path(path)
    try:
        with open(p, "rb") as f:
            data = f.read(FILE_MAX + 1)
    except OSError as e:
        raise ConfigError(str(p), f"cannot read: {e.strerror or e}") from None
    if len(data) > FILE_MAX:
        raise ConfigError(str(p), f"larger than {FILE_MAX} bytes: not a kiosk-desk config")
    return parse_desk_config(data.decode("utf-8", "replace"), str(p))


def parse_desk_config(text: str, path: str = "<desk.toml>") -> DeskConfig:
    raw = load_toml(text, path)
    lines = _Lines(text)

    def bad(key: str, reason: str, line: int | None = None):
        raise ConfigError(path, reason, key=key, line=line or lines.line(key))

    for k in raw:
        if k not in _KEYS:
            bad(k, f"unknown key (known: {', '.join(sorted(_KEYS))})")

    listen = raw.get("listen", "127.0.0.1:8089")
    host, _, port = listen.rpartition(":") if isinstance(listen, str) else ("", "", "")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        bad("listen", f"must be HOST:PORT, not {listen!r}")
    host = host.strip("[]")

    gateway = raw.get("gateway")
    if gateway is None:
        bad("gateway", "missing: the Janus WebSocket URL the clerks' browsers reach (wss://…)")
    if not isinstance(gateway, str) or urlsplit(gateway).scheme not in ("ws", "wss", "http", "https") \
            or not urlsplit(gateway).hostname:
        bad("gateway", f"must be a ws://, wss:// (or http(s)://) URL, not {gateway!r}")

    clerks = raw.get("clerks")
    if clerks is None:
        bad("clerks", "missing: the clerks file (kiosk-desk add-clerk writes it)")
    if not isinstance(clerks, str) or not clerks:
        bad("clerks", "must be a file path")
    base = Path(path).parent if path and not path.startswith("<") else Path(".")
    clerks = str(base / clerks) if not os.path.isabs(clerks) else clerks

    policy = raw.get("ice_transport_policy", "all")
    if policy not in ("all", "relay"):
        bad("ice_transport_policy", f'must be "all" or "relay", not {policy!r}')

    servers_raw = raw.get("ice_servers", [])
    if not isinstance(servers_raw, list) or not all(isinstance(s, dict) for s in servers_raw):
        bad("ice_servers", "must be [[ice_servers]] tables")
    servers = []
    ice_lines = [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*ice_servers\s*\]\]", line)]
    for i, s in enumerate(servers_raw):
        where = ice_lines[i] if i < len(ice_lines) else lines.line("ice_servers")
        for k in s:
            if k not in _ICE_KEYS:
                bad(f"ice_servers[{i}].{k}", "unknown key (urls, username, credential)", where)
        urls = s.get("urls")
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not urls or not all(
                isinstance(u, str) and re.match(r"(stun|stuns|turn|turns):[^\s]+$", u) for u in urls):
            bad(f"ice_servers[{i}].urls", "a list of stun:, stuns:, turn: or turns: URLs", where)
        turn = any(u.startswith("turn") for u in urls)
        user, cred = s.get("username"), s.get("credential")
        if turn and not (isinstance(user, str) and user and isinstance(cred, str) and cred):
            bad(f"ice_servers[{i}]", "a TURN server needs username and credential (coturn --lt-cred-mech)", where)
        if not turn and (user is not None or cred is not None):
            bad(f"ice_servers[{i}]", "username and credential belong to turn: URLs only", where)
        entry = {"urls": urls}
        if turn:
            entry.update(username=user, credential=cred)
        servers.append(entry)
    if policy == "relay" and not any(u.startswith("turn") for s in servers for u in s["urls"]):
        bad("ice_transport_policy", '"relay" needs a turn: server in [[ice_servers]]')

    cert, key = raw.get("tls_cert"), raw.get("tls_key")
    if (cert is None) != (key is None):
        bad("tls_cert" if cert is not None else "tls_key", "tls_cert and tls_key go together")
    for k, v in (("tls_cert", cert), ("tls_key", key)):
        if v is not None and (not isinstance(v, str) or not v):
            bad(k, "must be a file path")
    secure = raw.get("secure_cookie", cert is not None)
    if not isinstance(secure, bool):
        bad("secure_cookie", "must be true or false")
    return DeskConfig(path=path, host=host, port=int(port), gateway=gateway, clerks=clerks,
                      ice_servers=tuple(servers), ice_transport_policy=policy, tls_cert=cert, tls_key=key,
                      secure_cookie=secure)
