"""On-screen keyboards: pinyin (initials and full pinyin for search; full pinyin or initials with
candidates for Chinese text) and a numeric keypad. Each edits its `value`; the logic of
candidates lives in screens/pinyin_input.py."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from screens.i18n import tr
from screens.look import look
from screens.pinyin_input import PinyinComposer

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# While composing Chinese, digits (house numbers) sit in a block to the right of the letters, so
# the keyboard needs no row of its own for them (a row is 68 dp in elder mode).
DIGIT_ROWS = ("7890", "456号", "123")
WIDE = 1.5  # delete and clear are this many keys wide


class Key(Button):
    """One key: square, `look.key` a side, times `scale`; `wide` keys wide."""

    wide = NumericProperty(1)
    scale = NumericProperty(1)


class PinyinKeyboard(BoxLayout):
    """`compose=False`: letters go straight into `value` (the catalog search takes initials and
    full pinyin). `compose=True`: letters build pinyin, a candidate puts Chinese into `value`;
    the candidates come a page at a time (fewer, wider keys in elder mode)."""

    pane = StringProperty("pinyin")  # its name inside a screens.widgets.OneOf
    value = StringProperty("")
    compose = BooleanProperty(False)
    letters = StringProperty("")  # the pinyin being composed
    candidates = ListProperty([])
    pages = NumericProperty(0)  # pages of candidates for the letters typed
    page = NumericProperty(0)
    page_size = NumericProperty(8)  # candidates on a page (kv binds it to the mode)
    max_length = NumericProperty(100)

    def __init__(self, **kw):
        self._composer = PinyinComposer()
        self._digit_blocks: list = []
        super().__init__(**kw)

    def on_kv_post(self, _base):
        # the candidate row and the digit keys exist only while composing: out of the tree
        # otherwise, so they can never catch a touch while hidden. Held strongly here: a kv id
        # is only a weak reference, and a widget out of the tree would be collected.
        self._compose_row = self.ids.candidates_row.__self__
        for i, row in enumerate(ROWS):
            box = self.ids[f"row{i}"]
            box.add_widget(Factory.Widget())
            for letter in row:
                key = Key(text=letter)
                key.bind(on_release=lambda k: self.press(k.text))
                box.add_widget(key)
            if i == 2:
                for name, action in (("common.delete", self.backspace), ("common.clear", self.clear)):
                    key = Key(text=tr(name, look.lang), wide=WIDE)
                    key.bind(on_release=lambda _k, a=action: a())
                    look.bind(lang=lambda _l, lang, k=key, n=name: setattr(k, "text", tr(n, lang)))
                    box.add_widget(key)
            digits = Factory.DigitBlock()
            for d in DIGIT_ROWS[i]:
                key = Key(text=d)
                key.bind(on_release=lambda k: self.type_text(k.text))
                digits.add_widget(key)
            self._digit_blocks.append((box, digits))
            box.add_widget(Factory.Widget())
        self.on_compose()

    def on_compose(self, *_):
        row = getattr(self, "_compose_row", None)
        if row is None:
            return
        if row.parent is not None:
            self.remove_widget(row)
        for box, digits in self._digit_blocks:
            if digits.parent is not None:
                box.remove_widget(digits)
        if self.compose:
            self.add_widget(row, index=len(self.children))  # on top
            for box, digits in self._digit_blocks:
                box.add_widget(digits, index=1)  # before the right-hand spacer

    def on_page_size(self, *_):
        self._composer.page_size = max(1, int(self.page_size))
        self._composer.page = 0
        self._sync()

    def on_candidates(self, *_):
        box = self.ids.cands
        box.clear_widgets()
        for i, text in enumerate(self.candidates):
            key = Key(text=text)
            key.size_hint_x = 1  # after the rule's size_hint: the page's keys share the row
            key.bind(on_release=lambda _k, i=i: self.choose(i))
            box.add_widget(key)
        for _ in range(len(self.candidates), self._composer.page_size):  # keys keep their width
            box.add_widget(Widget())

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
        c = self._composer
        self.letters = c.letters
        self.pages = c.pages() if c.letters else 0
        self.page = c.page
        self.candidates = c.candidates()


class NumericKeypad(BoxLayout):
    """Digits (and A–F for a tracking number, '-' for a date) into `value`."""

    pane = StringProperty("keypad")
    value = StringProperty("")
    extra = StringProperty("")  # keys beyond 0–9: "ABCDEF" or "-"
    max_length = NumericProperty(18)
    scale = NumericProperty(1)  # a screen with room may ask for bigger keys than look.key

    def on_kv_post(self, _base):
        self._fill()

    def on_scale(self, *_):
        for key in self.ids.grid.children if self.ids else ():
            key.scale = self.scale

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
            key = Key(text=k, scale=self.scale)
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
