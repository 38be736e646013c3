"""视频帮办's words on screen, Kivy-free (unit-tested without a window): who is called, the place
in the queue, why the call ended, the materials the resident may show the clerk."""
from __future__ import annotations

from kiosk.call import NOTICE_WORDS
from kiosk.words import say


def desk_name(config, matter, desk: str, lang: str = "zh") -> str:
    """The desk called, in the resident's words: the owning jurisdiction's name when the call goes
    to its own desk, else the site's jurisdiction's (the site's desk answers)."""
    def name(code: str) -> str:
        j = config.jurisdictions.get(code or "")
        if j is None:
            return ""
        return (j.name_en or j.name) if lang == "en" else j.name

    if matter is not None:
        j = config.jurisdictions.get(matter.jurisdiction)
        if j is not None and j.video_desk and (not desk or j.video_desk == desk):
            return name(matter.jurisdiction)
    return name(config.site_jurisdiction) or config.site


def place_lines(place: int, lang: str = "zh") -> tuple[str, str]:
    """(the place, who is ahead) while waiting; place 0: not known yet."""
    if place <= 0:
        return say("call.queueing", lang), ""
    ahead = say("call.next", lang) if place == 1 else say("call.position", lang, ahead=place - 1)
    return say("call.place", lang, place=place), ahead


def notice_text(notice: str, lang: str = "zh") -> str:
    """Why the last call ended (kiosk.call.NOTICE_WORDS), "" for none."""
    words = NOTICE_WORDS.get(notice)
    if not words:
        return ""
    return words[1] if lang == "en" else words[0]


def materials(snapshot, shown: tuple[str, ...], lang: str = "zh") -> list[tuple[str, str, bool]]:
    """(code, button text, shown already) for each material scanned in this visit (whole, or some
    pages of it), in the matter's order: each one the resident may show the clerk with one tap.
    Never the ID card: the clerk never sees the ID number (kiosk.journey shows none either)."""
    matter = snapshot.matter
    if matter is None:
        return []
    out = []
    for m in matter.materials:
        pages = snapshot.pages.get(m.code)
        scanned = m.code in snapshot.attachments or (pages is not None and pages.count > 0)
        if not scanned or m.kind == "id_card":
            continue
        label = (getattr(m, "name_en", "") or m.name) if lang == "en" else m.name
        done = m.code in shown
        out.append((m.code, say("call.shown" if done else "call.show", lang, name=label), done))
    return out
