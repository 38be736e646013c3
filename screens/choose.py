"""Choose: jurisdiction, categories, popular matters, and search with the pinyin keyboard
(initials or full pinyin); results as big buttons."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

import screens.handwriting as handwriting
from screens import registry
from screens.i18n import tr
from screens.look import look
from screens.widgets import BigButton, KioskScreen

registry.load_kv(handwriting.__file__)  # the 手写 pad beside the keyboard, before this screen's kv
RESULTS = 24  # matters shown at once; more would only scroll past an elderly resident
CACHE = 48  # result lists kept built: buttons hold only catalog text, never the resident's data


class ChooseScreen(KioskScreen):
    jurisdiction = StringProperty("")  # "" = every jurisdiction this kiosk serves
    category = StringProperty("")
    heading = StringProperty("")
    writing = BooleanProperty(False)  # the handwriting pad shows in the pinyin keyboard's place

    def show(self, event: str) -> None:
        hw = getattr(self.ctx.services, "handwriting", None)
        self.ids.pad.classify = hw.classify if hw is not None else None
        if event != "pick":  # coming back from a guide keeps the resident's search
            self._fill_filters()
            self.refresh()
        self.problem = self.problem_text()

    def reset(self) -> None:
        super().reset()
        self.jurisdiction = self.category = ""
        self.writing = False
        self.ids.pad.reset()
        self.ids.keyboard.clear()
        self.ids.results.clear_widgets()

    def pick_jurisdiction(self, code: str) -> None:
        self.jurisdiction = code
        self.category = ""
        self._fill_filters()
        self.refresh()

    def pick_category(self, cat: str) -> None:
        self.category = "" if self.category == cat else cat
        self._fill_filters()
        self.refresh()

    def __init__(self, **kw):
        self._built: dict[tuple, list] = {}  # (what the list shows) → its buttons, oldest first
        self._filters_key = None
        super().__init__(**kw)

    def _fill_filters(self) -> None:
        a = self.ctx.actions
        key = (self.jurisdiction, self.category, look.lang, look.elder)
        if key == self._filters_key:
            return
        self._filters_key = key
        box = self.ids.filters
        box.clear_widgets()
        for code in [""] + a.served():
            name = tr("choose.all", look.lang) if not code else a.jurisdiction_name(code, look.lang).split("（")[0]
            b = BigButton(text=name, kind="primary" if code == self.jurisdiction else "ghost", compact=True)
            b.bind(on_release=lambda _b, c=code: self.pick_jurisdiction(c))
            box.add_widget(b)
        box.add_widget(Factory.Small(text=tr("choose.categories", look.lang)))
        for cat in a.categories(self.jurisdiction or None)[:10]:
            b = BigButton(text=cat, kind="primary" if cat == self.category else "secondary", compact=True)
            b.bind(on_release=lambda _b, c=cat: self.pick_category(c))
            box.add_widget(b)

    def refresh(self, *_) -> None:
        a = self.ctx.actions
        query = self.ids.keyboard.value
        if query or self.category:
            found = a.search(query, jurisdiction=self.jurisdiction or None, category=self.category or None, limit=RESULTS)
            self.heading = ""
        else:
            found = a.popular(self.jurisdiction or None, n=RESULTS // 2)
            self.heading = tr("choose.popular", look.lang)
        box = self.ids.results
        box.clear_widgets()
        key = (tuple(m.code for m in found), look.lang, look.elder, a.network_key())
        widgets = self._built.pop(key, None)
        if widgets is None:
            widgets = self._buttons(found)
        self._built[key] = widgets  # most recent last
        while len(self._built) > CACHE:
            self._built.pop(next(iter(self._built)))
        for w in widgets:
            box.add_widget(w)

    def _buttons(self, found) -> list:
        a = self.ctx.actions
        out = []
        for m in found:
            name = look.name_of(m)
            where = a.jurisdiction_name(m.jurisdiction, look.lang).split("（")[0]
            note = "" if a.can_start(m) else " " + tr("choose.offline", look.lang)
            b = BigButton(text=f"{name}\n[size={int(look.small)}]{where} · {m.category}{note}[/size]",
                          kind="secondary")
            b.matter_code = m.code
            b.bind(on_release=lambda _b, m=m: self.ctx.fire("pick", matter=m))
            out.append(b)
        if not found:
            out.append(Factory.Body(text=tr("choose.none", look.lang)))
        return out
