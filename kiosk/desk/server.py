"""The console's web server: the page and the two JavaScript files it loads (Debian's
libjs-janus-gateway and libjs-webrtc-adapter), on the address it is given (loopback by default).
A browser grants the camera only to a page from http://127.0.0.1 or https://."""
from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

STATIC = Path(__file__).with_name("static")
JS = {"/js/janus.js": "/usr/share/javascript/janus-gateway/janus.js",
      "/js/adapter.min.js": "/usr/share/javascript/webrtc-adapter/adapter.min.js"}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 — http.server's name
        path = self.path.split("?", 1)[0]
        if path in ("/", "/console.html"):
            self._send(STATIC / "console.html", "text/html; charset=utf-8")
        elif path in JS:
            self._send(Path(JS[path]), "text/javascript; charset=utf-8")
        else:
            self.send_error(404)

    def _send(self, file: Path, ctype: str) -> None:
        try:
            body = file.read_bytes()
        except OSError:
            self.send_error(404, f"{file.name} is not installed")
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):  # the console's requests are not the kiosk's log
        pass


class DeskServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._httpd = http.server.ThreadingHTTPServer((host, port), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "DeskServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="kiosk-desk", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)


def missing() -> list[str]:
    """The Debian files the page needs that are not installed."""
    return [f for f in JS.values() if not os.path.exists(f)]
