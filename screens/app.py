"""The Kivy App: small on purpose. It is handed the built services and shows the shell."""
from __future__ import annotations

from kivy.app import App

from screens import registry
from screens.i18n import tr


class KioskApp(App):
    title = tr("home.title")  # the window's title: what a window manager or a screenshot names it

    def __init__(self, services, **kw):
        super().__init__(**kw)
        self.services = services
        self.shell = None

    def build(self):
        import screens.widgets as widgets
        import screens.keyboards as keyboards
        import screens.shell as shell

        for mod in (widgets, keyboards, shell):
            registry.load_kv(mod.__file__)
        self.shell = shell.Shell(self.services, on_quit=self.stop)
        return self.shell

    def on_start(self):
        self.shell.start()
        from kiosk import watchdog

        watchdog.ready("home screen shown")
        every = watchdog.ping_interval()
        if every:
            from kivy.clock import Clock

            Clock.schedule_interval(lambda _dt: watchdog.ping(), every)

    def on_stop(self):
        if self.shell is not None:
            self.shell.stop()
        from kiosk import watchdog

        watchdog.stopping()
