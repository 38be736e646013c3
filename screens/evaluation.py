"""Evaluate (好差评): after a receipt, a query's answer or an answered progress query, the
resident may rate the service in one touch — five levels; for the lower two a few reasons to tick
and an optional short text (the pinyin keyboard). Skipping is one touch; left alone, the session
goes home after its own timeout. The screen shows only what is rated (the matter and the tracking
number): the resident was forgotten before it opened."""
from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.evaluation import COMMENT_MAX, LEVELS, LOW_LEVELS, REASONS
from screens.i18n import tr
from screens.look import look
from screens.widgets import BigButton, KioskScreen


class EvaluationScreen(KioskScreen):
    about = StringProperty("")  # the service rated: matter name, tracking number
    level = NumericProperty(0)  # a lower level chosen, waiting for reasons (0: none)
    reasons = ListProperty([])  # reason codes ticked
    comment = StringProperty("")
    comment_max = NumericProperty(COMMENT_MAX)
    writing = BooleanProperty(False)  # the keyboard is open for the short text (the levels make room)

    def on_kv_post(self, _base):
        self._levels: dict[int, BigButton] = {}
        for lv in LEVELS:
            b = BigButton(kind="ghost" if lv in LOW_LEVELS else "primary")
            b.bind(on_release=lambda _b, lv=lv: self.choose(lv))
            self._levels[lv] = self.ids[f"level{lv}"] = b  # ids: the touch driver taps them by name
            self.ids.levels.add_widget(b)
        self._reasons: dict[str, BigButton] = {}
        for code in REASONS:
            b = BigButton(kind="ghost", compact=True)
            b.bind(on_release=lambda _b, c=code: self.tick_reason(c))
            self._reasons[code] = self.ids[f"reason_{code}"] = b
            self.ids.reasons.add_widget(b)
        self._subject = None
        look.bind(lang=lambda *_: (self._label(), self._describe()), elder=lambda *_: self._label())
        self._label()

    def _label(self) -> None:
        for lv, b in self._levels.items():
            b.text = tr(f"evaluation.level.{lv}", look.lang)
        for code, b in self._reasons.items():
            b.text = tr(f"evaluation.reason.{code}", look.lang)

    def show(self, event: str) -> None:
        self._subject = self.ctx.journey.snapshot().evaluating
        self._clear()
        self._describe()

    def _describe(self) -> None:
        """The service rated, in the resident's language (again when they switch it)."""
        s = self._subject
        if s is None:
            self.about = ""
            return
        if s.service == "progress":
            name = tr("evaluation.progress_service", look.lang)
        else:
            name = (s.matter_name_en or s.matter_name) if look.lang == "en" else (s.matter_name or s.matter)
        number = ("  " + tr("receipt.tracking", look.lang, number=s.tracking)) if s.tracking else ""
        self.about = name + number

    # ---- touches -----------------------------------------------------------------------------
    def choose(self, level: int) -> None:
        """A level: the upper three are sent at once; a lower one asks why (optional)."""
        if level not in LOW_LEVELS:
            self.ctx.journey.rate(level)
            return
        self.level = level
        for lv, b in self._levels.items():
            if lv in LOW_LEVELS:
                b.kind = "danger" if lv == level else "ghost"

    def write(self) -> None:
        """The short text: the keyboard opens in place of the levels; touched again, it closes."""
        self.writing = not self.writing

    def tick_reason(self, code: str) -> None:
        self.reasons = [r for r in self.reasons if r != code] if code in self.reasons else [*self.reasons, code]
        for c, b in self._reasons.items():
            b.kind = "primary" if c in self.reasons else "ghost"  # ticked: filled, as a chosen level

    def send(self) -> None:
        if self.level:
            self.ctx.journey.rate(self.level, tuple(r for r in REASONS if r in self.reasons),
                                  self.comment[:COMMENT_MAX])

    def skip(self) -> None:
        self.ctx.journey.skip_evaluation()

    # ---- forgetting --------------------------------------------------------------------------
    def _clear(self) -> None:
        self.level, self.reasons, self.comment, self.writing = 0, [], "", False
        if hasattr(self, "_levels"):
            for lv, b in self._levels.items():
                b.kind = "ghost" if lv in LOW_LEVELS else "primary"
            for b in self._reasons.values():
                b.kind = "ghost"
        kb = self.ids.get("keyboard")
        if kb is not None:
            kb.clear()

    def reset(self) -> None:
        super().reset()
        self._subject = None
        self.about = ""
        self._clear()
