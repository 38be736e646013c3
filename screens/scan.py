"""Scan: the material checklist; scan each with a preview of its pages (the journey scans); rescan;
optional materials can be skipped; the count of pages checked."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.i18n import tr
from screens.look import look
from screens.widgets import BigButton, KioskScreen


class ScanScreen(KioskScreen):
    busy = StringProperty("")  # the material being scanned
    pages = NumericProperty(0)
    complete = BooleanProperty(False)

    def __init__(self, **kw):
        self.skipped: set[str] = set()
        super().__init__(**kw)

    def show(self, event: str) -> None:
        self.problem = self.problem_text()
        self.journey_changed()

    def journey_changed(self) -> None:
        j = self.ctx.journey.snapshot()
        self.busy = j.scanning
        if j.scan_error is not None:
            reason = j.scan_error.en if look.lang == "en" else j.scan_error.zh
            self.problem = tr("scan.failed", look.lang, reason=reason)
        for code in j.attachments:
            self.skipped.discard(code)
        self._build(j)

    def _build(self, data=None) -> None:
        data = data or self.ctx.journey.snapshot()
        m = data.matter
        box = self.ids.materials
        box.clear_widgets()
        for mat in m.materials:
            got = data.attachments.get(mat.code)
            row = Factory.BoxLayout(size_hint_y=None, height=look.button + (look.button if got else 0), spacing=look.pad)
            left = Factory.BoxLayout(orientation="vertical")
            need = tr("common.must_hand_in" if mat.required else "common.optional", look.lang)
            state = tr("scan.done_pages", look.lang, n=got.pages) if got else (
                tr("scan.skip", look.lang) if mat.code in self.skipped else "")
            left.add_widget(Factory.Body(text=f"{mat.name}（{need}）"))
            left.add_widget(Factory.Small(text=state, color=(0.08, 0.43, 0.23, 1)))
            row.add_widget(left)
            if got:
                strip = Factory.BoxLayout(size_hint_x=None, width=look.button * 1.6 * min(len(got.preview_paths), 3), spacing=4)
                for p in got.preview_paths[:3]:
                    strip.add_widget(Factory.Image(source=p, nocache=True, fit_mode="contain"))
                row.add_widget(strip)
            buttons = Factory.BoxLayout(orientation="vertical", size_hint_x=None, width=look.button * 2.2, spacing=4)
            b = BigButton(text=tr("scan.rescan" if got else "scan.scan", look.lang), kind="secondary" if got else "primary",
                          disabled=bool(self.busy))
            b.material_code = mat.code
            b.bind(on_release=lambda _b, c=mat.code: self.scan(c))
            buttons.add_widget(b)
            if not mat.required and not got and mat.code not in self.skipped:
                s = BigButton(text=tr("scan.skip", look.lang), kind="ghost", compact=True)
                s.bind(on_release=lambda _b, c=mat.code: self.skip(c))
                buttons.add_widget(s)
            row.add_widget(buttons)
            box.add_widget(row)
        self.pages = sum(s.pages for s in data.attachments.values())
        self.complete = not data.missing

    def skip(self, code: str) -> None:
        self.skipped.add(code)
        self._build()

    def scan(self, code: str) -> None:
        if self.busy:
            return
        self.problem = ""
        self.ctx.journey.scan(code)  # journey_changed() now (busy), and again with the result

    def go_next(self) -> None:
        if not self.ctx.journey.finish_scan():
            self.problem = tr("scan.missing", look.lang)

    def reset(self) -> None:
        super().reset()
        self.skipped = set()
        self.busy = ""
        self.pages = 0
        self.ids.materials.clear_widgets()
