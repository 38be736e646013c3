"""screens.widgets.TapScrollView: a tap on a button in a list is passed on at once and only once;
a drag scrolls and presses nothing. Kivy runs in a child process (it takes over logging in the one
it is imported into); no window is needed, the touches are handed to the list directly."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from kivy.input.motionevent import MotionEvent
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget
from screens.widgets import TapScrollView


class Finger(MotionEvent):
    def __init__(self, x, y):
        super().__init__("probe", 1, (x, y), is_touch=True)
        self.scale_for_screen(100, 100)

    def depack(self, args):
        self.sx, self.sy = args[0] / 100, args[1] / 100
        super().depack(args)

    def slide_to(self, x, y):
        ox, oy = self.x, self.y
        self.move((x, y))
        self.scale_for_screen(100, 100)
        self.dx, self.dy = self.x - ox, self.y - oy


class Item(ButtonBehavior, Widget):
    pass


def touch(cls, path):
    sv = cls(size=(100, 100), do_scroll_x=False)
    item = Item(size_hint_y=None, height=300)  # taller than the list: it scrolls
    sv.add_widget(item)
    released = []
    item.bind(on_release=lambda *_: released.append(1))
    f = Finger(50, 50)
    sv.on_touch_down(f)
    for y in path:
        f.grab_current = sv
        f.slide_to(50, y)
        sv.on_touch_move(f)
    f.grab_current = sv
    sv.on_touch_up(f)
    at_once = len(released)
    sv._do_touch_up(f)  # what Kivy's own hand-over runs 0.2 s after the finger lifted
    return [at_once, len(released)]


print(json.dumps({name: touch(cls, path) for name, cls, path in (
    ("kivy_tap", ScrollView, ()), ("tap", TapScrollView, ()), ("tap_wobble", TapScrollView, (48, 46)),
    ("drag", TapScrollView, (45, 35, 20, 10)), ("kivy_drag", ScrollView, (45, 35, 20, 10)))}))
"""


def outcomes() -> dict:
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_a_tap_in_a_list_is_passed_on_at_once_and_once_and_a_drag_presses_nothing():
    got = outcomes()
    assert got["kivy_tap"] == [0, 1]  # Kivy 2.3.1 hands the tap over 0.2 s later: still worth fixing
    assert got["tap"] == [1, 1]  # at once, and Kivy's late hand-over does not press it again
    assert got["tap_wobble"] == [1, 1]  # a finger that shifts a few pixels still taps
    assert got["drag"] == [0, 0]  # a drag scrolls the list and presses nothing
    assert got["kivy_drag"] == [0, 0]
