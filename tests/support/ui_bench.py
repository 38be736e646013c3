"""The UI benchmark's kiosk process: cold start to the home screen drawn, touch → next screen
drawn, and resident memory after many scripted journeys. Prints one JSON line of figures."""
from __future__ import annotations

import bisect
import json
import os
import statistics
import sys
import time
from pathlib import Path

JOURNEYS_SHORT, JOURNEYS_LONG = 10, int(os.environ.get("KIOSK_BENCH_JOURNEYS", "200"))
MATTER = "TZ-YB-001"  # 异地就医备案: among the popular matters on the first screen


def main(tmp: str, t_launch: float, journeys: int) -> int:
    from tests.support.site import site_config

    from kiosk.bootstrap import build
    from screens import boot
    from screens.demo_script import SkippableClock

    t_import = time.monotonic()
    boot.configure(demo=False, driven=True)
    boot.open_window()
    t_window = time.monotonic()
    Path(tmp).mkdir(parents=True, exist_ok=True)
    config = site_config(Path(tmp))
    clock = SkippableClock()
    services = build(config, clock=clock, demo=False, start_devices=False)  # as the app: after the first frame
    t_services = time.monotonic()
    from screens.app import KioskApp
    from screens.driver import Driver

    from kivy.core.window import Window

    drawn: list[float] = []
    Window.bind(on_flip=lambda *_: drawn.append(time.monotonic()))
    d = Driver(KioskApp(services))
    d.start()  # builds the app (home is its first screen) and draws frames
    d.wait_state("home")
    t_home = drawn[0]  # the first frame on screen is the home screen
    t_ready = time.monotonic()  # Driver.start returned: devices and outbox up, readers listened to
    # the catalog's search index and the pinyin tables are built once, off the main thread, after
    # the devices: journeys start on a kiosk done with its start-up, as a resident finds it (else
    # whether they were done by journey 10 decided the memory growth figure)
    d.wait(lambda: d.shell.warmed, what="the search index and pinyin tables")
    t_warm = time.monotonic()
    figures = {"window_w": Window.width, "window_h": Window.height, "cold_start_s": t_home - t_launch, "python_start_s": t_import - t_launch,
               "window_s": t_window - t_import, "core_build_s": t_services - t_window,
               "app_to_home_drawn_s": t_home - t_services, "devices_ready_s": t_ready - t_launch,
               "warmed_s": t_warm - t_launch}
    if not journeys:
        d.stop()
        services.close()
        print("FIGURES " + json.dumps(figures))
        return 0

    import psutil

    proc = psutil.Process()
    from tests.support.fakes import RESIDENT

    steps: list[float] = []
    by_screen: dict[str, list[float]] = {}
    frames_per_touch: list[int] = []
    frames_by_screen: dict[str, list[int]] = {}

    def timed_tap(target, state: str) -> None:
        d.tap(d.widget(target) if isinstance(target, str) and not target.startswith("@") else target, frames=0)
        d.wait(lambda: d.state == state and d.shell.ids.sm.current == state, what=state)  # ends with a drawn frame
        # from the finger landing: the driver scrolling a list item into view first is a resident's
        # swipe before the touch, not part of it
        steps.append(time.monotonic() - d.touched_at)
        frames_per_touch.append(len(drawn) - bisect.bisect_left(drawn, d.touched_at))  # drawn is in time order
        by_screen.setdefault(state, []).append(steps[-1])
        frames_by_screen.setdefault(state, []).append(frames_per_touch[-1])

    def one_journey() -> None:
        timed_tap("start", "identify")
        d.shell.cards.card_read("idreader", RESIDENT)  # as the reader reports it (hopped to the main thread)
        d.wait_state("choose")
        btn = next(w for w in d.visible() if getattr(w, "matter_code", None) == MATTER)  # among the popular
        timed_tap(btn, "guide")
        timed_tap("next", "form")
        d.type_keys("139")
        timed_tap("cancel", "home")

    rss = {}
    for i in range(JOURNEYS_LONG):
        one_journey()
        if i + 1 in (JOURNEYS_SHORT, JOURNEYS_LONG):
            import gc

            gc.collect()
            d.frames(2)
            rss[i + 1] = proc.memory_info().rss
    figures.update(
        touch_to_screen_median_ms=statistics.median(steps) * 1000,
        touch_to_screen_p90_ms=sorted(steps)[int(len(steps) * 0.9)] * 1000,
        touches=len(steps),
        frames_per_touch_median=statistics.median(frames_per_touch),  # each ~40-60 ms under software GL
        **{f"touch_to_{s}_median_ms": statistics.median(v) * 1000 for s, v in by_screen.items()},
        **{f"touch_to_{s}_p90_ms": sorted(v)[int(len(v) * 0.9)] * 1000 for s, v in by_screen.items()},
        **{f"frames_to_{s}_median": statistics.median(v) for s, v in frames_by_screen.items()},
        rss_after_10_mb=rss[JOURNEYS_SHORT] / 2**20,
        rss_after_200_mb=rss[JOURNEYS_LONG] / 2**20,
    )
    figures["rss_growth_mb"] = figures["rss_after_200_mb"] - figures["rss_after_10_mb"]
    d.stop()
    services.close()
    print("FIGURES " + json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
