"""视频帮办 on the demo site: a Janus gateway of the demo's own, in a network namespace the demo
makes (WebRTC refuses loopback for media: lo + a veth pair, nothing routed outside), the kiosk's
call thread and the scripted clerk moved into it, and the site's config given a [video] section
naming that gateway. Where it cannot run (no `janus`, not root, no `ip`, no aiortc, Janus would
not start) the site has no [video]: the help button says video help is not available here (ask
the hall's staff), and nothing else changes. KIOSK_DEMO_VIDEO=0 plays it so on any machine.

    video = DemoVideo.start(config)        # never raises: video.why says what is missing
    services = build(video.config, factories=video.factories(), ...)
    clerk = video.clerk("dachang-desk")    # drivers/videocall/clerk.py's DeskClerk, in the namespace
    video.close()                          # clerks, gateway, namespace: nothing outlives the demo

close() runs on the way out of the demo, on Ctrl-C and on SIGTERM too (the handler start() sets
raises SystemExit on the main thread). Killed outright (SIGKILL), Janus dies with the demo (its
parent-death signal) and the next demo removes the namespace left behind."""
from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
import shutil
import signal
import threading
from typing import Any, Callable

from kiosk.config import Config, parse_config

log = logging.getLogger("kiosk.demo")

PORT = 8188  # in the namespace: nothing else listens there
SITE_DESK = "dachang-hall"  # the hall's own desk: called before a matter is chosen, and for Sanhe and Xianghe
DESKS = {"tongzhou": "tongzhou-desk", "dachang": "dachang-desk"}  # the jurisdictions' own clerks
ANSWER_TIMEOUT = 60  # seconds a demo call waits for a clerk
NS_PREFIX = "kdemo"  # + the demo's pid
CLERK_NAME = "王老师"


def _why_not() -> str:
    from drivers.videocall.gateway import why_not

    why = why_not(netns=True)
    if not why and importlib.util.find_spec("aiortc") is None:
        why = "aiortc is not installed"
    return why


class DemoVideo:
    def __init__(self, config: Config, *, why: str = "", namespace: Any = None, gateway: Any = None):
        self.config, self.why = config, why
        self.namespace, self.gateway = namespace, gateway
        self._loops: list = []
        self._clerks: list = []
        self._old_term: Any = None
        self._serving: threading.Event | None = None
        self._closed = False

    @property
    def available(self) -> bool:
        """The site has video help (its config has [video])."""
        return bool(self.config.video.gateway)

    @property
    def enter(self) -> Callable[[], None] | None:
        """Moves the calling thread into the gateway's namespace (None: no namespace)."""
        return self.namespace.enter if self.namespace is not None else None

    # ---- start --------------------------------------------------------------------------------
    @classmethod
    def start(cls, config: Config) -> "DemoVideo":
        """The demo's gateway when it can run here; else the site as it is (no video help)."""
        if config.video.gateway:  # the site names a gateway of its own: the demo starts none
            return cls(config)
        why = "turned off (KIOSK_DEMO_VIDEO=0)" if os.environ.get("KIOSK_DEMO_VIDEO", "1") == "0" else _why_not()
        if why:
            log.warning("demo: 视频帮办 not available (the help button says to ask the hall's staff): %s", why)
            return cls(config, why=why)
        from drivers.videocall.gateway import Gateway, Namespace

        video = cls(config)
        video._catch_sigterm()
        try:
            video.namespace = Namespace.make(NS_PREFIX)
            os.makedirs(config.data_folder, mode=0o700, exist_ok=True)
            folder = os.path.join(config.data_folder, "janus")
            shutil.rmtree(folder, ignore_errors=True)  # a killed demo's
            video.gateway = Gateway(folder, PORT, netns=video.namespace.name, remove_folder=True).start()
            video.config = with_video(config, video.gateway.url)
        except Exception as e:  # noqa: BLE001 — the demo runs on without video help
            log.warning("demo: 视频帮办 not available: the gateway did not start: %s", e)
            video.close()
            return cls(config, why=f"the gateway did not start: {e}")
        log.info("demo: 视频帮办 gateway %s in namespace %s", video.gateway.url, video.namespace.name)
        return video

    def factories(self) -> dict[str, Callable[..., Any]]:
        """The composition root's video adapter with its call thread in the namespace."""
        if not self.available or self.namespace is None:
            return {}
        enter = self.enter

        def video(config: Config):
            from kiosk.devices.videodesk import JanusDesk

            v = config.video
            return JanusDesk(v.gateway, camera=v.camera or "test://pattern", microphone=v.microphone or "test://tone",
                             enter=enter)

        return {"video": video}

    # ---- the scripted clerk ---------------------------------------------------------------------
    def clerk(self, desk: str, *, answer: bool = False, name: str = CLERK_NAME):
        """A clerk watching `desk` (drivers/videocall/clerk.py), on a call thread of its own in the
        namespace; `answer=False`: it answers when told (`take()`). Closed by close()."""
        from drivers.videocall.clerk import DeskClerk
        from drivers.videocall.desk import CallLoop

        loop = CallLoop(enter=self.enter)
        self._loops.append(loop)
        clerk = DeskClerk(loop, self.config.video.gateway, desk, name=name, answer=answer)
        self._clerks.append(clerk)
        return clerk

    def serve(self, after: float = 3.0) -> None:
        """The interactive demo's clerks: one on every desk of the site, answering the first
        waiting kiosk and sending a note (demo.clerk_note, in the site's language) `after` seconds
        into each call; the resident hangs up."""
        if not self.available or self._serving is not None:
            return
        from kiosk.words import say

        lang = self.config.ui.language
        desks = sorted({self.config.video_desk(code) for code in self.config.serving} | {self.config.video.desk})
        clerks = [self.clerk(desk, answer=True) for desk in desks if desk]
        stop = self._serving = threading.Event()

        def heard_from(clerk) -> bool:
            """The kiosk in the clerk's call told its context: the data channel runs both ways."""
            answers = [i for i, entry in enumerate(clerk.log) if entry[0] == "answered"]
            return bool(answers) and any(entry[0] == "context" for entry in clerk.log[answers[-1]:])

        def noting() -> None:
            told: dict[int, object] = {}
            while not stop.wait(0.2):
                for i, clerk in enumerate(clerks):
                    feed = clerk.feed
                    if feed is None or told.get(i) == feed or not heard_from(clerk):
                        continue
                    if stop.wait(after):
                        return
                    if clerk.feed == feed:
                        clerk.note(say("demo.clerk_note", lang, clerk=clerk.name))
                    told[i] = feed

        threading.Thread(target=noting, name="demo-clerks", daemon=True).start()
        log.info("demo: 视频帮办: a clerk answers at %s", ", ".join(desks))

    # ---- the end --------------------------------------------------------------------------------
    def close(self, wait: float = 10.0) -> None:
        """Clerks, gateway and namespace gone; idempotent. Never raises."""
        if self._closed:
            return
        self._closed = True
        if self._serving is not None:
            self._serving.set()
        for clerk in self._clerks:
            try:
                clerk.close(wait=wait)
            except Exception as e:  # noqa: BLE001 — closing anyway
                log.info("demo: clerk close: %s: %s", type(e).__name__, e)
        for loop in self._loops:
            try:
                loop.close(wait)
            except Exception as e:  # noqa: BLE001
                log.info("demo: clerk loop close: %s: %s", type(e).__name__, e)
        if self.gateway is not None:
            try:
                self.gateway.stop()
            except Exception as e:  # noqa: BLE001
                log.warning("demo: gateway stop: %s: %s", type(e).__name__, e)
        if self.namespace is not None:
            self.namespace.remove()
        if self._old_term is not None:
            try:
                signal.signal(signal.SIGTERM, self._old_term)
            except ValueError:  # not the main thread
                pass

    def _catch_sigterm(self) -> None:
        """SIGTERM ends the demo as Ctrl-C does (the finally clauses run: nothing outlives it)."""
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            def stop(signum, frame):
                raise SystemExit(128 + signum)

            self._old_term = signal.signal(signal.SIGTERM, stop)

    def __enter__(self) -> "DemoVideo":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def with_video(config: Config, gateway: str) -> Config:
    """The site's config with a [video] section naming `gateway` and the hall's own desk (read and
    checked as any site's), and the desks of the jurisdictions that have their own (DESKS) as their
    `video_desk`, unless the site names one."""
    with open(config.path, encoding="utf-8") as f:
        text = f.read()
    section = f'\n[video]\ngateway = "{gateway}"\ndesk = "{SITE_DESK}"\nanswer_timeout = {ANSWER_TIMEOUT}\n'
    made = parse_config(text + section, config.path, demo=True)
    jurisdictions = {code: j if j.video_desk or code not in DESKS else dataclasses.replace(j, video_desk=DESKS[code])
                     for code, j in config.jurisdictions.items()}
    # what the site's loading decided beyond the file (the data folder, the log file) is kept
    return dataclasses.replace(config, video=made.video, jurisdictions=jurisdictions)
