"""Runs the app frame by frame and touches it like a finger would: for the headless demo, the
e2e tests and the benchmarks. Waits are for real work (a worker thread, a twin) and end as soon
as the condition holds; nothing waits for a timeout to pass."""
from __future__ import annotations

import os
import shutil
import time
from typing import Callable, Iterator

WAIT = 20.0  # seconds a real-I/O condition may take before the driver gives up (slow CI)


class Driver:
    def __init__(self, app):
        self.app = app

    # ---- running ------------------------------------------------------------------------------
    def start(self) -> "Driver":
        self.app._run_prepare()  # build + on_start, as App.run() does before its main loop
        self.frames(1)
        self.wait(lambda: self.shell.devices_up, what="the devices to come up")
        return self

    def stop(self) -> None:
        from kivy.base import EventLoop

        self.app.stop()
        self.frames(1)
        EventLoop.close() if hasattr(EventLoop, "close") else None

    @staticmethod
    def frames(n: int = 2) -> None:
        from kivy.base import EventLoop

        for _ in range(n):
            EventLoop.idle()

    def wait(self, cond: Callable[[], bool], timeout: float = WAIT, what: str = "") -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError(f"waited {timeout:.0f} s for {what or cond}; on screen: {self.state}")
            self.frames(1)
            time.sleep(0.005)
        self.frames(2)

    def wait_state(self, state: str, timeout: float = WAIT) -> None:
        self.wait(lambda: self.state == state and self.shell.ids.sm.current == state, timeout, f"screen {state}")

    # ---- looking ------------------------------------------------------------------------------
    @property
    def shell(self):
        return self.app.root

    @property
    def state(self) -> str:
        return self.shell.state

    @property
    def screen(self):
        return self.shell.screens[self.state]

    def visible(self) -> Iterator:
        """Every widget now on screen (ancestors visible, not disabled)."""
        def walk(w):
            if w.opacity <= 0 or getattr(w, "disabled", False):
                return
            yield w
            for c in reversed(w.children):
                yield from walk(c)
        yield from walk(self.shell)

    def texts(self) -> list[str]:
        return [w.text for w in self.visible() if isinstance(getattr(w, "text", None), str) and w.text]

    def find(self, text: str):
        """The visible button (or label) whose text starts with or contains `text`; buttons first."""
        from kivy.uix.button import Button

        found = [w for w in self.visible() if isinstance(getattr(w, "text", None), str) and text in w.text]
        if not found:
            raise LookupError(f"nothing on screen {self.state} says {text!r}; texts: {self.texts()[:40]}")
        buttons = [w for w in found if isinstance(w, Button)]
        return (buttons or found)[0]

    def widget(self, wid: str):
        """A widget by its kv id on the current screen, on the shell or on the call's cover (视频帮办:
        call_agree, call_hangup, call_show_<material> ...)."""
        for owner in (self.screen, self.shell, getattr(self.shell, "call_cover", None)):
            if owner is not None and wid in owner.ids:
                return owner.ids[wid]
        raise LookupError(f"no id {wid!r} on screen {self.state}")

    # ---- touching -----------------------------------------------------------------------------
    def draw(self, box, strokes, size: tuple[float, float]) -> None:
        """Replay recorded strokes (lists of (x, y) in a `size` pad, y down) in `box` as a finger
        would: down, moves, up, a frame after each stroke."""
        from kivy.tests.common import UnitTestTouch

        w, h = size
        scale = min(box.width / w, box.height / h)
        for stroke in strokes:
            pts = [box.to_window(box.x + x * scale, box.top - y * scale) for x, y in stroke]
            t = UnitTestTouch(*pts[0])
            t.touch_down()
            for x, y in pts[1:]:
                t.touch_move(x, y)
            t.touch_up()
            self.frames(1)

    def tap(self, target, frames: int = 1) -> None:
        """Touch down and up at the centre of a widget (or of the one that says `target`)."""
        from kivy.tests.common import UnitTestTouch

        from kivy.uix.scrollview import ScrollView

        w = self.find(target) if isinstance(target, str) else target
        p, in_list = w.parent, False
        while p is not None and p is not self.shell:
            if isinstance(p, ScrollView):  # a finger scrolls a list until the item shows
                for _ in range(30):  # a list just rebuilt lays itself out over a few frames (more under load)
                    p.scroll_to(w, padding=0, animate=False)
                    # and the list's scroll effect to the same place: a list that grew under it (a
                    # scanned material's row doubles) can leave the effect at rest a pixel past its
                    # end, and it then put every scroll_to back at the top, frame after frame
                    p._update_effect_bounds()
                    self.frames(1)
                    wx, wy = w.to_window(*w.center)
                    sx, sy = p.to_window(*p.pos)
                    if sx <= wx <= sx + p.width and sy <= wy <= sy + p.height:
                        break
                else:
                    raise LookupError(f"{w} does not scroll into view on screen {self.state}: "
                                      f"at {(wx, wy)}, list at {(sx, sy)} size {tuple(p.size)}")
                # a tap on a list still moving only stops it (as under a finger): wait for rest
                sv = p
                self.wait(lambda: all(abs(getattr(e, "velocity", 0) or 0) < 1e-3
                                      for e in (sv.effect_x, sv.effect_y) if e is not None),
                          what="the list to come to rest")
                in_list = True
                break
            p = p.parent
        released: list[bool] = []
        uid = w.fbind("on_release", lambda *_: released.append(True)) if in_list and hasattr(w, "on_release") else None
        x, y = w.to_window(*w.center)
        t = UnitTestTouch(x, y)
        self.touched_at = time.monotonic()  # the finger lands (after any scrolling into view)
        t.touch_down()
        t.touch_up()
        self.frames(frames)
        if uid is not None:
            # Kivy's own ScrollView hands a short tap to its button 0.2 s later (a Clock event);
            # our lists (TapScrollView) at once: wait either way
            try:
                self.wait(lambda: bool(released), what="the list to pass the tap on")
            finally:
                w.unbind_uid("on_release", uid)

    def tap_id(self, wid: str, frames: int = 1) -> None:
        self.tap(self.widget(wid), frames)

    def type_keys(self, keys: str) -> None:
        """Tap keys of the visible on-screen keyboard or keypad one by one."""
        from kivy.uix.button import Button

        for k in keys:
            key = next((w for w in self.visible() if isinstance(w, Button) and w.text == k), None)
            if key is None:
                raise LookupError(f"no key {k!r} on screen {self.state}")
            self.tap(key, frames=0)
        self.frames(1)

    # ---- pictures -----------------------------------------------------------------------------
    def screenshot(self, path: str) -> str:
        """Save what the screen shows now as PNG at `path` (Kivy adds a counter; we remove it)."""
        from kivy.core.window import Window

        self.frames(2)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        made = Window.screenshot(name=path)
        if made and made != path:
            shutil.move(made, path)
        return path
