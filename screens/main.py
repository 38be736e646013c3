"""`kiosk`: the touchscreen app. `--config PATH` (default $KIOSK_CONFIG or /etc/kiosk/kiosk.toml),
`--demo` (the embedded demo site with every twin running and the device dock). Without a display
it starts Xvfb itself; a headless demo plays a scripted journey, saves a screenshot of every
screen and the rendered receipt, prints the folder and exits."""
from __future__ import annotations

import argparse
import logging
import os
import sys

log = logging.getLogger("kiosk")


def parse(argv):
    p = argparse.ArgumentParser(prog="kiosk", description="区域通办 kiosk: the touchscreen app")
    p.add_argument("--config", help="site config (TOML)")
    p.add_argument("--demo", action="store_true", help="the demo site: simulated devices and jurisdictions, device dock")
    p.add_argument("--out", default="demo-output", help="headless demo: folder for the screenshots (default ./demo-output)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from kiosk.config import load_config
    from kiosk.errors import ConfigError, KioskError
    from kiosk.logs import setup_logging

    setup_logging(console=True, level=os.environ.get("KIOSK_LOG_LEVEL", "WARNING"))
    try:
        config = load_config(args.config, demo=args.demo)
    except ConfigError as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 2
    if config.log_file:
        try:
            setup_logging(console=True, level=os.environ.get("KIOSK_LOG_LEVEL", "INFO"), logfile=config.log_file)
        except OSError as e:  # the app runs on; the journal still has the console log
            log.warning("cannot write the log file %s: %s", config.log_file, e.strerror)
    headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    xvfb = None
    if headless:
        from screens.xvfb import Xvfb

        try:
            xvfb = Xvfb().start()
        except RuntimeError as e:
            print(f"kiosk: no display and {e}", file=sys.stderr)
            return 1
        os.environ["DISPLAY"] = xvfb.display
    if headless and args.demo and "KIVY_HOME" not in os.environ:
        # Kivy makes only the last level of KIVY_HOME: on a machine where nothing ran before, the
        # demo's data folder does not exist yet, so make the whole path (private, like the rest).
        os.makedirs(config.data_folder, mode=0o700, exist_ok=True)
        kivy_home = os.path.join(config.data_folder, "kivy")
        os.makedirs(kivy_home, mode=0o700, exist_ok=True)
        os.environ["KIVY_HOME"] = kivy_home
    try:
        return _run(config, args, headless)
    except KioskError as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 1
    finally:
        if xvfb is not None:
            xvfb.stop()


def _run(config, args, headless: bool) -> int:
    from kiosk.bootstrap import build
    from screens import boot

    scripted = headless and args.demo
    clock = None
    if scripted:
        from screens.demo_script import SkippableClock

        clock = SkippableClock()
    boot.configure(fullscreen=config.ui.fullscreen and not headless, demo=args.demo or config.demo, driven=scripted)
    boot.open_window()  # before any text is rendered
    video = None
    if args.demo:  # 视频帮办: the demo's own gateway and clerk, when they can run here (kiosk/demo/video.py)
        from kiosk.demo.video import DemoVideo

        video = DemoVideo.start(config)
        config = video.config
    services = None
    try:
        services = build(config, clock=clock, demo=args.demo, start_devices=False,  # they start after the first frame
                         factories=video.factories() if video is not None else None)
        from screens.app import KioskApp

        app = KioskApp(services)
        if video is not None and not scripted:
            video.serve()  # the interactive demo: a clerk answers the help call and sends a note
        if scripted:
            from screens.demo_script import play

            folder = os.path.abspath(args.out)
            shots = play(app, services, folder, clock, video=video)
            for why in services.availability.values():
                print(f"kiosk: {why} (the kiosk ran without it)", file=sys.stderr)
            print(f"kiosk: demo journey played; {len(shots)} pictures in {folder}")
            for s in shots:
                print(f"  {s}")
            return 0
        app.run()
        return 0
    finally:
        if services is not None:
            services.close()
        if video is not None:
            video.close()


if __name__ == "__main__":
    sys.exit(main())
