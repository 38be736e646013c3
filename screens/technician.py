"""Technician (运维): reached by a hidden gesture, then a PIN (hashed; lockout after 5 wrong
tries with a doubling wait): device states, outbox counts and dead items, test print, test read,
network state, the config without secrets, and leaving the app."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.identity import mask_id_number
from screens.i18n import tr
from screens.look import look
from screens.widgets import KioskScreen


class TechnicianScreen(KioskScreen):
    unlocked = BooleanProperty(False)
    message = StringProperty("")
    report = StringProperty("")

    def show(self, event: str) -> None:
        if event == "technician":
            self.reset()
            if not self.ctx.services.pin_gate.configured:
                self.message = tr("tech.no_pin", look.lang)
            elif self.ctx.services.pin_gate.problem:
                self.message = tr("tech.pin_outdated", look.lang)

    def enter_pin(self) -> None:
        pin = self.ids.keypad.value
        self.ids.keypad.clear()
        r = self.ctx.services.pin_gate.attempt(pin)
        if r.ok:
            self.unlocked = True
            self.message = ""
            self.refresh()
        elif r.problem:
            self.message = tr("tech.pin_outdated", look.lang)
        elif r.locked_for > 0:
            self.message = tr("tech.locked", look.lang, seconds=int(r.locked_for + 0.999))
        else:
            self.message = tr("tech.wrong", look.lang, n=r.tries_left)

    def refresh(self, *_) -> None:
        if not self.unlocked:
            return
        a = self.ctx.actions
        lines = [f"[b]{tr('tech.devices', look.lang)}[/b]"]
        for st in a.device_states():
            lines.append(f"  {st.device}: {st.health} / {st.code}  {st.detail}")
        for name, why in self.ctx.services.availability.items():
            if name == "outbox":
                lines.append(f"  {why}")
        counts = a.outbox_counts()
        lines.append(f"[b]{tr('tech.outbox', look.lang)}[/b]  " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        n, last = a.outbox_failing()
        if n:
            lines.append("  [color=#c0392b]" + tr("tech.failing", look.lang, n=n, last=last) + "[/color]")
        net = a.network()
        lines.append(f"[b]{tr('tech.network', look.lang)}[/b]  " +
                     ", ".join(f"{k}: {'online' if v else 'OFFLINE'}" for k, v in net.items()))
        lines.append(f"[b]{tr('tech.config', look.lang)}[/b]  {a.config_summary()}")
        self.report = "\n".join(lines)

    def status_changed(self) -> None:
        self.refresh()

    def retry(self) -> None:
        n = self.ctx.actions.retry_dead()
        self.message = f"retry: {n}"
        self.refresh()

    def test_print(self) -> None:
        self.message = "…"
        self.ctx.run(self.ctx.actions.test_print, self._printed, lambda e: self._printed(None, e))

    def _printed(self, outcome, error=None) -> None:
        if outcome is None:
            self.message = f"test print: {error or 'no printer'}"
        else:
            self.message = f"test print: {'ok' if outcome.ok else 'failed'} ({outcome.state.code})"
        self.refresh()

    def test_read(self) -> None:
        self.message = tr("identify.idcard", look.lang)

    def card_seen(self, source: str, identity) -> None:
        if self.unlocked:
            self.message = f"test read: {source} {identity.card_type} {mask_id_number(identity.id_number)}"

    def card_failed(self, code: str) -> None:
        if self.unlocked:
            self.message = f"test read: {code}"

    def quit(self) -> None:
        self.ctx.shell.quit()

    def reset(self) -> None:
        super().reset()
        self.unlocked = False
        self.message = self.report = ""
        self.ids.keypad.clear()
