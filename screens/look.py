"""The live look of the app: language and normal / elder sizes as Kivy properties the .kv rules
bind to (`#:import look screens.look.look`). Values come from the one table in sizes.py."""
from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.sizes import SIZES


class Look(EventDispatcher):
    lang = StringProperty("zh")
    elder = BooleanProperty(False)
    text = NumericProperty(0)
    small = NumericProperty(0)
    title = NumericProperty(0)
    huge = NumericProperty(0)
    target = NumericProperty(0)
    button = NumericProperty(0)
    key = NumericProperty(0)
    pad = NumericProperty(0)
    columns = NumericProperty(3)
    candidates = NumericProperty(8)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._apply()

    def on_elder(self, *_):
        self._apply()

    def _apply(self) -> None:
        s = SIZES["elder" if self.elder else "normal"]
        for name in ("text", "small", "title", "huge", "target", "button", "key", "pad"):
            setattr(self, name, dp(getattr(s, name)))
        self.columns = s.columns
        self.candidates = s.candidates

    def name_of(self, thing) -> str:
        """A matter's or material's name in the resident's language: its name_en in English mode
        when the catalog has one, the Chinese name otherwise."""
        return (getattr(thing, "name_en", "") or thing.name) if self.lang == "en" else thing.name

    def aside(self, text: str) -> str:
        """`text` in brackets as the language writes them: （必交） / (required)."""
        return f" ({text})" if self.lang == "en" else f"（{text}）"

    def reset(self, *, lang: str = "zh", elder: bool = False) -> None:
        """Back to the site's defaults (a new resident)."""
        self.lang, self.elder = lang, elder


look = Look()
