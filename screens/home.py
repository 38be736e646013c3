"""Home: what the kiosk is for, start a matter, query progress, language, elder mode, where the
kiosk stands and which jurisdictions it serves."""
from __future__ import annotations

from kivy.properties import StringProperty

from screens.i18n import tr
from screens.look import look
from screens.widgets import KioskScreen


class HomeScreen(KioskScreen):
    where = StringProperty("")
    serves = StringProperty("")

    def on_ctx(self, *_):
        look.bind(lang=lambda *_: self._describe())
        self._describe()

    def _describe(self) -> None:
        a = self.ctx.actions
        self.where = tr("home.where", look.lang, site=self.ctx.services.config.site)
        sep = "、" if look.lang == "zh" else ", "
        self.serves = tr("home.serves", look.lang, names=sep.join(a.jurisdiction_name(c, look.lang) for c in a.served()))

    def toggle_language(self) -> None:
        look.lang = "en" if look.lang == "zh" else "zh"
        self.ctx.shell.status_changed()

    def toggle_elder(self) -> None:
        look.elder = not look.elder
        self.ctx.shell.voice.say_key("voice.elder_on" if look.elder else "voice.elder_off", "home")
