"""视频帮办 end to end: the kiosk's aiortc client (kiosk/devices/videodesk.JanusDesk) and the clerk's
console (kiosk-desk: login, then the page with the browser's own WebRTC through janus.js) in
headless Chromium (Debian, driven by Playwright, fake camera and microphone), through a real Janus —
all inside the test's own network namespace (WebRTC media refuses loopback; signalling on the
namespace's 127.0.0.1). One namespace, gateway, console server and browser for the module; each
test has its own desk (room) and its own clerk, in a fresh browser context (no cookies).

Proved here, per docs/videocall.md: login is required (the page and its API refuse without a
session; a wrong password is refused); the queue shows the kiosk waiting; media both ways (frames
decoded and audio energy on both sides); the kiosk's context and a step change reach the console;
a note typed in the console arrives at the kiosk's listener; a material the kiosk shows appears as
pages; hang-up from either side; the resident's unmasked ID number never reaches the page (every
WebSocket frame, HTTP response and data-channel message it receives). A clerk who never answers is
HelpCall's timeout with an injected clock (tests/unit/test_call.py)."""
from __future__ import annotations

import importlib.util
import io
import json
import queue
import shutil
import threading
import urllib.error
import urllib.request

import pytest

from kiosk.desk.clerks import Clerk, hash_password, render
from kiosk.desk.config import parse_desk_config
from kiosk.desk.server import DeskServer, missing
from tests.support import janus as gw
from tests.support import netns

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
why = netns.usable() or ("" if gw.janus_binary() else "janus is not installed (deploy/bootstrap.sh installs it)") \
    or ("" if importlib.util.find_spec("aiortc") else "aiortc is not installed") \
    or ("" if shutil.which("chromium") else "Debian chromium is not installed") \
    or ("" if importlib.util.find_spec("playwright") else "playwright is not installed") \
    or ("; ".join(missing()) + " not installed" if missing() else "")
pytestmark = pytest.mark.skipif(bool(why), reason=why)

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream",
         "--use-fake-ui-for-media-stream", "--disable-features=WebRtcHideLocalIpsWithMdns",
         "--autoplay-policy=no-user-gesture-required"]  # the kiosk's voice plays: its energy is measured
WAIT = 20.0  # seconds for real network I/O to happen (never a timeout the test relies on)
PASSWORD = "Zhang-San-Desk-2026"
DESKS = ("desk-login", "desk-media", "desk-kiosk-hangs-up", "desk-privacy", "desk-north", "desk-south")

# Every data-channel message the page receives, whoever reads it (janus.js sets onmessage). The page
# runs under its Content-Security-Policy (no eval): waits are polled with page.evaluate.
HOOK = """
window.__wire = [];
(() => {
  const P = RTCDataChannel.prototype, d = Object.getOwnPropertyDescriptor(P, "onmessage");
  Object.defineProperty(P, "onmessage", { configurable: true, get() { return d.get.call(this); },
    set(fn) { d.set.call(this, fn && ((e) => { window.__wire.push(String(e.data)); return fn.call(this, e); })); } });
  const add = P.addEventListener;
  P.addEventListener = function (type, fn, ...rest) {
    if (type === "message") { const f = fn; fn = (e) => { window.__wire.push(String(e.data)); return f.call(this, e); }; }
    return add.call(this, type, fn, ...rest);
  };
})();
"""


def context(**kw):
    from kiosk.ports import CallContext
    base = dict(kiosk_id="demo-dachang-01", site="大厂", step="form", matter_code="TZ-YB-001",
                matter_name="城乡居民医保参保登记", jurisdiction="tongzhou")
    return CallContext(**{**base, **kw})


class Heard:
    """The kiosk's CallListener: what it heard, in order, with an event per kind."""

    def __init__(self):
        self.log: list = []
        self.events = {k: threading.Event() for k in ("queued", "answered", "ended", "note")}

    def queued(self, position):
        self._got("queued", position)

    def answered(self, clerk=""):
        self._got("answered", clerk)

    def ended(self, why):
        self._got("ended", why)

    def note(self, text):
        self._got("note", text)

    def _got(self, kind, value):
        self.log.append((kind, value))
        self.events[kind].set()

    def wait(self, kind):
        assert self.events[kind].wait(WAIT), f"no {kind} within {WAIT} s: {self.log}"


def wait_for(cond, what):
    ev = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        if cond():
            return
        ev.wait(0.05)
    raise AssertionError(f"not within {WAIT} s: {what}")


class InNamespace:
    """One thread inside the namespace running what it is handed, in order: Playwright's sync API
    stays on the thread that started it, and everything that opens sockets must be inside."""

    def __init__(self, ns: str):
        self.jobs: queue.Queue = queue.Queue()
        threading.Thread(target=netns.in_namespace, args=(ns, self._run), kwargs={"timeout": 24 * 3600},
                         daemon=True, name="in-ns").start()

    def _run(self):
        while True:
            fn, box, done = self.jobs.get()
            if fn is None:
                done.set()
                return
            try:
                box["value"] = fn()
            except BaseException as e:  # noqa: BLE001 — re-raised on the test's thread
                box["error"] = e
            done.set()

    def __call__(self, fn, timeout: float = 120.0):
        box, done = {}, threading.Event()
        self.jobs.put((fn, box, done))
        if not done.wait(timeout):
            raise TimeoutError(f"{getattr(fn, '__name__', fn)} still running after {timeout} s")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def stop(self):
        done = threading.Event()
        self.jobs.put((None, {}, done))
        done.wait(10)


def desk_config(tmp, url, *, clerks_text, extra=""):
    (tmp / "clerks.toml").write_text(clerks_text, encoding="utf-8")
    text = f'listen = "127.0.0.1:0"\ngateway = "{url}"\nclerks = "clerks.toml"\n{extra}'
    (tmp / "desk.toml").write_text(text, encoding="utf-8")
    return parse_desk_config(text, str(tmp / "desk.toml"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Janus in a namespace, the console's server and one Chromium inside it, and the kiosk's desk.
    One clerk per desk (clerk-<desk>), all with PASSWORD (hashed once)."""
    from playwright.sync_api import sync_playwright

    from kiosk.devices.videodesk import JanusDesk

    tmp = tmp_path_factory.mktemp("desk")
    hashed = hash_password(PASSWORD)
    clerks = {f"clerk-{d}": Clerk(f"clerk-{d}", f"王老师{i}", (d,), hashed) for i, d in enumerate(DESKS)}
    clerks["clerk-both"] = Clerk("clerk-both", "赵老师", ("desk-north", "desk-south"), hashed)
    with netns.namespace() as ns, gw.gateway(ns, str(tmp / "janus")) as (url, proc):
        inside = InNamespace(ns)
        cfg = desk_config(tmp, url, clerks_text=render(clerks))
        server = inside(lambda: DeskServer(cfg).start())
        desk = JanusDesk(url)
        netns.in_namespace(ns, desk._loop._ensure)
        box = {}

        def launch():
            box["pw"] = sync_playwright().start()
            box["browser"] = box["pw"].chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        inside(launch)
        try:
            yield dict(ns=ns, url=url, proc=proc, server=server, desk=desk, inside=inside, browser=box["browser"])
        finally:
            desk.close()
            inside(lambda: (box["browser"].close(), box["pw"].stop()))
            inside(server.close)
            inside.stop()


def open_console(site, desk, *, log_in=True, wire=None, login=None):
    """A fresh browser context (no cookies) on the console; logged in as the desk's clerk. Runs on
    the namespace's thread (call it through site["inside"])."""
    ctx = site["browser"].new_context()
    page = ctx.new_page()
    page.add_init_script(HOOK)
    if wire is not None:
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: wire["ws"].append(payload)))
        page.on("response", lambda r: wire["responses"].append(r))
    page.goto(site["server"].url)
    assert page.url.endswith("/login"), page.url
    if log_in:
        page.fill("#login", login or f"clerk-{desk}")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():  # a wait begun on the login page would watch a page that is gone
            page.click("#submit")
        until(page, "window.deskState && window.deskState.state === 'watching'")
    return ctx, page


def until(page, expression: str) -> None:
    """Wait until a JavaScript expression is true in the page, polled with page.evaluate (Playwright's
    wait_for_function, right after the login's navigation, at times never saw a true predicate)."""
    wait_for(lambda: page.evaluate(expression), f"{expression} on the console")


def stats(page):
    return page.evaluate("window.deskStats()")


def wait_flowing(page, frames=10):
    """Frames decoded and audio energy at the console (getStats is async: polled from here, since a
    wait_for_function predicate that returns a promise counts as true at once)."""
    wait_for(lambda: (lambda s: s["framesDecoded"] >= frames and s["audioEnergy"] > 0)(stats(page)),
             "the kiosk's media at the console")


def jpeg_page(text: str, size=(900, 1200)) -> bytes:
    """A scanned page as the kiosk keeps it: a JPEG of a few tens of KB (several parts on the wire)."""
    import random

    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    rnd = random.Random(text)
    for y in range(40, size[1] - 40, 24):  # lines of "text": noise enough that the JPEG is not tiny
        d.line([(40, y), (40 + rnd.randint(200, size[0] - 80), y)], fill=(rnd.randint(0, 90),) * 3, width=3)
    d.text((60, 10), text, fill="black")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


# ---- login ----------------------------------------------------------------------------------------
def test_without_a_session_the_page_and_its_api_refuse_and_a_wrong_password_is_refused(site):
    base = site["server"].url

    def plain_http():
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **kw):
                return None
        opener = urllib.request.build_opener(NoRedirect)
        out = {}
        for path in ("", "console.js", "api/me", "js/janus.js", "js/adapter.min.js", "anything"):
            try:
                r = opener.open(base + path, timeout=5)
                out[path] = (r.status, r.headers.get("Location"))
            except urllib.error.HTTPError as e:
                out[path] = (e.code, e.headers.get("Location"))
        try:
            opener.open(urllib.request.Request(base + "login", data=b"login=clerk-desk-login&password=wrong-one",
                                               method="POST"), timeout=10)
        except urllib.error.HTTPError as e:
            out["wrong"] = (e.code, e.headers.get("Set-Cookie"))
        return out

    got = site["inside"](plain_http)
    assert got[""] == (303, "/login")
    for path in ("console.js", "api/me", "js/janus.js", "js/adapter.min.js", "anything"):
        assert got[path][0] == 401, (path, got[path])
    assert got["wrong"] == (401, None)

    def in_browser():
        ctx, page = open_console(site, "desk-login", log_in=False)
        try:
            page.fill("#login", "clerk-desk-login")
            page.fill("#password", "not-the-password")
            page.click("#submit")
            wrong_shown = page.is_visible("[data-message=wrong]")
            no_cookie = ctx.cookies() == []
            api = page.evaluate("fetch('/api/me').then((r) => r.status)")
            page.fill("#login", "clerk-desk-login")
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("#submit")
            until(page, "window.deskState && window.deskState.state === 'watching'")
            cookie = ctx.cookies()[0]
            me = page.evaluate("fetch('/api/me').then((r) => r.json())")
            page.click("#logout")
            page.wait_for_url("**/login")
            after = page.evaluate("fetch('/api/me').then((r) => r.status)")
            return wrong_shown, no_cookie, api, cookie, me, after
        finally:
            ctx.close()

    wrong_shown, no_cookie, api, cookie, me, after = site["inside"](in_browser)
    assert wrong_shown and no_cookie and api == 401
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    assert len(cookie["value"]) >= 40 and PASSWORD not in cookie["value"]
    assert me["desks"] == ["desk-login"] and me["gateway"] == site["url"] and "password" not in json.dumps(me)
    assert after == 401  # logged out: the session is gone on the server, not only in the browser


# ---- the call ---------------------------------------------------------------------------------------
def test_kiosk_and_the_clerks_console_in_chromium_exchange_media_both_ways(site):
    """The first slice's proof, now through login and the queue: media both ways; then the kiosk's
    context and a step change, a note to the kiosk, a material to the console; the clerk hangs up."""
    from kiosk.ports import SharedMaterial

    desk, heard = site["desk"], Heard()
    call = desk.call("desk-media", context(), heard)
    heard.wait("queued")
    pages = (jpeg_page("page one"), jpeg_page("page two"))

    def clerk():
        ctx, page = open_console(site, "desk-media")
        try:
            until(page, "window.deskState.queue.length === 1")
            queued = page.evaluate("window.deskState.queue[0]")
            row = page.inner_text("#queue tbody tr")
            page.click("#answer")
            until(page, "window.deskState.state === 'in_call'")
            wait_flowing(page)
            heard.wait("answered")
            wait_for(lambda: call.peer.stats["video_in"] >= 10 and call.peer.stats["audio_in"] >= 20,
                     f"the console's media at the kiosk: {call.peer.stats}")
            media = stats(page)
            kiosk_seen = page.evaluate("window.deskState.kiosk")
            until(page, "window.deskState.context && window.deskState.context.step === 'form'")
            call.update(context(step="scan"))
            until(page, "window.deskState.context.step === 'scan'")
            step_shown = page.inner_text("#ctx-step")
            page.click(".phrase >> nth=0")  # 请补扫户口本首页
            page.click("#note-send")
            heard.wait("note")
            page.fill("#note-text", "请核对手机号码 139****5678")
            page.click("#note-send")
            wait_for(lambda: len([k for k, _ in heard.log if k == "note"]) == 2, f"the second note: {heard.log}")
            call.show(SharedMaterial(code="HKB", name="户口本", pages=pages))
            until(page, "window.deskState.materials.length === 1 && window.deskState.materials[0].shown === 2")
            shown = page.evaluate("[...document.querySelectorAll('#materials img')].map((i) => "
                                  "[i.naturalWidth, i.naturalHeight, i.dataset.page])")
            material = page.evaluate("window.deskState.materials[0]")
            page.click("#hangup")
            heard.wait("ended")
            end = page.evaluate("[window.deskState.state, window.deskState.ended_by]")
            ended_text = page.inner_text("#ended")
            return queued, row, media, kiosk_seen, step_shown, shown, material, end, ended_text
        finally:
            ctx.close()

    queued, row, media, kiosk_seen, step_shown, shown, material, end, ended_text = site["inside"](clerk, timeout=150)
    assert (queued["site"], queued["kiosk_id"], queued["matter_code"], queued["step"]) == \
        ("大厂", "demo-dachang-01", "TZ-YB-001", "form")
    assert "城乡居民医保参保登记" in row and "demo-dachang-01" in row
    assert media["framesDecoded"] >= 10 and media["audioEnergy"] > 0, media  # the kiosk's pattern and tone
    assert call.peer.stats["audio_peak"] > 0.01, call.peer.stats  # Chromium's fake microphone beeps
    assert kiosk_seen["kiosk_id"] == "demo-dachang-01" and kiosk_seen["step"] == "form"
    assert step_shown == "scan"
    notes = [v for k, v in heard.log if k == "note"]
    assert notes == ["请补扫户口本首页", "请核对手机号码 139****5678"]
    assert (material["code"], material["name"], material["pages"], material["shown"]) == ("HKB", "户口本", 2, 2)
    assert [(w, h, p) for w, h, p in shown] == [(900, 1200, "1"), (900, 1200, "2")]
    assert end == ["ended", "clerk"] and "通话已结束" in ended_text
    assert heard.log[-1] == ("ended", "clerk")


def test_the_kiosk_hangs_up_and_the_console_shows_the_call_ended(site):
    """Also: what a kiosk sends is shown as text, never markup, and a malformed message is ignored."""
    from kiosk.ports import SharedMaterial

    desk, heard = site["desk"], Heard()
    call = desk.call("desk-kiosk-hangs-up", context(kiosk_id="demo-xianghe-02", site="香河"), heard)
    heard.wait("queued")
    hostile = '<img src=x onerror="window.__pwned=1">'

    def clerk():
        ctx, page = open_console(site, "desk-kiosk-hangs-up")
        try:
            page.wait_for_selector("#queue .answer-one", timeout=WAIT * 1000)
            page.click("#queue .answer-one")  # this one, chosen from the queue
            wait_flowing(page, 5)
            heard.wait("answered")
            until(page, "window.deskState.context !== null && !document.querySelector('#note-send').disabled")
            call.loop.call_soon(call.peer._transmit, "not json {")
            call.loop.call_soon(call.peer._transmit, '{"type": "material", "id": "x", "page": 1}')
            call.show(SharedMaterial(code="X", name=hostile, pages=(jpeg_page("x", (60, 80)),)))
            until(page, "window.deskState.materials.length === 1 && window.deskState.materials[0].shown === 1")
            safe = page.evaluate("[window.__pwned, document.querySelector('.material-name').textContent,"
                                 " document.querySelectorAll('#materials img').length, window.deskState.malformed]")
            call.hang_up(wait=WAIT)
            until(page, "window.deskState.state === 'ended'")
            return page.evaluate("[window.deskState.ended_by, window.deskState.queue.length]"), \
                page.is_visible("#ended"), page.inner_text("#ended"), safe
        finally:
            ctx.close()

    (by, waiting), visible, text, safe = site["inside"](clerk)
    assert by == "kiosk" and waiting == 0 and visible and "群众已挂断" in text
    pwned, name, images, malformed = safe
    assert pwned is None and name.startswith(hostile) and images == 1 and malformed == 2
    assert ("ended", "clerk") not in heard.log  # the kiosk's own hang-up reports nothing


# ---- privacy on the wire ----------------------------------------------------------------------------
def test_the_console_never_receives_the_unmasked_id_number(site, tmp_path):
    """The resident's journey holds an identity (ID number and name) when they call; everything the
    console's page receives — WebSocket frames from the gateway, HTTP responses from kiosk-desk,
    data-channel messages from the kiosk (context on each step, a material) — is collected and
    searched for the ID number."""
    from kiosk.ports import SharedMaterial
    from tests.support.calljourney import CallJourney
    from tests.support.fakes import RESIDENT

    call_site = CallJourney(site["ns"], site["url"], "desk-privacy", str(tmp_path / "data"))
    services, journey, pump_until = call_site.services, call_site.journey, call_site.until

    wire = {"ws": [], "responses": []}
    try:
        journey.fire("start")
        journey.fire("card_read", identity=RESIDENT, source="idreader")
        journey.fire("pick", matter=services.catalog.get("TZ-YB-001"))
        journey.fire("next")
        assert journey.snapshot().state == "form" and journey.snapshot().identity.id_number == RESIDENT.id_number
        journey.help()
        journey.call.agree()
        pump_until(lambda: journey.snapshot().call.state == "waiting", "queued")
        go = threading.Event()
        done = threading.Event()

        def clerk():
            ctx, page = open_console(site, "desk-privacy", wire=wire)
            try:
                until(page, "window.deskState.queue.length === 1")
                page.click("#answer")
                wait_flowing(page, 5)
                until(page, "window.deskState.context && window.deskState.context.matter_code")
                go.set()
                until(page, "window.deskState.materials.length === 1 && window.deskState.materials[0].shown === 1")
                page.click("#hangup")
                channel = page.evaluate("window.__wire")
                bodies = []
                for r in wire["responses"]:
                    try:
                        bodies.append(r.body().decode("utf-8", "replace"))
                    except Exception:  # noqa: BLE001 — a redirect has no body
                        bodies.append("")
                return channel, bodies
            finally:
                ctx.close()
                done.set()

        box = {}
        t = threading.Thread(target=lambda: box.update(r=site["inside"](clerk, timeout=150)), daemon=True)
        t.start()
        pump_until(lambda: go.is_set(), "the console in the call")
        services.video.last.show(SharedMaterial(code="SFZ", name="身份证复印件", pages=(jpeg_page("copy"),)))
        pump_until(lambda: done.is_set(), "the console done")
        t.join(WAIT)
        channel, bodies = box["r"]
    finally:
        services.close()

    frames = [f if isinstance(f, str) else f.decode("utf-8", "replace") for f in wire["ws"]]
    assert any('"role\\":\\"kiosk' in f or '"role":"kiosk' in f for f in frames), "the kiosk's display was seen"
    assert any('"type":"context"' in m.replace(" ", "") for m in channel), channel[:3]
    assert any('"type":"material"' in m.replace(" ", "") for m in channel)
    assert any("window.deskState" in b for b in bodies)  # console.js among the responses
    for text in frames + channel + bodies:
        assert RESIDENT.id_number not in text and RESIDENT.name not in text


# ---- the queue across desks, and two clerks ---------------------------------------------------------
def test_the_queue_spans_the_clerks_desks_and_a_taken_kiosk_leaves_every_queue(site):
    """Zhao watches two desks, Wang one of them. Two kiosks wait, one at each desk: Zhao sees both (in
    the order they came), Wang sees his. Zhao answers the second (chosen, not the first); then Wang
    answers his; the kiosk Wang took leaves Zhao's queue too, and each kiosk has its own clerk."""
    from kiosk.devices.videodesk import JanusDesk

    north, south = Heard(), Heard()
    desk2 = JanusDesk(site["url"])  # a second kiosk
    netns.in_namespace(site["ns"], desk2._loop._ensure)
    calls = []
    try:
        calls.append(site["desk"].call("desk-north", context(kiosk_id="demo-dachang-01"), north))
        north.wait("queued")
        calls.append(desk2.call("desk-south", context(kiosk_id="demo-sanhe-03", site="三河", step="scan"), south))
        south.wait("queued")

        def clerks():
            zctx, zhao = open_console(site, "", login="clerk-both")
            wctx, wang = open_console(site, "desk-north")
            try:
                until(zhao, "window.deskState.queue.length === 2")
                until(wang, "window.deskState.queue.length === 1")
                zq = zhao.evaluate("window.deskState.queue.map((k) => [k.desk, k.kiosk_id])")
                wq = wang.evaluate("window.deskState.queue.map((k) => [k.desk, k.kiosk_id])")
                zhao.click("#queue tbody tr:nth-child(2) .answer-one")
                until(zhao, "window.deskState.state === 'in_call'")
                south.wait("answered")
                zq_after = zhao.evaluate("window.deskState.queue.map((k) => k.kiosk_id)")
                wang.click("#answer")
                until(wang, "window.deskState.state === 'in_call'")
                north.wait("answered")
                until(zhao, "window.deskState.queue.length === 0")
                who = (zhao.evaluate("window.deskState.kiosk.kiosk_id"), wang.evaluate("window.deskState.kiosk.kiosk_id"))
                zhao.click("#hangup")
                wang.click("#hangup")
                south.wait("ended")
                north.wait("ended")
                return zq, wq, zq_after, who
            finally:
                zctx.close()
                wctx.close()

        zq, wq, zq_after, who = site["inside"](clerks, timeout=150)
    finally:
        for c in calls:
            if not c.peer._over:
                c.hang_up(wait=WAIT)
        desk2.close()
    assert zq == [["desk-north", "demo-dachang-01"], ["desk-south", "demo-sanhe-03"]]
    assert wq == [["desk-north", "demo-dachang-01"]]
    assert zq_after == ["demo-dachang-01"]  # answering the second left the first waiting
    assert who == ("demo-sanhe-03", "demo-dachang-01")
    assert dict(north.log)["answered"] == "王老师4" and dict(south.log)["answered"] == "赵老师"
    assert north.log[-1] == ("ended", "clerk") and south.log[-1] == ("ended", "clerk")


# ---- the gateway lost ---------------------------------------------------------------------------------
def test_the_gateway_killed_mid_call_shows_the_network_lost(tmp_path):
    """Janus dies mid-call (SIGKILL): the console ends the call as the network lost, says so, and
    offers nothing to answer until it is back. Its own namespace: the module's gateway lives on."""
    from playwright.sync_api import sync_playwright

    from kiosk.devices.videodesk import JanusDesk

    clerks = {"clerk-desk-lost": Clerk("clerk-desk-lost", "钱老师", ("desk-lost",), hash_password(PASSWORD))}
    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, proc):
        inside = InNamespace(ns)
        server = inside(lambda: DeskServer(desk_config(tmp_path, url, clerks_text=render(clerks))).start())
        desk = JanusDesk(url)
        netns.in_namespace(ns, desk._loop._ensure)
        heard = Heard()
        try:
            desk.call("desk-lost", context(), heard)
            heard.wait("queued")

            def clerk():
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                    try:
                        ctx, page = open_console({"browser": browser, "server": server}, "desk-lost")
                        page.click("#answer")
                        wait_flowing(page, 5)
                        gw.kill(proc)
                        until(page, "window.deskState.ended_by === 'lost'")
                        return (page.evaluate("[window.deskState.state, window.deskState.queue.length]"),
                                page.inner_text("#ended"), page.inner_text("#status"), page.is_disabled("#answer"))
                    finally:
                        browser.close()

            (state, waiting), ended, status, answer_off = inside(clerk, timeout=150)
            heard.wait("ended")
        finally:
            desk.close()
            inside(server.close)
            inside.stop()
    assert state in ("lost", "connecting") and waiting == 0 and answer_off
    assert "网络中断" in ended and "断开" in status
    assert heard.log[-1] == ("ended", "lost")
