"""On-screen keyboards: pinyin (initials and full pinyin for search; full pinyin with candidates
for Chinese text) and a numeric keypad. Each edits its `value`; the logic of candidates lives in
screens/pinyin_input.py."""
from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.factory import Factory
from kivy.uix.boxlayout import BoxLayout

from screens.i18n import tr
from screens.look import look
from screens.pinyin_input import PinyinComposer

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


class PinyinKeyboard(BoxLayout):
    """`compose=False`: letters go straight into `value` (the catalog search takes initials and
    full pinyin). `compose=True`: letters build pinyin, a candidate puts Chinese into `value`."""

    pane = StringProperty("pinyin")  # its name inside a screens.widgets.OneOf
    value = StringProperty("")
    compose = BooleanProperty(False)
    letters = StringProperty("")  # the pinyin being composed
    candidates = ListProperty([])
    max_length = NumericProperty(100)

    def __init__(self, **kw):
        self._composer = PinyinComposer()
        super().__init__(**kw)

    def on_kv_post(self, _base):
        # the candidate and digit rows exist only while composing: out of the tree otherwise, so
        # their keys can never catch a touch while hidden
        self._compose_rows = [self.ids.candidates_row, self.ids.digits_row]
        self.on_compose()
        for i, row in enumerate(ROWS):
            box = self.ids[f"row{i}"]
            box.add_widget(Factory.Widget())
            for letter in row:
                key = Factory.Key(text=letter)
                key.bind(on_release=lambda k: self.press(k.text))
                box.add_widget(key)
            if i == 2:
                for name, action in (("common.delete", self.backspace), ("common.clear", self.clear)):
                    key = Factory.Key(text=tr(name, look.lang))
                    key.width = key.height * 1.5
                    key.bind(on_release=lambda _k, a=action: a())
                    look.bind(lang=lambda _l, lang, k=key, n=name: setattr(k, "text", tr(n, lang)))
                    box.add_widget(key)
            box.add_widget(Factory.Widget())

    def on_compose(self, *_):
        rows = getattr(self, "_compose_rows", None)
        if rows is None:
            return
        for w in rows:
            if w.parent is not None:
                self.remove_widget(w)
        if self.compose:
            for w in reversed(rows):  # each goes on top: candidates end up first
                self.add_widget(w, index=len(self.children))

    def on_candidates(self, *_):
        box = self.ids.cands
        box.clear_widgets()
        for i, text in enumerate(self.candidates):
            key = Factory.Key(text=text, size_hint_x=1)
            key.bind(on_release=lambda _k, i=i: self.choose(i))
            box.add_widget(key)

    def press(self, letter: str) -> None:
        if self.compose:
            self._composer.press(letter)
            self._sync()
        elif len(self.value) < self.max_length:
            self.value += letter

    def type_text(self, text: str) -> None:
        """A digit or a symbol key: goes straight into the value (house numbers in an address)."""
        if len(self.value) + len(text) <= self.max_length:
            self.value += text

    def choose(self, index: int) -> None:
        text = self._composer.choose(index)
        if len(self.value) + len(text) <= self.max_length:
            self.value += text
        self._sync()

    def more(self) -> None:
        self._composer.more()
        self._sync()

    def backspace(self) -> None:
        if self._composer.letters:
            self._composer.backspace()
            self._sync()
        else:
            self.value = self.value[:-1]

    def clear(self) -> None:
        self._composer.clear()
        self.value = ""
        self._sync()

    def _sync(self) -> None:
        self.letters = self._composer.letters
        self.candidates = self._composer.candidates()


class NumericKeypad(BoxLayout):
    """Digits (and A–F for a tracking number, '-' for a date) into `value`."""

    pane = StringProperty("keypad")
    value = StringProperty("")
    extra = StringProperty("")  # keys beyond 0–9: "ABCDEF" or "-"
    max_length = NumericProperty(18)

    def on_kv_post(self, _base):
        self._fill()

    def on_extra(self, *_):
        if self.ids:
            self._fill()

    def _fill(self) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        keys = list("123456789")
        if self.extra:
            keys = ["1", "2", "3", "A", "B", "4", "5", "6", "C", "D", "7", "8", "9", "E", "F"] if self.extra == "ABCDEF" \
                else keys + list(self.extra)
        clear, delete = tr("common.clear", look.lang), tr("common.delete", look.lang)
        keys += [clear, "0", delete]
        for k in keys:
            key = Factory.Key(text=k)
            action = {clear: lambda *_: self.clear(), delete: lambda *_: self.backspace()}.get(
                k, lambda b: self.press(b.text))
            key.bind(on_release=action)
            grid.add_widget(key)

    def press(self, key: str) -> None:
        if len(self.value) < self.max_length:
            self.value += key

    def backspace(self) -> None:
        self.value = self.value[:-1]

    def clear(self) -> None:
        self.value = ""
