"""Delivery of results (材料寄递): pick up at a service hall, or mail to an address (the card's
address to start with, typed on the pinyin keyboard) with a mobile number for the courier."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk import intake
from kiosk.transaction import Delivery
from screens.i18n import tr
from screens.look import look
from screens.widgets import KioskScreen

PHONE_RE = intake.PHONE_RE


class DeliveryScreen(KioskScreen):
    method = StringProperty("pickup")
    editing = StringProperty("")  # address | phone | ""
    address = StringProperty("")
    phone = StringProperty("")

    def show(self, event: str) -> None:
        data = self.ctx.journey.snapshot()
        self.problem = self.problem_text()
        methods = data.matter.delivery
        d = data.delivery
        if d is not None:
            self.method, self.address, self.phone = d.method, d.address or "", d.recipient_phone or ""
        else:
            start = intake.default_delivery(data.matter, data.identity, data.form or {})
            mail = intake.default_delivery(data.matter, data.identity, data.form or {}, "mail")
            self.method, self.address, self.phone = start.method, mail.address or "", mail.recipient_phone or ""
        self.ids.pickup.disabled = "pickup" not in methods
        self.ids.mail.disabled = "mail" not in methods
        self.editing = ""

    def choose(self, method: str) -> None:
        self.method = method
        self.editing = "address" if method == "mail" else ""
        if method == "mail":
            self.edit("address")

    def edit(self, what: str) -> None:
        self.editing = what
        if what == "address":
            kb = self.ids.keyboard
            kb.clear()
            kb.compose = True
            kb.max_length = 80
            kb.value = self.address
        elif what == "phone":
            self.ids.keypad.max_length = 11
            self.ids.keypad.value = self.phone

    def typed(self, value: str) -> None:
        if self.editing == "address":
            self.address = value
        elif self.editing == "phone":
            self.phone = value

    def go_next(self) -> None:
        # checked by the journey (kiosk.intake's rules); when right it moves on with the delivery
        d = Delivery("mail", self.address.strip(), self.phone) if self.method == "mail" else Delivery(self.method)
        why = self.ctx.journey.finish_delivery(d)
        if why == "address":
            self.problem = tr("delivery.address", look.lang) + " ?"
            self.edit("address")
            return
        if why == "phone":
            self.problem = tr("delivery.phone_invalid", look.lang)
            self.edit("phone")

    def reset(self) -> None:
        super().reset()
        self.method, self.editing, self.address, self.phone = "pickup", "", "", ""
        self.ids.keyboard.clear()
        self.ids.keypad.clear()
