"""Receipt (受理回执): sent or saved, the tracking number, printing (the journey prints); if the
printer is not ready the QR code and number stay on screen to photograph (and the status bar and
technician learn why)."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from screens.i18n import tr
from screens.look import look
from screens.widgets import KioskScreen


class ReceiptScreen(KioskScreen):
    headline = StringProperty("")
    number = StringProperty("")
    printing = StringProperty("")  # printing | printed | failed
    qr = StringProperty("")
    forwarded = BooleanProperty(False)
    days = StringProperty("")
    take_card = BooleanProperty(False)  # a card is on a reader or the scanner: 请取走身份证/社保卡和回执
    corrects = StringProperty("")  # 补正: the tracking number this submission corrected

    def show(self, event: str) -> None:
        j = self.ctx.journey.snapshot()
        sub = j.submitted
        if sub is None or event != "submitted":
            return
        self.forwarded = sub.outcome.forwarded
        self.headline = tr("submit.sent", look.lang, jurisdiction=sub.jurisdiction_name) if self.forwarded \
            else tr("submit.queued", look.lang)
        self.number = sub.receipt.tracking_number
        site = self.ctx.services.config.jurisdictions.get(j.matter.jurisdiction)
        self.days = str(site.prereview_days if site else 3)
        self.qr = j.qr_path
        self.printing = j.printing
        self.take_card = j.take_card
        self.corrects = sub.receipt.corrects

    def journey_changed(self) -> None:
        j = self.ctx.journey.snapshot()
        self.printing = j.printing
        self.take_card = j.take_card

    def reset(self) -> None:
        super().reset()
        self.headline = self.number = self.qr = self.printing = self.days = ""
        self.take_card = False
        self.corrects = ""
