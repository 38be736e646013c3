"""Progress query (办理进度查询): by ID card or tracking number, the resident's transactions with
the kiosk's state (queued / sent) and the jurisdiction's (pre-review passed, needs correction with
the reason, completed, rejected)."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty

from kiosk.session import Problem
from screens.i18n import tr
from screens.look import look
from screens.widgets import KioskScreen


class ProgressScreen(KioskScreen):
    busy = BooleanProperty(False)
    searched = BooleanProperty(False)

    def show(self, event: str) -> None:
        data = self.ctx.session.data
        self.problem = self.problem_text()
        if event == "query":
            self.reset()
        elif event == "card_read" and data.identity is not None:
            number = data.identity.id_number
            self._ask(lambda: self.ctx.actions.progress(id_number=number))
        elif event == "found":
            self.busy = False
            self._render(data.progress or [])
        elif event == "failed":
            self.busy = False

    def card_failed(self, code: str, text: str) -> None:
        self.problem = text

    def by_number(self) -> None:
        number = self.ids.keypad.value.strip().upper()
        if len(number) < 6:
            return
        self._ask(lambda: self.ctx.actions.progress(tracking_number=number))

    def _ask(self, fn) -> None:
        self.busy = True
        self.ids.records.clear_widgets()
        self.ctx.run(fn, lambda items: self.ctx.fire("found", items=items), self._failed)

    def _failed(self, error) -> None:
        zh = getattr(error, "resident", None) or "暂时无法查询，请稍后再试。"
        en = getattr(error, "resident_en", None) or "Progress cannot be checked right now. Please try later."
        self.ctx.fire("failed", error=Problem("progress_failed", zh, en))

    def _render(self, items) -> None:
        self.searched = True
        box = self.ids.records
        box.clear_widgets()
        a = self.ctx.actions
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
            box.add_widget(panel)

    def reset(self) -> None:
        super().reset()
        self.busy = self.searched = False
        self.ids.records.clear_widgets()
        self.ids.keypad.clear()
