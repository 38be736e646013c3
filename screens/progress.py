"""Progress query (办理进度查询): by ID card or tracking number, the resident's transactions with
the kiosk's state (queued / sent) and the jurisdiction's (pre-review passed, needs correction with
the reason, completed, rejected)."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty

from screens.i18n import tr
from screens.look import look
from screens.widgets import BigButton, KioskScreen


class ProgressScreen(KioskScreen):
    busy = BooleanProperty(False)
    searched = BooleanProperty(False)

    def show(self, event: str) -> None:
        data = self.ctx.journey.snapshot()
        self.problem = self.problem_text()
        if event == "query":
            self.reset()
        elif event in ("found", "back") and data.progress is not None:  # back: from a correction not made
            self._render(data.progress)
        self.journey_changed()

    def journey_changed(self) -> None:
        asking = self.ctx.journey.snapshot().asking
        if asking and not self.busy:  # a query by card or by number started
            self.ids.records.clear_widgets()
        self.busy = asking

    def by_number(self) -> None:
        number = self.ids.keypad.value.strip().upper()
        if len(number) < 6:
            return
        self.ctx.journey.progress_by_number(number)

    def _render(self, items) -> None:
        self.searched = True
        box = self.ids.records
        box.clear_widgets()
        a = self.ctx.actions
        identified = self.ctx.journey.snapshot().identity is not None
        if not items:
            box.add_widget(Factory.Body(text=tr("progress.none", look.lang)))
        for it in sorted(items, key=lambda i: i.created_at, reverse=True):  # the latest first
            panel = Factory.Panel()
            head = f"{a.matter_name(it.matter_code, look.lang)}  ·  {a.jurisdiction_name(it.jurisdiction, look.lang)}"
            panel.add_widget(Factory.Body(text=head, bold=True))
            panel.add_widget(Factory.Small(text=f"{it.tracking_number}   {it.created_at:%Y-%m-%d %H:%M}"))
            state = tr(f"progress.local.{it.local_state}", look.lang)
            if it.remote_state:
                state += "  →  " + tr(f"progress.remote.{it.remote_state}", look.lang)
            lab = Factory.Body(text=state, color=(0.69, 0.13, 0.13, 1) if it.remote_state in ("needs_correction", "rejected")
                               else (0.08, 0.43, 0.23, 1))
            lab.progress_state = it.remote_state or it.local_state
            panel.add_widget(lab)
            if it.remote_reason:
                panel.add_widget(Factory.Problem(text=tr("progress.reason", look.lang, reason=it.remote_reason)))
            if it.remote_state == "needs_correction":
                if identified:  # 补正 here: the resident this card identifies rescans and resubmits
                    b = BigButton(text=tr("progress.correct", look.lang), compact=True)
                    b.correct_txid = it.txid
                    b.bind(on_release=lambda _b, t=it.txid: self.ctx.journey.correct(t))
                    panel.add_widget(b)
                else:
                    panel.add_widget(Factory.Small(text=tr("progress.correct_by_card", look.lang)))
            box.add_widget(panel)

    def reset(self) -> None:
        super().reset()
        self.busy = self.searched = False
        self.ids.records.clear_widgets()
        self.ids.keypad.clear()
