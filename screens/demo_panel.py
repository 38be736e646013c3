"""The demo device panel (a developer dock, shown only in demo mode): place or remove a card,
paper out, network down, the remote pre-review decision. It drives the simulated twins the
composition root started; the app itself only sees the real drivers' reports."""
from __future__ import annotations

import logging

from kivy.factory import Factory
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

log = logging.getLogger(__name__)

# (label, action name) rows of the dock; an action whose twin is missing is disabled.
ACTIONS = (
    ("身份证", None),
    ("放置身份证", "place_id"),
    ("放置过期身份证", "place_expired"),
    ("移走身份证", "remove_id"),
    ("社保卡", None),
    ("插入社保卡", "insert_ss"),
    ("拔出社保卡", "remove_ss"),
    ("打印机", None),
    ("缺纸", "paper_out"),
    ("装纸", "paper_in"),
    ("网络（模拟政务系统）", None),
    ("断网", "network_down"),
    ("恢复网络", "network_up"),
    ("远程预审", None),
    ("之后：通过", "prereview_pass"),
    ("之后：需补正", "prereview_fix"),
)


class DemoPanel(BoxLayout):
    ctx = ObjectProperty(None)
    last = StringProperty("")

    def on_kv_post(self, _base):
        box = self.ids.actions
        self._buttons = []
        for label, action in ACTIONS:
            if action is None:
                box.add_widget(Factory.DockHeading(text=label))
                continue
            b = Factory.DockButton(text=label)
            b.action = action
            b.bind(on_release=lambda btn: self.do(btn.action))
            box.add_widget(b)
            self._buttons.append(b)
        self.refresh()

    def refresh(self) -> None:
        """Enable the controls whose twin is running (the devices come up after the first frame)."""
        twins = self.ctx.services.twins()
        for b in self._buttons:
            b.disabled = not self._available(b.action, twins)

    @staticmethod
    def _available(action: str, twins: dict) -> bool:
        need = {"place_id": "idreader", "place_expired": "idreader", "remove_id": "idreader",
                "insert_ss": "sscard", "remove_ss": "sscard", "paper_out": "printer", "paper_in": "printer"}
        return need.get(action, "jurisdictions") in twins

    def do(self, action: str) -> None:
        try:
            getattr(self, action)(self.ctx.services.twins())
            self.last = action
        except Exception as e:  # a demo control must not take the app down
            log.warning("demo panel: %s failed: %s", action, e)
            self.last = f"{action}: {e}"

    # ---- the actions ------------------------------------------------------------------------
    def place_id(self, t, card: str = "resident-1"):
        t["idreader"].remove()
        t["idreader"].place(card)

    def place_expired(self, t):
        self.place_id(t, "resident-expired")

    def remove_id(self, t):
        t["idreader"].remove()

    def insert_ss(self, t):
        t["sscard"].insert("ss-1")

    def remove_ss(self, t):
        t["sscard"].remove()

    def paper_out(self, t):
        t["printer"].set_status("paper_out")

    def paper_in(self, t):
        t["printer"].set_status("ready")

    def network_down(self, t):
        for sim in t["jurisdictions"].values():
            sim.set_reachable(False)

    def network_up(self, t):
        for sim in t["jurisdictions"].values():
            sim.set_reachable(True)
        outbox = self.ctx.services.outbox
        if hasattr(outbox, "network_returned"):
            outbox.network_returned()

    def prereview_pass(self, t):
        for sim in t["jurisdictions"].values():
            sim.set_prereview("pass")

    def prereview_fix(self, t):
        for sim in t["jurisdictions"].values():
            sim.set_prereview("needs_correction", "身份证复印件不清晰，请重新上传")
