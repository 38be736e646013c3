"""Answer: the result of a query matter (公积金缴存查询 and the like), asked of the jurisdiction
off the main thread and shown as plain rows."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from kiosk.words import WORDS
from screens.look import look
from screens.widgets import KioskScreen


# What a jurisdiction's answer fields are called for a resident; unknown ones show as sent.
ANSWER_LABELS = {k[len("answer.label."):]: v for k, v in WORDS.items() if k.startswith("answer.label.")}
HIDDEN_KEYS = ("operation",)  # plumbing, not for the resident
# Status words a jurisdiction answers in English: a resident reads them in their language.
ANSWER_VALUES = {k[len("answer.value."):]: v for k, v in WORDS.items() if k.startswith("answer.value.")}


class AnswerScreen(KioskScreen):
    busy = BooleanProperty(False)
    title = StringProperty("")
    take_card = BooleanProperty(False)  # the card is still on its reader: 请取走身份证/社保卡

    def show(self, event: str) -> None:
        data = self.ctx.journey.snapshot()  # the journey asks the jurisdiction when the step opens
        self.take_card = data.take_card
        m = data.matter
        self.title = look.name_of(m)
        self.problem = self.problem_text()
        self.busy = data.asking
        if event == "next":
            self.ids.rows.clear_widgets()
        elif event == "answered":
            self._render(data.answer or {})

    def _render(self, answer: dict) -> None:
        box = self.ids.rows
        box.clear_widgets()
        for k, v in _flatten(answer):
            row = Factory.BoxLayout(size_hint_y=None, height=look.target, spacing=look.pad)
            if k in HIDDEN_KEYS:
                continue
            zh_en = ANSWER_LABELS.get(k)
            label = (zh_en[1] if look.lang == "en" else zh_en[0]) if zh_en else str(k)
            row.add_widget(Factory.Body(text=label, size_hint_x=0.4, color=(0.29, 0.33, 0.39, 1)))
            row.add_widget(Factory.Body(text=_value_text(v), bold=True))
            box.add_widget(row)

    def reset(self) -> None:
        super().reset()
        self.busy = False
        self.take_card = False
        self.title = ""
        self.ids.rows.clear_widgets()


def _value_text(v) -> str:
    words = ANSWER_VALUES.get(str(v).strip().lower()) if isinstance(v, str) else None
    return (words[1] if look.lang == "en" else words[0]) if words else str(v)


def _flatten(d, prefix: str = ""):
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _flatten(v, f"{prefix}{k} " if prefix else f"{k}")
    elif isinstance(d, (list, tuple)):
        for i, v in enumerate(d, 1):
            yield from _flatten(v, f"{prefix} {i}")
    else:
        yield prefix.strip(), d
