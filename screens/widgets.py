"""Shared widgets: big journey buttons, labels that wrap, panels, and the base class of every
screen (what it is handed, how it forgets the resident)."""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView


class BigButton(Button):
    """A journey button: `kind` is primary | secondary | danger | ghost; `sub` a second line."""

    kind = StringProperty("primary")
    compact = BooleanProperty(False)  # a row's button: the touch-target height, not a journey button's


class Body(Label):
    """Text that wraps to its width and is as tall as it needs."""


class OneOf(AnchorLayout):
    """Shows one of its children (the one whose `pane` equals `show`); the others are out of the
    widget tree, so an invisible keyboard can never swallow a touch. As tall as the shown one."""

    show = StringProperty("")

    def __init__(self, **kw):
        self._panes: list = []
        super().__init__(**kw)

    @property
    def panes(self) -> dict[str, Any]:
        # looked up by name each time: kv sets a child's `pane` after adding it to its parent
        return {w.pane: w for w in self._panes}

    def add_widget(self, widget, *args, **kw):
        if not hasattr(widget, "pane") or widget in self._panes:
            return super().add_widget(widget, *args, **kw)
        self._panes.append(widget)
        widget.bind(height=self._fit, pane=lambda *_: self._sync())
        self._sync()

    def on_show(self, *_):
        self._sync()

    def _sync(self) -> None:
        for w in list(self.children):
            super().remove_widget(w)
        w = self.panes.get(self.show)
        if w is not None:
            super().add_widget(w)
        self._fit()

    def _fit(self, *_):
        if self.size_hint_y is not None:  # it fills its place instead
            return
        w = self.panes.get(self.show)
        self.height = w.height if w is not None else 0


class PaneBox(BoxLayout):
    pane = StringProperty("")


class PaneAnchor(AnchorLayout):
    pane = StringProperty("")


class PaneGrid(GridLayout):
    pane = StringProperty("")


class TapScrollView(ScrollView):
    """A list whose buttons answer a tap at once. When its content is long enough to scroll, Kivy's
    ScrollView (2.3.1) hands a short tap's touch-up to the button under the finger 0.2 s after the
    finger lifted (to tell a tap from the start of a swipe), so a tap on a matter, a field or a
    material in a long list answered a fifth of a second later than any other tap (a list that
    fits passes touches straight on). A drag still scrolls and never presses anything: only a
    touch Kivy left undecided (no scroll) is passed on now; Kivy's delayed hand-over then finds it
    done and does nothing. tests/unit/test_ui_tapscroll.py pins Kivy's delay and ours."""

    def on_scroll_stop(self, touch, check_children=True):
        if check_children:  # a list inside this one decides first, as in Kivy
            touch.push()
            touch.apply_transform_2d(self.to_local)
            if self.dispatch_children("on_scroll_stop", touch):
                touch.pop()
                self._touch = None
                return True
            touch.pop()
        ud = touch.ud.get(self._get_uid())
        tap = ud is not None and ud["mode"] == "unknown" and self._get_uid("svavoid") not in touch.ud
        handled = super().on_scroll_stop(touch, check_children=False)
        if tap:
            self._do_touch_up(touch)
        return handled

    def _do_touch_up(self, touch, *largs):
        done = self._get_uid("tap_passed")
        if touch.ud.get(done):
            return
        touch.ud[done] = True
        super()._do_touch_up(touch, *largs)


class KioskScreen(Screen):
    """One screen. `ctx` (screens.shell.Context) is handed in: the journey (what to show, where
    touches go), the use cases. `show()` runs each time the session enters this state or changes
    in it; `journey_changed()` when the journey's work moved on without a transition (a print
    finished, a scan started or failed); `reset()` forgets the resident (after it no widget
    holds their data)."""

    ctx: Any = ObjectProperty(None, rebind=True)
    problem = StringProperty("")  # what went wrong, in the resident's language

    def show(self, event: str) -> None:
        pass

    def journey_changed(self) -> None:
        pass

    def reset(self) -> None:
        self.problem = ""

    def problem_text(self) -> str:
        err = self.ctx.journey.snapshot().error
        if err is None:
            return ""
        from screens.look import look

        return err.en if look.lang == "en" else err.zh
