"""The console's web server: the login page, then (with a session) the console page, its script,
the two JavaScript files it loads (Debian's libjs-janus-gateway and libjs-webrtc-adapter) and
/api/me (the clerk, their desks, the gateway and the ICE servers). Without a session every path
but /login answers 401 (the page itself: a redirect to /login). HTTPS when the config names a
certificate; a browser grants the camera only to a page from https:// or http://127.0.0.1.

Routes:  GET /login · POST /login (login, password: form fields) · POST /logout · GET / ·
GET /console.js · GET /js/janus.js · GET /js/adapter.min.js · GET /api/me.
The clerks file is read again when it changes (add-clerk needs no restart); a clerk removed from
it loses their sessions at their next request. Logged: logins (accepted, refused, locked) by login
and client address; never a password, a token or a cookie."""
from __future__ import annotations

import http.server
import json
import logging
import os
import ssl
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kiosk.clock import Clock, SystemClock
from kiosk.desk import auth
from kiosk.desk.clerks import PASSWORD_MAX, Clerk, load_clerks, verify_password
from kiosk.desk.config import DeskConfig
from kiosk.errors import ConfigError

log = logging.getLogger("kiosk.desk")

STATIC = Path(__file__).with_name("static")
JS = {"/js/janus.js": "/usr/share/javascript/janus-gateway/janus.js",
      "/js/adapter.min.js": "/usr/share/javascript/webrtc-adapter/adapter.min.js"}
FORM_MAX = 4096  # bytes of a login form
# A hash of a password nobody has, verified for an unknown login so that it costs what a known one costs.
_NOBODY = "scrypt$131072$8$1$bm9ib2R5LW5vYm9keS0xMjM0$ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="


class Clerks:
    """The clerks file, read again when its modification time or size changes."""

    def __init__(self, path: str):
        self.path = path
        self._stamp = None
        self._clerks: dict[str, Clerk] = {}
        self._lock = threading.Lock()
        if not os.path.exists(path):
            raise ConfigError(path, "no clerks file: add a clerk with kiosk-desk add-clerk")
        self.get("")  # read now: a broken file stops the server at start

    def get(self, login: str) -> Clerk | None:
        with self._lock:
            try:
                st = os.stat(self.path)
                stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            except OSError:
                stamp = None
            if stamp != self._stamp:
                try:
                    self._clerks = load_clerks(self.path) if stamp is not None else {}
                except (ConfigError, OSError) as e:
                    if self._stamp is None:
                        raise
                    log.error("kiosk-desk: clerks file not re-read, keeping the last good one: %s", e)
                self._stamp = stamp
            return self._clerks.get(login)


class DeskServer:
    def __init__(self, config: DeskConfig, *, clock: Clock | None = None, host: str | None = None,
                 port: int | None = None):
        self.config = config
        self.clock = clock or SystemClock()
        self.clerks = Clerks(config.clerks)
        self.sessions = auth.Sessions(self.clock)
        self.throttle = auth.Throttle(self.clock)
        self.verifying = threading.Semaphore(1)  # scrypt at 128 MiB: one at a time
        handler = type("Handler", (_Handler,), {"desk": self})
        self._httpd = http.server.ThreadingHTTPServer((config.host if host is None else host,
                                                       config.port if port is None else port), handler)
        self._httpd.daemon_threads = True
        self.tls = bool(config.tls_cert)
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(config.tls_cert, config.tls_key)
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}/"

    def start(self) -> "DeskServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="kiosk-desk", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    # ---- login -------------------------------------------------------------------------------------
    def log_in(self, login: str, password: str, addr: str) -> tuple[str, str | float]:
        """("ok", token) | ("wrong", "") | ("locked", seconds to wait)."""
        keys = (("login", login), ("addr", addr))
        wait = self.throttle.wait(*keys)
        if wait > 0:
            log.warning("kiosk-desk: login %r from %s refused: locked for %d s more", login[:32], addr, wait)
            return "locked", wait
        clerk = self.clerks.get(login)
        with self.verifying:
            ok = verify_password(password, clerk.password if clerk else _NOBODY) and clerk is not None
        if not ok:
            self.throttle.failed(*keys)
            log.warning("kiosk-desk: login %r from %s refused: wrong login or password", login[:32], addr)
            return "wrong", ""
        self.throttle.succeeded(*keys)
        log.info("kiosk-desk: %s logged in from %s", login, addr)
        return "ok", self.sessions.open(login)

    def clerk_of(self, token: str | None) -> Clerk | None:
        s = self.sessions.get(token)
        if s is None:
            return None
        clerk = self.clerks.get(s.login)
        if clerk is None:
            self.sessions.close_login(s.login)
        return clerk


def missing() -> list[str]:
    """The Debian files the page needs that are not installed."""
    return [f for f in JS.values() if not os.path.exists(f)]


class _Handler(http.server.BaseHTTPRequestHandler):
    desk: DeskServer
    server_version = "kiosk-desk"
    sys_version = ""

    # ---- routing -----------------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802 — http.server's name
        path = urlsplit(self.path).path
        if path == "/login":
            return self._login_page("" if self._clerk() is None else "in")
        clerk = self._clerk()
        if clerk is None:
            if path in ("/", "/console.html"):
                return self._redirect("/login")
            return self._status(401, "log in first")
        if path in ("/", "/console.html"):
            self._file(STATIC / "console.html", "text/html; charset=utf-8")
        elif path == "/console.js":
            self._file(STATIC / "console.js", "text/javascript; charset=utf-8")
        elif path in JS:
            self._file(Path(JS[path]), "text/javascript; charset=utf-8")
        elif path == "/api/me":
            body = {"login": clerk.login, "name": clerk.name, "desks": list(clerk.desks),
                    **self.desk.config.for_browser()}
            self._send(200, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")
        else:
            self._status(404, "not found")

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        if not self._same_origin():
            return self._status(403, "cross-origin request refused")
        if path == "/login":
            return self._log_in()
        if path == "/logout":
            token = auth.token_from(self.headers.get("Cookie"))
            clerk = self.desk.clerk_of(token)
            self.desk.sessions.close(token)
            if clerk is not None:
                log.info("kiosk-desk: %s logged out", clerk.login)
            return self._redirect("/login", cookie=auth.cleared_cookie_header(secure=self.desk.config.secure_cookie))
        if self._clerk() is None:
            return self._status(401, "log in first")
        self._status(404, "not found")

    def _log_in(self):
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = -1
        if not 0 <= n <= FORM_MAX:
            return self._status(413, "form too large")
        form = parse_qs(self.rfile.read(n).decode("utf-8", "replace"), max_num_fields=8)
        login = (form.get("login") or [""])[0].strip().lower()
        password = (form.get("password") or [""])[0]
        if not login or not password or len(password) > PASSWORD_MAX:
            return self._login_page("wrong", 401)
        result, value = self.desk.log_in(login, password, self.client_address[0])
        del password, form
        if result == "locked":
            return self._login_page("locked", 429, retry_after=int(value) + 1)
        if result == "wrong":
            return self._login_page("wrong", 401)
        max_age = int(self.desk.sessions.remaining(value))
        self._redirect("/", cookie=auth.cookie_header(value, max_age, secure=self.desk.config.secure_cookie))

    # ---- helpers -----------------------------------------------------------------------------------
    def _clerk(self) -> Clerk | None:
        return self.desk.clerk_of(auth.token_from(self.headers.get("Cookie")))

    def _same_origin(self) -> bool:
        """A POST carries Origin (browsers send it); it must be this server (SameSite=Strict does
        the rest). A request without Origin (a command-line client) is let through."""
        origin = self.headers.get("Origin")
        if origin is None:
            return True
        return urlsplit(origin).netloc == (self.headers.get("Host") or "")

    def _login_page(self, message: str, code: int = 200, retry_after: int | None = None):
        html = (STATIC / "login.html").read_text(encoding="utf-8")
        if message:  # the page holds every message, hidden; the one that applies is shown
            html = html.replace(f'data-message="{message}" hidden', f'data-message="{message}"')
        extra = {"Retry-After": str(retry_after)} if retry_after else {}
        self._send(code, html.encode(), "text/html; charset=utf-8", extra)

    def _file(self, file: Path, ctype: str) -> None:
        try:
            body = file.read_bytes()
        except OSError:
            return self._status(404, f"{file.name} is not installed")
        self._send(200, body, ctype)

    def _status(self, code: int, text: str) -> None:
        self._send(code, json.dumps({"error": text}).encode(), "application/json; charset=utf-8")

    def _redirect(self, where: str, cookie: str | None = None) -> None:
        self._send(303, b"", "text/plain", {"Location": where, **({"Set-Cookie": cookie} if cookie else {})})

    def _send(self, code: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        gw = urlsplit(self.desk.config.gateway)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")  # no-referrer would make a form's Origin "null"
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                         f"img-src 'self' data:; media-src 'self' blob: mediastream:; "
                         f"connect-src 'self' {gw.scheme}://{gw.netloc}; frame-ancestors 'none'; "
                         "form-action 'self'; base-uri 'none'")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, fmt, *args):  # requests carry cookies: the server logs its own lines only
        pass
