"""Fixes for Kivy 2.3.1 bugs that cost a kiosk running for months, applied once before any widget
is built (screens/boot.py). Each says what it fixes; remove it when Kivy does."""
from __future__ import annotations


def apply() -> None:
    _scrollview_bar_color_bindings()


def _scrollview_bar_color_bindings() -> None:
    """ScrollView.update_from_scroll binds bar_color → _change_bar_color on EVERY call, and its
    0.5 s fade-out trigger unbinds it once: each scroll left a few more bindings behind for good
    (measured: one list's bar_color observers 9 → 143 over 20 journeys, ~18 objects a journey).
    Unbinding first keeps exactly the one binding Kivy means to have; the bar looks the same."""
    from kivy.uix.scrollview import ScrollView

    original = ScrollView.update_from_scroll
    if getattr(original, "kiosk_fixed", False):
        return

    def update_from_scroll(self, *largs):
        self.funbind("bar_color", self._change_bar_color)
        return original(self, *largs)

    update_from_scroll.kiosk_fixed = True
    ScrollView.update_from_scroll = update_from_scroll
