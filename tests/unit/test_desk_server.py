"""kiosk-desk's server (kiosk/desk/server.py) over HTTP on loopback, on a hand-moved clock: nothing
but /login without a session, the session cookie, logout, the lock after wrong passwords (429),
the clerks file read again when it changes, the security headers, and no password or token in
its log."""
import http.client
import json
import logging
import os

import pytest

from kiosk.clock import FakeClock
from kiosk.desk import auth
from kiosk.desk import server as S
from kiosk.desk.clerks import Clerk, hash_password, render
from kiosk.desk.config import parse_desk_config

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def hashed():
    return hash_password(PASSWORD)


@pytest.fixture
def desk(tmp_path, hashed):
    clerks = {"wangfang": Clerk("wangfang", "王芳", ("tongzhou-hall",), hashed)}
    (tmp_path / "clerks.toml").write_text(render(clerks), encoding="utf-8")
    cfg = parse_desk_config('listen = "127.0.0.1:0"\ngateway = "ws://127.0.0.1:8188"\nclerks = "clerks.toml"\n'
                            '[[ice_servers]]\nurls = ["turn:10.0.0.9:3478"]\nusername = "desk"\ncredential = "tc"\n',
                            str(tmp_path / "desk.toml"))
    clock = FakeClock()
    server = S.DeskServer(cfg, clock=clock).start()
    server.clock_ = clock
    yield server
    server.close()


def ask(server, method, path, body=None, cookie=None, headers=None):
    host, port = server._httpd.server_address[:2]
    c = http.client.HTTPConnection(host, port, timeout=10)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = f"{auth.COOKIE}={cookie}"
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    out = (r.status, dict(r.getheaders()), r.read())
    c.close()
    return out


def log_in(server, login="wangfang", password=PASSWORD):
    from urllib.parse import urlencode
    return ask(server, "POST", "/login", urlencode({"login": login, "password": password}))


def token(headers):
    return headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


def test_without_a_session_only_the_login_page_answers(desk):
    code, h, body = ask(desk, "GET", "/")
    assert (code, h["Location"]) == (303, "/login")
    for path in ("/console.html", "/console.js", "/api/me", "/js/janus.js", "/js/adapter.min.js", "/nothing"):
        code, h, _ = ask(desk, "GET", path)
        assert code in (303, 401), path
    assert ask(desk, "POST", "/anything", "")[0] == 401
    code, h, body = ask(desk, "GET", "/login")
    assert code == 200 and "登录" in body.decode() and "Log in" in body.decode()
    assert body.decode().index("用户名") < body.decode().index("Login")  # Chinese first


def test_the_right_password_opens_a_session_with_a_safe_cookie(desk):
    code, h, _ = log_in(desk)
    assert (code, h["Location"]) == (303, "/")
    cookie = h["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert f"Max-Age={int(auth.SESSION_LIFETIME)}" in cookie and "Secure" not in cookie
    t = token(h)
    code, h, body = ask(desk, "GET", "/api/me", cookie=t)
    me = json.loads(body)
    assert code == 200 and me["login"] == "wangfang" and me["name"] == "王芳" and me["desks"] == ["tongzhou-hall"]
    assert me["iceServers"] == [{"urls": ["turn:10.0.0.9:3478"], "username": "desk", "credential": "tc"}]
    assert "password" not in body.decode() and "scrypt" not in body.decode()
    code, h, body = ask(desk, "GET", "/", cookie=t)
    assert code == 200 and b"console.js" in body
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "ws://127.0.0.1:8188" in csp and "frame-ancestors 'none'" in csp
    assert h["Cache-Control"] == "no-store" and h["X-Frame-Options"] == "DENY"
    for path in ("/console.js", "/js/janus.js", "/js/adapter.min.js"):
        if path.startswith("/js/") and S.missing():
            continue
        assert ask(desk, "GET", path, cookie=t)[0] == 200, path


def test_the_session_expires_and_logout_ends_it(desk):
    t = token(log_in(desk)[1])
    desk.clock_.advance(auth.SESSION_LIFETIME)
    assert ask(desk, "GET", "/api/me", cookie=t)[0] == 401
    t = token(log_in(desk)[1])
    code, h, _ = ask(desk, "POST", "/logout", "", cookie=t)
    assert (code, h["Location"]) == (303, "/login") and "Max-Age=0" in h["Set-Cookie"]
    assert ask(desk, "GET", "/api/me", cookie=t)[0] == 401


def test_a_wrong_password_or_login_is_refused_alike(desk):
    a = log_in(desk, password="wrong password")
    b = log_in(desk, login="nobody")
    for code, h, body in (a, b):
        assert code == 401 and "Set-Cookie" not in h
        assert 'data-message="wrong"' in body.decode() and 'data-message="wrong" hidden' not in body.decode()


def test_a_cross_site_form_is_refused(desk):
    from urllib.parse import urlencode
    code, h, _ = ask(desk, "POST", "/login", urlencode({"login": "wangfang", "password": PASSWORD}),
                     headers={"Origin": "http://evil.example"})
    assert code == 403 and "Set-Cookie" not in h


def test_repeated_wrong_passwords_lock_the_login_then_it_opens_again(desk, monkeypatch):
    checked = []
    real = S.verify_password

    def verify(pw, stored):  # the wrong ones need no scrypt here
        checked.append(pw == PASSWORD)
        return real(pw, stored) if pw == PASSWORD else False
    monkeypatch.setattr(S, "verify_password", verify)
    for _ in range(auth.LOGIN_FREE):
        assert log_in(desk, password="wrong password")[0] == 401
    code, h, body = log_in(desk)  # the right password, but locked: not even checked
    assert code == 429 and int(h["Retry-After"]) == int(auth.LOCK_FIRST) + 1 and "Set-Cookie" not in h
    assert 'data-message="locked"' in body.decode() and checked == [False] * auth.LOGIN_FREE
    desk.clock_.advance(auth.LOCK_FIRST)
    assert log_in(desk)[0] == 303


def test_the_clerks_file_is_read_again_and_a_removed_clerk_loses_the_session(desk, hashed, tmp_path):
    t = token(log_in(desk)[1])
    f = tmp_path / "clerks.toml"
    f.write_text(render({"lisi": Clerk("lisi", "李四", ("xianghe-hall",), hashed)}), encoding="utf-8")
    os.utime(f, ns=(1, 1))  # a change the stat sees even within one clock tick
    assert ask(desk, "GET", "/api/me", cookie=t)[0] == 401
    assert log_in(desk, login="lisi")[0] == 303
    f.write_text("[clerks.broken\n")  # a broken file: the last good one is kept
    os.utime(f, ns=(2, 2))
    assert log_in(desk, login="lisi")[0] == 303


def test_no_password_or_token_in_the_log(desk, caplog):
    with caplog.at_level(logging.DEBUG):
        t = token(log_in(desk)[1])
        log_in(desk, password="wrong password")
        ask(desk, "GET", "/api/me", cookie=t)
        ask(desk, "POST", "/logout", "", cookie=t)
    text = caplog.text
    assert "wangfang logged in" in text and "refused" in text and "logged out" in text
    assert PASSWORD not in text and "wrong password" not in text and t not in text


def self_signed(folder):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "k.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    return folder / "c.pem", folder / "k.pem"


def test_with_a_certificate_it_serves_https_and_the_cookie_is_secure(tmp_path, hashed):
    import ssl
    from urllib.parse import urlencode

    cert, key = self_signed(tmp_path)
    (tmp_path / "clerks.toml").write_text(render({"wangfang": Clerk("wangfang", "王芳", ("d",), hashed)}))
    cfg = parse_desk_config(f'listen = "127.0.0.1:0"\ngateway = "wss://127.0.0.1:8989"\nclerks = "clerks.toml"\n'
                            f'tls_cert = "{cert}"\ntls_key = "{key}"\n', str(tmp_path / "desk.toml"))
    server = S.DeskServer(cfg, clock=FakeClock()).start()
    try:
        assert server.url.startswith("https://127.0.0.1:")
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        c = http.client.HTTPSConnection(*server._httpd.server_address[:2], timeout=10, context=ctx)
        c.request("POST", "/login", urlencode({"login": "wangfang", "password": PASSWORD}),
                  {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        assert r.status == 303 and r.getheader("Set-Cookie").endswith("; Secure")
        c.close()
    finally:
        server.close()
