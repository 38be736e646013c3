"""Identify: place the ID card or insert the social security card; reading progress; clear
answers for an expired card, an invalid number, a failed read, an unusable card type."""
from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import BooleanProperty, NumericProperty

from screens.look import look
from screens.widgets import KioskScreen


class IdentifyScreen(KioskScreen):
    card_offset = NumericProperty(0)  # the animated card, sliding onto the reader
    reader_ok = BooleanProperty(True)
    refused = BooleanProperty(False)  # the card was refused by the matter: swapping it is the point

    def show(self, event: str) -> None:
        self.problem = self.problem_text()
        data = self.ctx.journey.snapshot()
        self.refused = data.error is not None and data.error.code == "card_not_accepted"
        if self.refused and data.matter is not None:
            # back from choose: name the matter the card was refused for
            name = look.name_of(data.matter)
            self.problem = f"「{name}」{self.problem}"
        self.reader_ok = bool(self.ctx.services.sources)
        self._animate()

    def _animate(self) -> None:
        Animation.cancel_all(self, "card_offset")
        self.card_offset = 0
        anim = Animation(card_offset=1, duration=1.2, t="out_cubic") + Animation(card_offset=1, duration=0.8) \
            + Animation(card_offset=0, duration=0.01)
        anim.repeat = True
        anim.start(self)

    def on_leave(self, *_):
        Animation.cancel_all(self, "card_offset")

    def reset(self) -> None:
        super().reset()
        self.refused = False
        Animation.cancel_all(self, "card_offset")
