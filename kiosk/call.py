"""视频帮办: the help call as a journey step, Kivy-free. The call lies over the resident's step:
the session's state and data are never touched by it, so a hang-up, a clerk who never answers or a
lost network returns the resident to the same step with everything kept.

    idle ─help→ consent ─agree→ waiting ─answered→ in_call
      ↑  └(no video help)→ unavailable     │  cancel / timeout  │ hang_up / clerk / lost
      └──────────────────── (back to the step, a notice) ───────┘

The desk called is the owning jurisdiction's (its `video_desk`), else the site's own
(`[video] desk`); the media and the signalling are behind the `VideoDesk` port. Time is the
injected clock (the answer timeout); reports of an older call are dropped.

In the call: the clerk's note is shown (and kept, at the step, until dismissed); each step the
resident moves to is told to the clerk; a material the resident taps is shown to the clerk (its
pages as JPEGs, made off the main thread; never the ID card: the clerk never sees the ID number)."""
from __future__ import annotations

import dataclasses
import io
import logging
from typing import Any, Callable, Literal, Sequence

from kiosk.clock import Clock
from kiosk.ports import Call, CallContext, CallEnd, SharedMaterial, VideoDesk, VideoImage
from kiosk.words import pair

log = logging.getLogger(__name__)

CallState = Literal["idle", "consent", "unavailable", "waiting", "in_call"]
# Why the last call ended, shown once back at the step: by the resident, by the clerk, the network
# lost, nobody answered in time, the gateway could not be reached.
CallNotice = Literal["", "ended", "clerk", "lost", "no_answer", "failed"]

# The notice's words (中文, English), shown back at the step.
NOTICE_WORDS: dict[str, tuple[str, str]] = {
    "ended": pair("call.ended"), "clerk": pair("call.clerk"), "lost": pair("call.lost"),
    "no_answer": pair("call.no_answer"), "failed": pair("call.failed"),
}


@dataclasses.dataclass(frozen=True)
class CallView:
    """What the call's screens show. `camera_on`: the camera and microphone are live (a visible
    sign while waiting and in the call)."""

    state: CallState = "idle"
    desk: str = ""
    position: int = 0  # place in the desk's queue while waiting (1: next); 0 unknown
    muted: bool = False
    notice: CallNotice = ""
    note: str = ""  # the clerk's latest note: kept after the call ends, at the step, until dismiss()
    shown: tuple[str, ...] = ()  # the material codes shown to the clerk in this call
    clerk: str = ""  # the clerk's display name ("" unknown)

    @property
    def camera_on(self) -> bool:
        return self.state in ("waiting", "in_call")

    @property
    def active(self) -> bool:
        return self.state != "idle"


class HelpCall:
    """The call's state machine. `desk_for()` names the desk to call now (None: no video help),
    `context()` what the clerk is told; `port` is None when the kiosk has no video. The port
    reports on its own thread: `post(fn)` runs fn on the thread that owns this machine (the app's
    main thread: the shell's hop; a unit test: at once)."""

    def __init__(self, port: VideoDesk | None, clock: Clock, *, desk_for: Callable[[], str | None],
                 context: Callable[[], CallContext], answer_timeout: float = 120,
                 changed: Callable[[], None] = lambda: None,
                 post: Callable[[Callable[[], None]], None] = lambda fn: fn(),
                 material: Callable[[str], Callable[[], SharedMaterial] | None] = lambda _code: None,
                 run: Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]
                 = lambda fn, done, failed: done(fn())):
        """`material(code)`: how to make the material the resident tapped (None: not one of this
        visit's, or not to be shown); `run(fn, done, failed)` runs that work off the main thread
        (the journey's executor)."""
        self.port, self.clock, self.post = port, clock, post
        self.desk_for, self.context = desk_for, context
        self.material, self.run = material, run
        self.answer_timeout = answer_timeout
        self._changed = changed
        self._view = CallView()
        self._call: Call | None = None
        self._number = 0  # moves on at each call: reports of an older one are dropped
        self._since = 0.0  # when the wait began

    @property
    def view(self) -> CallView:
        return self._view

    def _set(self, **changes) -> None:
        self._view = dataclasses.replace(self._view, **changes)
        self._changed()

    # ---- the resident's touches ------------------------------------------------------------------
    def help(self) -> None:
        """The help button: consent first, or the words that there is no video help here."""
        if self._view.state != "idle":
            return
        desk = self.desk_for() if self.port is not None else None
        self._set(state="consent" if desk else "unavailable", desk=desk or "", notice="", position=0, muted=False,
                  note="", shown=(), clerk="")

    def agree(self) -> None:
        """Consent given: camera and microphone on, the desk called."""
        if self._view.state != "consent":
            return
        desk = self.desk_for()
        if self.port is None or not desk:
            self._set(state="unavailable")
            return
        self._number += 1
        self._since = self.clock.monotonic()
        self._set(state="waiting", desk=desk, position=0)
        number = self._number
        try:
            call = self.port.call(desk, self.context(), _Reports(self, number))
            if number == self._number and self._view.state in ("waiting", "in_call"):
                self._call = call
        except Exception as e:  # noqa: BLE001 — any failure to reach the gateway is the same to the resident
            log.warning("call: desk %s not reached: %s: %s", desk, type(e).__name__, e)
            self._end("failed")

    def decline(self) -> None:
        """No consent (or the unavailable words read): back to the step."""
        if self._view.state in ("consent", "unavailable"):
            self._set(state="idle", desk="")

    def cancel(self) -> None:
        """Stop waiting."""
        if self._view.state == "waiting":
            self._hang_up("ended")

    def hang_up(self) -> None:
        if self._view.state in ("waiting", "in_call"):
            self._hang_up("ended")

    def mute(self, on: bool) -> None:
        if self._view.state != "in_call" or self._call is None:
            return
        self._call.mute(on)
        self._set(muted=on)

    def dismiss(self) -> None:
        """The notice (and the clerk's last note) read."""
        if (self._view.notice or self._view.note) and self._view.state == "idle":
            self._set(notice="", note="")

    def show(self, code: str) -> None:
        """One tap: one material of this visit shown to the clerk (in the call only). Its pages are
        made off the main thread; sent when ready, if the same call is still on."""
        if self._view.state != "in_call" or self._call is None:
            return
        make = self.material(code)
        if make is None:
            return
        number = self._number

        def done(material: SharedMaterial) -> None:
            if number != self._number or self._view.state != "in_call" or self._call is None:
                return
            self._call.show(material)
            if code not in self._view.shown:
                self._set(shown=self._view.shown + (code,))

        def failed(e: BaseException) -> None:
            log.warning("call: material %s not shown: %s: %s", code, type(e).__name__, e)

        self.run(make, done, failed)

    def moved(self) -> None:
        """The resident moved to another step: the clerk in the call is told (while waiting, the
        port keeps it for when a clerk answers)."""
        if self._view.state in ("waiting", "in_call") and self._call is not None:
            try:
                self._call.update(self.context())
            except Exception as e:  # noqa: BLE001 — the clerk misses a step; the call goes on
                log.warning("call: step not told: %s: %s", type(e).__name__, e)

    def frame(self, which: Literal["remote", "self"]) -> VideoImage | None:
        """The latest picture of the clerk or of the resident (None: no call, or none yet)."""
        if self._view.state not in ("waiting", "in_call") or self._call is None:
            return None
        return self._call.frame(which)

    # ---- time and the end of the visit --------------------------------------------------------------
    def tick(self) -> None:
        """A clerk who never answers: the wait ends after answer_timeout."""
        if self._view.state == "waiting" and self.clock.monotonic() - self._since >= self.answer_timeout:
            self._hang_up("no_answer")

    def end_visit(self) -> None:
        """The resident's visit ended (a wipe): any call is hung up, nothing is shown of it."""
        if self._view.state in ("waiting", "in_call"):
            self._hang_up("")
        self._view = CallView()
        self._changed()

    # ---- what the port reports (on the main thread) ---------------------------------------------------
    def _queued(self, number: int, position: int) -> None:
        if number == self._number and self._view.state == "waiting":
            self._set(position=max(0, int(position)))

    def _answered(self, number: int, clerk: str) -> None:
        if number == self._number and self._view.state == "waiting":
            self._set(state="in_call", position=0, clerk=clerk)

    def _note(self, number: int, text: str) -> None:
        if number == self._number and self._view.state == "in_call":
            self._set(note=str(text)[:200])

    def _ended(self, number: int, why: CallEnd) -> None:
        if number == self._number and self._view.state in ("waiting", "in_call"):
            self._call = None
            self._end(why if why in ("clerk", "failed") else "lost")

    # ---- plumbing ---------------------------------------------------------------------------------
    def _hang_up(self, notice: CallNotice) -> None:
        call, self._call = self._call, None
        self._number += 1  # whatever the old call still reports is dropped
        if call is not None:
            try:
                call.hang_up()
            except Exception as e:  # noqa: BLE001 — the call is over for the resident either way
                log.warning("call: hang-up failed: %s: %s", type(e).__name__, e)
        self._end(notice)

    def _end(self, notice: CallNotice) -> None:
        self._set(state="idle", position=0, muted=False, notice=notice)


class _Reports:
    """The port's listener for one call: it names the call, so a late report is dropped."""

    def __init__(self, call: HelpCall, number: int):
        self._c, self._n = call, number

    def queued(self, position: int) -> None:
        self._c.post(lambda: self._c._queued(self._n, position))

    def answered(self, clerk: str = "") -> None:
        self._c.post(lambda: self._c._answered(self._n, clerk))

    def note(self, text: str) -> None:
        self._c.post(lambda: self._c._note(self._n, text))

    def ended(self, why: CallEnd) -> None:
        self._c.post(lambda: self._c._ended(self._n, why))


# ---- a material's pages for the clerk (off the main thread) -------------------------------------
LONG_SIDE = 1600  # pixels: a page shown to the clerk is at most this long


def material_pages(pdf_paths: Sequence[str], previews: Sequence[str] = ()) -> tuple[bytes, ...]:
    """Each page as a JPEG of at most LONG_SIDE px: the scan's own image out of its PDF (pikepdf;
    the page previews are too small to read), else the page's preview (a PDF with no image in it)."""
    import pikepdf
    from PIL import Image

    out: list[bytes] = []
    for path in pdf_paths:
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                images = list(page.get_images().values())
                if images:
                    out.append(_jpeg(pikepdf.PdfImage(images[0]).as_pil_image()))
    if not out:
        for path in previews:
            with Image.open(path) as im:
                out.append(_jpeg(im))
    return tuple(out)


def _jpeg(im) -> bytes:
    im = im.convert("RGB") if im.mode not in ("RGB", "L") else im
    im.thumbnail((LONG_SIDE, LONG_SIDE))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    return buf.getvalue()
