"""Receipt (受理回执): sent or saved, the tracking number, printing; if the printer is not ready the
QR code and number stay on screen to photograph (and the status bar and technician learn why)."""
from __future__ import annotations

import os

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

    def show(self, event: str) -> None:
        sub = self.ctx.session.data.outcome
        if sub is None or event != "submitted":
            return
        self.forwarded = sub.outcome.forwarded
        self.headline = tr("submit.sent", look.lang, jurisdiction=sub.jurisdiction_name) if self.forwarded \
            else tr("submit.queued", look.lang)
        self.number = sub.receipt.tracking_number
        j = self.ctx.services.config.jurisdictions.get(self.ctx.session.data.matter.jurisdiction)
        self.days = str(j.prereview_days if j else 3)
        folder = self.ctx.scan_folder or self.ctx.actions.new_scan_folder()
        self.ctx.scan_folder = folder
        self.qr = self.ctx.actions.qr_png(sub.receipt.qr_payload, os.path.join(folder, "receipt-qr.png"))
        self.printing = "printing"
        self.ctx.run(lambda: self.ctx.actions.print_receipt(sub.receipt), self._printed, self._failed)

    def _printed(self, outcome) -> None:
        self.printing = "printed" if outcome is not None and outcome.ok else "failed"
        self.ctx.shell.status_changed()

    def _failed(self, _error) -> None:
        self.printing = "failed"
        self.ctx.shell.status_changed()

    def reset(self) -> None:
        super().reset()
        self.headline = self.number = self.qr = self.printing = self.days = ""
