"""Submit: the transaction goes to the outbox (forwarded now, or saved to be sent automatically,
both a success for the resident) off the main thread; a failure returns to confirm with words."""
from __future__ import annotations

from kiosk.session import Problem
from screens.widgets import KioskScreen


class SubmitScreen(KioskScreen):
    def show(self, event: str) -> None:
        if event != "submit":
            return
        data = self.ctx.session.data
        snapshot = {k: getattr(data, k) for k in ("identity", "matter", "form", "attachments", "delivery")}
        snapshot["attachments"] = dict(snapshot["attachments"] or {})
        self.ctx.run(lambda: self.ctx.actions.submit(snapshot), self._done, self._failed)

    def _done(self, submitted) -> None:
        self.ctx.fire("submitted", outcome=submitted)

    def _failed(self, error) -> None:
        zh = getattr(error, "resident", None) or "提交没有成功，请稍后再试或联系工作人员。"
        en = getattr(error, "resident_en", None) or "The submission did not succeed. Please try again later or ask the staff."
        self.ctx.fire("failed", error=Problem("submit_failed", zh, en))
