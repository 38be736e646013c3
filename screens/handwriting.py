"""The handwriting pad (手写), beside the pinyin keyboard: one character written with a finger in
the box, the likeliest characters offered as buttons; a touch on one types it (into the keyboard
it serves, so search and fields take it as typed) and clears the box for the next. Recognition is
kiosk.devices.handwriting (Zinnia, no network), asked after each stroke: 2–10 ms."""
from __future__ import annotations

from kivy.graphics import Color, Line
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens.keyboards import Key
from screens.sizes import rgba

CANDIDATES = 8


class WritingBox(Widget):
    """The square a finger writes in: strokes as lists of (x, y) in its own coordinates, y down."""

    pad = ObjectProperty(None)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: list[Line] = []
        self._drawn_size = tuple(self.size)
        self.bind(size=self._redraw, pos=self._redraw)

    def _redraw(self, *_) -> None:
        """The box resized (大字版, English) or moved: the ink follows, scaled with it."""
        old_w, old_h = self._drawn_size
        self._drawn_size = tuple(self.size)
        if not self.strokes or not old_w or not old_h:
            return
        sx, sy = self.width / old_w, self.height / old_h
        self.strokes = [[(x * sx, y * sy) for x, y in s] for s in self.strokes]
        self.canvas.after.clear()
        self._lines = []
        with self.canvas.after:
            Color(*rgba("ink"))
            for s in self.strokes:
                pts = [c for x, y in s for c in (self.x + x, self.top - y)]
                self._lines.append(Line(points=pts, width=dp(4), cap="round", joint="round"))

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos) or self.disabled:
            return False
        touch.grab(self)
        self.strokes.append([self._local(touch)])
        with self.canvas.after:
            Color(*rgba("ink"))
            self._lines.append(Line(points=[touch.x, touch.y], width=dp(4), cap="round", joint="round"))
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self:
            return False
        x = min(max(touch.x, self.x), self.right)
        y = min(max(touch.y, self.y), self.top)
        self.strokes[-1].append(self._local_xy(x, y))
        self._lines[-1].points += [x, y]
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        if self.pad is not None:
            self.pad.stroke_done()
        return True

    def _local(self, touch) -> tuple[float, float]:
        return self._local_xy(touch.x, touch.y)

    def _local_xy(self, x: float, y: float) -> tuple[float, float]:
        return x - self.x, self.top - y

    def clear(self) -> None:
        self.strokes = []
        self._lines = []
        self.canvas.after.clear()


class HandwritingPad(BoxLayout):
    """`classify(strokes, width, height) -> [characters]` is handed in by the screen; `target` is
    the PinyinKeyboard whose value the chosen characters go into."""

    pane = StringProperty("hand")  # its name inside a screens.widgets.OneOf
    classify = ObjectProperty(None, allownone=True)
    target = ObjectProperty(None, allownone=True)
    candidates = ListProperty([])
    off = BooleanProperty(False)  # no recognizer (library or model missing): says so, pinyin remains

    def stroke_done(self) -> None:
        box = self.ids.box
        if self.classify is None or not box.strokes:
            return
        self.candidates = list(self.classify(box.strokes, box.width, box.height))[:CANDIDATES]
        self.off = not self.candidates and getattr(self.classify, "__self__", None) is not None \
            and getattr(self.classify.__self__, "problem", None) is not None

    def on_candidates(self, *_):
        row = self.ids.cands
        row.clear_widgets()
        for ch in self.candidates:
            k = Key(text=ch, wide=1.2)
            k.bind(on_release=lambda key: self.choose(key.text))
            row.add_widget(k)

    def choose(self, ch: str) -> None:
        if self.target is not None:
            self.target.type_text(ch)
        self.rewrite()

    def rewrite(self) -> None:
        self.ids.box.clear()
        self.candidates = []

    def backspace(self) -> None:
        if self.target is not None:
            self.target.backspace()

    def reset(self) -> None:
        self.rewrite()
