"""Form: fields prefilled from the card; a numeric keypad for phone numbers and dates, a pinyin
keyboard with candidates for Chinese text, buttons for a choice; validation beside each field."""
from __future__ import annotations

import functools

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from kiosk.identity import mask_id_number
import screens.handwriting as handwriting
from screens import registry
from screens.i18n import tr
from screens.look import look
from screens.widgets import BigButton, KioskScreen

KEYPAD_INPUTS = ("digits", "phone", "date")
registry.load_kv(handwriting.__file__)  # the 手写 pad for Chinese fields, before this screen's kv


class FormScreen(KioskScreen):
    editor = StringProperty("")  # pinyin | hand | keypad | choice | "" (nothing to type)
    can_write = BooleanProperty(False)  # the field takes Chinese: 手写 is offered beside pinyin
    current = StringProperty("")  # the key of the field being edited

    def __init__(self, **kw):
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._rows: dict[str, BigButton] = {}
        self._fields = {}
        self._locked: set[str] = set()  # keys shown as read from the card (not editable)
        super().__init__(**kw)

    def show(self, event: str) -> None:
        data = self.ctx.journey.snapshot()
        m = data.matter
        self.problem = self.problem_text()
        self.values = self.ctx.actions.prefill(m, data.identity)
        self.values.update(data.form or {})
        self.errors = {}
        self._fields = {f.key: f for f in m.fields}
        # a field the card should fill but did not (a social security card holds no address)
        # is the resident's to type
        self._locked = {f.key for f in m.fields if f.card_attr and self.values.get(f.key)}
        self._build()
        first = next((f.key for f in m.fields if f.key not in self._locked), "")
        self.select(first)

    def _build(self) -> None:
        box = self.ids.fields
        box.clear_widgets()
        self._rows = {}
        labels = {k: self._label(f) for k, f in self._fields.items()}
        # the label column as wide as the longest label (a label never wraps out of its row)
        label_width = max((_text_width(t, look.text) for t in labels.values()), default=0) + look.pad
        for f in self._fields.values():
            row = Factory.BoxLayout(size_hint_y=None, height=look.target + look.pad / 2, spacing=look.pad)
            row.add_widget(Factory.FieldLabel(text=labels[f.key], size_hint_x=None, width=label_width))
            if f.key in self._locked:  # read from the card: shown, not edited
                btn = Factory.CardValue()
            else:
                btn = BigButton(kind="ghost", compact=True, halign="left")
                btn.bind(on_release=lambda _b, k=f.key: self.select(k))
            btn.field_key = f.key
            # a value that wraps (a long address, a masked number and its hint) makes its row taller
            btn.bind(texture_size=lambda b, ts, r=row: setattr(
                r, "height", max(look.target, ts[1] + look.pad / 2) + look.pad / 2))
            row.add_widget(btn)
            err = Factory.FieldLabel(size_hint_x=0.5, color=(0.69, 0.13, 0.13, 1), font_size=look.small)
            row.add_widget(err)
            btn.error_label = err
            self._rows[f.key] = btn
            box.add_widget(row)
            self._paint(f.key)
        if not self._fields:
            box.add_widget(Factory.Body(text=tr("common.next", look.lang) + " →"))
        # takes what the list's window has beyond the rows, below them (a BoxLayout stacks its
        # rows from the bottom: without it a short list would sit at the window's foot)
        box.add_widget(Factory.Widget(size_hint_y=1))
        self.ids.scroll.scroll_y = 1

    @staticmethod
    def _label(f) -> str:
        label = (f.label_en or f.label) if look.lang == "en" else f.label
        return label + ("" if f.required else look.aside(tr("common.optional", look.lang)))

    def _paint(self, key: str) -> None:
        f, btn = self._fields[key], self._rows[key]
        v = self.values.get(key, "")
        if f.card_attr == "id_number":
            v = mask_id_number(v)
        locked = key in self._locked
        hint = tr("form.from_card", look.lang) if locked else ("" if v else tr("form.tap_to_edit", look.lang))
        grey = "4a5563" if locked or key != self.current else "ffffff"
        btn.text = v + (f"  [size={int(look.small)}][color={grey}]{hint}[/color][/size]" if hint else "")
        if not locked:
            btn.kind = "primary" if key == self.current else "ghost"
        btn.error_label.text = self.errors.get(key, "")

    def select(self, key: str) -> None:
        prev, self.current = self.current, key
        if prev in self._rows:
            self._paint(prev)
        self.can_write = False
        self.ids.pad.reset()
        if not key:
            self.editor = ""
            return
        f = self._fields[key]
        if f.input in KEYPAD_INPUTS:
            self.editor = "keypad"
            pad = self.ids.keypad
            pad.extra = "-" if f.input == "date" else ""
            pad.max_length = 11 if f.input == "phone" else min(f.max_length, 18)
            pad.value = self.values.get(key, "")
        elif f.input == "choice":
            self.editor = "choice"
            box = self.ids.choices
            box.clear_widgets()
            for c in f.choices:
                b = BigButton(text=c, kind="secondary", compact=True)
                b.bind(on_release=lambda _b, c=c: self._typed(c))
                box.add_widget(b)
        else:
            self.editor = "pinyin"
            kb = self.ids.keyboard
            kb.clear()
            kb.compose = f.input == "chinese" or f.input == "text"
            kb.max_length = f.max_length
            kb.value = self.values.get(key, "")
            self.can_write = f.input == "chinese"
        self._paint(key)
        self._show_row(key)

    def toggle_hand(self) -> None:
        """手写 ⇄ 拼音 for the Chinese field being typed (the value is kept)."""
        if self.editor not in ("pinyin", "hand") or not self.can_write:
            return
        hw = getattr(self.ctx.services, "handwriting", None)
        self.ids.pad.classify = hw.classify if hw is not None else None
        self.ids.pad.reset()
        self.editor = "hand" if self.editor == "pinyin" else "pinyin"
        if self.current:
            self._show_row(self.current)

    def _show_row(self, key: str) -> None:
        """Keep the field being typed in view: the editor just took its room from the list, which
        lays itself out on the next frame."""
        def scroll(_dt):
            row = self._rows.get(key)
            if row is not None and key == self.current:
                self.ids.scroll.scroll_to(row.parent, padding=0, animate=False)
        Clock.schedule_once(scroll, 0)

    def _typed(self, value: str) -> None:
        if self.current and self.editor:
            self.values[self.current] = value
            self.errors.pop(self.current, None)
            self._paint(self.current)

    def go_next(self) -> None:
        # checked by the journey (kiosk.intake's rules); without errors it moves on with the values
        self.errors = self.ctx.journey.finish_form({k: v for k, v in self.values.items() if k in self._fields}, look.lang)
        if not self.errors:
            return
        for k in self._rows:
            self._paint(k)
        self.problem = tr("form.fix", look.lang)
        first = next(iter(self.errors))
        if first not in self._locked:
            self.select(first)
        self.ids.scroll.scroll_to(self._rows[first], animate=False)  # the first error in view

    def reset(self) -> None:
        super().reset()
        self.values, self.errors, self._fields = {}, {}, {}
        self._locked = set()
        self.current = ""
        self.editor = ""
        self.ids.fields.clear_widgets()
        self._rows = {}
        self.can_write = False
        self.ids.pad.reset()
        self.ids.keyboard.clear()
        self.ids.keypad.clear()
        self.ids.choices.clear_widgets()


@functools.lru_cache(maxsize=512)  # the same labels come back on every journey: render each once
def _text_width(text: str, font_size: float) -> float:
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(text=text, font_size=font_size)
    core.refresh()
    return core.content_width
