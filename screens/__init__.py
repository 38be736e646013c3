"""The touchscreen app (Kivy): screens, widgets, and the `kiosk` entry point. The only layer that
imports Kivy."""
