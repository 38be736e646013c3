"""The HTTP(S) shell shared by the simulated jurisdictions: a threaded HTTP/1.1 server on
loopback that hands each request to an app function and injects the faults it was told to."""
from __future__ import annotations

import contextlib
import dataclasses
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Mapping, Protocol

from offline_queue.sim.state import HANG_SECONDS, SLOW_SECONDS, JurisdictionState

HANDSHAKE_TIMEOUT = 5.0  # s: a client that never finishes TLS does not hold a thread for ever
IDLE_KEEPALIVE = 30.0  # s: idle keep-alive connections are closed after this


@dataclasses.dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict = dataclasses.field(default_factory=dict)


class App(Protocol):
    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply: ...
    def fault_reply(self, kind: str) -> Reply: ...  # 500/503/429/4xx, soapfault, soapclientfault
    def malformed(self, reply: Reply) -> Reply: ...
    def hostile(self, reply: Reply) -> Reply: ...


_PRE = {"500", "503", "429", "400", "404", "422", "soapfault", "soapclientfault"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "SimServer"

    def setup(self):
        self.server.track(self.request)
        # headers and body leave in separate writes: without NODELAY, Nagle and the client's
        # delayed ACK add 40 ms to every answer on a kept-alive connection
        with contextlib.suppress(OSError):
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request.settimeout(IDLE_KEEPALIVE)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(HANDSHAKE_TIMEOUT)
            self.request.do_handshake()  # a missing or untrusted client certificate fails here
            self.request.settimeout(IDLE_KEEPALIVE)
        super().setup()

    def log_message(self, format, *args):  # requests carry personal data: the sim logs nothing
        pass

    def _reset(self) -> None:
        """Close with a TCP RST: what a cut link or a crashed gateway looks like to the client."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()
        self.close_connection = True

    def _serve(self) -> None:
        st = self.server.state
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = 0
        body = self.rfile.read(n) if n else b""
        if not st.reachable:
            return self._reset()
        kind = st.faults.next()
        if kind == "down":
            return self._reset()
        app = self.server.app
        if kind in _PRE:
            return self._send(app.fault_reply(kind))
        if kind == "slow":
            time.sleep(SLOW_SECONDS)
        reply = app.handle(self.command, self.path, self.headers, body)
        if kind == "timeout":  # processed, but the answer never comes in time
            self.server.stopping.wait(HANG_SECONDS)
            return self._reset()
        if kind == "reset":  # processed, then the connection dies in the middle of the answer
            with contextlib.suppress(OSError):
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"refer")
                self.wfile.flush()
            return self._reset()
        if kind == "malformed":
            reply = app.malformed(reply)
        elif kind == "hostile":
            reply = app.hostile(reply)
        self._send(reply)

    def _send(self, r: Reply) -> None:
        self.send_response(r.status)
        for k, v in r.headers.items():
            self.send_header(k, v)
        if r.status in (429, 503) and "Retry-After" not in r.headers:
            self.send_header("Retry-After", str(self.server.state.retry_after))
        self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        self.wfile.write(r.body)

    do_GET = do_POST = do_PUT = _serve


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, port: int, app: App, state: JurisdictionState, ssl_context: ssl.SSLContext | None = None,
                 host: str = "127.0.0.1"):
        self.app, self.state, self.ssl_context = app, state, ssl_context
        self.stopping = threading.Event()
        super().__init__((host, port), _Handler)
        self._thread: threading.Thread | None = None
        self._conns: set = set()
        self._conns_lock = threading.Lock()

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def track(self, sock) -> None:
        with self._conns_lock:
            self._conns.add(sock)

    def shutdown_request(self, request):
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):  # a client that went away is not news
        pass

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> "SimServer":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"sim-{self.state.code}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        with self._conns_lock:  # kept-alive connections die with the server, as on a real outage
            conns, self._conns = list(self._conns), set()
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                c.close()
        if self._thread:
            self._thread.join(5)


Factory = Callable[[JurisdictionState], App]
