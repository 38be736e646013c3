"""Handwriting search on the real app (issue 16 #3): on the choose screen the 手写 pad takes the
keyboard's place; 公, 积 and 金 written with replayed finger strokes (tests/data), each touched
among the candidates, make the search 公积金 and its matters are found; pinyin is one touch away."""
import json
from pathlib import Path

import pytest

from tests.support.ui import journey

pytestmark = pytest.mark.e2e

DATA = json.loads((Path(__file__).resolve().parents[1] / "data" / "handwriting_strokes.json").read_text(encoding="utf-8"))


def write(ui, char: str) -> None:
    """Replay the recorded strokes of `char` in the pad's box, as a finger would (down, moves, up)."""
    ui.d.draw(ui.d.widget("pad").ids.box, DATA["chars"][char], DATA["pad"])


@journey
def test_search_written_by_hand(ui):
    ui.identify()
    ui.tap_id("handwrite")
    pad = ui.d.widget("pad")
    assert pad.parent is not None, "the pad is on screen"
    for ch in "公积金":
        write(ui, ch)
        assert ch in pad.candidates, (ch, pad.candidates)
        if ch == "积":
            ui.shot("choose-handwriting")
        button = next(w for w in pad.ids.cands.children if w.text == ch)
        ui.tap(button)
    assert ui.d.widget("keyboard").value == "公积金"
    ui.wait(lambda: any("公积金" in (getattr(w, "text", "") or "") for w in ui.d.widget("results").children),
            what="matters of 公积金 among the results")
    ui.shot("choose-handwritten-search")
    names = [ui.services.catalog.get(w.matter_code).name for w in ui.d.widget("results").children
             if getattr(w, "matter_code", None)]
    assert names and all("公积金" in n for n in names), names
    ui.tap_id("handwrite")  # back to pinyin: the keyboard returns with the search kept
    assert ui.d.widget("keyboard").parent is not None and ui.d.widget("keyboard").value == "公积金"


@journey
def test_a_chinese_form_field_written_by_hand(ui):
    """The 医师执业注册 form's institution (a Chinese field): 手写 beside pinyin, 金 written and
    touched goes into the field; back on pinyin the keyboard goes on from there."""
    ui.identify()
    ui.choose("DC-WJ-002")
    ui.tap_id("next")
    ui.wait_state("form")
    field = next(w for w in ui.d.visible() if getattr(w, "field_key", None) == "institution")
    ui.tap(field)
    assert ui.screen.can_write and ui.screen.editor == "pinyin"
    ui.tap_id("handwrite")
    assert ui.screen.editor == "hand"
    write(ui, "金")
    ui.shot("form-handwriting")
    ui.tap(next(w for w in ui.d.widget("pad").ids.cands.children if w.text == "金"))
    assert ui.screen.values["institution"] == "金"
    ui.tap_id("handwrite")
    assert ui.screen.editor == "pinyin" and ui.d.widget("keyboard").value == "金"
    phone = next(w for w in ui.d.visible() if getattr(w, "field_key", None) == "phone")
    ui.tap(phone)  # a phone number: the keypad, no 手写
    assert ui.screen.editor == "keypad" and not ui.screen.can_write
