"""Scan: the material checklist; scan each with a preview of its pages; rescan; optional
materials can be skipped; the count of pages checked."""
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
        if self.ctx.scan_folder is None:
            self.ctx.scan_folder = self.ctx.actions.new_scan_folder()
        self._build()

    def _build(self) -> None:
        data = self.ctx.session.data
        m = data.matter
        box = self.ids.materials
        box.clear_widgets()
        for mat in m.materials:
            got = data.attachments.get(mat.code)
            row = Factory.BoxLayout(size_hint_y=None, height=look.button + (look.button if got else 0), spacing=look.pad)
            left = Factory.BoxLayout(orientation="vertical")
            need = tr("common.required" if mat.required else "common.optional", look.lang)
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
        self.complete = not self.ctx.actions.missing_materials(m, data.attachments)

    def skip(self, code: str) -> None:
        self.skipped.add(code)
        self._build()

    def scan(self, code: str) -> None:
        if self.busy:
            return
        self.busy = code
        self.problem = ""
        m = self.ctx.session.data.matter
        folder = self.ctx.scan_folder
        self._build()
        self.ctx.run(lambda: self.ctx.actions.scan(m, code, folder), self._scanned, self._failed)

    def _scanned(self, result) -> None:
        self.busy = ""
        self.skipped.discard(result.material)
        self.ctx.session.data.attachments[result.material] = result
        self.ctx.session.touch()
        self._build()

    def _failed(self, error) -> None:
        self.busy = ""
        reason = getattr(error, "resident_en" if look.lang == "en" else "resident", None) or str(error)
        self.problem = tr("scan.failed", look.lang, reason=reason)
        self._build()

    def go_next(self) -> None:
        if not self.complete:
            self.problem = tr("scan.missing", look.lang)
            return
        self.ctx.fire("next")

    def reset(self) -> None:
        super().reset()
        self.skipped = set()
        self.busy = ""
        self.pages = 0
        self.ids.materials.clear_widgets()
