"""Scan: the material checklist, scanned as a person scans (the journey does the page work,
kiosk/pages.py): add a page, or the next side of a two-sided one (front, then 请翻面 and the back);
tap a page to see it large, retake or delete it; optional materials can be skipped; the count of
pages scanned. The ID card (a catalog kind) is asked for on the scanner, front then back."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.image import Image

from screens.i18n import tr
from screens.look import look
from screens.sizes import rgba
from screens.widgets import BigButton, KioskScreen


class PageThumb(ButtonBehavior, Image):
    """A scanned page's small picture: tapped, it opens large."""


class ScanScreen(KioskScreen):
    busy = StringProperty("")  # the material being scanned
    pages = NumericProperty(0)
    complete = BooleanProperty(False)
    viewing = StringProperty("")  # "code:index" of the page open large, "" when none
    correction = StringProperty("")  # 补正: which application is corrected, "" for a first submission

    def __init__(self, **kw):
        self.skipped: set[str] = set()
        self._viewer = None
        super().__init__(**kw)

    def show(self, event: str) -> None:
        self.problem = self.problem_text()
        if event != "scanned":  # come to the step (not a page kept while one is open large)
            self.close_page()
        self.journey_changed()

    def journey_changed(self) -> None:
        j = self.ctx.journey.snapshot()
        if j.matter is None:  # the journey was wiped (a late change reported as it ended): nothing to show
            return
        self.busy = j.scanning
        if j.scan_error is not None:
            reason = j.scan_error.en if look.lang == "en" else j.scan_error.zh
            self.problem = tr("scan.failed", look.lang, reason=reason)
        for code in j.attachments:
            self.skipped.discard(code)
        self._build(j)
        if self.viewing:
            self._show_page(j)

    # ---- the checklist -----------------------------------------------------------------------
    def _build(self, data=None) -> None:
        data = data or self.ctx.journey.snapshot()
        m = data.matter
        correcting = data.correcting
        self.correction = tr("scan.correction", look.lang, number=correcting.tracking_number) if correcting else ""
        box = self.ids.materials
        box.clear_widgets()
        for mat in m.materials:
            view = data.pages.get(mat.code)
            count = view.count if view else 0
            thumb_h = look.button * 1.4
            row = Factory.BoxLayout(size_hint_y=None, height=look.button + (thumb_h if count else 0) + look.pad,
                                    spacing=look.pad)
            left = Factory.BoxLayout(orientation="vertical", spacing=4)
            need = tr("common.must_hand_in" if mat.required and correcting is None else "common.optional", look.lang)
            left.add_widget(Factory.Body(text=look.name_of(mat) + look.aside(need)))
            state = Factory.Small(text=self._state_text(mat, view), color=rgba("ok") if view and view.complete
                                  else rgba("muted"))
            state.material_state = mat.code
            left.add_widget(state)
            if count:
                strip = Factory.BoxLayout(size_hint_y=None, height=thumb_h, spacing=6)
                for i, src in enumerate(view.previews):
                    t = PageThumb(source=src, nocache=True, fit_mode="contain", size_hint_x=None, width=thumb_h * 0.75)
                    t.page_ref = (mat.code, i)
                    t.bind(on_release=lambda _t, c=mat.code, n=i: self.open_page(c, n))
                    strip.add_widget(t)
                strip.add_widget(Factory.Widget())
                left.add_widget(strip)
            row.add_widget(left)
            buttons = Factory.BoxLayout(orientation="vertical", size_hint_x=None, width=look.button * 2.4, spacing=4)
            b = BigButton(text=self._scan_label(view), kind="secondary" if count and not self._wants_more(mat, view)
                          else "primary", disabled=bool(self.busy) or (view is not None and not view.can_add))
            b.material_code = mat.code
            b.bind(on_release=lambda _b, c=mat.code: self.scan(c))
            buttons.add_widget(b)
            if not mat.required and correcting is None and not count and mat.code not in self.skipped:
                s = BigButton(text=tr("scan.skip", look.lang), kind="ghost", compact=True)
                s.bind(on_release=lambda _b, c=mat.code: self.skip(c))
                buttons.add_widget(s)
            buttons.add_widget(Factory.Widget())
            row.add_widget(buttons)
            box.add_widget(row)
        Clock.schedule_once(self._settle_scroll, 0)  # once the rows have their heights
        self.pages = sum(v.count for v in data.pages.values())
        self.complete = not data.missing and all(v.complete or not v.count for v in data.pages.values())

    def _settle_scroll(self, *_):
        """Rows grow and shrink as pages come and go: keep the list within its ends (a list left
        scrolled past its end showed an empty band above the first material)."""
        sv = self.ids.scroll
        sv._update_effect_bounds()
        if self.ids.materials.height <= sv.height:
            sv.scroll_y = 1
        else:
            sv.scroll_y = min(max(sv.scroll_y, 0.0), 1.0)

    @staticmethod
    def _wants_more(mat, view) -> bool:
        return view is None or not view.complete

    def _state_text(self, mat, view) -> str:
        lang = look.lang
        if mat.kind == "id_card":  # the catalog's kind: the resident's own card, front then back
            if view is None or view.count == 0:
                return tr("scan.id_card_front", lang)
            if view.next_side == "back":
                return tr("scan.id_card_back", lang)
            return tr("scan.id_card_done", lang)
        if view is None or view.count == 0:
            if mat.code in self.skipped:
                return tr("scan.skip", lang)
            if mat.pages_max > mat.pages_min:
                return tr("scan.need_pages", lang, lo=mat.pages_min, hi=mat.pages_max)
            return tr("scan.need_n", lang, n=mat.pages_min) if mat.pages_min > 1 else ""
        if view.next_side == "back":
            return tr("scan.turn_over", lang)
        if view.count < mat.pages_min:
            return tr("scan.need_more", lang, n=view.count, more=mat.pages_min - view.count)
        return tr("scan.done_pages", lang, n=view.count) + "  " + tr("scan.tap_to_check", lang)

    @staticmethod
    def _scan_label(view) -> str:
        if view is not None and not view.can_add:
            return tr("scan.all_taken", look.lang)
        if view is not None and view.next_side:
            return tr("scan.back" if view.next_side == "back" else "scan.front", look.lang)
        if view is None or view.count == 0:
            return tr("scan.scan", look.lang)
        return tr("scan.add_page", look.lang)

    # ---- one page, large ---------------------------------------------------------------------
    def open_page(self, code: str, index: int) -> None:
        if self.busy:
            return
        self.viewing = f"{code}:{index}"
        self._show_page(self.ctx.journey.snapshot())

    def _show_page(self, data) -> None:
        code, _, i = self.viewing.partition(":")
        index = int(i)
        view = data.pages.get(code)
        if view is None or index >= view.count:
            self.close_page()
            return
        if self._viewer is None:
            self._viewer = Factory.PageViewer()
            self.add_widget(self._viewer)
        v = self._viewer
        mat = data.matter.material(code)
        side = view.sides[index]
        v.ids.caption.text = f"{look.name_of(mat)} · " + (
            tr("scan.page_side", look.lang, n=index + 1, side=tr(f"scan.side.{side}", look.lang)) if side
            else tr("scan.page_n", look.lang, n=index + 1))
        v.ids.page.source = self.ctx.journey.large_view(code, index)
        v.ids.delete.text = tr("scan.delete_sheet" if side else "scan.delete_page", look.lang)
        v.ids.retake.disabled = v.ids.delete.disabled = bool(self.busy)

    def close_page(self) -> None:
        self.viewing = ""
        if self._viewer is not None:
            self.remove_widget(self._viewer)
            self._viewer.ids.page.source = ""
            self._viewer = None

    def retake_page(self) -> None:
        code, _, i = self.viewing.partition(":")
        if code and not self.busy:
            self.problem = ""
            self.ctx.journey.retake(code, int(i))  # the viewer shows the new page when it is back

    def delete_page(self) -> None:
        code, _, i = self.viewing.partition(":")
        if code and not self.busy:
            self.close_page()
            self.ctx.journey.delete_page(code, int(i))

    # ---- touches -------------------------------------------------------------------------------
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
        self.close_page()
        self.skipped = set()
        self.busy = ""
        self.pages = 0
        self.ids.materials.clear_widgets()
