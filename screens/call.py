"""视频帮办 on screen: the cover the help call lies in over the resident's step (kiosk/call.py runs
the call). One pane per CallView state — consent, unavailable, waiting, in_call — and, back at
the step, the notice and the clerk's note until the resident taps OK. The step under it is never
touched: its screen keeps its fields, scans and page.

In the call the clerk's video (large) and the resident's own picture (small) are Kivy textures
updated on the main thread at the call's frame rate: `journey.call_frame(side)` gives the newest
decoded frame (rgb24, top row first), and a newer one goes into a fresh texture (flipped once at
its making: GL's rows run bottom up) that replaces the one shown. A fresh texture, not the same
one written again: under software GL (llvmpipe) writing into a texture still being drawn waits for
that drawing — measured on the 2-core test machine with a 640×480 picture, 66–79 ms a frame
(stalls to 2.5 s) against 11–17 ms for a fresh one; rings of 3 and 6 textures stalled too. No
frame is kept: the texture shown holds the only copy, the one it replaced is freed, and both go
when the call ends."""
from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens import call_words
from screens.look import look
from screens.widgets import BigButton

log = logging.getLogger(__name__)

FPS = 15  # textures updated this often in the call (the call's frame rate: a newer frame or none)
SIDES = ("remote", "self")


class CallCover(BoxLayout):
    """The call's cover over the whole frame (the top bar too: its cancel would end the visit).
    A touch on it goes no further. `pane` is the CallView state shown, or "notice" back at the
    step (the notice and the clerk's note), "" when nothing is shown."""

    ctx = ObjectProperty(None, rebind=True)
    pane = StringProperty("")
    desk = StringProperty("")  # who is called, in the resident's words (the jurisdiction's name)
    place = NumericProperty(0)  # place in the queue (1: next), 0 unknown
    muted = BooleanProperty(False)
    note = StringProperty("")  # the clerk's note, shown large
    clerk = StringProperty("")  # the clerk's display name, when the console gives one
    notice = StringProperty("")  # why the call ended, in the resident's language
    has_materials = BooleanProperty(False)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._pump = None
        self.drawn: dict[str, int] = {s: -1 for s in SIDES}  # the frame number last drawn, per side
        self.blits = 0  # frames drawn in this call (the tests and the bench read it)
        self._materials: tuple = ()  # (code, shown) of the buttons built, to rebuild only on change
        self._noted = ""  # the note last spoken: said once per new note
        self.material_buttons: dict[str, BigButton] = {}

    def on_touch_down(self, touch):
        super().on_touch_down(touch)
        return self.collide_point(*touch.pos)

    def on_touch_move(self, touch):
        super().on_touch_move(touch)
        return self.collide_point(*touch.pos)

    def on_touch_up(self, touch):
        super().on_touch_up(touch)
        return self.collide_point(*touch.pos)

    # ---- the journey's call shown ------------------------------------------------------------
    def refresh(self) -> str:
        """Show the call as the journey has it now; returns the pane ("" when nothing shows)."""
        journey = self.ctx.journey
        view = journey.call.view
        snap = journey.snapshot()
        note = view.note
        if view.state != "idle":
            pane = view.state
        elif view.notice or note:
            pane = "notice"
        else:
            pane = ""
        self.desk = call_words.desk_name(self.ctx.actions.config, snap.matter, view.desk, look.lang)
        self.place = view.position
        self.muted = view.muted
        self.note = note
        self.clerk = view.clerk
        self.notice = call_words.notice_text(view.notice, look.lang)
        if pane == "in_call":
            self._build_materials(snap, view.shown)
            self._start_pump()
        else:
            self._stop_pump()
            self._clear_materials()
        if note and note != self._noted:  # a new note: said once, shown as long as the view keeps it
            self._noted = note
            voice = getattr(self.ctx.shell, "voice", None)
            if voice is not None:
                voice.say_note(note)
        elif not note:
            self._noted = ""
        self.pane = pane
        self._cover_the_step(pane == "in_call")
        return pane

    def _cover_the_step(self, covered: bool) -> None:
        """While the call fills the frame, the step under it is taken out of the drawing (its widgets
        stay as they are): under software GL each full-window layer costs a share of every frame,
        and the call redraws at its frame rate."""
        parent = self.parent
        if parent is None:
            return
        under = parent.children[parent.children.index(self) + 1:]  # drawn before (beneath) the cover
        hidden = getattr(self, "_hidden", None)
        if covered and hidden is None:
            self._hidden = [(parent.canvas.indexof(w.canvas), w.canvas) for w in under
                            if parent.canvas.indexof(w.canvas) >= 0]
            for _i, c in self._hidden:
                parent.canvas.remove(c)
        elif not covered and hidden is not None:
            self._hidden = None
            for i, c in sorted(hidden, key=lambda ic: ic[0]):
                parent.canvas.insert(i, c)

    # ---- the touches -------------------------------------------------------------------------
    def agree(self) -> None:
        self.ctx.journey.call.agree()

    def decline(self) -> None:
        self.ctx.journey.call.decline()

    def cancel(self) -> None:
        self.ctx.journey.call.cancel()

    def hang_up(self) -> None:
        self.ctx.journey.call.hang_up()

    def toggle_mute(self) -> None:
        self.ctx.journey.call.mute(not self.muted)

    def dismiss(self) -> None:
        self.ctx.journey.call.dismiss()

    def show_material(self, code: str) -> None:
        self.ctx.journey.show_material(code)

    # ---- the materials the resident may show (one tap each, never automatic) ------------------
    def _build_materials(self, snap, shown: tuple[str, ...]) -> None:
        items = call_words.materials(snap, shown, look.lang)
        key = (look.lang, look.elder, tuple((code, done) for code, _text, done in items))
        if key == self._materials:
            return
        self._materials = key
        box = self.ids.materials
        box.clear_widgets()
        self.material_buttons = {}
        for code, text, done in items:
            btn = BigButton(text=text, kind="secondary" if done else "primary", compact=True)
            btn.bind(on_release=lambda _b, c=code: self.show_material(c))
            btn.material_code = code
            self.material_buttons[code] = btn
            self.ids[f"call_show_{code}"] = btn
            box.add_widget(btn)
        box.add_widget(Widget(size_hint_y=1))  # the room below the buttons (they stay at the top)
        self.has_materials = bool(items)

    def _clear_materials(self) -> None:
        if self._materials or self.material_buttons:
            for code in self.material_buttons:
                self.ids.pop(f"call_show_{code}", None)
            self.ids.materials.clear_widgets()
            self.material_buttons = {}
            self._materials = ()
            self.has_materials = False

    # ---- the pictures --------------------------------------------------------------------------
    def _start_pump(self) -> None:
        if self._pump is None:
            self.blits = 0
            self._pump = Clock.schedule_interval(lambda _dt: self.draw_frames(), 1.0 / FPS)
            self.draw_frames()

    def _stop_pump(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        for side, image in (("remote", self.ids.remote), ("self", self.ids.selfview)):
            image.texture = None  # the last pictures of the call go with it
            self.drawn[side] = -1

    def draw_frames(self) -> None:
        """Blit each side's newest frame, if newer than the one drawn (main thread)."""
        frame_of = self.ctx.journey.call_frame
        for side, image in (("remote", self.ids.remote), ("self", self.ids.selfview)):
            try:
                frame = frame_of(side)
            except Exception:  # noqa: BLE001 — a picture missed is no reason to break the call's screen
                log.exception("call: no %s frame", side)
                continue
            if frame is None or frame.number == self.drawn[side]:
                continue
            self._blit(side, image, frame)

    def _blit(self, side: str, image, frame) -> None:
        w, h = int(frame.width), int(frame.height)
        if w <= 0 or h <= 0 or len(frame.rgb) < w * h * 3:
            return
        tex = Texture.create(size=(w, h), colorfmt="rgb", bufferfmt="ubyte")  # fresh: see the module's doc
        tex.flip_vertical()  # rgb24 rows come top first; GL's run bottom up
        tex.blit_buffer(frame.rgb, colorfmt="rgb", bufferfmt="ubyte")
        image.texture = tex  # the one it replaces is freed (nothing else holds it)
        self.drawn[side] = frame.number
        self.blits += 1
