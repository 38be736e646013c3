"""The help call's contract (docs/videocall.md), sans-I/O: who a participant is (its `display`),
the desk's roster (the queue, who is taken, a kiosk's place, which clerk a kiosk receives) and the
data-channel messages (made, cut into parts, checked, put back together). The shells (peer.py for
the kiosk, clerk.py for the clerk stand-in) feed it what the gateway says, in the order it says
it, and act on its answers."""
from __future__ import annotations

import base64
import json
import logging
from typing import Any, Iterator

log = logging.getLogger(__name__)

DISPLAY_MAX = 512  # bytes of a participant's display
NOTE_MAX = 200  # characters of a clerk's note
PART_MAX = 12_000  # base64 characters of one material part
MESSAGE_MAX = 16_384  # characters of any one message (a material part and its fields fit)
KIOSK, WATCH, CLERK = "kiosk", "watch", "clerk"
CONTEXT_FIELDS = ("step", "matter_code", "matter_name", "jurisdiction")


def who(publisher: dict) -> dict:
    """A publisher's display as a dict ({} when it is not the contract's JSON object)."""
    raw = publisher.get("display") or ""
    try:
        d = json.loads(raw) if isinstance(raw, str) and len(raw.encode()) <= DISPLAY_MAX else {}
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def display(fields: dict) -> str:
    """A display string of the contract (≤ 512 bytes: long text fields are cut)."""
    d = {k: v for k, v in fields.items() if v not in (None, "")}
    text = json.dumps(d, ensure_ascii=False, separators=(",", ":"))
    while len(text.encode()) > DISPLAY_MAX:  # cut the longest text field (a long matter name)
        k = max((k for k, v in d.items() if isinstance(v, str)), key=lambda k: len(d[k]))
        d[k] = d[k][:max(0, len(d[k]) - 16)]
        text = json.dumps(d, ensure_ascii=False, separators=(",", ":"))
    return text


def _since(d: dict) -> float:
    v = d.get("since")
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else float("inf")


def same(a: Any, b: Any) -> bool:
    """Feed ids compare as text (string_ids rooms give strings; a console may echo a number)."""
    return a is not None and b is not None and str(a) == str(b)


class Roster:
    """The desk's publishers in the order the gateway first listed them (one participant's view).
    A kiosk is taken while a clerk whose `for` names it is listed; the queue is the kiosks not
    taken, in order."""

    def __init__(self):
        self._order: list[str] = []  # feed ids as text, first listed first
        self._who: dict[str, dict] = {}
        self._ids: dict[str, Any] = {}  # text → the id as the gateway gave it

    def listed(self, publishers: list[dict]) -> None:
        """One listing by the gateway. Publishers new to us are put after those we know; within one
        listing (the gateway lists the room's publishers in no particular order when one joins)
        kiosks go by their `since`."""
        new = []
        for p in publishers:
            key = str(p["id"])
            if key not in self._who:
                new.append(key)
                self._ids[key] = p["id"]
            self._who[key] = who(p)
        new.sort(key=lambda k: (_since(self._who[k]), k))
        self._order.extend(new)

    def add_self(self, feed: Any, display_fields: dict) -> None:
        """Our own publisher, listed to the others now (the gateway never lists us to ourselves)."""
        self.listed([{"id": feed, "display": json.dumps(display_fields)}])

    def left(self, feed: Any) -> None:
        key = str(feed)
        if key in self._who:
            del self._who[key]
            self._order.remove(key)

    def role(self, feed: Any) -> str:
        return str(self._who.get(str(feed), {}).get("role", ""))

    def display_of(self, feed: Any) -> dict:
        return dict(self._who.get(str(feed), {}))

    def present(self, feed: Any) -> bool:
        return str(feed) in self._who

    def clerks_for(self, kiosk: Any) -> list[Any]:
        """Clerks whose `for` names this kiosk, first listed first (the first one is its clerk)."""
        return [self._ids[k] for k in self._order
                if self._who[k].get("role") == CLERK and same(self._who[k].get("for"), kiosk)]

    def taken(self, kiosk: Any) -> bool:
        return bool(self.clerks_for(kiosk))

    def queue(self) -> list[Any]:
        """Kiosks waiting, first listed first."""
        return [self._ids[k] for k in self._order if self._who[k].get("role") == KIOSK and not self.taken(k)]

    def place(self, kiosk: Any) -> int:
        """1 + the kiosks listed before this one that still wait; 0 when it is not waiting."""
        q = [str(k) for k in self.queue()]
        return q.index(str(kiosk)) + 1 if str(kiosk) in q else 0


# ---- messages on the data channel ------------------------------------------------------------
def context(ctx: dict) -> str:
    return json.dumps({"type": "context", **{k: ctx.get(k, "") for k in CONTEXT_FIELDS}}, ensure_ascii=False)


def note(text: str) -> str:
    return json.dumps({"type": "note", "text": text}, ensure_ascii=False)


def hello() -> str:
    return json.dumps({"type": "hello"})


def material_parts(mid: str, code: str, name: str, pages: tuple[bytes, ...]) -> Iterator[str]:
    """One material as messages: each page base64, cut into parts of ≤ PART_MAX characters."""
    for page_no, jpeg in enumerate(pages, 1):
        b64 = base64.b64encode(jpeg).decode("ascii")
        parts = max(1, -(-len(b64) // PART_MAX))
        for i in range(parts):
            yield json.dumps({"type": "material", "id": mid, "code": code, "name": name, "page": page_no,
                              "pages": len(pages), "part": i + 1, "parts": parts,
                              "data": b64[i * PART_MAX:(i + 1) * PART_MAX]}, ensure_ascii=False)


def parse(raw: Any, accept: tuple[str, ...]) -> dict | None:
    """One message received, checked against the contract: a dict of an accepted type, else None
    (logged as malformed, never with its content)."""
    why = _problem(raw, accept)
    if why:
        log.warning("videocall: a data message ignored: %s", why)
        return None
    return json.loads(raw)


def _problem(raw: Any, accept: tuple[str, ...]) -> str:
    if not isinstance(raw, str):
        return f"not text ({type(raw).__name__}, {len(raw) if hasattr(raw, '__len__') else '?'} bytes)"
    if len(raw) > MESSAGE_MAX:
        return f"too long ({len(raw)} characters)"
    try:
        msg = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return f"not JSON ({len(raw)} characters)"
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        return "not an object with a type"
    kind = msg["type"]
    if kind not in accept:
        return f"unexpected type ({len(kind)} characters)" if len(kind) > 20 else f"unexpected type {kind!r}"
    if kind == "note":
        text = msg.get("text")
        if not isinstance(text, str) or not text.strip():
            return "a note without text"
        if len(text) > NOTE_MAX:
            return f"a note of {len(text)} characters (at most {NOTE_MAX})"
    elif kind == "context":
        if not all(isinstance(msg.get(k, ""), str) for k in CONTEXT_FIELDS):
            return "a context with a field that is not text"
    elif kind == "material":
        ints = ("page", "pages", "part", "parts")
        if not all(isinstance(msg.get(k), int) and not isinstance(msg.get(k), bool) for k in ints):
            return "a material part without its numbers"
        if not (1 <= msg["page"] <= msg["pages"] <= 100 and 1 <= msg["part"] <= msg["parts"] <= 1000):
            return "a material part numbered out of range"
        if not all(isinstance(msg.get(k), str) for k in ("id", "code", "name", "data")) \
                or len(msg["data"]) > PART_MAX:
            return "a material part without its text fields, or too long"
    return ""


class Materials:
    """A receiver's materials put back together: pages complete once all their parts arrived."""

    def __init__(self):
        self._parts: dict[tuple[str, int], dict[int, str]] = {}
        self.received: dict[str, dict] = {}  # id → {"code", "name", "pages": [bytes | None]}

    def add(self, msg: dict) -> bool:
        """One `material` message; True when it completed a page."""
        mid, page = msg["id"], msg["page"]
        m = self.received.setdefault(mid, {"code": msg["code"], "name": msg["name"], "pages": [None] * msg["pages"]})
        if len(m["pages"]) != msg["pages"]:
            return False
        parts = self._parts.setdefault((mid, page), {})
        parts[msg["part"]] = msg["data"]
        if len(parts) < msg["parts"] or m["pages"][page - 1] is not None:
            return False
        try:
            m["pages"][page - 1] = base64.b64decode("".join(parts[i] for i in range(1, msg["parts"] + 1)), validate=True)
        except (ValueError, KeyError):
            log.warning("videocall: a material page that does not decode, dropped")
            return False
        del self._parts[(mid, page)]
        return True

    def complete(self) -> list[dict]:
        """Materials whose every page arrived: [{"id", "code", "name", "pages": (bytes, ...)}]."""
        return [{"id": mid, "code": m["code"], "name": m["name"], "pages": tuple(m["pages"])}
                for mid, m in self.received.items() if all(p is not None for p in m["pages"])]
