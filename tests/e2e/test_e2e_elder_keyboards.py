"""The screens with an on-screen keyboard (choose's search, the form's pinyin keyboard and keypad,
the delivery address)
in both modes at the kiosk's resolution: every widget on screen keeps the mode's size floors
(issue #6: normal ≥ 18 dp text and ≥ 48 dp targets, elder ≥ 30 dp and ≥ 60 dp), lies inside
the window, does not cover another target, and its text fits it. Screenshots of each step."""
import re

import pytest

from tests.support.ui import journey

pytestmark = pytest.mark.e2e

TYPED_CHINESE = "DC-WJ-002"  # 医师执业注册, Dachang: a phone number, typed Chinese, a choice
SLACK = 1.0  # px: layouts round positions


def size_problems(ui, mode: str) -> list[str]:
    """What breaks the size rules on the screen now (empty when nothing does)."""
    from kivy.core.window import Window
    from kivy.metrics import dp
    from kivy.uix.button import Button
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    from screens.sizes import FLOORS

    text_floor, target_floor = (dp(v) for v in FLOORS[mode])
    out: list[str] = []

    def clip_of(w):
        """The window rectangle `w` can be seen in: its ScrollView's, or the window's."""
        p = w.parent
        while p is not None and p is not ui.d.shell:
            if isinstance(p, ScrollView):
                x, y = p.to_window(*p.pos)
                return (x, y, x + p.width, y + p.height)
            p = p.parent
        return (0, 0, Window.width, Window.height)

    def rect(w):
        x, y = w.to_window(*w.pos)
        return (x, y, x + w.width, y + w.height)

    def name(w):
        return f"{type(w).__name__}({getattr(w, 'text', '')[:12]!r})"

    targets = []
    for w in ui.d.visible():
        if not isinstance(w, Label) or w.width <= 0 or w.height <= 0:
            continue
        r, clip = rect(w), clip_of(w)
        shown = r[0] < clip[2] and r[2] > clip[0] and r[1] < clip[3] and r[3] > clip[1]
        if not shown:
            continue  # scrolled out of view: checked when it is scrolled in
        if clip == (0, 0, Window.width, Window.height) and (
                r[0] < -SLACK or r[1] < -SLACK or r[2] > Window.width + SLACK or r[3] > Window.height + SLACK):
            out.append(f"{name(w)} leaves the window: {tuple(round(v) for v in r)}")
        if w.text:
            sizes = [w.font_size] + [float(s) for s in re.findall(r"\[size=(\d+(?:\.\d+)?)\]", w.text)]
            if min(sizes) < text_floor - 0.01:
                out.append(f"{name(w)} text {min(sizes):.0f} px < {text_floor:.0f}")
            tw, th = w.texture_size
            if tw > w.width + SLACK or th > w.height + SLACK:
                out.append(f"{name(w)} text {tw:.0f}x{th:.0f} does not fit {w.width:.0f}x{w.height:.0f}")
        if isinstance(w, Button):
            if min(w.width, w.height) < target_floor - 0.01:
                out.append(f"{name(w)} target {w.width:.0f}x{w.height:.0f} < {target_floor:.0f}")
            # what a finger can reach: the part inside its list's window
            targets.append((w, (max(r[0], clip[0]), max(r[1], clip[1]), min(r[2], clip[2]), min(r[3], clip[3]))))
    for i, (a, ra) in enumerate(targets):
        for b, rb in targets[i + 1:]:
            if (min(ra[2], rb[2]) - max(ra[0], rb[0]) > SLACK and min(ra[3], rb[3]) - max(ra[1], rb[1]) > SLACK):
                out.append(f"{name(a)} and {name(b)} overlap")
    return out


def assert_field_in_view(ui, key: str) -> None:
    """The field being typed is wholly inside the list's window (not hidden by the keyboard)."""
    scroll = ui.screen.ids.scroll
    row = next(w for w in ui.d.visible() if getattr(w, "field_key", None) == key)
    x, y = row.to_window(*row.pos)
    sx, sy = scroll.to_window(*scroll.pos)
    assert sy - SLACK <= y and y + row.height <= sy + scroll.height + SLACK, \
        f"field {key} at y {y:.0f}..{y + row.height:.0f}, list shows {sy:.0f}..{sy + scroll.height:.0f}"


def assert_short_list_at_top(ui) -> None:
    """A field list shorter than its window starts at the window's top (no gap above it)."""
    scroll, box = ui.screen.ids.scroll, ui.screen.ids.fields
    if box.minimum_height > scroll.height:
        return
    first = next(w for w in ui.d.visible() if getattr(w, "field_key", None))
    top = first.to_window(first.x, first.top)[1]
    stop = scroll.to_window(scroll.x, scroll.top)[1]
    assert abs(top - stop) <= 16, f"the first field's top {top:.0f} is {stop - top:.0f} px below the list's top"


def check(ui, mode: str, shot: str) -> None:
    ui.shot(f"{mode}-{shot}")
    problems = size_problems(ui, mode)
    assert not problems, f"{mode} {shot}:\n" + "\n".join(problems)


def _walk_keyboard_screens(ui, mode: str) -> None:
    ui.identify()
    check(ui, mode, "choose")
    ui.type_keys("ysz")
    check(ui, mode, "choose-search")
    btn = next(w for w in ui.d.visible() if getattr(w, "matter_code", None) == TYPED_CHINESE)
    ui.tap(btn)
    ui.wait_state("guide")
    ui.tap_id("next")
    ui.wait_state("form")
    assert_field_in_view(ui, "phone")
    assert_short_list_at_top(ui)
    check(ui, mode, "form-keypad")
    ui.type_keys("13812345678")
    field = next(w for w in ui.d.visible() if getattr(w, "field_key", None) == "institution")
    ui.tap(field)
    ui.d.frames(2)
    assert ui.screen.editor == "pinyin"
    assert_field_in_view(ui, "institution")
    check(ui, mode, "form-pinyin")
    ui.type_keys("dachang")
    check(ui, mode, "form-pinyin-candidates")
    ui.tap(ui.find("大厂"))
    ui.type_keys("rmyy")
    assert_field_in_view(ui, "institution")
    check(ui, mode, "form-pinyin-initials")
    ui.tap(ui.find("人民医院"))
    assert ui.screen.values["institution"] == "大厂人民医院"
    ui.tap(ui.d.widget("next"))  # the choice is still empty: its error beside it
    ui.d.frames(2)
    assert "scope" in ui.screen.errors
    check(ui, mode, "form-choice-error")
    ui.tap(ui.screen.ids.choices.children[-1])
    ui.tap_id("next")
    ui.wait_state("scan")
    ui.scan_all()
    ui.tap_id("next")
    ui.wait_state("delivery")
    ui.tap_id("mail")  # the address is typed on the same pinyin keyboard
    ui.d.frames(2)
    check(ui, mode, "delivery-mail-keyboard")


@journey
def test_keyboard_screens_normal(ui):
    _walk_keyboard_screens(ui, "normal")


@journey
def test_keyboard_screens_elder(ui):
    ui.tap_id("elder")
    _walk_keyboard_screens(ui, "elder")
