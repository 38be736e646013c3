"""The app's frame: the screen manager (one screen per session state, made on first use), the
idle countdown, the cancel button, the demo dock, and the hops from device and outbox threads
onto the main thread. Data flows one way: session → listener → screen.show(); the journey's work
(kiosk/journey.py) runs on the worker thread and comes back through the same listener, or through
`journey_changed()` when nothing moved."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition

from kiosk.journey import NO_HELP as JOURNEY_NO_HELP, Journey
from kiosk.session import Problem
from screens import call as call_screen, memory, registry
from screens.background import Worker
from screens.i18n import tr
from screens.look import look

log = logging.getLogger(__name__)

IDLE_POLL = 0.5  # seconds between idle checks (the countdown shows whole seconds)
# The hidden technician gesture: this many taps on the emblem within this many seconds.
TECH_TAPS, TECH_WINDOW = 5, 3.0
# States with no cancel button: nothing to cancel, or a step that must finish.
NO_CANCEL = ("home", "submit", "receipt", "evaluate", "technician")  # evaluate: its own skip
# States with no 视频帮办 button: a submission is being made (kiosk.journey.NO_HELP), maintenance.
NO_HELP = (*JOURNEY_NO_HELP, "technician")


class Context:
    """What every screen is handed: the journey (what to show, where touches go), the use cases
    for the catalog and the technician, the worker for a technician's slow call."""

    def __init__(self, services, worker: Worker, shell: "Shell"):
        self.services = services
        self.actions = services.actions
        self.worker = worker
        self.shell = shell
        # built before the shell listens to the session: a step's work has started when a screen shows.
        # 视频帮办: the call's port reports on its own thread; `post` hops them onto the main thread
        self.journey = Journey(services.session, services.actions, executor=worker.run,
                               video=getattr(services, "video", None), post=post)

    def fire(self, event: str, **payload: Any) -> str:
        return self.journey.fire(event, **payload)

    def run(self, fn, on_done, on_error) -> None:
        self.worker.run(fn, on_done, on_error)


def on_main(fn):
    """Call `fn` on the Kivy main thread (now if already there)."""
    def hop(*args, **kw):
        if threading.current_thread() is threading.main_thread():
            fn(*args, **kw)
        else:
            Clock.schedule_once(lambda _dt: fn(*args, **kw), 0)
    return hop


def post(fn: Callable[[], None]) -> None:
    """Run `fn()` on the Kivy main thread (the journey's hop for the call's reports)."""
    on_main(fn)()


class CardEvents:
    """The kiosk.ports.CardListener the identity sources report to (on their own threads). Every
    card event takes one route: hopped onto the main thread, then `Shell.card_event`."""

    def __init__(self, shell: "Shell"):
        self.shell = shell
        self.removals = 0  # card removals seen (scripts wait on it before placing the next card)
        self.card_read = on_main(lambda source, identity: shell.card_event("card_read", source, identity=identity))
        self.card_failed = on_main(lambda source, code, zh, en: shell.card_event(
            "card_failed", source, error=Problem(code, zh, en)))
        self.card_removed = on_main(self._removed)
        self.device_state = on_main(lambda state: shell.status_changed())

    def _removed(self, source):
        self.removals += 1
        self.shell.card_event("card_removed", source)


class IdleCover(BoxLayout):
    """The idle warning: an opaque cover over the whole frame, the countdown on it. A touch on
    it goes no further than the cover (the shell's own touch has already kept the resident)."""

    def on_touch_down(self, touch):
        super().on_touch_down(touch)
        return self.collide_point(*touch.pos)


class Shell(BoxLayout):
    ctx: Context = ObjectProperty(None)
    state = StringProperty("home")
    idle_left = NumericProperty(-1)  # seconds of the idle countdown; -1: none
    demo = BooleanProperty(False)
    status = StringProperty("")  # unavailable services, for the resident
    volume_step = NumericProperty(2)  # the voice control's step (screens/voice.py), shown in the top bar
    devices_up = BooleanProperty(False)  # card readers listened to, outbox subscribed
    warmed = BooleanProperty(False)  # catalog search index and pinyin tables built (after devices_up)

    def __init__(self, services, *, on_quit: Callable[[], None] | None = None, **kw):
        self.services = services
        self.on_quit = on_quit  # how the technician leaves the app (the App's stop)
        self.worker = Worker()
        self.demo = services.demo
        registry.load_kv(call_screen.__file__)  # the call's cover, before this frame's rule uses it
        super().__init__(**kw)
        self.ctx = Context(services, self.worker, self)
        self.screens: dict[str, Any] = {}
        self.ids.sm.transition = NoTransition()
        self._overlay = self.ids.idle_overlay.__self__  # a strong reference: ids are weak
        self._overlay.parent.remove_widget(self._overlay)  # in the tree only while counting down
        self.call_cover = self.ids.call_cover.__self__  # the same: in the tree only while the call shows
        self.call_cover.parent.remove_widget(self.call_cover)
        self._call_view = self.ctx.journey.call.view  # the call as last shown
        self.cards = CardEvents(self)
        self._taps: list[float] = []
        self.dock_panel = None
        self._idle_ev = None
        self._settled = 0  # screens built when memory was last settled (see screens/memory.py)
        self.session = services.session
        from screens.voice import VoicePlayer
        self.voice = VoicePlayer(getattr(services, "speech", None))  # spoken prompts (kiosk/voice.py)
        self.volume_step = self.voice.step
        self.voice.bind(step=lambda _v, step: setattr(self, "volume_step", step))
        self.session.add_listener(on_main(self._on_session))
        # a worker thread that finds a device gone (or back) tells the status bar on the main thread
        services.availability.subscribe(on_main(self.status_changed))
        self.ctx.journey.subscribe(on_main(self._journey_changed))
        look.reset(lang=services.config.ui.language, elder=services.config.ui.elder_mode)
        self.show("home", "start")
        if self.demo:
            import screens.demo_panel as demo_panel

            registry.load_kv(demo_panel.__file__)
            self.dock_panel = demo_panel.DemoPanel(ctx=self.ctx)
            self.ids.dock.add_widget(self.dock_panel)

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._idle_ev = Clock.schedule_interval(lambda _dt: self.tick(), IDLE_POLL)
        if self.services.ready.is_set():
            self._devices_up()
        else:  # drivers, twins and transports come up after the first frame, off the main thread
            Clock.schedule_once(lambda _dt: threading.Thread(target=self._bring_up, daemon=True,
                                                             name="devices-start").start(), 0)

    def _bring_up(self) -> None:
        try:
            self.services.start_devices()
        finally:
            Clock.schedule_once(lambda _dt: self._devices_up(), 0)

    def _devices_up(self) -> None:
        # every prompt rendered once (cached across restarts), once the first frame is up: even
        # listing them (pypinyin's readings of ~200 sentences, ~0.4 s with its import, holding the
        # GIL) would hold the home screen back
        threading.Thread(target=self.voice.prepare, daemon=True, name="voice-prepare").start()
        for src in self.services.sources:
            try:
                src.start(self.cards)
            except Exception as e:  # the other card still works
                log.warning("%s: cannot start: %s", getattr(src, "name", "card"), e)
                self.services.availability.set(getattr(src, "name", "card"), str(e))
        outbox = self.services.outbox
        if outbox is not None:
            outbox.subscribe(on_main(self.status_changed))
        self.devices_up = True
        if self.dock_panel is not None:
            self.dock_panel.refresh()
        # the catalog's search index and the keyboard's pinyin tables next, still off the main thread
        threading.Thread(target=self._warm_up, daemon=True, name="pinyin-warm").start()
        self.status_changed()

    def _warm_up(self) -> None:
        try:
            _warm(self.services.catalog)
        finally:
            Clock.schedule_once(lambda _dt: self._warmed(), 0)

    def _warmed(self) -> None:
        if self.state == "home":  # the start-up's data lives as long as the kiosk
            memory.release(settle=True)
            self._settled = len(self.screens)
        else:  # a resident is already here: settle at their return home, their data gone
            self._settled = -1
        self.warmed = True

    def stop(self) -> None:
        if self._idle_ev is not None:
            self._idle_ev.cancel()

    # ---- the session drives the screens ---------------------------------------------------
    def screen(self, name: str):
        if name not in self.screens:
            scr = registry.make(name, ctx=self.ctx)
            self.screens[name] = scr
            self.ids.sm.add_widget(scr)
        return self.screens[name]

    def show(self, state: str, event: str) -> None:
        scr = self.screen(state)
        self.state = state
        if self.ids.sm.current != state:
            self.ids.sm.current = state
        scr.show(event)

    def _on_session(self, old: str, new: str, event: str) -> None:
        if new == "home" and old != "home":
            self.wipe()
        elif new == "evaluate" and old != "evaluate":  # the resident is forgotten before the evaluation shows
            self.worker.new_journey()
            for scr in self.screens.values():
                scr.reset()
        self.show(new, event)
        shown = time.monotonic()  # the screen's content is set: it is drawn at the next frame
        self.tick()
        # a failure shown, whether the screen just opened with it (back on confirm after a failed
        # submit, an expired card on identify) or it came on this screen: what to do next, when it
        # is one of the word list's sentences; else, on arrival, the screen's main instruction
        problem = self.screens[new].problem
        if problem and (new != old or event in ("failed", "card_failed", "card_read")) \
                and self.voice.failure(problem, new):
            return
        if new != old:
            self.voice.screen(new, shown)

    def _journey_changed(self) -> None:
        view = self.ctx.journey.call.view
        if view is not self._call_view:  # the call moved (each change is told on its own): the cover
            self._call_view = view        # shows it; the step under it is not touched, not even redrawn
            self.call_changed()
            return
        scr = self.screens.get(self.state)
        if scr is not None:
            scr.journey_changed()

    # ---- 视频帮办: the help call over the step -------------------------------------------------------
    def help(self) -> None:
        """The top bar's 视频帮办 button: the consent first (or why there is no video help here)."""
        if self.state not in NO_HELP:
            self.ctx.journey.help()

    def call_changed(self) -> None:
        """The call's cover shown as the call is (under the idle warning, should that be up)."""
        cover, main = self.call_cover, self.ids.main
        shows = bool(cover.refresh())
        if shows and cover.parent is None:
            above = self._overlay.parent is main  # the idle warning stays on top
            main.add_widget(cover, index=1 if above else 0)
        elif not shows and cover.parent is not None:
            cover.parent.remove_widget(cover)

    def wipe(self) -> None:
        """Forget the resident on screen (the journey has deleted the scans and dropped late
        results): every screen reset, the site's language and text size back."""
        self.worker.new_journey()
        for scr in self.screens.values():
            scr.reset()
        look.reset(lang=self.services.config.ui.language, elder=self.services.config.ui.elder_mode)
        self.voice.reset()
        self.idle_left = -1
        self.status_changed()  # in the site's language
        # the journey's garbage, once home is on screen; screens built in it live on: settled
        memory.release_after_next_frame(settle=len(self.screens) > self._settled)
        self._settled = len(self.screens)

    def on_idle_left(self, *_):
        if not hasattr(self, "_overlay"):
            return
        shown = self._overlay.parent is not None
        if self.idle_left >= 0 and not shown:
            self.ids.main.add_widget(self._overlay)
        elif self.idle_left < 0 and shown:
            self.ids.main.remove_widget(self._overlay)

    # ---- idle --------------------------------------------------------------------------------
    def tick(self) -> None:
        self.ctx.journey.tick()  # a call's answer timeout; a call holds the idle countdown off
        left = self.session.warning_remaining
        self.idle_left = -1 if left is None else int(left + 0.999)

    def still_here(self) -> None:
        self.session.touch()
        self.tick()

    def on_touch_down(self, touch):
        self.session.touch()
        if self.idle_left >= 0:
            self.tick()
        return super().on_touch_down(touch)

    def emblem_tapped(self) -> None:
        """The hidden technician gesture: TECH_TAPS taps on the emblem within TECH_WINDOW s."""
        if self.state != "home":
            return
        now = self.services.clock.monotonic()
        self._taps = [t for t in self._taps if now - t < TECH_WINDOW] + [now]
        if len(self._taps) >= TECH_TAPS:
            self._taps = []
            self.ctx.fire("technician")

    # ---- devices ------------------------------------------------------------------------------
    def card_event(self, event: str, source: str, **payload) -> None:
        """A card read, failed or removed. The resident's journey takes it as a session event (the
        session decides what it means in each state: a read identifies, a failure is the error
        the identify or progress screen shows, a removal may end the journey); the maintenance
        screen's test read is not a journey and is shown there."""
        if self.state == "technician":
            tech = self.screen("technician")
            if event == "card_read":
                tech.card_seen(source, payload["identity"])
            elif event == "card_failed":
                tech.card_failed(payload["error"].code)
            return
        self.ctx.fire(event, source=source, **payload)

    def status_changed(self) -> None:
        names = [tr_service(k) for k in self.services.availability.snapshot() if not k.startswith("_")]
        self.status = tr("home.unavailable", look.lang, names="、".join(names)) if names else ""
        scr = self.screens.get(self.state)
        if scr is not None and hasattr(scr, "status_changed"):
            scr.status_changed()

    def cancel(self) -> None:
        self.ctx.fire("cancel")

    def quit(self) -> None:
        """The technician leaves the app (systemd brings a kiosk back; a demo ends)."""
        if self.on_quit is not None:
            self.on_quit()


def tr_service(key: str) -> str:
    from kiosk.usecases import SERVICE_NAMES

    zh, en = SERVICE_NAMES.get(key, (key, key))
    return en if look.lang == "en" else zh


def _warm(catalog) -> None:
    """What the first resident would otherwise wait for: the catalog's search index (the choose
    screen's first question) and the pinyin keyboard's tables."""
    try:
        catalog.warm()
    except Exception:
        log.exception("catalog search index")
    from screens.pinyin_input import warm

    try:
        warm()
    except Exception:
        log.exception("pinyin keyboard data")
