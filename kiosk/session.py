"""The resident session machine: pure, clock injected. It says which screen comes next, keeps the
resident's data for one journey, and wipes it on every way back home.

    home → identify → choose → guide → form → [scan] → [delivery] → confirm → submit → receipt → evaluate → home
                                         └──── (query matter) ───────→ answer ──────────────→ evaluate → home
    home → progress → [evaluate] → home;   home → technician → home

After each transaction and each query the resident may rate the service (好差评, kiosk/evaluation.py):
`evaluate` is entered with the resident already forgotten (the wipe), holding only what is rated
(`evaluating`: tracking number and matter); rated, skipped, cancelled or left alone for
`evaluation_timeout` seconds, it goes home.

Events: start, query, technician, card_read(identity, source), pick(matter), next(form= | delivery=),
back, scanned(material), submit, submitted(submitted), failed(error), answered(answer), found(items),
done, rated, skip, cancel, card_removed(source), leave, idle_expired.
`next`/`back` walk the steps the chosen matter needs (`journey_steps`). The side effects of the
steps (submit, print, query, scan) are run by kiosk/journey.py, which fires the results back here.
An event fired by a listener while the session tells its listeners of a transition is applied
after every listener has seen that transition, so they all see the transitions in order."""
from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import logging
from typing import Any, Callable

from kiosk.clock import Clock
from kiosk.evaluation import Subject
from kiosk.words import pair

log = logging.getLogger(__name__)

STATES = ("home", "identify", "choose", "guide", "form", "scan", "delivery", "confirm", "submit",
          "receipt", "answer", "progress", "evaluate", "technician")
# States where no idle timeout runs: home has nothing to wipe; submit must finish first.
NO_IDLE = ("home", "submit")
# States a removed card does not end: nothing personal is held yet, or a technician is at work,
# or the resident is forgotten already (the evaluation).
REMOVAL_IGNORED = ("home", "identify", "technician", "evaluate")
# States whose service is rated when the resident finishes or takes the card: the receipt, a query
# matter's answer, a progress query that was answered.
EVALUATED = ("receipt", "answer", "progress")


@dataclasses.dataclass
class Problem:
    """Why the resident cannot go on here: a code, and what to tell them."""

    code: str
    zh: str
    en: str


# Card problems (kiosk.identity.Identity.problems codes) → what the resident reads.
CARD_PROBLEMS = {code: pair(f"card_problem.{code}") for code in (
    "expired", "not_yet_valid", "invalid_number", "birth_mismatch", "sex_mismatch", "card_not_accepted")}


@dataclasses.dataclass
class SessionData:
    """Everything personal the journey holds. Replaced (and the old one cleared) on every wipe."""

    identity: Any = None  # kiosk.identity.Identity
    identity_source: str | None = None  # idreader | sscard
    matter: Any = None  # kiosk.catalog.Matter
    form: dict[str, str] = dataclasses.field(default_factory=dict)
    attachments: dict[str, Any] = dataclasses.field(default_factory=dict)  # material code → ScannedMaterial
    delivery: Any = None  # kiosk.transaction.Delivery
    submitted: Any = None  # kiosk.usecases.Submitted: the outbox's outcome and the receipt
    answer: Any = None  # the result of a query matter
    progress: Any = None  # list[ProgressItem] of a progress query
    error: Problem | None = None
    card_on_reader: bool = False  # the identifying card is still on its reader (lifted to be scanned: not)
    correcting: Any = None  # 补正: the ProgressItem being corrected (from a progress query by card)

    def clear(self) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, f.default_factory() if f.default_factory is not dataclasses.MISSING else None)


def scans_id_card(matter) -> bool:
    """The matter asks for the resident's ID card as a material (the catalog's kind id_card)."""
    return matter is not None and any(getattr(m, "kind", "") == "id_card" for m in matter.materials)


# A correction (补正) rescans materials and resubmits: the form and delivery are the original's.
CORRECTION_STEPS = ["scan", "confirm"]


def journey_steps(matter) -> list[str]:
    """The screens a matter needs after it is chosen."""
    steps = ["guide", "form"]
    if matter.kind == "query":
        return steps + ["answer"]
    if matter.materials:
        steps.append("scan")
    if set(matter.delivery) - {"electronic"}:
        steps.append("delivery")
    return steps + ["confirm"]


Listener = Callable[[str, str, str], None]


class Session:
    def __init__(self, clock: Clock, *, idle_timeout: float = 90, idle_warning: float = 20,
                 today: Callable[[], _dt.date] | None = None,
                 removal_wipes: frozenset[str] = frozenset({"idreader", "sscard"}), evaluation_timeout: float = 30):
        self.clock = clock
        self.idle_timeout, self.idle_warning = idle_timeout, idle_warning
        self.evaluation_timeout = evaluation_timeout
        self.evaluating: Subject | None = None  # the service being rated (nothing personal), in evaluate
        self.removal_wipes = removal_wipes
        self._today = today or (lambda: clock.now().date())
        self.state = "home"
        self.data = SessionData()
        self._listeners: list[Listener] = []
        self._last_touch = clock.monotonic()
        self._telling = False  # listeners are being told of a transition
        self._later: collections.deque[tuple[str, dict[str, Any]]] = collections.deque()

    # ---- observation --------------------------------------------------------------------
    def add_listener(self, cb: Listener) -> None:
        self._listeners.append(cb)

    def _go(self, new: str, event: str) -> None:
        old, self.state = self.state, new
        if new == "home" and old != "home":
            self.wipe()
            self.evaluating = None
        if new != old:
            log.info("session %s -(%s)-> %s", old, event, new)
        self._telling = True
        try:
            for cb in list(self._listeners):
                cb(old, new, event)
        finally:
            self._telling = False
        while self._later:  # what the listeners fired, in order, now that all of them know
            ev, payload = self._later.popleft()
            self.fire(ev, **payload)

    def wipe(self) -> None:
        """Forget the resident: the old data object is emptied too, so nothing still holding it
        keeps a name or a number."""
        self.data.clear()
        self.data = SessionData()

    # ---- time ---------------------------------------------------------------------------
    def touch(self) -> None:
        self._last_touch = self.clock.monotonic()

    @property
    def warning_remaining(self) -> float | None:
        """Seconds left in the idle countdown, or None when no countdown runs."""
        if self.state in NO_IDLE or self.state == "evaluate":  # the evaluation has its own timeout, no countdown
            return None
        idle = self.clock.monotonic() - self._last_touch
        if idle < self.idle_timeout:
            return None
        return max(0.0, self.idle_timeout + self.idle_warning - idle)

    def tick(self) -> None:
        """Called regularly by the app (and by tests after moving the clock)."""
        if self.state == "evaluate":  # never blocking: left alone, it goes home without a warning
            if self.clock.monotonic() - self._last_touch >= self.evaluation_timeout:
                self.fire("idle_expired")
        elif self.warning_remaining == 0.0:
            self.fire("idle_expired")

    # ---- events -------------------------------------------------------------------------
    def fire(self, event: str, **payload: Any) -> str:
        """Apply an event; returns the new state. An event the state does not take is ignored
        (a stale touch or a late device report) and logged. Fired by a listener while it is
        told of a transition, the event waits until every listener has been told."""
        if self._telling:
            self._later.append((event, payload))
            return self.state
        key = (self.state, event)
        if key in TRANSITIONS:
            target = TRANSITIONS[key]
        elif event in ANY_STATE and self.state not in ANY_STATE[event][1]:
            target = ANY_STATE[event][0]
        else:
            log.debug("session: %s ignored in %s", event, self.state)
            return self.state  # not a sign of the resident either: the idle countdown runs on
        self.touch()
        new = target(self, **payload) if callable(target) else target
        self._go(new, event)
        return self.state

    # guards and actions -------------------------------------------------------------------
    def _card_read(self, identity=None, source: str = "idreader", **_) -> str:
        problems = identity.problems(self._today()) if identity is not None else ["invalid_number"]
        if problems:
            self.data.error = Problem(problems[0], *CARD_PROBLEMS[problems[0]])
            return self.state
        self.data.identity, self.data.identity_source, self.data.error = identity, source, None
        self.data.card_on_reader = True
        if self.state == "progress":
            return "progress"
        m = self.data.matter  # picked with a card it does not accept: on to it with this card
        if m is not None and identity.card_type in m.accepts:
            return "guide"
        return "choose"

    def _pick(self, matter=None, **_) -> str:
        ident = self.data.identity
        if ident is not None and ident.card_type not in matter.accepts:
            # back where a card is read, saying which card to use; the matter waits for it
            self.data.error = Problem("card_not_accepted", *CARD_PROBLEMS["card_not_accepted"])
            self.data.matter, self.data.form, self.data.attachments, self.data.delivery = matter, {}, {}, None
            return "identify"
        if self.data.matter is not matter:
            self.data.form, self.data.attachments, self.data.delivery = {}, {}, None
        self.data.matter, self.data.error = matter, None
        return "guide"

    def _step(self, delta: int) -> str:
        steps = CORRECTION_STEPS if self.data.correcting is not None else journey_steps(self.data.matter)
        i = steps.index(self.state) + delta
        self.data.error = None
        if i < 0 and self.data.correcting is not None:  # back to the progress answer, nothing corrected
            self.data.matter, self.data.correcting, self.data.attachments = None, None, {}
            return "progress"
        if i < 0:
            return "choose"
        return steps[min(i, len(steps) - 1)]

    def _correct(self, item=None, matter=None, **_) -> str:
        """补正 from a progress query by card: rescan materials of the item's matter and resubmit,
        naming the original. Only for the resident the card identified, and only an item the
        jurisdiction asked to correct; otherwise nothing moves."""
        if self.data.identity is None or item is None or matter is None or item.remote_state != "needs_correction" \
                or not matter.materials:
            return self.state
        self.data.matter, self.data.correcting = matter, item
        self.data.form, self.data.attachments, self.data.delivery, self.data.error = {}, {}, None, None
        return "scan"

    def _next(self, form: dict[str, str] | None = None, delivery=None, **_) -> str:
        """On to the next step, keeping what the step collected (the form's values, the delivery)."""
        if form is not None:
            self.data.form = dict(form)
        if delivery is not None:
            self.data.delivery = delivery
        return self._step(+1)

    def _scanned(self, material=None, removed: str | None = None, **_) -> str:
        """A material scanned (kiosk.ports.ScannedMaterial): kept for the submission; or one whose
        pages are no longer complete (a page deleted): `removed`, no longer kept."""
        if material is not None:
            self.data.attachments[material.material] = material
        if removed is not None:
            self.data.attachments.pop(removed, None)
        return self.state

    def _back(self, **_) -> str:
        return self._step(-1)

    def _identify_back(self, **_) -> str:
        """Sent back to identify by a matter that refused the card: back is 'choose another
        matter' (the answer says so), with the card already read; otherwise home."""
        if self.data.identity is None:
            return "home"
        self.data.matter, self.data.error = None, None
        return "choose"

    def _submitted(self, submitted=None, **_) -> str:
        self.data.submitted, self.data.error = submitted, None
        return "receipt"

    def _failed(self, error: Problem | None = None, **_) -> str:
        self.data.error = error
        return "confirm" if self.state == "submit" else self.state

    def _card_removed(self, source: str = "", **_) -> str:
        if source in self.removal_wipes and self.data.identity_source == source:
            if self.state == "scan" and scans_id_card(self.data.matter):
                # lifted to be scanned as a material (front, then back): the idle timeout guards
                # a walk-away here; lifted in any other step, the card still ends the session
                self.data.card_on_reader = False
                return self.state
            return self._to_evaluate() if self.state in EVALUATED else "home"
        return self.state

    def _to_evaluate(self, **_) -> str:
        """The service just given, to be rated (好差评): its subject is kept, the resident is
        forgotten now. A progress query that found nothing yet, or a query matter still asking,
        has nothing to rate: home."""
        d = self.data
        m = d.matter
        subject = None
        if self.state == "receipt" and d.submitted is not None and m is not None:
            subject = Subject("application", m.code, m.name, getattr(m, "name_en", "") or "",
                              tracking=getattr(getattr(d.submitted, "receipt", None), "tracking_number", "") or "",
                              jurisdiction=m.jurisdiction)
        elif self.state == "answer" and d.answer is not None and m is not None:
            subject = Subject("query", m.code, m.name, getattr(m, "name_en", "") or "", jurisdiction=m.jurisdiction)
        elif self.state == "progress" and d.progress is not None:
            subject = Subject("progress", "")
        if subject is None:
            return "home"
        self.wipe()
        self.evaluating = subject
        return "evaluate"

    def _answered(self, answer=None, **_) -> str:
        self.data.answer = answer
        return self.state

    def _progress(self, items=None, **_) -> str:
        self.data.progress = items
        return self.state


_STEP_STATES = ("guide", "form", "scan", "delivery", "confirm", "answer")
TRANSITIONS: dict[tuple[str, str], Any] = {
    ("home", "start"): "identify",
    ("home", "query"): "progress",
    ("home", "technician"): "technician",
    ("identify", "card_read"): Session._card_read,
    ("identify", "back"): Session._identify_back,
    ("choose", "pick"): Session._pick,
    ("choose", "back"): "home",
    ("choose", "failed"): Session._failed,
    **{(s, "next"): Session._next for s in _STEP_STATES if s not in ("confirm", "answer")},
    **{(s, "back"): Session._back for s in _STEP_STATES},
    ("scan", "scanned"): Session._scanned,
    ("confirm", "submit"): "submit",
    ("submit", "submitted"): Session._submitted,
    ("submit", "failed"): Session._failed,
    ("receipt", "done"): Session._to_evaluate,
    ("answer", "answered"): Session._answered,
    ("answer", "done"): Session._to_evaluate,
    ("progress", "card_read"): Session._card_read,
    # a card the reader could not read: the screen that asked for it says why and what to do
    ("identify", "card_failed"): Session._failed,
    ("progress", "card_failed"): Session._failed,
    ("progress", "found"): Session._progress,
    ("progress", "done"): Session._to_evaluate,
    ("evaluate", "rated"): "home",
    ("evaluate", "skip"): "home",
    ("evaluate", "done"): "home",
    ("progress", "back"): "home",
    ("progress", "correct"): Session._correct,
    ("technician", "leave"): "home",
    **{(s, "failed"): Session._failed for s in ("identify", "form", "scan", "delivery", "confirm", "receipt", "answer", "progress")},
}
# Events every state takes, but for the states listed: (target, excluded states).
ANY_STATE: dict[str, tuple[Any, tuple[str, ...]]] = {
    "cancel": ("home", ("home", "submit")),
    "idle_expired": ("home", NO_IDLE),
    "card_removed": (Session._card_removed, REMOVAL_IGNORED + ("submit",)),
}


def transition_table() -> list[tuple[str, str, str]]:
    """(state, event, target) rows; a guard's possible targets are written out in words."""
    guards = {
        Session._card_read: "choose (or progress, or the guide of a matter picked with a card it does not "
                            "accept); stays with an error for an unusable card",
        Session._pick: "guide; identify with an error when the matter does not accept the card",
        Session._next: "the next step of the matter (form, scan, delivery, confirm or answer)",
        Session._back: "the previous step (choose before guide)",
        Session._identify_back: "choose when a card was read (a matter refused it), else home",
        Session._submitted: "receipt",
        Session._scanned: "stays, the material kept for the submission",
        Session._failed: "confirm from submit; otherwise stays, with the error shown",
        Session._card_removed: "home (wiped) when the card that identified the resident is removed; evaluate "
                               "(wiped) from a receipt, an answer or an answered progress query; stays in "
                               "scan when the matter scans the ID card as a material (kind id_card)",
        Session._to_evaluate: "evaluate (wiped, the service kept to be rated) when there is one to rate, else home",
        Session._correct: "scan (补正: rescan and resubmit an item that needs correction, naming it), "
                           "with a card read; else stays",
        Session._answered: "stays, showing the answer",
        Session._progress: "stays, showing the resident's transactions",
    }
    rows = [(s, e, guards.get(t, t)) for (s, e), t in TRANSITIONS.items()]
    for ev, (t, excluded) in ANY_STATE.items():
        rows.append((f"any but {', '.join(excluded)}", ev, guards.get(t, t) + (" (wiped)" if t == "home" else "")))
    return rows


def markdown_table() -> str:
    lines = ["# The resident session: transition table", "",
             "Generated from `kiosk/session.py` by `python -m kiosk.session > docs/session.md`; a unit test keeps it in step.",
             "Every way back to home wipes the session's personal data.", "",
             "| state | event | next |", "|---|---|---|"]
    lines += [f"| {s} | {e} | {t} |" for s, e, t in transition_table()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
