"""Guide (办事指南): what to bring, fees, time limit, where the result goes, and whether the matter
can be queued offline; a query matter says before the start when the network is down."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from screens.i18n import tr
from screens.look import look
from screens.widgets import KioskScreen


class GuideScreen(KioskScreen):
    title = StringProperty("")
    can_start = BooleanProperty(True)
    is_query = BooleanProperty(False)

    def show(self, event: str) -> None:
        m = self.ctx.journey.snapshot().matter
        a = self.ctx.actions
        self.problem = self.problem_text()
        self.title = look.name_of(m) + "  ·  " + \
            a.jurisdiction_name(m.jurisdiction, look.lang)
        self.is_query = m.kind == "query"
        self.can_start = a.can_start(m)
        box = self.ids.sections
        box.clear_widgets()
        g = m.guide

        def section(key: str, text: str) -> None:
            if text:
                box.add_widget(Factory.Small(text=tr(key, look.lang), bold=True, color=(0.0, 0.32, 0.64, 1)))
                box.add_widget(Factory.Body(text=text))

        section("guide.summary", g.summary)
        section("guide.conditions", g.conditions)
        if m.materials:
            lines = []
            for mat in m.materials:
                pages = mat.pages_min if mat.pages_min == mat.pages_max else f"{mat.pages_min}–{mat.pages_max}"
                need = tr("common.must_hand_in" if mat.required else "common.optional", look.lang)
                sep = ", " if look.lang == "en" else "，"
                lines.append(f"• {look.name_of(mat)}{look.aside(need + sep + tr('guide.pages', look.lang, n=pages))}")
            section("guide.materials", "\n".join(lines))
        section("guide.fees", g.fees)
        section("guide.time_limit", g.time_limit)
        section("guide.result", g.result)
        section("guide.where", g.where)
        if not self.can_start:
            self.problem = tr("guide.offline_now", look.lang)
            offline = ""
        else:
            offline = tr("guide.offline_ok" if (m.offline_ok and not self.is_query) else "guide.offline_no", look.lang)
        self.ids.offline.text = offline

    def reset(self) -> None:
        super().reset()
        self.title = ""
        self.ids.sections.clear_widgets()
