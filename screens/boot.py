"""Kivy set-up in the order Kivy needs: environment and Config before `kivy.core.window` is
imported, then the window, then the Simplified-Chinese font, before any text is rendered."""
from __future__ import annotations

import os

# The window: a common 21.5" kiosk panel in landscape; the demo adds the device dock to its right.
WINDOW = (1280, 800)
DEMO_DOCK = 300  # px added to the right for the demo device panel


def configure(*, fullscreen: bool = False, demo: bool = False, driven: bool = False) -> None:
    """Call before anything imports kivy.core.window. `driven`: frames are pumped by a script
    (headless demo, tests), so no frame-rate cap."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # our logging (with its personal-data filter) stays in charge
    import logging

    from kivy.config import Config

    # Kivy's start-up chatter (GL versions, providers) is no news on a kiosk (set after Kivy set its own)
    logging.getLogger("kivy").setLevel(os.environ.get("KIOSK_KIVY_LOG_LEVEL", "WARNING"))

    w, h = WINDOW
    Config.set("graphics", "width", str(w + (DEMO_DOCK if demo else 0)))
    Config.set("graphics", "height", str(h))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "maxfps", "0" if driven else "60")
    Config.set("kivy", "exit_on_escape", "0")  # a resident must not quit the app with a keyboard
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def open_window():
    """The window, then the font registered as Kivy's default (face 0 of Noto CJK is Japanese)."""
    from kivy.core.window import Window
    from kivy.core.text import DEFAULT_FONT, LabelBase

    from kiosk.fonts import simplified_chinese_font

    regular = simplified_chinese_font("Regular")
    try:
        bold = simplified_chinese_font("Bold")
    except (FileNotFoundError, RuntimeError):
        bold = regular
    LabelBase.register(DEFAULT_FONT, regular, fn_bold=bold)
    from screens import kivy_fixes

    kivy_fixes.apply()
    from screens.sizes import rgba

    Window.clearcolor = rgba("bg")
    return Window
