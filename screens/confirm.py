"""Confirm: a summary of the journey and the consent to send the data to the owning jurisdiction."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from screens.i18n import tr
from screens.look import look
from screens.widgets import KioskScreen


class ConfirmScreen(KioskScreen):
    consent = BooleanProperty(False)
    jurisdiction = StringProperty("")

    def show(self, event: str) -> None:
        data = self.ctx.journey.snapshot()
        a = self.ctx.actions
        m = data.matter
        self.problem = self.problem_text()
        self.consent = False
        self.jurisdiction = a.jurisdiction_name(m.jurisdiction, look.lang)
        rows = [("confirm.matter", look.name_of(m)),
                ("confirm.jurisdiction", self.jurisdiction),
                ("confirm.applicant", f"{data.identity.masked_name}  {data.identity.masked_id}")]
        from_card = a.prefill(m, data.identity)  # as the form had it: shown above as the applicant
        for f in m.fields:
            # what the resident typed: a card's field too when the card left it empty (an address)
            if data.form.get(f.key) and not from_card.get(f.key):
                rows.append((None, ((f.label_en or f.label) if look.lang == "en" else f.label, data.form[f.key])))
        if m.materials:
            mats = [f"{look.name_of(mat)} ×{data.attachments[mat.code].pages}" for mat in m.materials if mat.code in data.attachments]
            rows.append(("confirm.materials", "；".join(mats) or "—"))
        d = data.delivery
        if d is not None:
            rows.append(("confirm.delivery", tr("delivery.pickup", look.lang) if d.method == "pickup"
                         else f"{tr('delivery.mail', look.lang)}：{d.address}"))
        box = self.ids.summary
        box.clear_widgets()
        for key, value in rows:
            label, text = (tr(key, look.lang), value) if key else value
            row = Factory.BoxLayout(size_hint_y=None, spacing=look.pad)
            lab = Factory.Body(text=label, size_hint_x=0.25, color=(0.29, 0.33, 0.39, 1))
            val = Factory.Body(text=text)
            row.add_widget(lab)
            row.add_widget(val)
            val.bind(height=lambda w, h, r=row: setattr(r, "height", h))
            box.add_widget(row)

    def submit(self) -> None:
        if self.consent:
            self.ctx.fire("submit")

    def reset(self) -> None:
        super().reset()
        self.consent = False
        self.jurisdiction = ""
        self.ids.summary.clear_widgets()
